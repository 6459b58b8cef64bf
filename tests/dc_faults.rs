//! The DC's faults, against the lab's Samba AD DC (never a mock), through the real binary: a
//! server that accepts the connection and never answers (at the TLS handshake, at StartTLS, at
//! the bind, in the middle of the reads), a wrong password, an untrusted certificate, a
//! certificate for another host name. Each gives one clear sentence on stderr and exit code 2 (a bind failure is an input
//! error, see the CLI contract) well within `--timeout`; none hangs. The console's side (the DC
//! stopped while it is open) is in `e2e_tmux.rs`, where the terminal can be watched.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use support::lab::{CuttableProxy, Lab, SilentServer};

/// `--timeout` for every run here.
const TIMEOUT_SECS: u64 = 2;
/// Longest a run may take: the timeout once per step that can wait, plus start-up. A hang fails.
const DEADLINE: Duration = Duration::from_secs(20);

struct Run {
    code: Option<i32>,
    stderr: String,
    took: Duration,
}

/// `resetlens diagnose alice` against `url`, killed (and failed) if it outlives `DEADLINE`.
fn diagnose(lab: &Lab, url: &str, password_file: &Path, ca: bool) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_resetlens"));
    cmd.args([
        "diagnose",
        "alice",
        "--ldap-url",
        url,
        "--bind-dn",
        &lab.admin_upn,
    ])
    .arg("--password-file")
    .arg(password_file)
    .args(["--timeout", &TIMEOUT_SECS.to_string()]);
    if ca {
        cmd.arg("--ca-cert").arg(&lab.ca_cert);
    }
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run resetlens");
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("resetlens hung for {DEADLINE:?} against {url}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
    }
    Run {
        code: status.code(),
        stderr,
        took: start.elapsed(),
    }
}

/// Exit 2, one line on stderr that contains `what`, never the password.
fn one_clear_sentence(lab: &Lab, run: &Run, what: &[&str]) {
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let text = run.stderr.trim();
    assert_eq!(text.lines().count(), 1, "one line: {text}");
    for w in what {
        assert!(text.contains(w), "{w:?} missing: {text}");
    }
    assert!(!text.contains(&lab.admin_password()), "{text}");
    assert!(!text.contains("panicked"), "{text}");
}

#[test]
fn a_server_that_accepts_and_never_answers_fails_within_the_timeout() {
    let lab = Lab::get();
    let silent = SilentServer::start();
    // LDAPS waits at the TLS handshake, ldap:// at the StartTLS request that comes before the bind.
    for url in [
        format!("ldaps://127.0.0.1:{}", silent.port),
        format!("ldap://127.0.0.1:{}", silent.port),
    ] {
        let run = diagnose(&lab, &url, &lab.admin_password_file, true);
        one_clear_sentence(
            &lab,
            &run,
            &[
                &format!("did not answer within {TIMEOUT_SECS} s"),
                &format!("127.0.0.1:{}", silent.port),
            ],
        );
        assert!(
            run.took < Duration::from_secs(3 * TIMEOUT_SECS + 3),
            "{url}: took {:?}",
            run.took
        );
    }
}

#[test]
fn a_dc_that_stops_answering_between_the_bind_and_the_reads_fails_within_the_timeout() {
    let lab = Lab::get();
    let url = |port: u16| format!("ldaps://{}:{port}", lab.host);
    // What the DC sends for the whole diagnosis, through a relay that never cuts.
    let whole = CuttableProxy::start(usize::MAX, false);
    let run = diagnose(&lab, &url(whole.port), &lab.admin_password_file, true);
    // Diagnosed (0 or 1, whatever alice's verdict), not failed.
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.stderr);
    let bytes = whole.relayed.load(Ordering::SeqCst);
    // Half of it: after the handshake and the bind, in the middle of the reads.
    let hang = CuttableProxy::start(bytes / 2, true);
    let run = diagnose(&lab, &url(hang.port), &lab.admin_password_file, true);
    one_clear_sentence(&lab, &run, &[&format!("did not answer within {TIMEOUT_SECS} s")]);
    assert!(
        !run.stderr.contains("TLS handshake") && !run.stderr.contains("(bind"),
        "the cut must fall in the reads: {}",
        run.stderr
    );
    assert!(
        run.took < Duration::from_secs(3 * TIMEOUT_SECS + 3),
        "took {:?}",
        run.took
    );
    // And a DC that goes away there (the connection closed) says so.
    let stop = CuttableProxy::start(bytes / 2, false);
    let run = diagnose(&lab, &url(stop.port), &lab.admin_password_file, true);
    one_clear_sentence(&lab, &run, &["was lost"]);
}

#[test]
fn a_dc_that_completes_the_handshake_and_never_answers_the_bind_fails_within_the_timeout() {
    let lab = Lab::get();
    let url = |port: u16| format!("ldaps://{}:{port}", lab.host);
    // What the DC sends before the client speaks again: a client that does not trust the
    // certificate stops right after the server's first flight of the handshake.
    let flight = CuttableProxy::start(usize::MAX, false);
    let run = diagnose(&lab, &url(flight.port), &lab.admin_password_file, false);
    one_clear_sentence(&lab, &run, &["is not trusted"]);
    let first_flight = flight.relayed.load(Ordering::SeqCst);
    assert!(first_flight > 0, "the relay saw no handshake");
    // Through a relay that lets exactly that through and then holds everything: the handshake
    // completes (TLS 1.3: the client's Finished needs no answer) and the bind waits.
    let hang = CuttableProxy::start(first_flight, true);
    let run = diagnose(&lab, &url(hang.port), &lab.admin_password_file, true);
    one_clear_sentence(
        &lab,
        &run,
        &[&format!("did not answer within {TIMEOUT_SECS} s"), "(bind"],
    );
    assert!(
        run.took < Duration::from_secs(3 * TIMEOUT_SECS + 3),
        "took {:?}",
        run.took
    );
}

#[test]
fn a_wrong_password_is_one_sentence_and_exit_2() {
    let lab = Lab::get();
    let dir = tempfile::tempdir().expect("tempdir");
    let wrong = dir.path().join("wrong");
    std::fs::write(&wrong, "Not-The-Password1\n").expect("write");
    let run = diagnose(&lab, &lab.ldaps_url, &wrong, true);
    one_clear_sentence(&lab, &run, &["wrong user name or password", &lab.admin_upn]);
    assert!(!run.stderr.contains("Not-The-Password1"), "{}", run.stderr);
}

#[test]
fn an_untrusted_certificate_is_one_sentence_and_exit_2() {
    let lab = Lab::get();
    for url in [&lab.ldaps_url, &lab.ldap_url] {
        let run = diagnose(&lab, url, &lab.admin_password_file, false);
        one_clear_sentence(&lab, &run, &["is not trusted", "--ca-cert"]);
    }
}

#[test]
fn a_certificate_for_another_host_name_is_one_sentence_and_exit_2() {
    let lab = Lab::get();
    // The lab maps its short name to 127.0.0.1 too; the certificate names only the full one.
    let short = lab.host.split('.').next().expect("a host name");
    let url = format!("ldaps://{short}");
    let run = diagnose(&lab, &url, &lab.admin_password_file, true);
    one_clear_sentence(&lab, &run, &["is not trusted", short, "host name"]);
}
