//! Views: functions of `&State` that draw a frame and change nothing. `draw` lays out the chrome
//! (status line, error banner, footer or command line) around the screen in front, then the
//! overlays (help) on top. Below the minimum size it only says so.

mod account;
mod chrome;
mod events;
mod fix;
mod help;
pub mod layout;
mod permissions;
mod search;
mod user;

use ratatui::layout::Rect;
use ratatui::Frame;

use super::state::{ListView, Screen, State};

/// Smallest terminal the layout is designed for; below it the console shows a notice instead.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

pub fn draw(frame: &mut Frame<'_>, state: &State) {
    let area = frame.area();
    let Some(layout::Areas {
        status,
        banner,
        main,
        footer,
    }) = layout::frame(state, area)
    else {
        chrome::too_small(frame, area, state);
        return;
    };
    chrome::status_line(frame, status, state);
    chrome::banner(frame, banner, state);
    match state.screen {
        Screen::Search => search::draw(frame, main, state),
        Screen::User => user::draw(frame, main, state),
    }
    chrome::footer(frame, footer, state);
    if state.help {
        help::draw(frame, popup_area(main), state);
    }
}

/// How far the text in front (help, event detail, Account or Fix) can scroll at the state's
/// size: the top row that still fills the last page. `update` keeps every scroll within it, so
/// Up after End moves at once; `None` when nothing in front scrolls text.
pub fn scroll_limit(state: &State) -> Option<u16> {
    let main = layout::frame(state, Rect::new(0, 0, state.size.0, state.size.1))?.main;
    let (text, area) = if state.help {
        (help::paragraph(state), popup_area(main))
    } else if state.screen == Screen::User {
        user::scrolled_text(state, main)?
    } else {
        return None;
    };
    // The count includes the borders, as does the area's height.
    let rows = text.line_count(area.width.saturating_sub(2));
    Some(u16::try_from(rows.saturating_sub(usize::from(area.height))).unwrap_or(u16::MAX))
}

fn popup_area(main: Rect) -> Rect {
    super::widgets::text::centered(main, main.width.saturating_sub(4).min(90), main.height)
}

/// A filterable list's title: `idle` while no `/` filter is set or typed, else `name │ /filter`
/// with a cursor while it is being typed.
fn list_title(idle: &str, name: &str, list: &ListView) -> String {
    if list.filter.is_empty() && !list.editing_filter {
        return format!(" {idle} ");
    }
    let cursor = if list.editing_filter { "▏" } else { "" };
    format!(" {name} │ /{}{cursor} ", crate::sanitize::line(&list.filter))
}
