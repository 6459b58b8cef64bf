//! Untrusted text (event messages, directory values) on its way to a terminal or a report:
//! control characters, escape sequences and bidirectional overrides are made visible and inert.

/// Replaces every control character (C0, DEL, C1) and bidi control with a visible escape
/// (`\u{1b}` -> `\x1b`), keeping ordinary text, tabs as spaces, and newlines only if `keep_newlines`.
pub fn sanitize(text: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\t' => out.push(' '),
            '\r' if keep_newlines => {}
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            // Bidi embeddings/overrides/isolates and marks: they reorder what follows them.
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}' => {
                out.push_str(&format!("\\u{{{:04x}}}", c as u32))
            }
            c => out.push(c),
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
}
