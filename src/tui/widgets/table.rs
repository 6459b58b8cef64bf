//! The one table of the console. Users, ACEs and events all go through it: columns as data, rows
//! built lazily for the visible window only (a search can list 100,000 users), the selection kept
//! in view without mutable widget state, so views can stay `&State`.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Row, StatefulWidget, Table, TableState, Widget};

use crate::tui::theme::Theme;

/// A column: its header and how wide it may be.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    pub width: Constraint,
}

/// A table over `len` rows, of which only the visible ones are built by `row_at`.
pub struct DataTable<'a> {
    pub columns: &'a [Column],
    pub len: usize,
    pub selected: Option<usize>,
    pub focused: bool,
    pub block: Block<'a>,
    pub theme: Theme,
}

/// The first row to show so that `selected` stays visible in `height` rows.
pub fn window_start(selected: usize, height: usize) -> usize {
    if height == 0 {
        return 0;
    }
    selected.saturating_sub(height - 1)
}

impl<'a> DataTable<'a> {
    pub fn render(self, area: Rect, buf: &mut Buffer, mut row_at: impl FnMut(usize) -> Row<'a>) {
        let inner = self.block.inner(area);
        // One line for the header.
        let height = usize::from(inner.height.saturating_sub(1));
        let selected = self
            .selected
            .filter(|_| self.len > 0)
            .map(|s| s.min(self.len - 1));
        let start = window_start(selected.unwrap_or(0), height);
        let end = (start + height).min(self.len);
        let rows: Vec<Row<'a>> = (start..end).map(&mut row_at).collect();
        let header = Row::new(self.columns.iter().map(|c| Line::from(c.title))).style(self.theme.title());
        let highlight = if self.focused {
            self.theme.selected()
        } else {
            self.theme.selected_unfocused()
        };
        let table = Table::new(rows, self.columns.iter().map(|c| c.width))
            .header(header)
            .block(self.block)
            .column_spacing(1)
            .row_highlight_style(highlight)
            .highlight_symbol(if self.focused { "▶ " } else { "  " })
            .highlight_spacing(ratatui::widgets::HighlightSpacing::Always)
            .style(Style::new());
        let mut ts = TableState::default().with_selected(selected.map(|s| s - start));
        StatefulWidget::render(table, area, buf, &mut ts);
    }
}

/// Draws `text` in `area` when a table has nothing to show (still loading, no match).
pub fn empty(area: Rect, buf: &mut Buffer, block: Block<'_>, text: Line<'_>) {
    ratatui::widgets::Paragraph::new(text)
        .block(block)
        .render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::widgets::Cell;

    #[test]
    fn selection_stays_in_view() {
        assert_eq!(window_start(0, 10), 0);
        assert_eq!(window_start(9, 10), 0);
        assert_eq!(window_start(10, 10), 1);
        assert_eq!(window_start(5, 0), 0);
    }

    #[test]
    fn tiny_and_empty_areas_do_not_panic() {
        const COLS: [Column; 2] = [
            Column {
                title: "A",
                width: Constraint::Length(3),
            },
            Column {
                title: "B",
                width: Constraint::Fill(1),
            },
        ];
        for (w, h) in [(0, 0), (1, 1), (5, 2), (40, 5)] {
            let area = Rect::new(0, 0, w, h);
            let mut buf = Buffer::empty(area);
            DataTable {
                columns: &COLS,
                len: 1000,
                selected: Some(999),
                focused: true,
                block: Block::bordered(),
                theme: Theme::COLOUR,
            }
            .render(area, &mut buf, |i| {
                Row::new([Cell::from(i.to_string()), Cell::from("x")])
            });
        }
    }
}
