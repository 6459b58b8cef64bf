//! The real binary for the command tests: run with no config file and no colour, so what a
//! developer's own config or terminal says does not change what the tests see.

use std::process::Command;

/// The binary with no config file and no colour, to give arguments to.
pub fn command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_resetlens"));
    cmd.env("XDG_CONFIG_HOME", "/nonexistent-resetlens-test")
        .env("NO_COLOR", "1");
    cmd
}

/// Runs `resetlens` with `args`; (exit code, stdout, stderr).
pub fn resetlens(args: &[&str]) -> (i32, String, String) {
    let out = command().args(args).output().expect("run resetlens");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The demo tenant as a source: `--snapshot sample-logs/<snapshot> --evtx sample-logs`.
pub fn demo_source() -> [String; 4] {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
    [
        "--snapshot".into(),
        dir.join("contoso-directory.snapshot.json").display().to_string(),
        "--evtx".into(),
        dir.display().to_string(),
    ]
}
