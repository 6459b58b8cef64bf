//! The `?` overlay, generated from the key bindings so it always tells the truth, plus the focus
//! model and the command-line verbs.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::keymap::Action;
use crate::tui::state::State;

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &State) {
    frame.render_widget(Clear, area);
    frame.render_widget(paragraph(state).scroll((state.help_scroll, 0)), area);
}

/// The help's text, unscrolled (`update` measures it to bound the scroll).
pub fn paragraph(state: &State) -> Paragraph<'static> {
    let theme = state.settings.theme;
    let keys = &state.settings.keys;
    let mut lines: Vec<Line<'static>> = Action::ALL
        .iter()
        .map(|a| {
            Line::from(vec![
                Span::styled(format!("{:>14}  ", keys.label(*a)), theme.key()),
                Span::raw(a.description()),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::styled("Focus", theme.title()));
    lines.push(Line::from(
        "Search: typing goes to the search box; arrows move the selection. Tab moves focus to the list, \
         where the letter keys above work. User view: 1-4 pick a tab.",
    ));
    lines.push(Line::styled("Commands", theme.title()));
    lines.push(Line::from(
        ":user NAME   :events 4740   :at 2026-11-24T09:20:00Z   :reload   :help   :q",
    ));
    let block = Block::bordered()
        .title(Line::styled(" Help ", theme.title()))
        .title_bottom(" ↑/↓ scroll · Esc closes ");
    Paragraph::new(lines).block(block).wrap(Wrap { trim: false })
}
