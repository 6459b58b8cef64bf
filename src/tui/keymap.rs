//! Key bindings as data: one field per action with its default keys and a description. The help
//! overlay and the footer hints are generated from this struct, so they cannot drift from what the
//! keys actually do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One key (code plus modifiers), as bound and as shown in help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }
    pub const fn ch(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }
    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            modifiers: KeyModifiers::CONTROL,
        }
    }

    /// Whether a terminal key event is this key. Shift is ignored for characters because the
    /// character itself already carries it (`G`, `?`).
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let mods = match ev.code {
            KeyCode::Char(_) => ev.modifiers - KeyModifiers::SHIFT,
            _ => ev.modifiers,
        };
        let own = match self.code {
            KeyCode::Char(_) => self.modifiers - KeyModifiers::SHIFT,
            _ => self.modifiers,
        };
        ev.code == self.code && mods == own
    }

    /// Short label for help and hints: `q`, `Enter`, `^C`, `S-Tab`.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("^{}", base.to_uppercase())
        } else {
            base
        }
    }
}

/// Every action a key can trigger. The order here is the order of the help overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    NextTab,
    PrevTab,
    FocusList,
    Filter,
    CommandLine,
    Copy,
    Retry,
    Help,
    Quit,
    ForceQuit,
}

/// The keys bound to each action. One field per action, so a config override names them plainly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBindings {
    pub up: Vec<Key>,
    pub down: Vec<Key>,
    pub page_up: Vec<Key>,
    pub page_down: Vec<Key>,
    pub top: Vec<Key>,
    pub bottom: Vec<Key>,
    pub open: Vec<Key>,
    pub back: Vec<Key>,
    pub next_tab: Vec<Key>,
    pub prev_tab: Vec<Key>,
    pub focus_list: Vec<Key>,
    pub filter: Vec<Key>,
    pub command_line: Vec<Key>,
    pub copy: Vec<Key>,
    pub retry: Vec<Key>,
    pub help: Vec<Key>,
    pub quit: Vec<Key>,
    pub force_quit: Vec<Key>,
}

impl Default for KeyBindings {
    fn default() -> Self {
        use KeyCode::*;
        KeyBindings {
            up: vec![Key::plain(Up), Key::ch('k')],
            down: vec![Key::plain(Down), Key::ch('j')],
            page_up: vec![Key::plain(PageUp), Key::ctrl('b')],
            page_down: vec![Key::plain(PageDown), Key::ctrl('f')],
            top: vec![Key::plain(Home), Key::ch('g')],
            bottom: vec![Key::plain(End), Key::ch('G')],
            open: vec![Key::plain(Enter)],
            back: vec![Key::plain(Esc)],
            next_tab: vec![Key::plain(Tab), Key::plain(Right), Key::ch('l')],
            prev_tab: vec![Key::plain(BackTab), Key::plain(Left), Key::ch('h')],
            focus_list: vec![Key::plain(Tab)],
            filter: vec![Key::ch('/')],
            command_line: vec![Key::ch(':')],
            copy: vec![Key::ch('y')],
            retry: vec![Key::ch('r'), Key::ctrl('r')],
            help: vec![Key::ch('?'), Key::plain(F(1))],
            quit: vec![Key::ch('q')],
            force_quit: vec![Key::ctrl('c')],
        }
    }
}

impl KeyBindings {
    /// The keys of `action`.
    pub fn keys(&self, action: Action) -> &[Key] {
        match action {
            Action::Up => &self.up,
            Action::Down => &self.down,
            Action::PageUp => &self.page_up,
            Action::PageDown => &self.page_down,
            Action::Top => &self.top,
            Action::Bottom => &self.bottom,
            Action::Open => &self.open,
            Action::Back => &self.back,
            Action::NextTab => &self.next_tab,
            Action::PrevTab => &self.prev_tab,
            Action::FocusList => &self.focus_list,
            Action::Filter => &self.filter,
            Action::CommandLine => &self.command_line,
            Action::Copy => &self.copy,
            Action::Retry => &self.retry,
            Action::Help => &self.help,
            Action::Quit => &self.quit,
            Action::ForceQuit => &self.force_quit,
        }
    }

    /// Whether `ev` triggers `action`.
    pub fn is(&self, action: Action, ev: &KeyEvent) -> bool {
        self.keys(action).iter().any(|k| k.matches(ev))
    }

    /// "↑/k" style label of an action's keys, for hints and help.
    pub fn label(&self, action: Action) -> String {
        self.keys(action)
            .iter()
            .map(Key::label)
            .collect::<Vec<_>>()
            .join("/")
    }
}

impl Action {
    /// The actions that move a selection or a scroll (Up to Bottom): `ALL` lists them first.
    pub const MOVES: &'static [Action] = Action::ALL.split_at(6).0;

    /// Every action, in help order.
    pub const ALL: [Action; 18] = [
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Open,
        Action::Back,
        Action::NextTab,
        Action::PrevTab,
        Action::FocusList,
        Action::Filter,
        Action::CommandLine,
        Action::Copy,
        Action::Retry,
        Action::Help,
        Action::Quit,
        Action::ForceQuit,
    ];

    /// What the action does, as the help overlay says it.
    pub fn description(self) -> &'static str {
        match self {
            Action::Up => "move up (in lists; in the search box use the arrows)",
            Action::Down => "move down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "first row",
            Action::Bottom => "last row",
            Action::Open => "open the selected user or event (search: the top match)",
            Action::Back => "close / clear the filter / back to the search",
            Action::NextTab => "user view: next tab",
            Action::PrevTab => "user view: previous tab",
            Action::FocusList => "search: move focus between the search box and the list",
            Action::Filter => "filter the current list (search: focus the search box)",
            Action::CommandLine => "commands: :user NAME, :events 4740, :at TIME, :reload, :q",
            Action::Copy => "copy the ticket summary (markdown) to the clipboard (OSC 52)",
            Action::Retry => "retry after an error",
            Action::Help => "this help",
            Action::Quit => "quit (when not typing)",
            Action::ForceQuit => "quit from anywhere",
        }
    }

    /// Short word for the footer hint.
    pub fn hint(self) -> &'static str {
        match self {
            Action::Up | Action::Down => "move",
            Action::PageUp | Action::PageDown => "page",
            Action::Top | Action::Bottom => "ends",
            Action::Open => "open",
            Action::Back => "back",
            Action::NextTab | Action::PrevTab => "tab",
            Action::FocusList => "focus",
            Action::Filter => "filter",
            Action::CommandLine => "command",
            Action::Copy => "copy summary",
            Action::Retry => "retry",
            Action::Help => "help",
            Action::Quit | Action::ForceQuit => "quit",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_characters_match_their_binding() {
        let keys = KeyBindings::default();
        let g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert!(keys.is(Action::Bottom, &g));
        let q = KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert!(keys.is(Action::Help, &q));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert!(keys.is(Action::ForceQuit, &ctrl_c));
        assert!(!keys.is(Action::Quit, &ctrl_c));
    }

    #[test]
    fn every_action_has_a_key_and_a_description() {
        let keys = KeyBindings::default();
        for a in Action::ALL {
            assert!(!keys.keys(a).is_empty(), "{a:?} has no key");
            assert!(!a.description().is_empty());
        }
        assert_eq!(keys.label(Action::Up), "↑/k");
        assert_eq!(keys.label(Action::ForceQuit), "^C");
    }

    #[test]
    fn the_moves_are_up_to_bottom() {
        use Action::*;
        assert_eq!(Action::MOVES, [Up, Down, PageUp, PageDown, Top, Bottom]);
    }
}
