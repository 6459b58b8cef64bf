//! The pure heart of the console: `update(state, message) -> commands`. No I/O happens here;
//! anything slow or outside (LDAP, EVTX, the diagnosis, the clipboard) goes out as a `Command`,
//! and its result comes back as a `Message`. Modal layers consume keys first: command line, help,
//! event detail, banner, then the screen in front.

use std::sync::Arc;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind};
use ratatui::layout::Rect;

use super::keymap::{Action, KeyBindings};
use super::message::{Command, JobResult, LoadedDirectory, Message};
use super::search::SearchIndex;
use super::state::{Banner, Click, ListView, Loading, Screen, SearchFocus, State, Tab, UserScreen};
use super::view::layout;
use super::widgets::table;
use super::{rows, view};
use crate::directory::Directory;
use crate::events::Event;

/// Applies `message` to `state` and returns the background work it calls for.
pub fn update(state: &mut State, message: Message) -> Vec<Command> {
    let cmds = apply(state, message);
    // A move, a resize or new text (the XML arriving) can each leave a scroll past its text.
    if let Some(limit) = view::scroll_limit(state) {
        if let Some(s) = scroll_in_front(state) {
            *s = (*s).min(limit);
        }
    }
    cmds
}

fn apply(state: &mut State, message: Message) -> Vec<Command> {
    match message {
        Message::Key(key) if key.kind != KeyEventKind::Release => on_key(state, key),
        Message::Key(_) => Vec::new(),
        Message::Mouse { event, at } => match event.kind {
            MouseEventKind::ScrollUp => {
                move_selection(state, Action::Up);
                Vec::new()
            }
            MouseEventKind::ScrollDown => {
                move_selection(state, Action::Down);
                Vec::new()
            }
            MouseEventKind::Down(MouseButton::Left) => on_click(state, (event.column, event.row), at),
            _ => Vec::new(),
        },
        Message::Paste(text) => {
            for c in text.chars().filter(|c| !c.is_control()) {
                type_char(state, c);
            }
            Vec::new()
        }
        Message::Resize { width, height } => {
            state.size = (width, height);
            Vec::new()
        }
        Message::Tick => {
            state.spinner = state.spinner.wrapping_add(1);
            Vec::new()
        }
        Message::SearchSlice => {
            if let Some(index) = &state.search.index {
                state.search.search.advance(index);
            }
            Vec::new()
        }
        Message::DirectoryLoaded { generation, result } => {
            if generation != state.generation {
                return Vec::new();
            }
            on_directory(state, result);
            let mut cmds = request_diagnosis(state);
            cmds.extend(mark_failures(state));
            cmds
        }
        Message::EventsIngested { generation, result } => {
            if generation != state.generation {
                return Vec::new();
            }
            match result {
                Ok(events) => state.events = Loading::Ready(events),
                Err(e) => {
                    state.events = Loading::Failed(e.clone());
                    state.banner = Some(Banner {
                        text: format!("event logs: {e} (diagnosing from the directory alone)"),
                        retry: vec![Command::IngestEvents { generation }],
                    });
                }
            }
            let mut cmds = request_diagnosis(state);
            cmds.extend(mark_failures(state));
            cmds
        }
        Message::UserReread {
            generation,
            user,
            result,
        } => {
            let current = state
                .user
                .as_mut()
                .filter(|u| u.user == user && generation == state.generation);
            let Some(screen) = current else {
                return Vec::new();
            };
            screen.reread = match result {
                Ok(fresh) => Loading::Ready(fresh),
                Err(e) => Loading::Failed(e),
            };
            request_diagnosis(state)
        }
        Message::EventsProgress { generation, percent } => {
            if generation == state.generation && state.events.is_loading() {
                state.events_progress = Some(percent);
            }
            Vec::new()
        }
        Message::FailuresMarked { generation, users } => {
            if generation == state.generation {
                match users {
                    Ok(users) => state.search.flagged = users,
                    Err(e) => {
                        state.banner = Some(Banner {
                            text: format!("marking recent failures: {e}"),
                            retry: mark_failures(state),
                        });
                    }
                }
            }
            Vec::new()
        }
        Message::DiagnosisReady {
            generation,
            user,
            at,
            result,
        } => {
            let ticket_at = state.ticket_at;
            let current = state
                .user
                .as_mut()
                .filter(|u| u.user == user && generation == state.generation && at == ticket_at);
            if let Some(screen) = current {
                match result {
                    Ok(d) => {
                        screen.diagnosis = Loading::Ready(d);
                        refilter(screen);
                    }
                    Err(e) => {
                        screen.diagnosis = Loading::Failed(e.clone());
                        let retry = diagnosis_inputs(state)
                            .map(|(directory, events)| Command::Diagnose {
                                generation,
                                directory,
                                events,
                                user,
                                index: user,
                                at,
                            })
                            .into_iter()
                            .collect();
                        state.banner = Some(Banner {
                            text: format!("diagnosis: {e}"),
                            retry,
                        });
                    }
                }
            }
            Vec::new()
        }
        Message::Warning(text) => {
            // An error already on screen matters more than a warning.
            if state.banner.is_none() {
                error(state, text);
            }
            Vec::new()
        }
        Message::RawXmlRead {
            file,
            position,
            result,
        } => {
            // Only the detail still open on that record takes it; a closed or changed one drops it.
            let shown = state.current_diagnosis().and_then(|d| {
                let open = state.user.as_ref()?.event_detail?;
                d.events
                    .get(open)
                    .map(|e| *e.origin.file == *file && e.origin.position == position)
            });
            if let (Some(true), Some(u)) = (shown, state.user.as_mut()) {
                u.raw_xml = match result {
                    Ok(xml) => Loading::Ready(xml),
                    Err(e) => Loading::Failed(e),
                };
            }
            Vec::new()
        }
        Message::ClipboardWritten(result) => {
            if let Err(e) = result {
                error(state, format!("clipboard: {e}"));
            }
            Vec::new()
        }
    }
}

/// Starts (or restarts) loading everything; the first call and `:reload` both come here.
pub fn load_all(state: &mut State) -> Vec<Command> {
    state.generation += 1;
    state.directory = Loading::Loading;
    state.events = Loading::Loading;
    state.events_progress = None;
    state.banner = None;
    if let Some(u) = state.user.as_mut() {
        u.diagnosis = Loading::Idle;
        u.reread = Loading::Idle;
        u.event_detail = None;
        u.raw_xml = Loading::Idle;
    }
    let generation = state.generation;
    vec![
        Command::LoadDirectory { generation },
        Command::IngestEvents { generation },
    ]
}

/// Asks for the open user's diagnosis once the directory is there and the event logs are done
/// (read or failed: a diagnosis without events is still worth having).
/// On a live source the user is re-read first (while the events may still load), so the verdict
/// is of the directory as it is now; if the DC fails, the loaded copy decides, marked so.
fn request_diagnosis(state: &mut State) -> Vec<Command> {
    let generation = state.generation;
    let ticket_at = state.ticket_at;
    let live = state.settings.source.live;
    let dn = state.current_user().map(|u| u.dn.clone());
    let inputs = diagnosis_inputs(state);
    let Some(u) = state
        .user
        .as_mut()
        .filter(|u| matches!(u.diagnosis, Loading::Idle))
    else {
        return Vec::new();
    };
    if let (true, Loading::Idle, Some(dn)) = (live, &u.reread, dn) {
        u.reread = Loading::Loading;
        return vec![Command::RereadUser {
            generation,
            user: u.user,
            dn,
        }];
    }
    let Some((loaded, events)) = inputs else {
        return Vec::new();
    };
    let (directory, index) = match &u.reread {
        Loading::Loading => return Vec::new(),
        Loading::Ready(fresh) => (Arc::clone(fresh), 0),
        Loading::Idle | Loading::Failed(_) => (loaded, u.user),
    };
    u.diagnosis = Loading::Loading;
    vec![Command::Diagnose {
        generation,
        directory,
        events,
        user: u.user,
        index,
        at: ticket_at,
    }]
}

/// What a diagnosis reads, once there: the directory, and the events (none if they failed).
fn diagnosis_inputs(state: &State) -> Option<(Arc<Directory>, Arc<[Event]>)> {
    let directory = state.directory.ready().cloned()?;
    let events: Arc<[Event]> = match &state.events {
        Loading::Ready(e) => Arc::clone(e),
        Loading::Failed(_) => Arc::from(Vec::new()),
        Loading::Idle | Loading::Loading => return None,
    };
    Some((directory, events))
}

/// Once both the directory and the events are in, find whom to mark in the list.
fn mark_failures(state: &State) -> Vec<Command> {
    match (state.directory.ready(), state.events.ready()) {
        (Some(d), Some(e)) => vec![Command::MarkFailures {
            generation: state.generation,
            directory: Arc::clone(d),
            events: Arc::clone(e),
        }],
        _ => Vec::new(),
    }
}

fn on_directory(state: &mut State, result: JobResult<LoadedDirectory>) {
    match result {
        Ok(LoadedDirectory {
            directory: dir,
            index,
        }) => {
            state.search.search.refresh(&index);
            state.search.index = Some(index);
            state.search.selected = 0;
            // A reload may have reordered users: follow the open user by DN.
            let open_dn = state.current_user().map(|u| u.dn.clone());
            if let Some(u) = state.user.as_mut() {
                match open_dn.and_then(|dn| dir.users.iter().position(|x| x.dn == dn)) {
                    Some(p) => u.user = p,
                    None => {
                        state.user = None;
                        state.screen = Screen::Search;
                    }
                }
            }
            state.directory = Loading::Ready(dir);
        }
        Err(e) => {
            state.directory = Loading::Failed(e.clone());
            state.banner = Some(Banner {
                text: format!("directory: {e}"),
                retry: vec![Command::LoadDirectory {
                    generation: state.generation,
                }],
            });
        }
    }
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    let keys = state.settings.keys.clone();
    if keys.is(Action::ForceQuit, &key) {
        state.quit = true;
        return Vec::new();
    }
    if state.command_line.is_some() {
        return on_command_line_key(state, key, &keys);
    }
    if state.help {
        if keys.is(Action::Back, &key) || keys.is(Action::Help, &key) || keys.is(Action::Quit, &key) {
            state.help = false;
            state.help_scroll = 0;
        } else if let Some(a) = scroll_action(&keys, &key) {
            scroll_text(state, a);
        }
        return Vec::new();
    }
    if let Some(u) = state
        .user
        .as_mut()
        .filter(|u| u.event_detail.is_some() && state.screen == Screen::User)
    {
        if keys.is(Action::Back, &key) || keys.is(Action::Open, &key) || keys.is(Action::Quit, &key) {
            u.event_detail = None;
            u.detail_scroll = 0;
            u.raw_xml = Loading::Idle;
        } else if keys.is(Action::Retry, &key) && matches!(u.raw_xml, Loading::Failed(_)) {
            return read_raw_xml(state);
        } else if let Some(a) = scroll_action(&keys, &key) {
            scroll_text(state, a);
        }
        return Vec::new();
    }
    if let Some(banner) = &state.banner {
        // While typing, a plain `r` is a letter; the control-key binding still retries.
        let retry_key = keys.is(Action::Retry, &key) && (!typing(state) || printable(&key).is_none());
        if retry_key && !banner.retry.is_empty() {
            return retry(state);
        }
        if keys.is(Action::Back, &key) {
            state.banner = None;
            return Vec::new();
        }
    }
    match state.screen {
        Screen::Search => on_search_key(state, key, &keys),
        Screen::User => on_user_key(state, key, &keys),
    }
}

/// The scroll of the text in front: the help, the event detail, or the Account or Fix tab.
fn scroll_in_front(state: &mut State) -> Option<&mut u16> {
    if state.help {
        return Some(&mut state.help_scroll);
    }
    let u = state.user.as_mut().filter(|_| state.screen == Screen::User)?;
    if u.event_detail.is_some() {
        return Some(&mut u.detail_scroll);
    }
    match u.tab {
        Tab::Account => Some(&mut u.account_scroll),
        Tab::Fix => Some(&mut u.fix_scroll),
        Tab::Permissions | Tab::Events => None,
    }
}

/// Scrolls the text in front within its length at the current size.
fn scroll_text(state: &mut State, action: Action) {
    let last = view::scroll_limit(state).unwrap_or(0);
    let page = page(state.size);
    if let Some(s) = scroll_in_front(state) {
        let mut at = usize::from(*s);
        move_in(&mut at, usize::from(last) + 1, action, page);
        *s = u16::try_from(at).unwrap_or(last);
    }
}

fn scroll_action(keys: &KeyBindings, key: &KeyEvent) -> Option<Action> {
    Action::MOVES.iter().copied().find(|a| keys.is(*a, key))
}

fn retry(state: &mut State) -> Vec<Command> {
    let Some(banner) = state.banner.take() else {
        return Vec::new();
    };
    for c in &banner.retry {
        match c {
            Command::LoadDirectory { .. } => state.directory = Loading::Loading,
            Command::IngestEvents { .. } => {
                state.events = Loading::Loading;
                state.events_progress = None;
            }
            Command::Diagnose { user, .. } => {
                if let Some(u) = state.user.as_mut().filter(|u| u.user == *user) {
                    u.diagnosis = Loading::Loading;
                }
            }
            Command::RereadUser { .. }
            | Command::MarkFailures { .. }
            | Command::CopyToClipboard(_)
            | Command::ReadRawXml { .. } => {}
        }
    }
    banner.retry
}

/// Whether printable keys currently go into a text field rather than commands.
fn typing(state: &State) -> bool {
    match state.screen {
        Screen::Search => state.search.focus == SearchFocus::Query,
        Screen::User => state.user.as_ref().is_some_and(|u| match u.tab {
            Tab::Permissions => u.acl.editing_filter,
            Tab::Events => u.events.editing_filter,
            Tab::Account | Tab::Fix => false,
        }),
    }
}

fn printable(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    }
}

/// Keys common to both screens when nothing is being typed; whether `key` was one of them.
fn on_global_key(state: &mut State, key: &KeyEvent, keys: &KeyBindings) -> bool {
    if keys.is(Action::Quit, key) {
        state.quit = true;
    } else if keys.is(Action::Help, key) {
        state.help = true;
    } else if keys.is(Action::CommandLine, key) {
        state.command_line = Some(String::new());
    } else {
        return false;
    }
    true
}

fn on_search_key(state: &mut State, key: KeyEvent, keys: &KeyBindings) -> Vec<Command> {
    if keys.is(Action::Open, &key) {
        return open_selected(state);
    }
    // Arrows and pages move the selection from either focus; only letters depend on it.
    let nav = match key.code {
        KeyCode::Up => Some(Action::Up),
        KeyCode::Down => Some(Action::Down),
        _ => [Action::PageUp, Action::PageDown]
            .into_iter()
            .find(|a| keys.is(*a, &key)),
    };
    if let Some(action) = nav {
        move_selection(state, action);
        return Vec::new();
    }
    match state.search.focus {
        SearchFocus::Query => {
            if keys.is(Action::FocusList, &key) {
                state.search.focus = SearchFocus::List;
            } else if keys.is(Action::Back, &key) {
                set_query(state, String::new());
            } else if key.code == KeyCode::F(1) {
                state.help = true;
            } else if key.code == KeyCode::Backspace {
                let mut q = state.search.search.query().to_string();
                q.pop();
                set_query(state, q);
            } else if key.code == KeyCode::Char('u') && key.modifiers.contains(KeyModifiers::CONTROL) {
                set_query(state, String::new());
            } else if let Some(c) = printable(&key) {
                type_char(state, c);
            }
        }
        SearchFocus::List => {
            if keys.is(Action::FocusList, &key)
                || keys.is(Action::Filter, &key)
                || keys.is(Action::Back, &key)
            {
                state.search.focus = SearchFocus::Query;
            } else if let Some(action) = scroll_action(keys, &key) {
                move_selection(state, action);
            } else if !on_global_key(state, &key, keys) {
                if let Some(c) = printable(&key) {
                    // An unbound letter starts a new search rather than being lost.
                    state.search.focus = SearchFocus::Query;
                    set_query(state, String::new());
                    type_char(state, c);
                }
            }
        }
    }
    Vec::new()
}

fn set_query(state: &mut State, query: String) {
    match &state.search.index {
        Some(index) => state.search.search.update(index, &query),
        // No directory yet: keep the text so the search runs once it arrives.
        None => state.search.search.update(&SearchIndex::from_fields([]), &query),
    }
    state.search.selected = 0;
}

/// A character typed into whichever text field has the focus.
fn type_char(state: &mut State, c: char) {
    match state.screen {
        Screen::Search => {
            state.search.focus = SearchFocus::Query;
            let q = format!("{}{c}", state.search.search.query());
            set_query(state, q);
        }
        Screen::User => {
            if let Some(list) = state.user.as_mut().and_then(UserScreen::list_mut) {
                if list.editing_filter {
                    list.filter.push(c);
                    list.selected = 0;
                }
            }
            if let Some(u) = state.user.as_mut() {
                refilter(u);
            }
        }
    }
}

/// Rows a page move jumps: the body height less the chrome around lists.
fn page(size: (u16, u16)) -> usize {
    usize::from(size.1.saturating_sub(10)).max(1)
}

fn move_in(selected: &mut usize, len: usize, action: Action, page: usize) {
    let last = len.saturating_sub(1);
    *selected = match action {
        Action::Up => selected.saturating_sub(1),
        Action::Down => (*selected + 1).min(last),
        Action::PageUp => selected.saturating_sub(page),
        Action::PageDown => (*selected + page).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => *selected,
    };
}

fn move_selection(state: &mut State, action: Action) {
    let page = page(state.size);
    match state.screen {
        Screen::Search => {
            let len = state.search.search.hits().len();
            move_in(&mut state.search.selected, len, action, page);
        }
        Screen::User => {
            let len = current_list_len(state);
            let max_stack = permissions_max_stack(state);
            let Some(u) = state.user.as_mut() else { return };
            if u.tab == Tab::Permissions && unstack(u, action, max_stack) {
                return;
            }
            match (u.list_mut(), len) {
                (Some(list), Some(len)) => move_in(&mut list.selected, len, action, page),
                _ => scroll_text(state, action),
            }
        }
    }
}

/// The stacked Permissions tab scrolls before its DACL moves: down stacks the boxes above away
/// until the DACL has its rows, up from the DACL's first row brings them back. Whether `action`
/// was spent on that.
fn unstack(u: &mut UserScreen, action: Action, max_stack: usize) -> bool {
    u.stack = u.stack.min(max_stack);
    let before = u.stack;
    match action {
        Action::Down if u.stack < max_stack => u.stack += 1,
        Action::PageDown | Action::Bottom => u.stack = max_stack,
        Action::Up if u.acl.selected == 0 => u.stack = u.stack.saturating_sub(1),
        Action::PageUp if u.acl.selected == 0 => u.stack = 0,
        Action::Top => u.stack = 0,
        _ => {}
    }
    u.stack != before && !matches!(action, Action::Top | Action::Bottom)
}

/// The whole terminal, as `update` last heard of it.
fn screen_area(state: &State) -> Rect {
    Rect::new(0, 0, state.size.0, state.size.1)
}

/// How many Permissions boxes can stack away at the current size (0 when all fit).
fn permissions_max_stack(state: &State) -> usize {
    let body = layout::frame(state, screen_area(state)).and_then(|f| layout::user(state, f.main));
    let (Some([_, _, body]), Some(d)) = (body, state.current_diagnosis()) else {
        return 0;
    };
    let links = d.inheritance_chain.len();
    layout::permissions(body, links, 0).max_stack
}

/// Two clicks on the same row closer than this are a double click (the usual desktop default).
const DOUBLE_CLICK: Duration = Duration::from_millis(400);

/// A left click at `pos`: on a tab label it switches tab, on a list row it selects the row, and
/// a second click on that row within `DOUBLE_CLICK` opens it as Enter does. Where things are
/// comes from `view::layout`, the same functions the views draw with.
fn on_click(state: &mut State, pos: (u16, u16), at: Duration) -> Vec<Command> {
    let detail_open =
        state.screen == Screen::User && state.user.as_ref().is_some_and(|u| u.event_detail.is_some());
    // The overlays cover the lists: a click there must not act on what is hidden under them.
    if state.help || state.command_line.is_some() || detail_open {
        return Vec::new();
    }
    let area = screen_area(state);
    if state.screen == Screen::User {
        let bar = layout::frame(state, area).and_then(|f| layout::user(state, f.main));
        if let (Some(tab), Some(u)) = (
            bar.and_then(|[_, bar, _]| layout::tab_at(bar, pos)),
            state.user.as_mut(),
        ) {
            u.tab = tab;
            state.last_click = None;
            return Vec::new();
        }
    }
    let Some(list) = layout::list_area(state, area) else {
        return Vec::new();
    };
    let tab = state
        .user
        .as_ref()
        .filter(|_| state.screen == Screen::User)
        .map(|u| u.tab);
    let (len, selected) = match state.screen {
        Screen::Search => (state.search.search.hits().len(), state.search.selected),
        Screen::User => {
            let Some(len) = current_list_len(state) else {
                return Vec::new();
            };
            let selected = state
                .user
                .as_mut()
                .and_then(UserScreen::list_mut)
                .map_or(0, |l| l.selected);
            (len, selected)
        }
    };
    let Some(row) = table::row_at(list, len, Some(selected), pos) else {
        return Vec::new();
    };
    match state.screen {
        Screen::Search => state.search.selected = row,
        Screen::User => {
            if let Some(l) = state.user.as_mut().and_then(UserScreen::list_mut) {
                l.selected = row;
            }
        }
    }
    let click = Click {
        at,
        screen: state.screen,
        tab,
        row,
    };
    let double = state
        .last_click
        .is_some_and(|last| Click { at, ..last } == click && at.saturating_sub(last.at) <= DOUBLE_CLICK);
    // A third click starts a new pair rather than opening twice.
    state.last_click = (!double).then_some(click);
    match (double, state.screen, tab) {
        (true, Screen::Search, _) => open_selected(state),
        (true, Screen::User, Some(Tab::Events)) => open_event(state),
        _ => Vec::new(),
    }
}

/// Rows in the current tab's list after its filter, for tabs that have one.
fn current_list_len(state: &State) -> Option<usize> {
    let u = state.user.as_ref()?;
    match u.tab {
        Tab::Permissions => Some(u.acl.shown.len()),
        Tab::Events => Some(u.events.shown.len()),
        Tab::Account | Tab::Fix => None,
    }
}

fn open_selected(state: &mut State) -> Vec<Command> {
    match state.search.search.hits().get(state.search.selected).copied() {
        Some(hit) => open_user(state, hit.user),
        None => Vec::new(),
    }
}

fn open_user(state: &mut State, user: usize) -> Vec<Command> {
    state.user = Some(UserScreen::new(user));
    state.screen = Screen::User;
    request_diagnosis(state)
}

fn on_user_key(state: &mut State, key: KeyEvent, keys: &KeyBindings) -> Vec<Command> {
    let Some(user) = state.user.as_mut() else {
        state.screen = Screen::Search;
        return Vec::new();
    };
    if let Some(list) = user.list_mut().filter(|l| l.editing_filter) {
        edit_filter(list, &key, keys);
        refilter(user);
        return Vec::new();
    }
    if keys.is(Action::Back, &key) {
        match user.list_mut().filter(|l| !l.filter.is_empty()) {
            Some(list) => {
                list.filter.clear();
                list.selected = 0;
                refilter(user);
            }
            None => state.screen = Screen::Search,
        }
    } else if keys.is(Action::NextTab, &key) {
        user.tab = user.tab.next();
    } else if keys.is(Action::PrevTab, &key) {
        user.tab = user.tab.prev();
    } else if let Some(tab) = printable(&key).and_then(|c| c.to_digit(10)).and_then(|d| {
        usize::try_from(d)
            .ok()
            .and_then(|d| d.checked_sub(1))
            .and_then(|i| Tab::ALL.get(i).copied())
    }) {
        user.tab = tab;
    } else if keys.is(Action::Filter, &key) {
        if let Some(list) = user.list_mut() {
            list.editing_filter = true;
        }
    } else if keys.is(Action::Open, &key) && user.tab == Tab::Events {
        return open_event(state);
    } else if let Some(action) = scroll_action(keys, &key) {
        move_selection(state, action);
    } else if keys.is(Action::Copy, &key) {
        return copy_summary(state);
    } else {
        on_global_key(state, &key, keys);
    }
    Vec::new()
}

/// Opens the selected event's detail and asks for its raw XML, which `Event` does not keep.
fn open_event(state: &mut State) -> Vec<Command> {
    let Some(diag) = state.current_diagnosis() else {
        return Vec::new();
    };
    let Some(u) = state.user.as_ref() else {
        return Vec::new();
    };
    let Some(event) = u
        .events
        .shown
        .get(u.events.selected)
        .and_then(|&i| diag.timeline.get(i))
        .map(|r| r.event)
    else {
        return Vec::new();
    };
    if let Some(u) = state.user.as_mut() {
        u.event_detail = Some(event);
        u.detail_scroll = 0;
    }
    read_raw_xml(state)
}

/// Asks for the XML of the event the detail shows (on opening, and `r` after a failure).
fn read_raw_xml(state: &mut State) -> Vec<Command> {
    let read = state.current_diagnosis().and_then(|d| {
        let e = d.events.get(state.user.as_ref()?.event_detail?)?;
        Some(Command::ReadRawXml {
            file: e.origin.file.to_string(),
            position: e.origin.position,
        })
    });
    if let Some(u) = state.user.as_mut() {
        u.raw_xml = if read.is_some() {
            Loading::Loading
        } else {
            Loading::Idle
        };
    }
    read.into_iter().collect()
}

/// The ticket summary is the markdown report of the diagnosis, copied with OSC 52.
fn copy_summary(state: &mut State) -> Vec<Command> {
    let Some(diag) = state.current_diagnosis() else {
        error(state, "nothing to copy yet: the diagnosis is not ready".into());
        return Vec::new();
    };
    let mut out = Vec::new();
    match crate::report::markdown::render(diag, &mut out) {
        Ok(()) => vec![Command::CopyToClipboard(
            String::from_utf8_lossy(&out).into_owned(),
        )],
        Err(e) => {
            error(state, format!("could not render the summary: {e}"));
            Vec::new()
        }
    }
}

/// The rows each list shows, from the diagnosis and the lists' filters.
fn refilter(u: &mut UserScreen) {
    let (acl, events) = match u.diagnosis.ready() {
        Some(d) => (
            rows::filtered_dacl(d, &u.acl.filter),
            rows::filtered_timeline(d, &u.events.filter),
        ),
        None => (Vec::new(), Vec::new()),
    };
    u.acl.shown = acl;
    u.events.shown = events;
}

fn edit_filter(list: &mut ListView, key: &KeyEvent, keys: &KeyBindings) {
    if keys.is(Action::Open, key) {
        list.editing_filter = false;
    } else if keys.is(Action::Back, key) {
        list.editing_filter = false;
        list.filter.clear();
    } else if key.code == KeyCode::Backspace {
        list.filter.pop();
    } else if let Some(c) = printable(key) {
        list.filter.push(c);
    }
    list.selected = 0;
}

fn on_command_line_key(state: &mut State, key: KeyEvent, keys: &KeyBindings) -> Vec<Command> {
    let Some(line) = state.command_line.as_mut() else {
        return Vec::new();
    };
    if keys.is(Action::Back, &key) {
        state.command_line = None;
    } else if keys.is(Action::Open, &key) {
        let line = state.command_line.take().unwrap_or_default();
        return run_command_line(state, &line);
    } else if key.code == KeyCode::Backspace {
        if line.pop().is_none() {
            state.command_line = None;
        }
    } else if let Some(c) = printable(&key) {
        line.push(c);
    }
    Vec::new()
}

fn error(state: &mut State, text: String) {
    state.banner = Some(Banner {
        text,
        retry: Vec::new(),
    });
}

/// `:at 2026-11-24T09:20:00Z` evaluates the open user at the ticket's time; `:at` alone goes back
/// to the default (`--at`, else the latest failure, else now).
fn set_ticket_time(state: &mut State, arg: &str) -> Vec<Command> {
    let at = if arg.is_empty() {
        None
    } else {
        match chrono::DateTime::parse_from_rfc3339(arg) {
            Ok(t) => Some(t.with_timezone(&chrono::Utc)),
            Err(e) => {
                error(
                    state,
                    format!(
                        "':at {}': not an RFC 3339 time ({e}), e.g. :at 2026-11-24T09:20:00Z",
                        crate::sanitize::line(arg)
                    ),
                );
                return Vec::new();
            }
        }
    };
    state.ticket_at = at;
    match state.user.as_mut() {
        Some(u) => {
            u.diagnosis = Loading::Idle;
            request_diagnosis(state)
        }
        None => Vec::new(),
    }
}

/// `:user NAME`, `:events ID`, `:at TIME`, `:reload`, `:help`, `:q`.
fn run_command_line(state: &mut State, line: &str) -> Vec<Command> {
    let line = line.trim();
    let (verb, arg) = line
        .split_once(char::is_whitespace)
        .map_or((line, ""), |(v, a)| (v, a.trim()));
    match verb {
        "" => {}
        "q" | "quit" => state.quit = true,
        "help" => state.help = true,
        "reload" => return load_all(state),
        "at" => return set_ticket_time(state, arg),
        "user" | "u" if !arg.is_empty() => return open_user_by_name(state, arg),
        "events" | "e" => match state.user.as_mut().filter(|_| state.screen == Screen::User) {
            Some(user) => {
                user.tab = Tab::Events;
                user.events.filter = arg.to_string();
                user.events.selected = 0;
                refilter(user);
            }
            None => error(state, "open a user first (:user NAME), then :events ID".into()),
        },
        _ => error(
            state,
            format!(
                "unknown command ':{}' (try :user NAME, :events ID, :at TIME, :reload, :q)",
                crate::sanitize::line(line)
            ),
        ),
    }
    Vec::new()
}

/// Exact match first (the contract's forms); otherwise the best fuzzy hit.
fn open_user_by_name(state: &mut State, name: &str) -> Vec<Command> {
    let Some(dir) = state.directory.ready().cloned() else {
        error(state, "the directory is not loaded yet".into());
        return Vec::new();
    };
    match dir.find_user(name) {
        Ok(u) => match dir.users.iter().position(|x| std::ptr::eq(x, u)) {
            Some(p) => open_user(state, p),
            None => Vec::new(),
        },
        Err(crate::directory::UserLookupError::Ambiguous { candidates, .. }) => {
            let n = candidates.len();
            error(
                state,
                format!(
                    "'{}' matches {n} users; type more of the name",
                    crate::sanitize::line(name)
                ),
            );
            Vec::new()
        }
        Err(crate::directory::UserLookupError::NotFound(_)) => {
            set_query(state, name.to_string());
            // The best hit of the whole directory, not of the first slice: the console waits
            // for the complete list as a typed search would, only without showing it in between.
            if let Some(index) = state.search.index.clone() {
                while state.search.search.advance(&index) {}
            }
            match state.search.search.hits().first().copied() {
                Some(hit) => open_user(state, hit.user),
                None => {
                    error(
                        state,
                        format!("no user matches '{}'", crate::sanitize::line(name)),
                    );
                    Vec::new()
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::search::{Search, SearchFields};
    use crate::tui::state::{Settings, SourceLabel};

    #[test]
    fn search_slices_complete_the_typed_query_and_a_keystroke_restarts_them() {
        let fields = (0..20_000).map(|i| SearchFields {
            sam_account_name: format!("user{i}"),
            user_principal_name: format!("user{i}@contoso.com"),
            display_name: format!("User {i}"),
            mail: String::new(),
        });
        let index = Arc::new(SearchIndex::from_fields(fields));
        let settings = Settings {
            keys: KeyBindings::default(),
            theme: crate::tui::theme::Theme::COLOUR,
            source: SourceLabel::default(),
            now: chrono::Utc::now(),
        };
        let mut state = State::new(settings, (80, 24));
        state.search.index = Some(Arc::clone(&index));
        set_query(&mut state, "co".into());
        assert!(state.search_unfinished());
        update(&mut state, Message::SearchSlice);
        set_query(&mut state, "contoso".into());
        let mut slices = 0;
        while state.search_unfinished() {
            assert!(update(&mut state, Message::SearchSlice).is_empty());
            slices += 1;
        }
        assert!(slices > 0);
        let mut fresh = Search::default();
        fresh.update(&index, "contoso");
        while fresh.advance(&index) {}
        assert_eq!(state.search.search.hits(), fresh.hits());
        // Without a search under way a slice changes nothing.
        update(&mut state, Message::SearchSlice);
        assert_eq!(state.search.search.hits(), fresh.hits());
    }
}
