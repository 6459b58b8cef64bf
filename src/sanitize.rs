//! Untrusted text (event messages, directory values) on its way to a terminal or a report:
//! control characters, escape sequences and bidirectional overrides are made visible and inert.

use std::borrow::Cow;

/// Replaces every control character (C0, DEL, C1) and bidi control with a visible escape
/// (`\u{1b}` -> `\x1b`), keeping ordinary text, tabs as spaces, and newlines only if `keep_newlines`.
pub fn sanitize(text: &str, keep_newlines: bool) -> String {
    sanitized(text, keep_newlines).into_owned()
}

/// `sanitize` that borrows `text` when it needs no change (printable ASCII, the usual case).
pub fn sanitized(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if text.bytes().all(|b| matches!(b, b' '..=b'~')) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\t' => out.push(' '),
            '\r' if keep_newlines => {}
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if is_bidi_control(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Bidi embeddings/overrides/isolates and marks: they reorder what follows them on screen.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}')
}

/// JSON that is inert on a terminal with every value unchanged. serde_json escapes C0 controls but
/// writes C1 controls (U+009B is CSI to many terminals) and bidi controls raw; in JSON text those
/// can only stand inside strings, where `\uXXXX` decodes to the same character.
pub fn json_inert(json: String) -> String {
    // Newlines and tabs outside strings are JSON whitespace; inside, serde_json already escaped them.
    let live = |c: char| (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || is_bidi_control(c);
    if !json.chars().any(live) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if live(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Single-line form for table cells and status lines.
pub fn line(text: &str) -> String {
    sanitize(text, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_inert() {
        let hostile = "ok\x1b]52;c;ZXZpbA==\x07\x1b[2J\u{202e}evil\u{9b}31m";
        let s = line(hostile);
        assert!(!s.chars().any(|c| c.is_control()));
        assert!(s.contains("\\x1b]52"));
        assert!(s.contains("\\u{202e}"));
        assert_eq!(sanitize("a\r\nb\tc", true), "a\nb c");
        assert_eq!(line("a\nb"), "a\\x0ab");
    }

    #[test]
    fn json_stays_exact_but_inert() {
        let value = "x\u{9b}31m\u{202e}y\x1b";
        let json = json_inert(serde_json::to_string_pretty(&[value]).unwrap_or_default());
        assert!(!json
            .chars()
            .any(|c| c != '\n' && (c.is_control() || is_bidi_control(c))));
        assert!(json.contains("\\u009b") && json.contains("\\u202e"));
        let back: Vec<String> = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, [value]);
    }
}
