//! Text helpers: key-hint lines from the keymap, fields with highlighted match positions, and a
//! centered popup area.

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

    #[test]
    fn centered_fits_inside() {
        let r = centered(Rect::new(0, 0, 10, 4), 40, 40);
        assert_eq!(r, Rect::new(0, 0, 10, 4));
    }
}
