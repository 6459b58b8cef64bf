//! The console's tenant (contoso.com, its own domain SID): four ordinary users, one whose
//! directory values are hostile (escape sequences, OSC 52, bidi overrides, 10,000 characters),
//! Bob's events, and a console state driven to any screen through `update` alone, never real time.

use std::collections::HashMap;
use std::sync::Arc;

use super::builders::{EventBuilder, UserBuilder};
use crate::ad::time::to_filetime;
use crate::directory::{uac, ConnectorAccount, ConnectorLookup, Directory, DirectoryUser, Domain};
use crate::events::{Event, EventKind};
use crate::tui::keymap::KeyBindings;
use crate::tui::state::{Settings, SourceLabel};
use crate::tui::theme::Theme;
use crate::tui::{update, Command, LoadedDirectory, Message, State};
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

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

/// An enabled user of `ou` (`OU=Staff` or `OU=Sales`), RID `rid`, mail from the display name,
/// password set 2026-11-20.
pub fn user(sam: &str, display: &str, ou: &str, rid: u32) -> DirectoryUser {
    UserBuilder::new(format!("CN={display},{ou},DC=contoso,DC=com"), sam)
        .upn(format!("{sam}@contoso.com"))
        .display_name(display)
        .mail(format!(
            "{}@contoso.com",
            display.to_lowercase().replace(' ', ".")
        ))
        .guid(
            format!("6a1e2b3c-0000-4000-8000-{rid:012}")
                .parse()
                .expect("fixture GUID"),
        )
        .sid(format!("{DOMAIN_SID}-{rid}").parse().expect("fixture SID"))
        .uac_computed(0)
        .pwd_last_set(at("2026-11-20T08:00:00Z"))
        .bad_pwd_count(0)
        .build()
}

pub fn directory() -> Directory {
    let mut alice = user("alice", "Alice Archer", "OU=Staff", 1101);
    alice.user_account_control |= uac::DONT_EXPIRE_PASSWORD;
    let mut bob = user("bob", "Bob Builder", "OU=Staff", 1102);
    bob.security_descriptor = Some(bob_descriptor());
    let mut carol = user("carol", "Carol Cruz", "OU=Sales", 1103);
    carol.uac_computed = Some(uac::LOCKOUT);
    carol.lockout_time = to_filetime(at("2026-11-24T10:30:00Z"));
    carol.bad_pwd_count = Some(5);
    let mut dave = user("dave", "Dave Dunn", "OU=Sales", 1104);
    dave.user_account_control |= uac::ACCOUNTDISABLE;
    dave.pwd_last_set = Some(0);
    let mut mallory = user("mallory", "Mallory", "OU=Staff", 1105);
    mallory.display_name = Some(hostile_text());
    mallory.dn = "CN=Mallory\x1b]52;c;ZXZpbA==\x07,OU=Staff,DC=contoso,DC=com".to_string();
    let domain_sid = DOMAIN_SID.parse().expect("sid");
    Directory {
        domain: Domain {
            security_descriptor: Some(domain_descriptor()),
            ..Domain::with_default_policy("DC=contoso,DC=com", "CONTOSO", domain_sid)
        },
        connector: ConnectorLookup::Found(ConnectorAccount {
            dn: "CN=MSOL_1a2b3c4d5e6f,CN=Users,DC=contoso,DC=com".into(),
            sam_account_name: "MSOL_1a2b3c4d5e6f".into(),
            sid: connector_sid(),
            token_groups: Vec::new(),
        }),
        containers: vec![crate::directory::Container {
            dn: "OU=Staff,DC=contoso,DC=com".into(),
            dacl_protected: false,
            security_descriptor: None,
        }],
        password_settings: Vec::new(),
        sam: Default::default(),
        cloud_sync: None,
        names: HashMap::from([(connector_sid(), "CONTOSO\\MSOL_1a2b3c4d5e6f".to_string())]),
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
            live: false,
        },
        now: at(NOW),
    }
}

/// A state that has asked for its data (as the runtime does at start) but received nothing yet.
pub fn loading_state(theme: Theme, size: (u16, u16)) -> (State, Vec<Command>) {
    let mut state = State::new(settings(theme), size);
    let cmds = crate::tui::update::load_all(&mut state);
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
            result: Ok(LoadedDirectory::new(directory())),
        },
    );
    update(
        &mut state,
        Message::EventsIngested {
            generation,
            result: Ok(Arc::from(events())),
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
    terminal.draw(|f| crate::tui::view::draw(f, state)).expect("draw");
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

pub const DOMAIN_SID: &str = "S-1-5-21-1111111111-2222222222-3333333333";

fn connector_sid() -> crate::security::Sid {
    format!("{DOMAIN_SID}-1600").parse().expect("sid")
}

/// Bob's DACL: protected (inheritance disabled), so the connector's inherited grants are gone;
/// row 2 is an explicit deny of Reset Password to the connector.
pub fn bob_descriptor() -> Arc<[u8]> {
    let sddl = format!(
        "O:DAG:DAD:P(A;;RPWP;;;PS)(A;;GA;;;DA)\
         (OD;;CR;00299570-246d-11d0-a768-00aa006e0529;;{DOMAIN_SID}-1600)\
         (OA;;RP;4c164200-20c0-11d0-a768-00aa003049e2;;AU)"
    );
    crate::security::SecurityDescriptor::sddl_to_bytes(&sddl, &DOMAIN_SID.parse().expect("sid"))
        .expect("fixture sddl")
}

/// The domain root grants the connector the five writeback rights, inheritable to users, as
/// Entra Connect's setup does.
pub fn domain_descriptor() -> Arc<[u8]> {
    let c = format!("{DOMAIN_SID}-1600");
    let user = "bf967aba-0de6-11d0-a285-00aa003049e2";
    let sddl = format!(
        "O:DAG:DAD:(A;;GA;;;DA)\
         (OA;CI;CR;00299570-246d-11d0-a768-00aa006e0529;{user};{c})\
         (OA;CI;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;{user};{c})\
         (OA;CI;WP;28630ebf-41d5-11d1-a9c1-0000f80367c1;{user};{c})\
         (OA;CI;WP;bf967a0a-0de6-11d0-a285-00aa003049e2;{user};{c})\
         (OA;;CR;ccc2dc7d-a6ad-4a7a-8846-c04e3cc53501;;{c})"
    );
    crate::security::SecurityDescriptor::sddl_to_bytes(&sddl, &DOMAIN_SID.parse().expect("sid"))
        .expect("fixture sddl")
}

const TRACKING: &str = "7d3c0f7e-1111-4a4a-9d9d-000000000001";

/// Event `id` as the tenant's servers log it: DC01's Security log below 10000, the Connect
/// server AADC01's Application log above; failures at level 2.
fn event(id: u32, record: u64, time: &str, kind: EventKind, message: String) -> EventBuilder {
    let (machine, channel, provider, file) = if id < 10_000 {
        (
            "DC01.contoso.com",
            "Security",
            "Microsoft-Windows-Security-Auditing",
            "DC01-Security.evtx",
        )
    } else {
        (
            "AADC01.contoso.com",
            "Application",
            "PasswordResetService",
            "AADC01-Application.evtx",
        )
    };
    EventBuilder::new(id, kind, at(time))
        .machine(machine)
        .channel(channel)
        .provider(provider)
        .level(if kind == EventKind::WritebackFailure { 2 } else { 4 })
        .record(file, record)
        .message(message)
}

/// Bob's events: one reset attempt (31001 then a 33004 whose message is hostile) and a lockout.
pub fn events() -> Vec<Event> {
    let start = event(
        31001,
        10,
        "2026-11-24T09:13:58Z",
        EventKind::WritebackResetStart,
        "Password reset request started".into(),
    )
    .writeback_of(TRACKING, "bob@contoso.com")
    .build();
    let failure = event(
        33004,
        11,
        "2026-11-24T09:14:03Z",
        EventKind::WritebackFailure,
        format!("{}\nTrackingId: {TRACKING}", hostile_text()),
    )
    .writeback_of(TRACKING, "bob@contoso.com")
    .hresult(0x8007_0005)
    .build();
    let lockout = event(
        4740,
        99,
        "2026-11-24T09:20:00Z",
        EventKind::DcLockout,
        String::new(),
    )
    .target_user("bob")
    .build();
    vec![start, failure, lockout]
}

/// What the diagnosis engine says about Bob, given the fixture directory and events.
pub fn bob_diagnosis() -> crate::diagnosis::Diagnosis {
    diagnosis_of("bob")
}

/// What the diagnosis engine says about the fixture user `sam`.
pub fn diagnosis_of(sam: &str) -> crate::diagnosis::Diagnosis {
    let dir = directory();
    let user = dir
        .users
        .iter()
        .find(|u| u.sam_account_name == sam)
        .unwrap_or_else(|| panic!("{sam} is a fixture user"));
    let events = events();
    crate::diagnosis::diagnose(&crate::diagnosis::DiagnosisInput {
        directory: &dir,
        user,
        events: &events,
        at: None,
        now: at(NOW),
    })
}

/// Opens Bob (typed search, Enter) and delivers his diagnosis, as the runtime would.
pub fn open_bob(state: &mut State) {
    open_user(state, "bob");
}

/// Opens the fixture user `sam` (typed search, Enter) and delivers its diagnosis.
pub fn open_user(state: &mut State, sam: &str) {
    type_text(state, sam);
    enter_and_diagnose(state, sam);
}

/// Enter on the search hit `sam`, then its diagnosis delivered as the runtime would.
pub fn enter_and_diagnose(state: &mut State, sam: &str) {
    let cmds = update(state, key(KeyCode::Enter));
    let user = match cmds.first() {
        Some(Command::Diagnose { user, .. }) => *user,
        other => panic!("opening a user must ask for its diagnosis, got {other:?}"),
    };
    let generation = state.generation;
    update(
        state,
        Message::DiagnosisReady {
            generation,
            at: None,
            user,
            result: Ok(Arc::new(diagnosis_of(sam))),
        },
    );
}
