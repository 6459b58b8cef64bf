//! The pure heart of the console: `update(state, message) -> commands`. No I/O happens here;
//! anything slow or outside (LDAP, EVTX, the clipboard) goes out as a `Command`, and its result
//! comes back as a `Message`. Modal layers consume keys first: command line, help, banner, then
//! the screen in front.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};

use super::keymap::Action;
use super::message::{Command, Message};
use super::search::SearchIndex;
use super::state::{Banner, ListView, Loading, Screen, SearchFocus, State, Tab, UserScreen};

/// Applies `message` to `state` and returns the background work it calls for.
pub fn update(state: &mut State, message: Message) -> Vec<Command> {
    match message {
        Message::Key(key) if key.kind != KeyEventKind::Release => on_key(state, key),
        Message::Key(_) => Vec::new(),
        Message::Mouse(m) => {
            let action = match m.kind {
                MouseEventKind::ScrollUp => Action::Up,
                MouseEventKind::ScrollDown => Action::Down,
                _ => return Vec::new(),
            };
            move_selection(state, action);
            Vec::new()
        }
        Message::Paste(text) => {
            let text: String = text.chars().filter(|c| !c.is_control()).collect();
            for c in text.chars() {
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
        Message::DirectoryLoaded { generation, result } => {
            if generation == state.generation {
                on_directory(state, result);
            }
            Vec::new()
        }
        Message::EventsIngested { generation, result } => {
            if generation == state.generation {
                match result {
                    Ok(events) => state.events = Loading::Ready(events),
                    Err(e) => {
                        state.events = Loading::Failed(e.clone());
                        state.banner = Some(Banner {
                            text: format!("event logs: {e}"),
                            retry: vec![Command::IngestEvents { generation }],
                        });
                    }
                }
            }
            Vec::new()
        }
        Message::ClipboardWritten(result) => {
            if let Err(e) = result {
                state.banner = Some(Banner {
                    text: format!("clipboard: {e}"),
                    retry: Vec::new(),
                });
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
    state.banner = None;
    let generation = state.generation;
    vec![
        Command::LoadDirectory { generation },
        Command::IngestEvents { generation },
    ]
}

fn on_directory(state: &mut State, result: Result<std::sync::Arc<crate::directory::Directory>, String>) {
    match result {
        Ok(dir) => {
            let index = SearchIndex::new(&dir.users);
            state.search.search.refresh(&index);
            state.search.index = Some(index);
            state.search.selected = 0;
            // A reload may have reordered users: the user view cannot keep a stale index.
            if let Some(u) = &state.user {
                let old_dn = state.current_user().map(|u| u.dn.clone());
                let new_pos = old_dn.and_then(|dn| dir.users.iter().position(|x| x.dn == dn));
                match new_pos {
                    Some(p) => state.user = Some(UserScreen { user: p, ..u.clone() }),
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
    let keys = &state.settings.keys;
    if keys.is(Action::ForceQuit, &key) {
        state.quit = true;
        return Vec::new();
    }
    if state.command_line.is_some() {
        return on_command_line_key(state, key);
    }
    if state.help {
        if keys.is(Action::Back, &key) || keys.is(Action::Help, &key) || keys.is(Action::Quit, &key) {
            state.help = false;
        }
        return Vec::new();
    }
    if let Some(banner) = &state.banner {
        if keys.is(Action::Retry, &key) && !banner.retry.is_empty() && !typing(state) {
            return retry(state);
        }
        if keys.is(Action::Back, &key) {
            state.banner = None;
            return Vec::new();
        }
    }
    match state.screen {
        Screen::Search => on_search_key(state, key),
        Screen::User => on_user_key(state, key),
    }
}

fn retry(state: &mut State) -> Vec<Command> {
    let Some(banner) = state.banner.take() else {
        return Vec::new();
    };
    for c in &banner.retry {
        match c {
            Command::LoadDirectory { .. } => state.directory = Loading::Loading,
            Command::IngestEvents { .. } => state.events = Loading::Loading,
            Command::CopyToClipboard(_) => {}
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
            _ => false,
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

/// Keys common to both screens when nothing is being typed.
fn on_global_key(state: &mut State, key: &KeyEvent) -> Option<Vec<Command>> {
    let keys = &state.settings.keys;
    if keys.is(Action::Quit, key) {
        state.quit = true;
    } else if keys.is(Action::Help, key) {
        state.help = true;
    } else if keys.is(Action::CommandLine, key) {
        state.command_line = Some(String::new());
    } else {
        return None;
    }
    Some(Vec::new())
}

fn on_search_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    let keys = state.settings.keys.clone();
    if keys.is(Action::Open, &key) {
        open_selected(state);
        return Vec::new();
    }
    // Arrows and pages move the selection from either focus; only letters depend on it.
    for action in [Action::PageUp, Action::PageDown] {
        if keys.is(action, &key) {
            move_selection(state, action);
            return Vec::new();
        }
    }
    if matches!(key.code, KeyCode::Up | KeyCode::Down) {
        move_selection(
            state,
            if key.code == KeyCode::Up {
                Action::Up
            } else {
                Action::Down
            },
        );
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
            } else if let Some(action) = [Action::Up, Action::Down, Action::Top, Action::Bottom]
                .into_iter()
                .find(|a| keys.is(*a, &key))
            {
                move_selection(state, action);
            } else if let Some(cmds) = on_global_key(state, &key) {
                return cmds;
            } else if let Some(c) = printable(&key) {
                // An unbound letter starts a new search rather than being lost.
                state.search.focus = SearchFocus::Query;
                type_char(state, c);
            }
        }
    }
    Vec::new()
}

fn set_query(state: &mut State, query: String) {
    if let Some(index) = &state.search.index {
        state.search.search.update(index, &query);
    } else {
        // No directory yet: keep the text so the search runs once it arrives.
        state.search.search.update(&SearchIndex::from_fields([]), &query);
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
        }
    }
}

fn page(state: &State) -> usize {
    // Header, tabs, borders, footer: what is left is roughly the list height.
    usize::from(state.size.1.saturating_sub(10)).max(1)
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
    let page = page(state);
    match state.screen {
        Screen::Search => {
            let len = state.search.search.hits().len();
            move_in(&mut state.search.selected, len, action, page);
        }
        Screen::User => {
            let lens = list_lengths(state);
            if let Some(u) = state.user.as_mut() {
                match u.tab {
                    Tab::Permissions => move_in(&mut u.acl.selected, lens.0, action, page),
                    Tab::Events => move_in(&mut u.events.selected, lens.1, action, page),
                    Tab::Account | Tab::Fix => {
                        let mut s = usize::from(u.scroll);
                        move_in(&mut s, usize::from(u16::MAX), action, page);
                        u.scroll = u16::try_from(s).unwrap_or(u16::MAX);
                    }
                }
            }
        }
    }
}

/// Row counts of the Permissions and Events lists for the current user (after filters).
fn list_lengths(state: &State) -> (usize, usize) {
    let _ = state;
    (0, 0)
}

fn open_selected(state: &mut State) {
    let Some(hit) = state.search.search.hits().get(state.search.selected).copied() else {
        return;
    };
    open_user(state, hit.user);
}

fn open_user(state: &mut State, user: usize) {
    state.user = Some(UserScreen::new(user));
    state.screen = Screen::User;
}

fn on_user_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    let keys = state.settings.keys.clone();
    let Some(user) = state.user.as_mut() else {
        state.screen = Screen::Search;
        return Vec::new();
    };
    if let Some(list) = user.list_mut().filter(|l| l.editing_filter) {
        edit_filter(list, &key, &keys);
        return Vec::new();
    }
    if keys.is(Action::Back, &key) {
        match user.list_mut().filter(|l| !l.filter.is_empty()) {
            Some(list) => {
                list.filter.clear();
                list.selected = 0;
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
    } else if let Some(action) = [
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
    ]
    .into_iter()
    .find(|a| keys.is(*a, &key))
    {
        move_selection(state, action);
    } else if keys.is(Action::Copy, &key) {
        state.banner = Some(Banner {
            text: "the ticket summary is not available yet".into(),
            retry: Vec::new(),
        });
    } else if let Some(cmds) = on_global_key(state, &key) {
        return cmds;
    }
    Vec::new()
}

fn edit_filter(list: &mut ListView, key: &KeyEvent, keys: &super::keymap::KeyBindings) {
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

fn on_command_line_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    let keys = state.settings.keys.clone();
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

/// `:user NAME`, `:events ID`, `:reload`, `:help`, `:q`.
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
        "user" | "u" if !arg.is_empty() => open_user_by_name(state, arg),
        "events" | "e" => match state.user.as_mut().filter(|_| state.screen == Screen::User) {
            Some(user) => {
                user.tab = Tab::Events;
                user.events.filter = arg.to_string();
                user.events.selected = 0;
            }
            None => error(state, "open a user first (:user NAME), then :events ID".into()),
        },
        _ => error(
            state,
            format!(
                "unknown command ':{}' (try :user NAME, :events ID, :reload, :q)",
                crate::sanitize::line(line)
            ),
        ),
    }
    Vec::new()
}

/// Exact match first (the contract's forms); otherwise the best fuzzy hit.
fn open_user_by_name(state: &mut State, name: &str) {
    let Some(dir) = state.directory.ready().cloned() else {
        return error(state, "the directory is not loaded yet".into());
    };
    match dir.find_user(name) {
        Ok(u) => {
            if let Some(p) = dir.users.iter().position(|x| std::ptr::eq(x, u)) {
                open_user(state, p);
            }
        }
        Err(crate::directory::UserLookupError::Ambiguous { candidates, .. }) => error(
            state,
            format!(
                "'{}' matches {} users; type more of the name",
                crate::sanitize::line(name),
                candidates.len()
            ),
        ),
        Err(_) => {
            set_query(state, name.to_string());
            match state.search.search.hits().first() {
                Some(hit) => open_user(state, hit.user),
                None => error(
                    state,
                    format!("no user matches '{}'", crate::sanitize::line(name)),
                ),
            }
        }
    }
}
