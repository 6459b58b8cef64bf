//! `resetlens events` end to end: JSON Lines with the contract's EVENT keys, filters, the
//! per-file summary on stderr, and exit codes for unusable input.

use std::path::PathBuf;
use std::process::Command;

use resetlens::testkit::contract::EVENT_KEYS;

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/evtx")
        .join(name)
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_resetlens"))
        .args(args)
        .output()
        .expect("run resetlens");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn json_lines_with_the_contract_keys_oldest_first() {
    let file = sample("security.evtx");
    let file = file.to_str().expect("utf-8 path");
    let (code, stdout, stderr) = run(&["events", "--evtx", file, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 12);
    for v in &lines {
        for key in EVENT_KEYS.iter().chain(&["kind"]) {
            assert!(v.get(key).is_some(), "{key} missing in {v}");
        }
    }
    let times: Vec<&str> = lines.iter().filter_map(|v| v["time"].as_str()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
    let reset = lines.iter().find(|v| v["event_id"] == 4724).expect("4724");
    assert_eq!(reset["kind"], "dc-reset");
    assert_eq!(reset["target_user"], "fsir");
    assert_eq!(
        reset["target_sid"],
        "S-1-5-21-2603537626-3982775912-406486804-1000"
    );
    assert!(stderr.contains("2261 records read, 0 skipped"), "{stderr}");
}

#[test]
fn id_time_and_user_filters() {
    let file = sample("security.evtx");
    let file = file.to_str().expect("utf-8 path");
    let (_, stdout, _) = run(&[
        "events", "--evtx", file, "--id", "4724", "--id", "4723", "--format", "json",
    ]);
    assert_eq!(stdout.lines().count(), 2);
    let (_, stdout, _) = run(&[
        "events",
        "--evtx",
        file,
        "--since",
        "2016-07-09T00:00:00Z",
        "--until",
        "2016-07-10T00:00:00Z",
    ]);
    assert_eq!(stdout.lines().count(), 1, "only the 4723 of July 9th");
    assert!(stdout.contains("4723"));
    let (code, stdout, stderr) = run(&["events", "--evtx", file, "--user", "archir", "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 3);
    assert!(stderr.contains("by name only"), "{stderr}");
}

#[test]
fn unusable_input_is_an_input_error() {
    let (code, _, stderr) = run(&["events"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--evtx"), "{stderr}");
    let dir = tempfile::tempdir().expect("tempdir");
    let junk = dir.path().join("junk.evtx");
    std::fs::write(&junk, b"definitely not an event log").expect("write");
    let (code, _, stderr) = run(&["events", "--evtx", junk.to_str().expect("utf-8")]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not an EVTX file"), "{stderr}");
    let file = sample("security.evtx");
    let (code, _, stderr) = run(&[
        "events",
        "--evtx",
        file.to_str().expect("utf-8"),
        "--since",
        "yesterday",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--since"), "{stderr}");
}

#[test]
fn user_with_a_directory_matches_anchors_and_dns_too() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
    let logs = root.to_str().expect("utf-8 path");
    let snapshot = root.join("contoso-directory.snapshot.json");
    let snapshot = snapshot.to_str().expect("utf-8 path");
    let ids = |stdout: &str| -> Vec<u64> {
        stdout
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["event_id"].as_u64())
            .collect()
    };
    let (code, with_dir, stderr) = run(&[
        "events",
        "--evtx",
        logs,
        "--snapshot",
        snapshot,
        "--user",
        "alice",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("by name only"), "{stderr}");
    let with_dir = ids(&with_dir);
    assert!(
        with_dir.contains(&657),
        "657 names alice by DN and anchor: {with_dir:?}"
    );
    assert!(with_dir.contains(&4724) && with_dir.contains(&31006));

    let (_, names_only, stderr) = run(&["events", "--evtx", logs, "--user", "alice", "--format", "json"]);
    assert!(stderr.contains("by name only"), "{stderr}");
    assert!(ids(&names_only).len() < with_dir.len());

    let (code, _, stderr) = run(&[
        "events",
        "--evtx",
        logs,
        "--snapshot",
        snapshot,
        "--user",
        "nobody-here",
    ]);
    assert_eq!(code, 2, "unknown user: {stderr}");
}

#[test]
fn a_closed_pipe_ends_the_timeline_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    // More than a pipe holds, so the writer meets the closed end (`resetlens events | head`).
    let logs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
    let mut child = Command::new(env!("CARGO_BIN_EXE_resetlens"))
        .args(["events", "--evtx"])
        .arg(&logs)
        .args(["--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run resetlens");
    let mut first = [0u8; 64];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("the timeline starts");
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}

#[test]
fn an_unusable_temporary_directory_is_the_users_to_fix() {
    // A timeline over the sorter's 16 MB goes to temporary files on the way.
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("big.evtx");
    resetlens::testkit::big_log::write_big_security_log(&log, 40_000).expect("write the log");
    let out = Command::new(env!("CARGO_BIN_EXE_resetlens"))
        .args(["events", "--id", "4624", "--format", "json", "--evtx"])
        .arg(&log)
        .env("TMPDIR", dir.path().join("missing"))
        .output()
        .expect("run resetlens");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot order the timeline"), "{stderr}");
    assert!(stderr.contains("TMPDIR"), "{stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");
}
