//! Runs scripts/check-evtx-python.py (python-evtx, an independent EVTX parser) from the tests.
//! python-evtx is a required test dependency: CI installs it, and a missing install fails loudly.

use std::path::Path;
use std::process::Command;

/// Record counts python-evtx read, per file, in the order given. Panics when python-evtx is not
/// installed or when any file fails its checks.
pub fn record_counts(files: &[&Path]) -> Vec<u64> {
    let importable = Command::new("python3")
        .args(["-c", "import Evtx.Evtx"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        importable,
        "python-evtx is not importable by python3: run `pip install python-evtx==0.8.1` (CI installs it)"
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check-evtx-python.py");
    let out = Command::new("python3")
        .arg(&script)
        .args(files)
        .output()
        .expect("running python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python-evtx rejected the files:\n{}{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    let counts: Vec<u64> = stdout
        .lines()
        .filter_map(|l| l.rsplit('\t').next()?.parse().ok())
        .collect();
    assert_eq!(
        counts.len(),
        files.len(),
        "one count per file expected:\n{stdout}"
    );
    counts
}
