//! Where things are on screen, as pure functions of the state and an area. The views draw into
//! these areas and `update` hit-tests mouse clicks and bounds the Permissions stack with the same
//! numbers, so what is clicked is always what was drawn, without views writing to the state.

use ratatui::layout::{Constraint, Layout, Rect};

use super::{chrome, user, MIN_HEIGHT, MIN_WIDTH};
use crate::tui::state::{Screen, State, Tab};
use crate::tui::widgets::table;

/// The frame around every screen.
pub struct Areas {
    pub status: Rect,
    pub banner: Rect,
    pub main: Rect,
    pub footer: Rect,
}

/// The frame's areas in `area`, or `None` below the minimum size (only a notice is drawn).
pub fn frame(state: &State, area: Rect) -> Option<Areas> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let [status, banner, main, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(chrome::banner_height(state, area.width)),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    Some(Areas {
        status,
        banner,
        main,
        footer,
    })
}

/// The search screen: the query box above the list of users.
pub fn search(main: Rect) -> [Rect; 2] {
    Layout::vertical([Constraint::Length(3), Constraint::Fill(1)]).areas(main)
}

/// The user view: header (who and the verdict), the tab bar, the tab's body. `None` until the
/// user and the directory are there.
pub fn user(state: &State, main: Rect) -> Option<[Rect; 3]> {
    let user = state.current_user()?;
    state.user.as_ref()?;
    Some(
        Layout::vertical([
            Constraint::Length(user::header_height(user, state, main)),
            Constraint::Length(1),
            Constraint::Fill(1),
        ])
        .areas(main),
    )
}

/// Between two tab labels.
pub const TAB_DIVIDER: &str = "│";

/// "1 Account", as the tab bar shows it.
pub fn tab_label(i: usize, tab: Tab) -> String {
    format!("{} {}", i + 1, tab.title())
}

/// The tab whose label is at `(x, y)` in the tab bar at `bar`: ratatui's `Tabs` pads each label
/// with one space either side and puts the divider between them.
pub fn tab_at(bar: Rect, (x, y): (u16, u16)) -> Option<Tab> {
    if !bar.contains(ratatui::layout::Position { x, y }) {
        return None;
    }
    let mut left = bar.x;
    for (i, tab) in Tab::ALL.into_iter().enumerate() {
        let width = u16::try_from(tab_label(i, tab).chars().count()).unwrap_or(u16::MAX) + 2;
        if (left..left.saturating_add(width)).contains(&x) {
            return Some(tab);
        }
        left = left.saturating_add(width + 1);
    }
    None
}

/// The Permissions tab's boxes, top to bottom; `None` for a box stacked away above.
pub struct Permissions {
    pub rights: Option<Rect>,
    pub chain: Option<Rect>,
    pub dacl: Rect,
    /// How many boxes can be stacked away (0 when everything fits).
    pub max_stack: usize,
}

/// Rows of the rights box: five rights and the borders.
const RIGHTS_HEIGHT: u16 = 7;

/// The Permissions tab in `body` for an inheritance chain of `chain_links`, with `stack` boxes
/// stacked away. When the rights, the whole chain and a DACL of three rows do not fit, the boxes
/// stack: the first view keeps the rights and the chain whole (the blocking point is the answer)
/// and only the DACL's title, and moving down stacks the boxes above away one at a time until the
/// DACL has its rows. A box is never drawn cut.
pub fn permissions(body: Rect, chain_links: usize, stack: usize) -> Permissions {
    let chain_height = u16::try_from(chain_links).unwrap_or(u16::MAX).saturating_add(2);
    let heights = [RIGHTS_HEIGHT, chain_height];
    let dacl_min = table::min_height(3);
    let fits = |hidden: usize| {
        let above: u16 = heights[hidden..].iter().sum();
        above.saturating_add(dacl_min) <= body.height
    };
    let max_stack = (0..heights.len()).find(|&k| fits(k)).unwrap_or(heights.len());
    let stack = stack.min(max_stack);
    let mut boxes = [None, None];
    let mut top = body;
    for (k, h) in heights.into_iter().enumerate().skip(stack) {
        let [this, rest] = Layout::vertical([Constraint::Length(h), Constraint::Fill(1)]).areas(top);
        boxes[k] = Some(this);
        top = rest;
    }
    let [rights, chain] = boxes;
    Permissions {
        rights,
        chain,
        dacl: top,
        max_stack,
    }
}

/// The table a click at row `y` lands in, with its rows' count known to the caller: the users on
/// the search screen, or the current tab's list (DACL or events) on the user view.
pub fn list_area(state: &State, area: Rect) -> Option<Rect> {
    let main = frame(state, area)?.main;
    match state.screen {
        Screen::Search => Some(search(main)[1]),
        Screen::User => {
            let [_, _, body] = user(state, main)?;
            let u = state.user.as_ref()?;
            match u.tab {
                Tab::Events => Some(body),
                Tab::Permissions => {
                    let links = state.current_diagnosis().map_or(0, |d| d.inheritance_chain.len());
                    Some(permissions(body, links, u.stack).dacl)
                }
                Tab::Account | Tab::Fix => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_labels_are_hit_where_tabs_draws_them() {
        // " 1 Account │ 2 Permissions │ 3 Events │ 4 Fix "
        let bar = Rect::new(0, 5, 80, 1);
        assert_eq!(tab_at(bar, (0, 5)), Some(Tab::Account));
        assert_eq!(tab_at(bar, (10, 5)), Some(Tab::Account));
        assert_eq!(tab_at(bar, (11, 5)), None, "the divider");
        assert_eq!(tab_at(bar, (12, 5)), Some(Tab::Permissions));
        assert_eq!(tab_at(bar, (42, 5)), Some(Tab::Fix));
        assert_eq!(tab_at(bar, (47, 5)), None);
        assert_eq!(tab_at(bar, (0, 6)), None, "below the bar");
    }

    #[test]
    fn permissions_stack_when_the_boxes_do_not_fit() {
        let roomy = permissions(Rect::new(0, 0, 80, 30), 4, 0);
        assert_eq!(roomy.max_stack, 0);
        assert!(roomy.rights.is_some() && roomy.chain.is_some());
        assert_eq!(roomy.dacl.height, 30 - 7 - 6);
        // 80x24 with a four-line verdict leaves 15 rows.
        let small = Rect::new(0, 0, 80, 15);
        let first = permissions(small, 4, 0);
        assert_eq!(first.max_stack, 1);
        assert_eq!(first.rights.map(|r| r.height), Some(7));
        assert_eq!(first.chain.map(|r| r.height), Some(6));
        let down = permissions(small, 4, 5);
        assert!(down.rights.is_none());
        assert_eq!(down.chain.map(|r| r.y), Some(0));
        assert!(down.dacl.height >= table::min_height(3));
        // Nothing to give: everything stacks away but the DACL.
        let tiny = permissions(Rect::new(0, 0, 80, 9), 4, 9);
        assert_eq!((tiny.max_stack, tiny.dacl.height), (2, 9));
    }
}
