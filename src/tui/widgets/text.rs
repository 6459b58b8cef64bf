//! Text helpers: key-hint lines from the keymap, fields with highlighted match positions, lines
//! wrapped with a hanging indent, and a centered popup area.

use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;

use crate::tui::keymap::{Action, KeyBindings};
use crate::tui::theme::Theme;

/// "key hint · key hint" for the footer, from the live key bindings.
pub fn hints<'a>(keys: &KeyBindings, actions: &[Action], theme: Theme) -> Line<'a> {
    let mut spans = Vec::new();
    for (i, a) in actions.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        let label = keys.keys(*a).first().map(|k| k.label()).unwrap_or_default();
        spans.push(Span::styled(label, theme.key()));
        spans.push(Span::raw(format!(" {}", a.hint())));
    }
    Line::from(spans)
}

/// `text` (already sanitized) with the graphemes at `positions` drawn in `matched`.
pub fn highlighted<'a>(text: &str, positions: &[u32], base: Style, matched: Style) -> Line<'a> {
    if positions.is_empty() {
        return Line::from(Span::styled(text.to_string(), base));
    }
    let mut spans: Vec<Span<'a>> = Vec::new();
    let mut run = String::new();
    let mut run_hit = false;
    for (i, g) in text.graphemes(true).enumerate() {
        let hit = u32::try_from(i).is_ok_and(|i| positions.binary_search(&i).is_ok());
        if hit != run_hit && !run.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut run),
                if run_hit { matched } else { base },
            ));
        }
        run_hit = hit;
        run.push_str(g);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, if run_hit { matched } else { base }));
    }
    Line::from(spans)
}

/// `line` wrapped at word boundaries to `width` columns, every row after the first indented by
/// `indent` columns. ratatui's own wrap starts continuation rows at column 0, so a wrapped fix
/// command ran into the text under it; indented, it still reads as one command. A word wider
/// than a row is cut between graphemes. Styles stay with their text.
pub fn wrap_hanging(line: Line<'static>, indent: usize, width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    // Half the row at most, so narrow boxes still show text after the indent.
    let indent = indent.min(width / 2);
    let style = line.style;
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let (mut used, mut row_start) = (0, 0);
    for span in line.spans {
        for word in span.content.split_inclusive(' ') {
            let word_width = Span::raw(word.trim_end_matches(' ')).width();
            let mut piece = String::new();
            // A word that does not fit goes to the next row if it fits there whole.
            let mut wrap_now = used > row_start && used + word_width > width && indent + word_width <= width;
            for g in word.graphemes(true) {
                let w = Span::raw(g).width();
                if !wrap_now && used + w > width {
                    if g == " " {
                        continue; // spaces at the end of a row are not drawn
                    }
                    wrap_now = true;
                }
                if wrap_now {
                    if !piece.is_empty() {
                        row.push(Span::styled(std::mem::take(&mut piece), span.style));
                    }
                    if let Some(last) = row.last_mut() {
                        last.content = last.content.trim_end_matches(' ').to_string().into();
                    }
                    rows.push(Line::from(std::mem::take(&mut row)).style(style));
                    row.push(Span::raw(" ".repeat(indent)));
                    (used, row_start, wrap_now) = (indent, indent, false);
                }
                piece.push_str(g);
                used += w;
            }
            if !piece.is_empty() {
                row.push(Span::styled(piece, span.style));
            }
        }
    }
    rows.push(Line::from(row).style(style));
    rows
}

/// A rectangle of at most `width` x `height` centered in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Modifier;

    #[test]
    fn highlight_splits_runs_by_grapheme() {
        let m = Style::new().add_modifier(Modifier::BOLD);
        // "e\u{301}" is one grapheme: position 1 is the accented e, position 2 the 'x'.
        let line = highlighted("ae\u{301}x", &[1, 2], Style::new(), m);
        let parts: Vec<(&str, bool)> = line
            .spans
            .iter()
            .map(|s| (s.content.as_ref(), s.style == m))
            .collect();
        assert_eq!(parts, vec![("a", false), ("e\u{301}x", true)]);
    }

    fn texts(rows: &[Line<'_>]) -> Vec<String> {
        rows.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn wrapped_rows_keep_a_hanging_indent() {
        let line = Line::from(vec![
            Span::raw("    "),
            Span::styled("Set-ADUser -Identity bob -Clear adminCount", Modifier::BOLD),
        ]);
        let rows = wrap_hanging(line, 6, 24);
        assert_eq!(
            texts(&rows),
            ["    Set-ADUser -Identity", "      bob -Clear", "      adminCount"]
        );
        assert!(rows.iter().all(|r| r.width() <= 24));
        assert_eq!(rows[1].spans[1].style, Style::new().add_modifier(Modifier::BOLD));
    }

    #[test]
    fn a_word_wider_than_a_row_is_cut_and_nothing_is_lost() {
        let rows = wrap_hanging(Line::from("ab CN=Bob,OU=Finance,DC=contoso"), 2, 12);
        assert_eq!(texts(&rows), ["ab CN=Bob,OU", "  =Finance,D", "  C=contoso"]);
        assert_eq!(texts(&wrap_hanging(Line::from(""), 4, 10)), [""]);
        assert_eq!(texts(&wrap_hanging(Line::from("fits"), 4, 10)), ["fits"]);
        // Zero width must not loop or panic.
        assert!(!wrap_hanging(Line::from("abc def"), 4, 0).is_empty());
    }

    #[test]
    fn centered_fits_inside() {
        let r = centered(Rect::new(0, 0, 10, 4), 40, 40);
        assert_eq!(r, Rect::new(0, 0, 10, 4));
    }
}
