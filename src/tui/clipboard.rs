//! Copying to the user's clipboard with OSC 52: the terminal (local, or at the far end of SSH, or
//! tmux with `set-clipboard on`) puts the base64 payload on the clipboard. No X11 or Wayland needed.

use base64::Engine;

/// The escape sequence that asks the terminal to put `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    let payload = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{payload}\x07")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_is_base64_and_terminated() {
        assert_eq!(osc52("hi\x1b"), "\x1b]52;c;aGkb\x07");
    }
}
