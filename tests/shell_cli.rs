//! `resetlens completions SHELL` and `resetlens man`: what a shell or `man` does with them.
//! The syntax checks run the real shells and man-db (scripts/test.sh installs zsh, fish and
//! man-db); PowerShell is not installable there, so its script is checked for content only.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use support::run::resetlens;

const SUBCOMMANDS: [&str; 7] = [
    "demo",
    "diagnose",
    "scan",
    "events",
    "snapshot",
    "completions",
    "man",
];

/// Runs `program args` with `input` on stdin; (success, stdout, stderr).
fn feed(program: &str, args: &[&str], input: &str) -> (bool, String, String) {
    let mut child = Command::new(program)
        .args(args)
        .env("MANWIDTH", "80")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{program} must be installed for this test (scripts/test.sh installs it): {e}")
        });
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn completions(shell: &str) -> String {
    let (code, out, err) = resetlens(&["completions", shell]);
    assert_eq!(code, 0, "{err}");
    // Flag names without dashes: fish writes `-l password-file`.
    for word in SUBCOMMANDS.iter().chain(&["password-file", "evtx", "format"]) {
        assert!(out.contains(word), "{shell} completions lack {word}:\n{out}");
    }
    out
}

#[test]
fn bash_completions_pass_bash_n() {
    let (ok, _, err) = feed("bash", &["-n"], &completions("bash"));
    assert!(ok, "bash -n: {err}");
}

#[cfg(feature = "lab")]
#[test]
fn zsh_completions_pass_zsh_n() {
    let (ok, _, err) = feed("zsh", &["-n"], &completions("zsh"));
    assert!(ok, "zsh -n: {err}");
}

#[cfg(feature = "lab")]
#[test]
fn fish_completions_pass_fish_no_execute() {
    let (ok, _, err) = feed("fish", &["--no-execute"], &completions("fish"));
    assert!(ok, "fish --no-execute: {err}");
}

#[test]
fn powershell_and_elvish_completions_register_a_completer() {
    assert!(completions("powershell").contains("Register-ArgumentCompleter -Native -CommandName 'resetlens'"));
    assert!(completions("elvish").contains("set edit:completion:arg-completer[resetlens]"));
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let (code, _, err) = resetlens(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(err.contains("possible values"), "{err}");
}

/// `man -l -` renders the page with no warnings from groff.
#[cfg(feature = "lab")]
fn rendered(args: &[&str]) -> String {
    let (code, page, err) = resetlens(args);
    assert_eq!(code, 0, "{err}");
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq"),
        "roff from clap_mangen: {page}"
    );
    let (ok, text, err) = feed("man", &["-l", "-"], &page);
    assert!(ok && err.is_empty(), "man -l - failed or warned: {err}");
    text
}

#[cfg(feature = "lab")]
#[test]
fn the_man_page_renders_with_every_subcommand_and_the_exit_codes() {
    let text = rendered(&["man"]);
    for section in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "SUBCOMMANDS",
        "EXIT STATUS",
        "EXAMPLES",
    ] {
        assert!(text.contains(section), "no {section}:\n{text}");
    }
    for sub in SUBCOMMANDS {
        assert!(text.contains(&format!("resetlens-{sub}(1)")), "no {sub}:\n{text}");
    }
    assert!(text.contains("--password-file"), "{text}");
    assert!(!text.contains("resetlens-help"), "help is not a page: {text}");
}

#[cfg(feature = "lab")]
#[test]
fn each_subcommand_has_a_page_with_its_own_options() {
    for sub in SUBCOMMANDS {
        let text = rendered(&["man", sub]);
        assert!(text.contains(&format!("resetlens-{sub}(1)")), "{text}");
    }
    let diagnose = rendered(&["man", "diagnose"]);
    assert!(
        diagnose.contains("<USER>") && diagnose.contains("--format"),
        "{diagnose}"
    );
}

#[test]
fn an_unknown_page_is_an_input_error_naming_the_pages() {
    let (code, out, err) = resetlens(&["man", "nope"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains("no command \"nope\"; one of: demo, diagnose"),
        "{err}"
    );
}
