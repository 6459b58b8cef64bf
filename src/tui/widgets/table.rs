//! The one table of the console. Users, ACEs and events all go through it: columns as data, rows
//! built lazily for the visible window only (a search can list 100,000 users), the selection kept
//! in view without mutable widget state, so views can stay `&State`. A cell wider than its column
//! is cut with `…`, and the selected row's cut cells are spelled out in full on the detail lines
//! under the rows, so nothing is hidden for good at 80 columns.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, StatefulWidget, Table, TableState, Widget};
use unicode_segmentation::UnicodeSegmentation;

use crate::tui::theme::Theme;
use crate::tui::widgets::text::wrap_hanging;

/// A column: its header and how wide it may be.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    pub width: Constraint,
}

/// One row: a line per column, already sanitized, and the row's style.
pub struct Cells<'a> {
    pub lines: Vec<Line<'a>>,
    pub style: Style,
}

impl<'a> Cells<'a> {
    pub fn new(lines: Vec<Line<'a>>) -> Cells<'a> {
        Cells {
            lines,
            style: Style::new(),
        }
    }
}

/// A table over `len` rows, of which only the visible ones are built by `row_at`. The block is
/// always drawn with borders: `layout` counts on them.
pub struct DataTable<'a> {
    pub columns: &'a [Column],
    pub len: usize,
    pub selected: Option<usize>,
    pub focused: bool,
    pub block: Block<'a>,
    pub theme: Theme,
}

/// Rows under the table that spell out the selected row's cut cells.
const DETAIL_ROWS: u16 = 2;
/// The selection symbol's width; ratatui reserves it on every row.
const HIGHLIGHT_WIDTH: u16 = 2;

/// Height of a table box that shows `rows` rows: borders, the header, the rows, the detail.
pub const fn min_height(rows: u16) -> u16 {
    2 + 1 + rows + DETAIL_ROWS
}

/// The first row to show so that `selected` stays visible in `height` rows.
pub fn window_start(selected: usize, height: usize) -> usize {
    if height == 0 {
        return 0;
    }
    selected.saturating_sub(height - 1)
}

/// Where a table's parts fall in its box: computed the same way for drawing and for hit-testing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableLayout {
    /// The header row and the data rows (what ratatui's `Table` draws into).
    pub table: Rect,
    /// The data rows alone.
    pub rows: Rect,
    pub detail: Rect,
    /// Index of the first row drawn.
    pub start: usize,
}

/// The layout of a table box at `area` over `len` rows with `selected` kept in view. The detail
/// lines are dropped before the last data row is.
pub fn layout(area: Rect, len: usize, selected: Option<usize>) -> TableLayout {
    let inner = Block::bordered().inner(area);
    let detail_rows = if inner.height >= 2 + DETAIL_ROWS {
        DETAIL_ROWS
    } else {
        0
    };
    let [table, detail] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(detail_rows)]).areas(inner);
    let [_, rows] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(table);
    let selected = clamp_selected(selected, len);
    TableLayout {
        table,
        rows,
        detail,
        start: window_start(selected.unwrap_or(0), usize::from(rows.height)),
    }
}

fn clamp_selected(selected: Option<usize>, len: usize) -> Option<usize> {
    selected.filter(|_| len > 0).map(|s| s.min(len - 1))
}

/// The row drawn at screen row `y` of a table box at `area`, if any.
pub fn row_at(area: Rect, len: usize, selected: Option<usize>, (x, y): (u16, u16)) -> Option<usize> {
    let l = layout(area, len, selected);
    let inside = l.rows.contains(ratatui::layout::Position { x, y });
    let row = l.start + usize::from(y.checked_sub(l.rows.y)?);
    (inside && row < len).then_some(row)
}

/// `line` cut to `width` columns, ending in `…` when something was cut; whether it was.
pub fn ellipsize(line: Line<'_>, width: usize) -> (Line<'_>, bool) {
    if line.width() <= width {
        return (line, false);
    }
    let budget = width.saturating_sub(1);
    let mut used = 0;
    let mut spans = Vec::new();
    let mut last_style = line.style;
    'spans: for span in &line.spans {
        let mut kept = String::new();
        for g in span.content.graphemes(true) {
            let w = Span::raw(g).width();
            if used + w > budget {
                if !kept.is_empty() {
                    spans.push(Span::styled(kept, span.style));
                }
                last_style = span.style;
                break 'spans;
            }
            used += w;
            kept.push_str(g);
        }
        spans.push(Span::styled(kept, span.style));
    }
    if width > 0 {
        spans.push(Span::styled("…", last_style));
    }
    (Line::from(spans).style(line.style), true)
}

impl<'a> DataTable<'a> {
    pub fn render(self, area: Rect, buf: &mut Buffer, mut row_at: impl FnMut(usize) -> Cells<'a>) {
        let l = layout(area, self.len, self.selected);
        let selected = clamp_selected(self.selected, self.len);
        let end = (l.start + usize::from(l.rows.height)).min(self.len);
        let widths = self.widths(l.table.width);
        let width_of = |k: usize| usize::from(widths.get(k).copied().unwrap_or(0));
        let mut cut_cells: Vec<(usize, Line<'a>)> = Vec::new();
        let rows: Vec<Row<'a>> = (l.start..end)
            .map(|i| {
                let cells = row_at(i);
                let lines = cells.lines.into_iter().enumerate().map(|(k, line)| {
                    let full = (Some(i) == selected).then(|| line.clone());
                    let (shown, cut) = ellipsize(line, width_of(k));
                    if let (true, Some(full)) = (cut, full) {
                        cut_cells.push((k, full));
                    }
                    shown
                });
                Row::new(lines.collect::<Vec<_>>()).style(cells.style)
            })
            .collect();
        let header = Row::new(
            self.columns
                .iter()
                .enumerate()
                .map(|(k, c)| ellipsize(Line::from(c.title), width_of(k)).0),
        )
        .style(self.theme.title());
        let highlight = if self.focused {
            self.theme.selected()
        } else {
            self.theme.selected_unfocused()
        };
        let table = Table::new(rows, widths.iter().map(|w| Constraint::Length(*w)))
            .header(header)
            .column_spacing(1)
            .row_highlight_style(highlight)
            .highlight_symbol(if self.focused { "▶ " } else { "  " })
            .highlight_spacing(ratatui::widgets::HighlightSpacing::Always)
            .style(Style::new());
        self.block.borders(Borders::ALL).render(area, buf);
        let mut ts = TableState::default().with_selected(selected.map(|s| s - l.start));
        StatefulWidget::render(table, l.table, buf, &mut ts);
        let detail = detail_lines(self.columns, cut_cells, self.theme, usize::from(l.detail.width));
        Paragraph::new(detail).render(l.detail, buf);
    }

    /// Each column's width in a table `width` wide, as ratatui's `Table` lays them out (after the
    /// selection symbol, one column apart), so cells can be cut before they are drawn.
    fn widths(&self, width: u16) -> Vec<u16> {
        let [_, columns] = Layout::horizontal([Constraint::Length(HIGHLIGHT_WIDTH), Constraint::Fill(0)])
            .areas(Rect::new(0, 0, width, 1));
        Layout::horizontal(self.columns.iter().map(|c| c.width))
            .flex(Flex::Start)
            .spacing(1)
            .split(columns)
            .iter()
            .map(|r| r.width)
            .collect()
    }
}

/// "↳ Title full text · Title full text", wrapped under the arrow to at most `DETAIL_ROWS` rows,
/// the last ending in `…` if even that is not enough.
fn detail_lines(
    columns: &[Column],
    cut: Vec<(usize, Line<'_>)>,
    theme: Theme,
    width: usize,
) -> Vec<Line<'static>> {
    if cut.is_empty() {
        return Vec::new();
    }
    let mut spans = vec![Span::styled("↳ ", theme.dim())];
    for (n, (k, full)) in cut.into_iter().enumerate() {
        if n > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        if let Some(title) = columns.get(k).map(|c| c.title).filter(|t| !t.is_empty()) {
            spans.push(Span::styled(format!("{title} "), theme.dim()));
        }
        spans.extend(
            full.spans
                .into_iter()
                .map(|s| Span::styled(s.content.into_owned(), s.style)),
        );
    }
    let mut rows = wrap_hanging(Line::from(spans), 2, width);
    if rows.len() > usize::from(DETAIL_ROWS) {
        rows.truncate(usize::from(DETAIL_ROWS));
        if let Some(mut last) = rows.pop() {
            last.spans.push(Span::raw("…"));
            rows.push(ellipsize(last, width).0);
        }
    }
    rows
}

/// Draws `text` in `area` when a table has nothing to show (still loading, no match).
pub fn empty(area: Rect, buf: &mut Buffer, block: Block<'_>, text: Line<'_>) {
    Paragraph::new(text).block(block).render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: [Column; 2] = [
        Column {
            title: "A",
            width: Constraint::Length(3),
        },
        Column {
            title: "Name",
            width: Constraint::Fill(1),
        },
    ];

    fn table(len: usize, selected: usize) -> DataTable<'static> {
        DataTable {
            columns: &COLS,
            len,
            selected: Some(selected),
            focused: true,
            block: Block::bordered(),
            theme: Theme::MONOCHROME,
        }
    }

    fn text(buf: &Buffer) -> Vec<String> {
        (0..buf.area.height)
            .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
            .collect()
    }

    #[test]
    fn selection_stays_in_view() {
        assert_eq!(window_start(0, 10), 0);
        assert_eq!(window_start(9, 10), 0);
        assert_eq!(window_start(10, 10), 1);
        assert_eq!(window_start(5, 0), 0);
    }

    #[test]
    fn ellipsis_cuts_by_width_and_keeps_styles() {
        let bold = Style::new().add_modifier(ratatui::style::Modifier::BOLD);
        let line = Line::from(vec![Span::raw("CN="), Span::styled("Bob Baker", bold)]);
        let (cut, was) = ellipsize(line.clone(), 7);
        assert!(was);
        assert_eq!(cut.to_string(), "CN=Bob…");
        assert_eq!(cut.spans.last().map(|s| s.style), Some(bold));
        assert_eq!(ellipsize(line.clone(), 12), (line, false));
        // Wide graphemes are never split; zero width leaves nothing.
        assert_eq!(ellipsize(Line::from("日本語"), 4).0.to_string(), "日…");
        assert_eq!(ellipsize(Line::from("abc"), 0).0.to_string(), "");
    }

    #[test]
    fn cut_cells_end_in_an_ellipsis_and_the_selected_row_is_spelled_out() {
        let area = Rect::new(0, 0, 24, 8);
        let mut buf = Buffer::empty(area);
        let names = ["short", "CN=Bob Baker,OU=Finance,DC=contoso"];
        table(2, 1).render(area, &mut buf, |i| {
            Cells::new(vec![Line::from(i.to_string()), Line::from(names[i])])
        });
        let rows = text(&buf);
        assert_eq!(rows[1], "│  A   Name            │");
        assert_eq!(rows[2], "│  0   short           │");
        assert_eq!(rows[3], "│▶ 1   CN=Bob Baker,OU…│");
        // The detail spells out the cut cell under its column's title, wrapped under the arrow.
        assert_eq!(rows[5], "│↳ Name CN=Bob Baker,OU│", "{rows:#?}");
        assert_eq!(rows[6], "│  =Finance,DC=contoso │", "{rows:#?}");
    }

    #[test]
    fn clicks_map_to_the_rows_drawn() {
        let area = Rect::new(0, 10, 40, 8);
        // Inside: row 11 is the header, 12..15 the rows, 15..17 the detail.
        let l = layout(area, 100, Some(50));
        assert_eq!((l.rows.y, l.rows.height, l.start), (12, 3, 48));
        assert_eq!(row_at(area, 100, Some(50), (5, 11)), None, "the header");
        assert_eq!(row_at(area, 100, Some(50), (5, 12)), Some(48));
        assert_eq!(row_at(area, 100, Some(50), (5, 14)), Some(50));
        assert_eq!(row_at(area, 100, Some(50), (5, 15)), None, "the detail");
        assert_eq!(row_at(area, 100, Some(50), (0, 12)), None, "the border");
        assert_eq!(row_at(area, 1, Some(0), (5, 13)), None, "below the last row");
    }

    #[test]
    fn tiny_and_empty_areas_do_not_panic() {
        for (w, h) in [(0, 0), (1, 1), (5, 2), (40, 5)] {
            let area = Rect::new(0, 0, w, h);
            let mut buf = Buffer::empty(area);
            table(1000, 999).render(area, &mut buf, |i| {
                Cells::new(vec![Line::from(i.to_string()), Line::from("x".repeat(i % 90))])
            });
        }
    }
}
