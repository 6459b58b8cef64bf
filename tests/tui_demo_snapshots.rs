//! Every tab of the console for users of the demo tenant (`sample-logs/`, the real generated
//! directory and event logs), at the smallest usual terminal (80x24) and a roomy one (120x40).
//! The cases are a table: a user with a new finding is one more line in `USERS`.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use resetlens::demo_tenant;
use resetlens::diagnosis::{diagnose, DiagnosisInput};
use resetlens::directory::Directory;
use resetlens::events::ingest::{ingest, IngestOptions};
use resetlens::events::Event;
use resetlens::tui::keymap::KeyBindings;
use resetlens::tui::state::{Settings, SourceLabel, State, Tab};
use resetlens::tui::theme::Theme;
use resetlens::tui::{update, Command, LoadedDirectory, Message};

/// Users to snapshot, each on every tab at every size.
const USERS: &[&str] = &[
    "bob",    // inheritance-disabled
    "grace",  // account-locked
    "victor", // event-remote-sam-restricted
    "wendy",  // password-sync-scope-excluded (with event-not-in-password-sync-scope)
    "quinn",  // password-protection-rejected
];
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

struct Demo {
    directory: Directory,
    events: Arc<[Event]>,
}

/// The shipped demo tenant, read once for all cases.
fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
        let directory =
            resetlens::directory::snapshot::read(&dir.join(demo_tenant::SNAPSHOT)).expect("demo snapshot");
        let report = ingest(&[dir], &IngestOptions::default(), &|_| {});
        assert_eq!(report.problems().count(), 0, "the demo logs are sound");
        Demo {
            directory,
            events: Arc::from(report.events),
        }
    })
}

/// The instant the demo's logs end: the console's clock for every case, so ages do not drift.
fn now() -> DateTime<Utc> {
    demo_tenant::LOG_END.parse().expect("LOG_END")
}

/// The console after `:user NAME`, its diagnosis delivered as the runtime would, on `tab`.
fn console_on(user: &str, tab: Tab, size: (u16, u16)) -> State {
    let demo = demo();
    let settings = Settings {
        keys: KeyBindings::default(),
        theme: Theme::COLOUR,
        source: SourceLabel {
            directory: format!("snapshot {}", demo_tenant::SNAPSHOT),
            evtx: vec!["sample-logs".into()],
            connector: None,
            live: false,
        },
        now: now(),
    };
    let mut state = State::new(settings, size);
    resetlens::tui::update::load_all(&mut state);
    let generation = state.generation;
    update(
        &mut state,
        Message::DirectoryLoaded {
            generation,
            result: Ok(LoadedDirectory::new(demo.directory.clone())),
        },
    );
    update(
        &mut state,
        Message::EventsIngested {
            generation,
            result: Ok(demo.events.clone()),
        },
    );
    // Tab gives the list the focus, where `:` opens the command line.
    update(&mut state, press(KeyCode::Tab));
    let mut cmds = update(&mut state, key(':'));
    for c in format!("user {user}").chars() {
        cmds = update(&mut state, key(c));
    }
    cmds.extend(update(&mut state, press(KeyCode::Enter)));
    let index = cmds
        .iter()
        .find_map(|c| match c {
            Command::Diagnose { user, .. } => Some(*user),
            _ => None,
        })
        .unwrap_or_else(|| panic!(":user {user} must ask for a diagnosis, got {cmds:?}"));
    let diagnosis = diagnose(&DiagnosisInput {
        directory: &demo.directory,
        user: &demo.directory.users[index],
        events: &demo.events,
        at: None,
        now: now(),
    });
    update(
        &mut state,
        Message::DiagnosisReady {
            generation,
            at: None,
            user: index,
            result: Ok(Arc::new(diagnosis)),
        },
    );
    let number = Tab::ALL.iter().position(|t| *t == tab).expect("a tab") + 1;
    update(
        &mut state,
        key(char::from_digit(number as u32, 10).expect("digit")),
    );
    state
}

fn press(code: KeyCode) -> Message {
    Message::Key(KeyEvent::from(code))
}

fn key(c: char) -> Message {
    press(KeyCode::Char(c))
}

fn render(state: &State, (width, height): (u16, u16)) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|f| resetlens::tui::view::draw(f, state))
        .expect("draw");
    terminal
}

#[test]
fn every_tab_of_each_demo_user_at_80x24_and_120x40() {
    for user in USERS {
        for tab in Tab::ALL {
            for size in SIZES {
                let state = console_on(user, tab, size);
                let name = format!("demo_{user}_{}_{}x{}", tab.title().to_lowercase(), size.0, size.1);
                insta::assert_snapshot!(name, render(&state, size).backend());
            }
        }
    }
}

/// At 80x24 bob's Permissions boxes do not all fit: the first view keeps the rights and the chain
/// whole, and one step down stacks the rights away so the DACL gets its rows.
#[test]
fn bob_permissions_stacked_at_80x24() {
    let size = (80, 24);
    let mut state = console_on("bob", Tab::Permissions, size);
    update(&mut state, key('j'));
    let text = render(&state, size).backend().to_string();
    assert!(text.contains("◀ BLOCKED HERE") && text.contains("▶ 0"), "{text}");
    insta::assert_snapshot!(
        "demo_bob_permissions_stacked_80x24",
        render(&state, size).backend()
    );
}
