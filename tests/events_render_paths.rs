//! The timeline `resetlens events` prints is rendered on its fast path: the fast reader decoding
//! into reused texts, each view borrowing reused buffers (`Event::view_in`), lines written by
//! hand and ordered by the sorter. These tests hold it byte for byte to the general path: the
//! evtx crate's reading (`ingest_reference`), owned views (`Event::view`), serde_json, for the
//! demo tenant's logs and the shipped samples, in both formats and under every kind of filter.

use std::path::{Path, PathBuf};
use std::process::Command;

use resetlens::cli::EventsFormat;
use resetlens::commands::events::write_line;
use resetlens::diagnosis::correlation::user_key;
use resetlens::directory::snapshot;
use resetlens::events::correlate::UserKey;
use resetlens::events::ingest::{ingest_reference, IngestOptions};
use resetlens::events::Event;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The demo tenant's four logs and every shipped sample (damaged ones included).
fn inputs() -> Vec<PathBuf> {
    vec![root().join("sample-logs"), root().join("tests/data/evtx")]
}

/// What `events` printed for these arguments.
fn cli(args: &[&str]) -> Vec<u8> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_resetlens"));
    cmd.arg("events");
    for p in inputs() {
        cmd.arg("--evtx").arg(p);
    }
    let out = cmd.args(args).output().expect("run resetlens");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// The same timeline by the general path: the reference reader's events (already oldest
/// first), the ones `keep` selects, each through an owned view.
fn general(ids: Option<Vec<u32>>, format: EventsFormat, keep: impl Fn(&Event) -> bool) -> Vec<u8> {
    let report = ingest_reference(&inputs(), &IngestOptions { ids, threads: 1 });
    let mut out = Vec::new();
    for e in report.events.iter().filter(|e| keep(e)) {
        match format {
            EventsFormat::Json => {
                serde_json::to_writer(&mut out, &e.view()).expect("serialize");
                out.push(b'\n');
            }
            EventsFormat::Text => write_line(&e.view(), format, &mut out).expect("render"),
        }
    }
    out
}

fn format_arg(format: EventsFormat) -> &'static str {
    match format {
        EventsFormat::Json => "json",
        EventsFormat::Text => "text",
    }
}

fn assert_same(fast: &[u8], general: &[u8], what: &str) {
    assert!(!general.is_empty(), "{what}: the comparison needs lines");
    if fast != general {
        let fast = String::from_utf8_lossy(fast);
        let general = String::from_utf8_lossy(general);
        let first = fast.lines().zip(general.lines()).position(|(a, b)| a != b);
        panic!(
            "{what}: the fast path differs from the general path at line {first:?}:\n{:?}\n{:?}",
            first.and_then(|i| fast.lines().nth(i)),
            first.and_then(|i| general.lines().nth(i)),
        );
    }
}

#[test]
fn the_catalogs_events_and_every_id_render_alike() {
    for format in [EventsFormat::Json, EventsFormat::Text] {
        let f = format_arg(format);
        let fast = cli(&["--format", f]);
        assert_same(&fast, &general(None, format, |_| true), &format!("catalog, {f}"));
        // Every record of every sample, Security logons and classic Application events too.
        let ids: Vec<String> = ["4624", "4724", "4625", "4738", "611", "6329", "33008", "31001"]
            .map(String::from)
            .to_vec();
        let mut args = vec!["--format", f];
        for id in &ids {
            args.extend(["--id", id]);
        }
        let chosen: Vec<u32> = ids.iter().filter_map(|i| i.parse().ok()).collect();
        assert_same(
            &cli(&args),
            &general(Some(chosen), format, |_| true),
            &format!("ids, {f}"),
        );
    }
}

#[test]
fn one_users_timeline_renders_alike_with_and_without_a_directory() {
    let dir = snapshot::read(&root().join("sample-logs/contoso-directory.snapshot.json"))
        .unwrap_or_else(|e| panic!("demo snapshot: {e}"));
    let snapshot = root().join("sample-logs/contoso-directory.snapshot.json");
    let snapshot = snapshot.to_str().expect("utf-8 path");
    for format in [EventsFormat::Json, EventsFormat::Text] {
        let f = format_arg(format);
        // Users some of whose events name them (a by-name match finds those only).
        for user in ["grace", "quinn"] {
            let by_name = UserKey::from_name(user);
            let fast = cli(&["--format", f, "--user", user]);
            let expected = general(None, format, |e| by_name.matches(e));
            assert_same(&fast, &expected, &format!("{user} by name, {f}"));

            let found = dir.find_user(user).unwrap_or_else(|e| panic!("{user}: {e}"));
            let by_directory = user_key(found);
            let fast = cli(&["--format", f, "--user", user, "--snapshot", snapshot]);
            let expected = general(None, format, |e| by_directory.matches(e));
            assert_same(&fast, &expected, &format!("{user} with the directory, {f}"));
        }
    }
}
