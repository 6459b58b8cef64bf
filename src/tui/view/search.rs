//! The start screen: the search box, then the matching users with the matched characters
//! highlighted and users with a recent failure event marked.

use nucleo_matcher::{Config, Matcher};
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use crate::tui::search::Field;
use crate::tui::state::{SearchFocus, State};
use crate::tui::theme::Tone;
use crate::tui::widgets::table::{empty, Cells, Column, DataTable};
use crate::tui::widgets::text::highlighted;

const WIDE: [Column; 4] = [
    Column {
        title: "",
        width: Constraint::Length(1),
    },
    Column {
        title: "sAMAccountName",
        width: Constraint::Fill(2),
    },
    Column {
        title: "Display name",
        width: Constraint::Fill(2),
    },
    Column {
        title: "userPrincipalName",
        width: Constraint::Fill(3),
    },
];

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &State) {
    let theme = state.settings.theme;
    let s = &state.search;
    let [input, list] = super::layout::search(area);
    let focused = s.focus == SearchFocus::Query;
    let cursor = if focused { "▏" } else { "" };
    let input_block = Block::bordered().title(" Find a user ").border_style(if focused {
        theme.title()
    } else {
        theme.dim()
    });
    let query = Line::from(vec![
        Span::styled("› ", theme.key()),
        Span::raw(crate::sanitize::line(s.search.query())),
        Span::raw(cursor),
    ]);
    frame.render_widget(Paragraph::new(query).block(input_block), input);

    let Some(index) = &s.index else {
        let block = Block::bordered().title(" Users ");
        let line = super::chrome::loading_line("the directory", &state.directory, state);
        empty(list, frame.buffer_mut(), block, line);
        return;
    };
    let hits = s.search.hits();
    let title = match s.search.progress() {
        Some(p) => format!(
            " Users {}/{} · matching… {}% ",
            hits.len(),
            index.len(),
            p.percent()
        ),
        None => format!(" Users {}/{} ", hits.len(), index.len()),
    };
    let marked = s.flagged.len();
    let block = Block::bordered().title(title).title_bottom(if marked > 0 {
        Line::from(vec![
            Span::styled(format!(" {} ", Tone::Bad.symbol()), theme.tone(Tone::Bad)),
            Span::raw("recent failed writeback "),
        ])
    } else {
        Line::from("")
    });
    if hits.is_empty() {
        empty(list, frame.buffer_mut(), block, Line::from("no user matches"));
        return;
    }
    let mut matcher = Matcher::new(Config::DEFAULT);
    let base = ratatui::style::Style::new();
    let row_at = |i: usize| {
        let Some(hit) = hits.get(i) else {
            return Cells::new(Vec::new());
        };
        let Some(f) = index.fields(hit.user) else {
            return Cells::new(Vec::new());
        };
        let h = s.search.highlights(index, hit.user, &mut matcher);
        let mark = if s.flagged.contains(&hit.user) {
            Span::styled(Tone::Bad.symbol(), theme.tone(Tone::Bad))
        } else {
            Span::raw(" ")
        };
        let field = |text: &str, which: Field| {
            highlighted(
                text,
                h.get(which as usize).map_or(&[], |v| v.as_slice()),
                base,
                theme.matched(),
            )
        };
        Cells::new(vec![
            Line::from(mark),
            field(&f.sam_account_name, Field::SamAccountName),
            field(&f.display_name, Field::DisplayName),
            field(&f.user_principal_name, Field::UserPrincipalName),
        ])
    };
    DataTable {
        columns: &WIDE,
        len: hits.len(),
        selected: Some(s.selected),
        // Enter opens the selected row from either focus, so it always shows as selected.
        focused: true,
        block,
        theme,
    }
    .render(list, frame.buffer_mut(), row_at);
}
