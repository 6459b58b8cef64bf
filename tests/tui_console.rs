//! The console driven through `update` and drawn into a `TestBackend`: snapshots of each screen
//! and state (insta), style checks for the verdict tones and the selection, key sequences to
//! state, and hostile directory text that must stay inert and inside its box.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::style::{Color, Modifier};
use resetlens::testkit::console::*;
use resetlens::tui::state::{Screen, SearchFocus, Tab};
use resetlens::tui::theme::Theme;
use resetlens::tui::{update, Command, LoadedDirectory, Message};

#[test]
fn start_screen_while_loading_shows_a_spinner_and_asks_for_data() {
    let (mut state, cmds) = loading_state(Theme::COLOUR, (80, 24));
    assert_eq!(
        cmds,
        vec![
            Command::LoadDirectory { generation: 1 },
            Command::IngestEvents { generation: 1 }
        ]
    );
    assert!(state.busy());
    update(&mut state, Message::Tick);
    insta::assert_snapshot!("loading_80x24", render(&state, 80, 24).backend());
}

#[test]
fn search_screen_80x24() {
    let state = loaded_state(Theme::COLOUR, (80, 24));
    insta::assert_snapshot!("search_80x24", render(&state, 80, 24).backend());
}

#[test]
fn search_filters_as_you_type_and_enter_opens_the_top_match() {
    let mut state = loaded_state(Theme::COLOUR, (100, 30));
    type_text(&mut state, "bob");
    let hits = state.search.search.hits();
    assert_eq!(hits.first().map(|h| h.user), Some(1));
    insta::assert_snapshot!("search_bob_100x30", render(&state, 100, 30).backend());
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.screen, Screen::User);
    assert_eq!(
        state.current_user().map(|u| u.sam_account_name.as_str()),
        Some("bob")
    );
}

#[test]
fn focus_model_letters_type_in_the_box_and_command_the_list() {
    let mut state = loaded_state(Theme::COLOUR, (100, 30));
    // In the box, j and q are text.
    type_text(&mut state, "jq");
    assert_eq!(state.search.search.query(), "jq");
    assert!(!state.quit);
    update(&mut state, ctrl('u'));
    assert_eq!(state.search.search.query(), "");
    // Tab moves the focus to the list: j/k move, G goes to the end.
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(state.search.focus, SearchFocus::List);
    update(&mut state, ch('j'));
    update(&mut state, ch('j'));
    update(&mut state, ch('k'));
    assert_eq!(state.search.selected, 1);
    update(&mut state, ch('G'));
    assert_eq!(state.search.selected, 4);
    // Arrows move from the box too.
    update(&mut state, ch('/'));
    assert_eq!(state.search.focus, SearchFocus::Query);
    update(&mut state, key(KeyCode::Up));
    assert_eq!(state.search.selected, 3);
    // An unbound letter in the list starts a search.
    update(&mut state, key(KeyCode::Tab));
    update(&mut state, ch('c'));
    assert_eq!(state.search.focus, SearchFocus::Query);
    assert_eq!(state.search.search.query(), "c");
    // Esc clears the query; q in the list quits.
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.search.search.query(), "");
    update(&mut state, key(KeyCode::Tab));
    update(&mut state, ch('q'));
    assert!(state.quit);
}

#[test]
fn ctrl_c_quits_from_anywhere() {
    let mut state = loaded_state(Theme::COLOUR, (100, 30));
    update(&mut state, ch(':'));
    assert!(state.command_line.is_none(), "':' in the search box is text");
    update(&mut state, ctrl('c'));
    assert!(state.quit);
}

#[test]
fn user_view_tabs_and_back() {
    let mut state = loaded_state(Theme::COLOUR, (80, 24));
    open_user(&mut state, "carol");
    assert_eq!(state.user.as_ref().map(|u| u.tab), Some(Tab::Account));
    insta::assert_snapshot!("user_account_80x24", render(&state, 80, 24).backend());
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(state.user.as_ref().map(|u| u.tab), Some(Tab::Permissions));
    update(&mut state, key(KeyCode::BackTab));
    update(&mut state, key(KeyCode::BackTab));
    assert_eq!(state.user.as_ref().map(|u| u.tab), Some(Tab::Fix));
    update(&mut state, ch('3'));
    assert_eq!(state.user.as_ref().map(|u| u.tab), Some(Tab::Events));
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.screen, Screen::Search);
    // The query survives the round trip.
    assert_eq!(state.search.search.query(), "carol");
}

#[test]
fn help_is_generated_from_the_keymap() {
    let mut state = loaded_state(Theme::COLOUR, (100, 30));
    update(&mut state, key(KeyCode::F(1)));
    assert!(state.help);
    let term = render(&state, 100, 30);
    let text = screen_text(&term);
    for a in resetlens::tui::keymap::Action::ALL {
        assert!(text.contains(a.description()), "help lacks {a:?}");
    }
    insta::assert_snapshot!("help_100x30", term.backend());
    update(&mut state, key(KeyCode::Esc));
    assert!(!state.help);
}

#[test]
fn dead_directory_shows_a_banner_with_retry() {
    let (mut state, _) = loading_state(Theme::COLOUR, (80, 24));
    update(
        &mut state,
        Message::DirectoryLoaded {
            generation: 1,
            result: Err("cannot reach dc01.contoso.com:636: connection timed out after 10 s".into()),
        },
    );
    insta::assert_snapshot!("error_banner_80x24", render(&state, 80, 24).backend());
    // In the search box `r` is text, Ctrl-R retries; in the list `r` does.
    update(&mut state, ch('r'));
    assert_eq!(state.search.search.query(), "r");
    assert!(state.banner.is_some());
    let cmds = update(&mut state, ctrl('r'));
    assert_eq!(cmds, vec![Command::LoadDirectory { generation: 1 }]);
    update(
        &mut state,
        Message::DirectoryLoaded {
            generation: 1,
            result: Err("still down".into()),
        },
    );
    update(&mut state, ctrl('u'));
    update(&mut state, key(KeyCode::Tab));
    let cmds = update(&mut state, ch('r'));
    assert_eq!(cmds, vec![Command::LoadDirectory { generation: 1 }]);
    assert!(state.banner.is_none());
    assert!(state.directory.is_loading());
}

#[test]
fn stale_results_of_an_older_load_are_dropped() {
    let mut state = loaded_state(Theme::COLOUR, (80, 24));
    update(&mut state, key(KeyCode::Tab));
    update(&mut state, ch(':'));
    type_text(&mut state, "reload");
    let cmds = update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        cmds,
        vec![
            Command::LoadDirectory { generation: 2 },
            Command::IngestEvents { generation: 2 }
        ]
    );
    update(
        &mut state,
        Message::DirectoryLoaded {
            generation: 1,
            result: Err("old".into()),
        },
    );
    assert!(state.banner.is_none());
    assert!(state.directory.is_loading());
}

#[test]
fn command_line_opens_users_and_reports_unknown_commands() {
    let mut state = loaded_state(Theme::COLOUR, (80, 24));
    update(&mut state, key(KeyCode::Tab));
    update(&mut state, ch(':'));
    type_text(&mut state, "user carol@contoso.com");
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        state.current_user().map(|u| u.sam_account_name.as_str()),
        Some("carol")
    );
    update(&mut state, ch(':'));
    type_text(&mut state, "events 4740");
    update(&mut state, key(KeyCode::Enter));
    let user = state.user.as_ref().expect("user view");
    assert_eq!((user.tab, user.events.filter.as_str()), (Tab::Events, "4740"));
    update(&mut state, ch(':'));
    type_text(&mut state, "frobnicate");
    update(&mut state, key(KeyCode::Enter));
    assert!(state
        .banner
        .as_ref()
        .is_some_and(|b| b.text.contains("unknown command")));
    // Fuzzy fallback for :user.
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch(':'));
    type_text(&mut state, "user alic");
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        state.current_user().map(|u| u.sam_account_name.as_str()),
        Some("alice")
    );
}

#[test]
fn too_small_says_so() {
    let state = loaded_state(Theme::COLOUR, (50, 12));
    let text = screen_text(&render(&state, 50, 12));
    assert!(
        text.contains("Terminal too small: 50x12, need at least 60x16"),
        "{text}"
    );
}

#[test]
fn resizes_live_without_panicking() {
    let mut state = loaded_state(Theme::COLOUR, (80, 24));
    type_text(&mut state, "a");
    update(&mut state, key(KeyCode::Enter));
    for (w, h) in [(200, 60), (60, 16), (59, 15), (1, 1), (0, 0), (80, 24)] {
        update(&mut state, Message::Resize { width: w, height: h });
        render(&state, w, h);
    }
}

#[test]
fn selection_is_reversed_so_it_survives_no_color() {
    for theme in [Theme::COLOUR, Theme::MONOCHROME] {
        let state = loaded_state(theme, (80, 24));
        let term = render(&state, 80, 24);
        let buf = term.backend().buffer();
        // Row of the first user: status(1) + box(3) + table border(1) + header(1).
        let cell = &buf[(4, 6)];
        assert!(cell.modifier.contains(Modifier::REVERSED), "{theme:?}: {cell:?}");
        if !theme.colour {
            for cell in buf.content() {
                assert_eq!(cell.fg, Color::Reset, "colour leaked with NO_COLOR: {cell:?}");
            }
        }
    }
}

#[test]
fn account_tones_carry_symbol_and_colour() {
    let mut state = loaded_state(Theme::COLOUR, (100, 30));
    open_user(&mut state, "carol");
    let term = render(&state, 100, 30);
    let text = screen_text(&term);
    let buf = term.backend().buffer();
    let (y, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("Locked out"))
        .expect("lockout line");
    let x = line
        .chars()
        .position(|c| c == '✘')
        .expect("symbol, not colour alone");
    assert_eq!(
        buf[(u16::try_from(x).unwrap_or(0), u16::try_from(y).unwrap_or(0))].fg,
        Color::Red
    );
    assert!(
        line.contains("yes, since 2026-11-24 10:30:00 UTC (1 h 30 min ago)"),
        "{line}"
    );
}

#[test]
fn hostile_directory_text_renders_inert_and_inside_its_box() {
    let mut state = loaded_state(Theme::COLOUR, (80, 24));
    type_text(&mut state, "mallory");
    for (w, h) in [(80, 24), (120, 40)] {
        let term = render(&state, w, h);
        let buf = term.backend().buffer();
        assert_eq!(buf.area.width, w);
        for cell in buf.content() {
            assert!(
                !cell.symbol().chars().any(|c| c.is_control()),
                "control char drawn: {:?}",
                cell.symbol()
            );
            assert!(!cell.symbol().contains('\u{202e}'));
        }
        let text = screen_text(&term);
        assert!(text.contains("EVIL\\x1b[2J\\x1b]52"), "{text}");
        // Inside its box: the list's right border is intact on every row.
        for y in 5..h - 2 {
            assert_eq!(buf[(w - 1, y)].symbol(), "│", "row {y} overflowed:\n{text}");
        }
    }
    enter_and_diagnose(&mut state, "mallory");
    let term = render(&state, 80, 24);
    insta::assert_snapshot!("hostile_user_80x24", term.backend());
    for cell in term.backend().buffer().content() {
        assert!(!cell.symbol().chars().any(|c| c.is_control()));
    }
}

#[test]
fn events_failure_is_a_banner_and_the_directory_still_works() {
    let (mut state, _) = loading_state(Theme::COLOUR, (80, 24));
    update(
        &mut state,
        Message::DirectoryLoaded {
            generation: 1,
            result: Ok(LoadedDirectory::new(directory())),
        },
    );
    update(
        &mut state,
        Message::EventsIngested {
            generation: 1,
            result: Err("sample-logs: no such folder".into()),
        },
    );
    assert!(state
        .banner
        .as_ref()
        .is_some_and(|b| b.retry == vec![Command::IngestEvents { generation: 1 }]));
    type_text(&mut state, "dave");
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.screen, Screen::User);
}

#[test]
fn verdict_header_is_red_with_a_symbol_and_names_the_cause() {
    for theme in [Theme::COLOUR, Theme::MONOCHROME] {
        let mut state = loaded_state(theme, (80, 24));
        open_bob(&mut state);
        let term = render(&state, 80, 24);
        let text = screen_text(&term);
        let (y, line) = text
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains("Writeback will fail"))
            .expect("verdict");
        assert!(
            line.starts_with("✘ Writeback will fail: Inheritance is disabled on the user"),
            "{line}"
        );
        let cell = &term.backend().buffer()[(0, u16::try_from(y).unwrap_or(0))];
        assert_eq!(cell.symbol(), "✘");
        assert_eq!(cell.fg, if theme.colour { Color::Red } else { Color::Reset });
        assert!(
            cell.modifier.contains(Modifier::BOLD),
            "the verdict stays distinct without colour"
        );
        if theme.colour {
            insta::assert_snapshot!("user_bob_account_80x24", term.backend());
        }
    }
}

#[test]
fn a_good_verdict_is_green() {
    let mut state = loaded_state(Theme::COLOUR, (80, 24));
    type_text(&mut state, "bob");
    update(&mut state, key(KeyCode::Enter));
    let mut d = bob_diagnosis();
    d.verdict.writeback_can_succeed = true;
    d.verdict.primary_cause = None;
    let generation = state.generation;
    update(
        &mut state,
        Message::DiagnosisReady {
            generation,
            at: None,
            user: 1,
            result: Ok(Arc::new(d)),
        },
    );
    let term = render(&state, 80, 24);
    let text = screen_text(&term);
    let y = text
        .lines()
        .position(|l| l.starts_with("✔ Writeback can succeed"))
        .expect("good verdict");
    assert_eq!(
        term.backend().buffer()[(0, u16::try_from(y).unwrap_or(0))].fg,
        Color::Green
    );
}

#[test]
fn permissions_show_rights_blocking_point_and_deciding_ace() {
    let mut state = loaded_state(Theme::COLOUR, (100, 30));
    open_bob(&mut state);
    update(&mut state, ch('2'));
    let term = render(&state, 100, 30);
    let text = screen_text(&term);
    assert!(text.contains("✘ denied"), "{text}");
    assert!(text.contains("Reset Password"));
    assert!(text.contains("◀ BLOCKED HERE"));
    assert!(text.contains("inheritance disabled"));
    insta::assert_snapshot!("user_bob_permissions_100x30", term.backend());
    // The deciding row (#2, the deny) is highlighted in the DACL.
    let buf = term.backend().buffer();
    let (y, _) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("◆") && l.contains("deny"))
        .expect("deciding row");
    let y = u16::try_from(y).unwrap_or(0);
    let x = text
        .lines()
        .nth(usize::from(y))
        .and_then(|l| l.chars().position(|c| c == '◆'))
        .unwrap_or(0);
    assert_eq!(buf[(u16::try_from(x).unwrap_or(0), y)].fg, Color::Magenta);
    // At 80x24 it still fits: the blocking point stays visible.
    let small = screen_text(&render(&state, 80, 24));
    assert!(small.contains("BLOCKED HERE"), "{small}");
    insta::assert_snapshot!("user_bob_permissions_80x24", render(&state, 80, 24).backend());
}

#[test]
fn permissions_filter_narrows_the_dacl() {
    let mut state = loaded_state(Theme::COLOUR, (100, 30));
    open_bob(&mut state);
    update(&mut state, ch('2'));
    update(&mut state, ch('/'));
    type_text(&mut state, "deny");
    update(&mut state, key(KeyCode::Enter));
    let user = state.user.as_ref().expect("user");
    assert_eq!(user.acl.filter, "deny");
    assert!(!user.acl.editing_filter);
    let text = screen_text(&render(&state, 100, 30));
    assert!(text.contains("/deny"));
    assert!(!text.contains("explicit  SELF"), "{text}");
    // j on a one-row list stays put; Esc clears the filter, a second Esc goes back.
    update(&mut state, ch('j'));
    assert_eq!(state.user.as_ref().map(|u| u.acl.selected), Some(0));
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.user.as_ref().map(|u| u.acl.filter.as_str()), Some(""));
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.screen, Screen::Search);
}

#[test]
fn events_grouped_by_attempt_filter_and_detail() {
    let mut state = loaded_state(Theme::COLOUR, (100, 30));
    open_bob(&mut state);
    update(&mut state, ch('3'));
    let text = screen_text(&render(&state, 100, 30));
    assert!(
        text.contains("#1") && text.contains("31001") && text.contains("4740"),
        "{text}"
    );
    insta::assert_snapshot!("user_bob_events_100x30", render(&state, 100, 30).backend());
    // :events 4740 keeps only the lockout.
    update(&mut state, ch(':'));
    type_text(&mut state, "events 4740");
    update(&mut state, key(KeyCode::Enter));
    let text = screen_text(&render(&state, 100, 30));
    assert!(text.contains("4740") && !text.contains("31001"), "{text}");
    update(&mut state, key(KeyCode::Esc));
    // Enter on the 33004 opens every field, including the ingested message.
    update(&mut state, ch('j'));
    let cmds = update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.user.as_ref().and_then(|u| u.event_detail), Some(1));
    // The raw XML is not kept in memory: opening the detail asks for that one record.
    assert!(
        matches!(cmds.as_slice(), [Command::ReadRawXml { .. }]),
        "{cmds:?}"
    );
    let term = render(&state, 100, 30);
    let text = screen_text(&term);
    assert!(text.contains("Event 33004") && text.contains("hresult"), "{text}");
    insta::assert_snapshot!("event_detail_100x30", term.backend());
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.user.as_ref().and_then(|u| u.event_detail), None);
    assert_eq!(state.screen, Screen::User);
}

/// The detail reads the diagnosis' own events: while a `:reload` reads the logs again (or after
/// it failed), the open user's event still shows its kind, parsed fields and message, sanitized.
#[test]
fn event_detail_shows_the_whole_event_while_the_logs_are_read_again() {
    let mut state = loaded_state(Theme::COLOUR, (100, 40));
    open_bob(&mut state);
    update(&mut state, ch('3'));
    update(&mut state, ch('j'));
    update(&mut state, key(KeyCode::Enter));
    state.events = resetlens::tui::state::Loading::Loading;
    let text = screen_text(&render(&state, 100, 40));
    assert!(
        text.contains("Event 33004") && text.contains("WritebackFailure") && text.contains("0x80070005"),
        "{text}"
    );
    assert!(text.contains("Message") && text.contains("EVIL"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "the message's escapes are not drawn: {text}"
    );
}

#[test]
fn raw_xml_arrives_sanitized_fails_visibly_and_stale_reads_are_dropped() {
    let mut state = loaded_state(Theme::COLOUR, (100, 30));
    open_bob(&mut state);
    update(&mut state, ch('3'));
    update(&mut state, ch('j'));
    let cmds = update(&mut state, key(KeyCode::Enter));
    let Some(Command::ReadRawXml { file, position }) = cmds.first().cloned() else {
        panic!("no read asked for: {cmds:?}");
    };
    // A read for another record (a detail opened and closed before) does not land here.
    update(
        &mut state,
        Message::RawXmlRead {
            file: file.clone(),
            position: position + 1,
            result: Ok("<Event>other</Event>".into()),
        },
    );
    assert!(state.user.as_ref().is_some_and(|u| u.raw_xml.is_loading()));
    update(
        &mut state,
        Message::RawXmlRead {
            file: file.clone(),
            position,
            result: Ok("<Event>\n  <Data>EVIL\u{1b}]52;c;aGk=\u{7}</Data>\n</Event>".into()),
        },
    );
    // Scroll to the end of the detail, where the XML is.
    update(&mut state, key(KeyCode::End));
    let term = render(&state, 100, 30);
    let text = screen_text(&term);
    assert!(text.contains("<Data>EVIL"), "{text}");
    for cell in term.backend().buffer().content() {
        assert!(
            !cell.symbol().chars().any(|c| c.is_control()),
            "{:?}",
            cell.symbol()
        );
    }
    // Closing and reopening asks again; a failed read is shown, not swallowed.
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, key(KeyCode::Enter));
    update(
        &mut state,
        Message::RawXmlRead {
            file,
            position,
            result: Err("x.evtx: no record 7".into()),
        },
    );
    update(&mut state, key(KeyCode::End));
    let text = screen_text(&render(&state, 100, 30));
    assert!(text.contains("the raw XML failed: x.evtx: no record 7"), "{text}");
}

#[test]
fn hostile_event_message_renders_inert_and_inside_its_box() {
    let mut state = loaded_state(Theme::COLOUR, (80, 24));
    open_bob(&mut state);
    update(&mut state, ch('3'));
    update(&mut state, ch('j'));
    for open_detail in [false, true] {
        if open_detail {
            update(&mut state, key(KeyCode::Enter));
        }
        for (w, h) in [(80, 24), (60, 16), (140, 50)] {
            let term = render(&state, w, h);
            let buf = term.backend().buffer();
            let text = screen_text(&term);
            for cell in buf.content() {
                assert!(
                    !cell.symbol().chars().any(|c| c.is_control()),
                    "control char drawn: {:?}",
                    cell.symbol()
                );
                assert!(!cell.symbol().contains('\u{202e}'), "bidi override drawn");
            }
            // The list shows the catalog's summary; the raw message is in the detail.
            if open_detail && w >= 100 {
                assert!(
                    text.contains("EVIL\\x1b[2J"),
                    "the hostile text is shown escaped:\n{text}"
                );
            }
            // Inside its box: every body row still ends with the right border.
            let lines: Vec<&str> = text.lines().collect();
            let top = lines.iter().position(|l| l.starts_with('┌')).expect("a box");
            let bottom = lines.iter().rposition(|l| l.starts_with('└')).expect("a box");
            for (y, line) in lines.iter().enumerate().take(bottom).skip(top + 1) {
                assert!(
                    line.starts_with('│') && line.ends_with('│'),
                    "row {y} escaped its box:\n{text}"
                );
            }
        }
    }
}

#[test]
fn fix_tab_lists_blockers_first_with_commands() {
    let mut state = loaded_state(Theme::COLOUR, (100, 30));
    open_bob(&mut state);
    update(&mut state, ch('4'));
    let term = render(&state, 100, 30);
    let text = screen_text(&term);
    // Findings come blockers first; the first line of the tab is a blocker.
    let lines: Vec<&str> = text.lines().collect();
    let top = lines
        .iter()
        .position(|l| l.contains("Findings and fix"))
        .expect("the tab");
    assert!(
        lines.get(top + 1).is_some_and(|l| l.starts_with("│✘ blocker")),
        "{text}"
    );
    insta::assert_snapshot!("user_bob_fix_100x30", term.backend());
}

#[test]
fn y_copies_the_markdown_ticket_summary() {
    let mut state = loaded_state(Theme::COLOUR, (80, 24));
    type_text(&mut state, "bob");
    update(&mut state, key(KeyCode::Enter));
    // Before the diagnosis arrives there is nothing to copy.
    assert!(update(&mut state, ch('y')).is_empty());
    assert!(state.banner.is_some());
    update(&mut state, key(KeyCode::Esc));
    let generation = state.generation;
    update(
        &mut state,
        Message::DiagnosisReady {
            generation,
            at: None,
            user: 1,
            result: Ok(Arc::new(bob_diagnosis())),
        },
    );
    let cmds = update(&mut state, ch('y'));
    let [Command::CopyToClipboard(text)] = cmds.as_slice() else {
        panic!("expected a copy, got {cmds:?}")
    };
    assert!(text.starts_with("## Password writeback: Bob Builder"), "{text}");
    assert!(!text.contains('\x1b'), "the summary carries no raw escape");
}

#[test]
fn a_diagnosis_for_another_user_or_load_is_dropped() {
    let mut state = loaded_state(Theme::COLOUR, (80, 24));
    type_text(&mut state, "bob");
    update(&mut state, key(KeyCode::Enter));
    let generation = state.generation;
    update(
        &mut state,
        Message::DiagnosisReady {
            generation,
            at: None,
            user: 0,
            result: Ok(Arc::new(bob_diagnosis())),
        },
    );
    update(
        &mut state,
        Message::DiagnosisReady {
            generation: 0,
            at: None,
            user: 1,
            result: Ok(Arc::new(bob_diagnosis())),
        },
    );
    assert!(state.current_diagnosis().is_none());
    assert!(state.busy(), "still waiting for the right one");
}

#[test]
fn at_sets_the_tickets_time_rediagnoses_and_drops_results_for_another_time() {
    let mut state = loaded_state(Theme::COLOUR, (80, 24));
    open_bob(&mut state);
    assert!(state.current_diagnosis().is_some());
    update(&mut state, ch(':'));
    type_text(&mut state, "at 2026-11-24T09:20:00Z");
    let cmds = update(&mut state, key(KeyCode::Enter));
    let want = Some(at("2026-11-24T09:20:00Z"));
    let [Command::Diagnose { user, at: asked, .. }] = cmds.as_slice() else {
        panic!("`:at` must ask for the diagnosis again: {cmds:?}");
    };
    assert_eq!(*asked, want);
    assert!(
        state.current_diagnosis().is_none(),
        "the old verdict is not shown for the new time"
    );
    let (user, generation) = (*user, state.generation);
    // A result evaluated at the old instant arrives late: dropped.
    update(
        &mut state,
        Message::DiagnosisReady {
            generation,
            at: None,
            user,
            result: Ok(Arc::new(bob_diagnosis())),
        },
    );
    assert!(state.current_diagnosis().is_none());
    update(
        &mut state,
        Message::DiagnosisReady {
            generation,
            at: want,
            user,
            result: Ok(Arc::new(bob_diagnosis())),
        },
    );
    assert!(state.current_diagnosis().is_some());
    // A time that does not parse is an error on screen, and nothing is asked.
    update(&mut state, ch(':'));
    type_text(&mut state, "at yesterday");
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty());
    assert!(state.banner.is_some());
    assert_eq!(state.ticket_at, want);
}

#[test]
fn opening_a_user_before_the_events_waits_for_them() {
    let (mut state, _) = loading_state(Theme::COLOUR, (80, 24));
    update(
        &mut state,
        Message::DirectoryLoaded {
            generation: 1,
            result: Ok(LoadedDirectory::new(directory())),
        },
    );
    type_text(&mut state, "bob");
    assert!(
        update(&mut state, key(KeyCode::Enter)).is_empty(),
        "no diagnosis without the events"
    );
    let cmds = update(
        &mut state,
        Message::EventsIngested {
            generation: 1,
            result: Ok(Arc::from(Vec::new())),
        },
    );
    // Directory and events are both in: diagnose the open user, and mark failures in the list.
    assert!(matches!(
        cmds.as_slice(),
        [Command::Diagnose { user: 1, .. }, Command::MarkFailures { .. }]
    ));
}

#[test]
fn help_scrolls_when_it_does_not_fit_80x24() {
    let mut state = loaded_state(Theme::COLOUR, (80, 24));
    update(&mut state, key(KeyCode::Tab));
    update(&mut state, ch('?'));
    insta::assert_snapshot!("help_80x24", render(&state, 80, 24).backend());
    update(&mut state, ch('G'));
    let text = screen_text(&render(&state, 80, 24));
    assert!(
        text.contains(":user NAME   :events 4740"),
        "the end of the help is reachable:\n{text}"
    );
    update(&mut state, key(KeyCode::Esc));
    assert!(!state.help);
    assert_eq!(state.help_scroll, 0);
}

#[test]
fn damaged_event_logs_are_a_warning_not_a_failure() {
    let mut state = loaded_state(Theme::COLOUR, (80, 24));
    update(
        &mut state,
        Message::Warning("some event log records could not be read: x.evtx chunk 3".into()),
    );
    assert!(state
        .banner
        .as_ref()
        .is_some_and(|b| b.text.contains("chunk 3") && b.retry.is_empty()));
    assert!(
        state.events.ready().is_some(),
        "the events that were read stay usable"
    );
    // A warning never hides an error already shown.
    update(&mut state, key(KeyCode::Esc));
    update(
        &mut state,
        Message::ClipboardWritten(Err("not a terminal".into())),
    );
    update(&mut state, Message::Warning("later".into()));
    assert!(state
        .banner
        .as_ref()
        .is_some_and(|b| b.text.contains("not a terminal")));
}

#[test]
fn events_group_by_attempt_at_the_attempts_start_and_dc_events_keep_their_time() {
    let mut d = bob_diagnosis();
    let template = d.events.first().cloned().expect("an event");
    let ev = |id: u32, tracking: Option<&str>| {
        let mut e = template.clone();
        e.event_id = id;
        e.fields.tracking_id = tracking.map(str::to_owned);
        e
    };
    // Oldest first: attempt A starts, a DC event, attempt B starts, A fails.
    d.events = vec![
        ev(31001, Some("A")),
        ev(4740, None),
        ev(31001, Some("B")),
        ev(33004, Some("A")),
    ];
    d.timeline = resetlens::diagnosis::evidence::timeline(&d.events);
    let order: Vec<(usize, Option<usize>)> = d.timeline.iter().map(|r| (r.event, r.attempt)).collect();
    assert_eq!(order, vec![(0, Some(1)), (3, Some(1)), (1, None), (2, Some(2))]);
    // The filter matches the exact ID.
    let only: Vec<usize> = resetlens::tui::rows::filtered_timeline(&d, "4740")
        .iter()
        .map(|&i| d.timeline[i].event)
        .collect();
    assert_eq!(only, vec![1]);
}

/// A left click (or any mouse event of `kind`) at column `x`, row `y`, `ms` after the start.
fn mouse(kind: MouseEventKind, (x, y): (u16, u16), ms: u64) -> Message {
    Message::Mouse {
        event: MouseEvent {
            kind,
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        },
        at: Duration::from_millis(ms),
    }
}

fn click(at: (u16, u16), ms: u64) -> Message {
    mouse(MouseEventKind::Down(MouseButton::Left), at, ms)
}

/// Where `needle` is drawn on the screen (column, row), found in what was drawn, not computed.
fn drawn_at(state: &resetlens::tui::State, needle: &str) -> (u16, u16) {
    let text = screen_text(&render(state, state.size.0, state.size.1));
    let (y, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not drawn:\n{text}"));
    let x = line
        .split(needle)
        .next()
        .map_or(0, |before| before.chars().count());
    (u16::try_from(x).expect("column"), u16::try_from(y).expect("row"))
}

/// A click on where `needle` is drawn.
fn click_on(state: &mut resetlens::tui::State, needle: &str, ms: u64) -> Vec<Command> {
    let at = drawn_at(state, needle);
    update(state, click(at, ms))
}

#[test]
fn a_click_selects_a_tab_or_a_row_and_a_double_click_opens() {
    let mut state = loaded_state(Theme::COLOUR, (100, 30));
    open_bob(&mut state);
    click_on(&mut state, "3 Events", 0);
    assert_eq!(state.user.as_ref().map(|u| u.tab), Some(Tab::Events));
    // One click on the 33004 selects it and opens nothing.
    let row = drawn_at(&state, "33004");
    assert!(update(&mut state, click(row, 1_000)).is_empty());
    let user = state.user.as_ref().expect("user");
    assert_eq!((user.events.selected, user.event_detail), (1, None));
    // The same row again within 400 ms opens it as Enter does: the detail and its raw XML.
    let cmds = update(&mut state, click(row, 1_350));
    assert!(
        matches!(cmds.as_slice(), [Command::ReadRawXml { .. }]),
        "{cmds:?}"
    );
    assert_eq!(state.user.as_ref().and_then(|u| u.event_detail), Some(1));
    // Under the open detail a click reaches nothing.
    assert!(click_on(&mut state, "Event 33004", 1_400).is_empty());
    update(&mut state, key(KeyCode::Esc));
    // Too slow, or another row, is two single clicks.
    update(&mut state, click(row, 5_000));
    assert!(update(&mut state, click(row, 5_401)).is_empty());
    let first = drawn_at(&state, "31001");
    update(&mut state, click(first, 6_000));
    assert!(update(&mut state, click(row, 6_100)).is_empty());
    assert_eq!(state.user.as_ref().and_then(|u| u.event_detail), None);
    // A third quick click does not open again what the first two opened.
    update(&mut state, click(row, 7_000));
    update(&mut state, click(row, 7_100));
    update(&mut state, key(KeyCode::Esc));
    assert!(update(&mut state, click(row, 7_200)).is_empty());
}

#[test]
fn a_double_click_on_a_search_row_opens_the_user() {
    let mut state = loaded_state(Theme::COLOUR, (80, 24));
    let carol = drawn_at(&state, "carol@contoso.com");
    update(&mut state, click(carol, 10));
    assert_eq!(state.search.selected, 2);
    assert_eq!(state.screen, Screen::Search);
    // The header and the query box are not rows.
    click_on(&mut state, "sAMAccountName", 20);
    click_on(&mut state, "Find a user", 30);
    assert_eq!(state.search.selected, 2);
    update(&mut state, click(carol, 500));
    let cmds = update(&mut state, click(carol, 800));
    assert!(matches!(cmds.as_slice(), [Command::Diagnose { .. }]), "{cmds:?}");
    assert_eq!(
        state.current_user().map(|u| u.sam_account_name.as_str()),
        Some("carol")
    );
    // Help covers the screen: a click under it changes nothing.
    let fix = drawn_at(&state, "4 Fix");
    update(&mut state, ch('?'));
    update(&mut state, click(fix, 900));
    assert_eq!(state.user.as_ref().map(|u| u.tab), Some(Tab::Account));
}

#[test]
fn permissions_at_80x24_stack_so_no_box_is_cut() {
    let mut state = loaded_state(Theme::COLOUR, (80, 24));
    open_bob(&mut state);
    update(&mut state, ch('2'));
    let text = screen_text(&render(&state, 80, 24));
    // First the answer: every right and the whole chain down to the blocking point.
    for right in ["Reset Password", "Unexpire Password", "◀ BLOCKED HERE"] {
        assert!(text.contains(right), "{right}:\n{text}");
    }
    assert!(text.contains("↓/j shows the DACL"), "{text}");
    // Down stacks the rights away and shows the DACL, selection still on its first row.
    update(&mut state, ch('j'));
    let term = render(&state, 80, 24);
    let text = screen_text(&term);
    assert!(
        !text.contains("Connector rights") && text.contains("BLOCKED HERE"),
        "{text}"
    );
    let user = state.user.as_ref().expect("user");
    assert_eq!((user.stack, user.acl.selected), (1, 0));
    assert!(text.contains("▶ 0"), "{text}");
    insta::assert_snapshot!("user_bob_permissions_stacked_80x24", term.backend());
    // Then down moves in the DACL, and up from its first row brings the rights back.
    update(&mut state, ch('j'));
    assert_eq!(
        state.user.as_ref().map(|u| (u.stack, u.acl.selected)),
        Some((1, 1))
    );
    update(&mut state, ch('k'));
    update(&mut state, ch('k'));
    assert_eq!(
        state.user.as_ref().map(|u| (u.stack, u.acl.selected)),
        Some((0, 0))
    );
    // The wheel does the same; a click on a DACL row selects it.
    update(&mut state, mouse(MouseEventKind::ScrollDown, (40, 20), 0));
    assert_eq!(state.user.as_ref().map(|u| u.stack), Some(1));
    click_on(&mut state, "deny", 10);
    assert_eq!(state.user.as_ref().map(|u| u.acl.selected), Some(2));
}

/// The scroll of the text in front, whichever it is.
fn scroll(state: &resetlens::tui::State) -> (u16, u16, u16) {
    state
        .user
        .as_ref()
        .map_or((0, 0, 0), |u| (u.account_scroll, u.fix_scroll, u.detail_scroll))
}

/// Scrolling stops at the last page in `update` itself: after End, Up moves at once (it used to
/// count down from u16::MAX, drawn clamped, so Up looked dead). Account and Fix keep their own
/// positions, and a taller terminal pulls a scroll back to the new last page.
#[test]
fn end_then_up_moves_at_once_on_account_fix_and_the_event_detail() {
    let size = (80, 16);
    let mut state = loaded_state(Theme::COLOUR, size);
    open_bob(&mut state);
    for (tab, pick) in [('1', 0usize), ('4', 1)] {
        update(&mut state, ch(tab));
        let before = screen_text(&render(&state, size.0, size.1));
        update(&mut state, key(KeyCode::End));
        let end = scroll(&state);
        let at_end = [end.0, end.1][pick];
        assert!(at_end > 0 && at_end < 100, "tab {tab}: End scrolled to {end:?}");
        let bottom = screen_text(&render(&state, size.0, size.1));
        assert_ne!(before, bottom, "tab {tab}: End showed nothing new");
        update(&mut state, key(KeyCode::Up));
        let up = scroll(&state);
        assert_eq!([up.0, up.1][pick], at_end - 1, "tab {tab}");
        let after = screen_text(&render(&state, size.0, size.1));
        assert_ne!(bottom, after, "tab {tab}: Up after End looked dead");
        update(&mut state, key(KeyCode::End));
    }
    // Each tab kept its own position.
    let (account, fix, _) = scroll(&state);
    assert!(account > 0 && fix > 0 && account != fix, "{:?}", scroll(&state));
    update(&mut state, ch('1'));
    update(
        &mut state,
        Message::Resize {
            width: 80,
            height: 40,
        },
    );
    assert!(scroll(&state).0 < account, "the resize kept {:?}", scroll(&state));
    // The event detail: End, then Up moves the text.
    update(
        &mut state,
        Message::Resize {
            width: 80,
            height: 16,
        },
    );
    update(&mut state, ch('3'));
    update(&mut state, ch('j'));
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, key(KeyCode::End));
    let bottom = screen_text(&render(&state, size.0, size.1));
    let at_end = scroll(&state).2;
    assert!(at_end > 0 && at_end < 200, "detail End scrolled to {at_end}");
    update(&mut state, key(KeyCode::Up));
    assert_eq!(scroll(&state).2, at_end - 1);
    assert_ne!(bottom, screen_text(&render(&state, size.0, size.1)));
}

/// `:user NAME` picks the best match of the whole directory: the first slice of 2,000 users
/// holds only weak matches, the right person comes after them.
#[test]
fn user_by_name_scores_every_user_before_it_picks() {
    let mut dir = directory();
    let weak = (0..4_000u32).map(|i| {
        user(
            &format!("sxaxmxaxnxtxhxa{i}"),
            &format!("Filler {i}"),
            "OU=Staff",
            5000 + i,
        )
    });
    dir.users.extend(weak);
    dir.users
        .push(user("samantha.q", "Samantha Quinn", "OU=Staff", 9999));
    let (mut state, _) = loading_state(Theme::COLOUR, (100, 30));
    let generation = state.generation;
    update(
        &mut state,
        Message::DirectoryLoaded {
            generation,
            result: Ok(LoadedDirectory::new(dir)),
        },
    );
    update(&mut state, key(KeyCode::Tab));
    update(&mut state, ch(':'));
    type_text(&mut state, "user samantha");
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.screen, Screen::User);
    assert_eq!(
        state.current_user().map(|u| u.sam_account_name.as_str()),
        Some("samantha.q")
    );
}

/// Every background job can fail (a panic included, which the runtime turns into an `Err`): the
/// failure is shown with the work to redo, and `r` asks again.
#[test]
fn a_failed_diagnosis_marking_or_raw_xml_read_is_shown_and_r_retries() {
    let mut state = loaded_state(Theme::COLOUR, (100, 30));
    type_text(&mut state, "bob");
    let cmds = update(&mut state, key(KeyCode::Enter));
    let Some(asked @ Command::Diagnose { user, .. }) = cmds.first().cloned() else {
        panic!("no diagnosis asked for: {cmds:?}");
    };
    let generation = state.generation;
    let failed = "internal error (a bug, please report it): index out of bounds";
    update(
        &mut state,
        Message::DiagnosisReady {
            generation,
            user,
            at: None,
            result: Err(failed.into()),
        },
    );
    let text = screen_text(&render(&state, 100, 30));
    assert!(text.contains(failed), "{text}");
    assert!(!state.busy(), "the spinner still turns");
    assert_eq!(update(&mut state, ch('r')), vec![asked]);
    assert!(state.user.as_ref().is_some_and(|u| u.diagnosis.is_loading()));
    update(
        &mut state,
        Message::DiagnosisReady {
            generation,
            user,
            at: None,
            result: Ok(Arc::new(bob_diagnosis())),
        },
    );
    // Marking the search list's failures.
    update(
        &mut state,
        Message::FailuresMarked {
            generation,
            users: Err(failed.into()),
        },
    );
    assert!(state.banner.as_ref().is_some_and(|b| b.text.contains(failed)));
    update(&mut state, key(KeyCode::Esc));
    // The raw XML: `r` in the detail reads it again.
    update(&mut state, ch('3'));
    update(&mut state, ch('j'));
    let read = update(&mut state, key(KeyCode::Enter));
    update(
        &mut state,
        Message::RawXmlRead {
            file: match read.first() {
                Some(Command::ReadRawXml { file, .. }) => file.clone(),
                other => panic!("{other:?}"),
            },
            position: match read.first() {
                Some(Command::ReadRawXml { position, .. }) => *position,
                _ => 0,
            },
            result: Err("x.evtx: record #7 could not be rendered: the evtx crate failed on its chunk".into()),
        },
    );
    assert!(!state.busy());
    update(&mut state, key(KeyCode::End));
    let text = screen_text(&render(&state, 100, 30));
    assert!(text.contains("r/^R reads it again"), "{text}");
    assert_eq!(update(&mut state, ch('r')), read);
    assert!(state.user.as_ref().is_some_and(|u| u.raw_xml.is_loading()));
}

/// On a live source, opening a user re-reads it before the verdict: the diagnosis runs on the
/// fresh read (a directory of that user alone); when the re-read fails, on the loaded copy, and
/// the header says the verdict is the copy's, from when, and why.
#[test]
fn a_live_source_rereads_the_user_on_opening_and_marks_a_verdict_from_the_copy() {
    let mut state = loaded_state(Theme::COLOUR, (100, 30));
    state.settings.source.live = true;
    type_text(&mut state, "bob");
    let cmds = update(&mut state, key(KeyCode::Enter));
    let Some(Command::RereadUser { generation, user, dn }) = cmds.first().cloned() else {
        panic!("opening a user on a live source re-reads it first: {cmds:?}");
    };
    assert_eq!(Some(dn.as_str()), state.current_user().map(|u| u.dn.as_str()));
    assert!(state.busy());
    let mut fresh = directory();
    fresh.users.retain(|u| u.dn == dn);
    fresh.captured_at = at("2026-11-24T11:59:58Z");
    let cmds = update(
        &mut state,
        Message::UserReread {
            generation,
            user,
            result: Ok(Arc::new(fresh.clone())),
        },
    );
    match cmds.as_slice() {
        [Command::Diagnose {
            directory,
            index: 0,
            user: u,
            ..
        }] => {
            assert_eq!(**directory, fresh);
            assert_eq!(*u, user);
        }
        other => panic!("the diagnosis runs on the fresh read: {other:?}"),
    }
    update(
        &mut state,
        Message::DiagnosisReady {
            generation,
            user,
            at: None,
            result: Ok(Arc::new(bob_diagnosis())),
        },
    );
    let text = screen_text(&render(&state, 100, 30));
    assert!(text.contains("directory read 2026-11-24 11:59:58 UTC"), "{text}");
    // Reopened with the DC down: the loaded copy decides, marked so.
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, key(KeyCode::Enter));
    let cmds = update(
        &mut state,
        Message::UserReread {
            generation,
            user,
            result: Err(
                "cannot reach the domain controller at dc01.contoso.com:636: connection refused".into(),
            ),
        },
    );
    assert!(
        matches!(cmds.as_slice(), [Command::Diagnose { index, user: u, .. }] if *index == user && *u == user),
        "{cmds:?}"
    );
    update(
        &mut state,
        Message::DiagnosisReady {
            generation,
            user,
            at: None,
            result: Ok(Arc::new(bob_diagnosis())),
        },
    );
    let text = screen_text(&render(&state, 100, 30));
    assert!(
        text.contains("from the copy read 2026-11-24 12:00:00 UTC"),
        "{text}"
    );
    assert!(
        text.contains("re-reading this user failed: cannot reach"),
        "{text}"
    );
}

/// A large log shows how far its reading is; a stale load's progress does not land.
#[test]
fn reading_the_event_logs_shows_its_progress() {
    let (mut state, _) = loading_state(Theme::COLOUR, (140, 24));
    let generation = state.generation;
    update(
        &mut state,
        Message::EventsProgress {
            generation,
            percent: 42,
        },
    );
    update(
        &mut state,
        Message::EventsProgress {
            generation: generation - 1,
            percent: 99,
        },
    );
    let text = screen_text(&render(&state, 140, 24));
    let status = text.lines().next().unwrap_or_default();
    assert!(status.contains("loading directory, event logs 42%"), "{status}");
}
