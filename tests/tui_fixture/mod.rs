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
        containers: vec![resetlens::directory::Container {
            dn: "OU=Staff,DC=contoso,DC=com".into(),
            dacl_protected: false,
            security_descriptor: None,
        }],
        password_settings: Vec::new(),
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
            result: Ok(Arc::from(vec![hostile_event()])),
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

pub const DOMAIN_SID: &str = "S-1-5-21-1111111111-2222222222-3333333333";

fn connector_sid() -> resetlens::security::Sid {
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
    let domain: resetlens::security::Sid = DOMAIN_SID.parse().expect("sid");
    let sd = resetlens::security::descriptor::SecurityDescriptor::from_sddl(&sddl, Some(&domain))
        .expect("fixture sddl");
    Arc::from(sd.to_bytes())
}

/// The diagnosis the engine would give Bob, in the contract's JSON, with one hostile event.
pub fn bob_diagnosis() -> resetlens::diagnosis::Diagnosis {
    let hostile = hostile_text();
    let v = serde_json::json!({
        "schema": "resetlens.diagnosis/1",
        "generated_at": "2026-11-24T12:00:00Z",
        "evaluated_at": "2026-11-24T09:14:03Z",
        "evaluated_at_source": "latest-failed-attempt",
        "user": { "dn": "CN=Bob Builder,OU=Staff,DC=contoso,DC=com", "sam_account_name": "bob",
                  "user_principal_name": "bob@contoso.com", "display_name": "Bob Builder",
                  "object_guid": null, "object_sid": null },
        "account": { "enabled": true, "locked_out": false, "lockout_time": null,
                     "pwd_last_set": "2026-11-20T08:00:00Z", "must_change_password": false,
                     "password_never_expires": false, "admin_count": 1 },
        "inheritance": { "dacl_protected": true, "blocked_at": "CN=Bob Builder,OU=Staff,DC=contoso,DC=com" },
        "connector": { "account": "CONTOSO\\MSOL_1a2b3c4d5e6f", "dn": null, "sid": null },
        "rights": {
            "reset_password": { "allowed": false, "deciding_ace": { "sddl": "(OD;;CR;00299570-246d-11d0-a768-00aa006e0529;;S-1-5-21-1111111111-2222222222-3333333333-1600)", "index": 2, "inherited": false, "trustee": "CONTOSO\\MSOL_1a2b3c4d5e6f", "effect": "deny" } },
            "change_password": { "allowed": false, "deciding_ace": null },
            "write_lockout_time": { "allowed": false, "deciding_ace": null },
            "write_pwd_last_set": { "allowed": false, "deciding_ace": null },
            "unexpire_password": { "allowed": true, "deciding_ace": { "sddl": "(OA;CI;CR;ccc2dc7d-a6ad-4a7a-8846-c04e3cc53501;;S-1-5-21-1111111111-2222222222-3333333333-1600)", "index": 7, "inherited": false, "trustee": "CONTOSO\\MSOL_1a2b3c4d5e6f", "effect": "allow" } }
        },
        "policy": { "min_pwd_age_seconds": 86400, "pwd_history_length": 24, "source": "domain" },
        "events": [
            { "time": "2026-11-24T09:13:58Z", "machine": "AADC01.contoso.com", "channel": "Application",
              "provider": "PasswordResetService", "event_id": 31001, "record_id": 10, "file": "AADC01-Application.evtx",
              "name": "PasswordResetStart", "tracking_id": "7d3c0f7e-1111-4a4a-9d9d-000000000001",
              "summary": "Password reset request started" },
            { "time": "2026-11-24T09:14:03Z", "machine": "AADC01.contoso.com", "channel": "Application",
              "provider": "PasswordResetService", "event_id": 33004, "record_id": 11, "file": "AADC01-Application.evtx",
              "name": "ADPermissionsError", "tracking_id": "7d3c0f7e-1111-4a4a-9d9d-000000000001",
              "summary": hostile },
            { "time": "2026-11-24T09:20:00Z", "machine": "DC01.contoso.com", "channel": "Security",
              "provider": "Microsoft-Windows-Security-Auditing", "event_id": 4740, "record_id": 99, "file": "DC01-Security.evtx",
              "name": "UserLockedOut", "tracking_id": null, "summary": "bob was locked out" }
        ],
        "findings": [
            { "code": "inheritance-disabled", "severity": "blocker", "title": "Inheritance is disabled on the user",
              "detail": "The user's DACL is protected, so the connector's permissions granted at the domain root do not reach it.",
              "evidence": ["nTSecurityDescriptor control: SE_DACL_PROTECTED"],
              "remediation": ["# Re-enable inheritance on the user\nSet-ADUser -Identity 'bob' # then tick 'Include inheritable permissions'", "dsacls \"CN=Bob Builder,OU=Staff,DC=contoso,DC=com\" /P:N"] },
            { "code": "event-permission-denied", "severity": "blocker", "title": "33004: access denied writing the password",
              "detail": "The writeback attempt was refused by AD.", "evidence": ["33004 at 2026-11-24 09:14:03 on AADC01"], "remediation": [] },
            { "code": "min-password-age", "severity": "warning", "title": "Minimum password age is 1 day",
              "detail": "A change within 1 day of the last one is refused.", "evidence": [], "remediation": [] }
        ],
        "verdict": { "writeback_can_succeed": false, "primary_cause": "inheritance-disabled",
                     "summary": "Bob's password cannot be written back because inheritance is disabled on his account." }
    });
    serde_json::from_value(v).expect("fixture diagnosis matches the model")
}

/// The full ingested form of the hostile 33004, as the detail overlay looks it up.
pub fn hostile_event() -> resetlens::events::Event {
    resetlens::events::Event {
        time: at("2026-11-24T09:14:03Z"),
        machine: "AADC01.contoso.com".into(),
        channel: "Application".into(),
        provider: "PasswordResetService".into(),
        event_id: 33004,
        level: 2,
        audit: None,
        origin: resetlens::events::EventOrigin {
            file: Arc::from("AADC01-Application.evtx"),
            record_id: 11,
        },
        kind: resetlens::events::EventKind::WritebackFailure,
        message: format!("TrackingId: 7d3c\n{}", hostile_text()),
        fields: resetlens::events::EventFields {
            tracking_id: Some("7d3c0f7e-1111-4a4a-9d9d-000000000001".into()),
            user_principal_name: Some(format!("bob@contoso.com\x1b]52;c;ZXZpbA==\x07")),
            hresult: Some(0x8023_0619),
            ..Default::default()
        },
    }
}

/// Opens Bob (typed search, Enter) and delivers his diagnosis, as the runtime would.
pub fn open_bob(state: &mut State) {
    type_text(state, "bob");
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
            user,
            result: Ok(Arc::new(bob_diagnosis())),
        },
    );
}
