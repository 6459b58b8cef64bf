//! `resetlens scan` over the whole demo tenant with its event logs: every scenario user appears
//! with the primary cause the README states, and the totals group the failures by cause.

#[path = "support/run.rs"]
mod run;

use resetlens::demo_tenant::scenarios;
use run::{demo_source, resetlens};
use serde_json::Value;

#[test]
fn demo_scan_finds_every_scenario_with_its_cause() {
    let source = demo_source();
    let mut args = vec!["scan", "--format", "json"];
    args.extend(source.iter().map(String::as_str));
    let (code, stdout, _) = resetlens(&args);
    assert_eq!(code, 1);
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let totals = &lines.last().expect("totals line")["totals"];
    assert_eq!(totals["users"].as_u64(), Some(lines.len() as u64 - 1));
    // A ticket's own time (rupert) is one user's instant, not the scan's.
    for s in scenarios().iter().filter(|s| s.ticket_at.is_none()) {
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
        // The totals count the users whose writeback fails.
        if let Some(cause) = s.primary_cause.filter(|_| !s.writeback_can_succeed) {
            assert!(
                totals["by_cause"][cause].as_u64() >= Some(1),
                "{cause} not counted"
            );
        }
    }
}
