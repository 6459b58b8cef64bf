//! A small hand-built tenant for the console tests: three ordinary users, one whose directory
//! values are hostile (escape sequences, OSC 52, bidi overrides, 10,000 characters), and a
//! console state driven to any screen through `update` alone, never real time.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use resetlens::directory::time::to_filetime;
use resetlens::directory::{uac, ConnectorAccount, ConnectorLookup, Directory, DirectoryUser, Domain};
use resetlens::tui::keymap::KeyBindings;
use resetlens::tui::state::{Settings, SourceLabel};
use resetlens::tui::theme::Theme;
use resetlens::tui::{update, Command, Message, State};

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("fixture time")
        .with_timezone(&Utc)
}

pub const NOW: &str = "2026-11-24T12:00:00Z";

/// The hostile text: terminal escapes (clear screen, OSC 52 clipboard write, C1 CSI), a
/// right-to-left override, Arabic, combining marks, then 10,000 characters of padding.
pub fn hostile_text() -> String {
    format!(
        "EVIL\x1b[2J\x1b]52;c;ZXZpbA==\x07\u{9b}31m\u{202e}gnp.exe مرحبا e\u{301}\u{301}\u{301} {}",
        "A".repeat(10_000)
    )
}

fn user(sam: &str, display: &str, ou: &str, rid: u32) -> DirectoryUser {
    DirectoryUser {
        dn: format!("CN={display},{ou},DC=contoso,DC=com"),
        sam_account_name: sam.to_string(),
        user_principal_name: Some(format!("{sam}@contoso.com")),
        display_name: Some(display.to_string()),
        mail: Some(format!(
            "{}@contoso.com",
            display.to_lowercase().replace(' ', ".")
        )),
        object_guid: format!("6a1e2b3c-0000-4000-8000-{rid:012}").parse().ok(),
        object_sid: format!("S-1-5-21-1111111111-2222222222-3333333333-{rid}")
            .parse()
            .ok(),
        consistency_guid: None,
        user_account_control: uac::NORMAL_ACCOUNT,
        uac_computed: Some(0),
        lockout_time: 0,
        pwd_last_set: Some(to_filetime(at("2026-11-20T08:00:00Z"))),
        bad_pwd_count: Some(0),
        admin_count: None,
        member_of: Vec::new(),
        token_groups: None,
        resultant_pso: None,
        security_descriptor: None,
        when_changed: None,
    }
}

pub fn directory() -> Directory {
    let mut alice = user("alice", "Alice Archer", "OU=Staff", 1101);
    alice.user_account_control |= uac::DONT_EXPIRE_PASSWORD;
    let mut bob = user("bob", "Bob Builder", "OU=Staff", 1102);
    bob.admin_count = Some(1);
    let mut carol = user("carol", "Carol Cruz", "OU=Sales", 1103);
    carol.uac_computed = Some(uac::LOCKOUT);
    carol.lockout_time = to_filetime(at("2026-11-24T10:30:00Z"));
    carol.bad_pwd_count = Some(5);
    let mut dave = user("dave", "Dave Dunn", "OU=Sales", 1104);
    dave.user_account_control |= uac::ACCOUNTDISABLE;
    dave.pwd_last_set = Some(0);
    let mut mallory = user("mallory", "Mallory", "OU=Staff", 1105);
    mallory.display_name = Some(hostile_text());
    mallory.dn = format!("CN=Mallory\x1b]52;c;ZXZpbA==\x07,OU=Staff,DC=contoso,DC=com");
    let domain_sid = "S-1-5-21-1111111111-2222222222-3333333333".parse().expect("sid");
    Directory {
        domain: Domain {
            dn: "DC=contoso,DC=com".into(),
            netbios_name: Some("CONTOSO".into()),
            sid: domain_sid,
            min_pwd_age: -864_000_000_000,
            max_pwd_age: -36_288_000_000_000,
            pwd_history_length: 24,
            lockout_threshold: 5,
            lockout_duration: -18_000_000_000,
            lockout_observation_window: -18_000_000_000,
            security_descriptor: None,
            admin_sd_holder_descriptor: None,
        },
        connector: ConnectorLookup::Found(ConnectorAccount {
            dn: "CN=MSOL_1a2b3c4d5e6f,CN=Users,DC=contoso,DC=com".into(),
            sam_account_name: "MSOL_1a2b3c4d5e6f".into(),
            sid: "S-1-5-21-1111111111-2222222222-3333333333-1600"
                .parse()
                .expect("sid"),
            token_groups: Vec::new(),
        }),
        containers: Vec::new(),
        password_settings: Vec::new(),
        names: HashMap::new(),
        users: vec![alice, bob, carol, dave, mallory],
        source: "fixture".into(),
        captured_at: at(NOW),
    }
}

pub fn settings(theme: Theme) -> Settings {
    Settings {
        keys: KeyBindings::default(),
        theme,
        source: SourceLabel {
            directory: "snapshot contoso-directory.snapshot.json".into(),
            evtx: vec!["sample-logs".into()],
            connector: None,
        },
        now: at(NOW),
    }
}

/// A state that has asked for its data (as the runtime does at start) but received nothing yet.
pub fn loading_state(theme: Theme, size: (u16, u16)) -> (State, Vec<Command>) {
    let mut state = State::new(settings(theme), size);
    let cmds = resetlens::tui::update::load_all(&mut state);
    (state, cmds)
}

/// A state with the fixture directory and no events loaded.
pub fn loaded_state(theme: Theme, size: (u16, u16)) -> State {
    let (mut state, _) = loading_state(theme, size);
    let generation = state.generation;
    update(
        &mut state,
        Message::DirectoryLoaded {
            generation,
            result: Ok(Arc::new(directory())),
        },
    );
    update(
        &mut state,
        Message::EventsIngested {
            generation,
            result: Ok(Arc::from(Vec::new())),
        },
    );
    state
}

pub fn key(code: KeyCode) -> Message {
    Message::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ch(c: char) -> Message {
    key(KeyCode::Char(c))
}

pub fn ctrl(c: char) -> Message {
    Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Types `text` one key at a time.
pub fn type_text(state: &mut State, text: &str) -> Vec<Command> {
    text.chars().flat_map(|c| update(state, ch(c))).collect()
}

pub fn render(state: &State, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|f| resetlens::tui::view::draw(f, state))
        .expect("draw");
    terminal
}

/// The screen as text, one line per row.
pub fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let buf = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}
