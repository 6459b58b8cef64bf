//! `resetlens scan` over the whole demo tenant with its event logs: every scenario user appears
//! with the primary cause the README states, and the totals group the failures by cause.

use std::process::Command;

use resetlens::demo_tenant::scenarios;
use serde_json::Value;

#[test]
fn demo_scan_finds_every_scenario_with_its_cause() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
    let out = Command::new(env!("CARGO_BIN_EXE_resetlens"))
        .args(["scan", "--format", "json", "--snapshot"])
        .arg(dir.join("contoso-directory.snapshot.json"))
        .arg("--evtx")
        .arg(&dir)
        .env("XDG_CONFIG_HOME", "/nonexistent-resetlens-test")
        .output()
        .expect("run resetlens");
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let totals = &lines.last().expect("totals line")["totals"];
    assert_eq!(totals["users"].as_u64(), Some(lines.len() as u64 - 1));
    for s in scenarios() {
        let row = lines
            .iter()
            .find(|l| l["sam_account_name"] == s.user)
            .unwrap_or_else(|| panic!("{} not in the scan", s.user));
        assert_eq!(row["primary_cause"].as_str(), s.primary_cause, "{}", s.user);
        assert_eq!(
            row["writeback_can_succeed"], s.writeback_can_succeed,
            "{}",
            s.user
        );
        if let Some(cause) = s.primary_cause {
            assert!(
                totals["by_cause"][cause].as_u64() >= Some(1),
                "{cause} not counted"
            );
        }
    }
}
