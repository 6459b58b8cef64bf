//! `resetlens scan` end to end on a snapshot: who would fail and why, grouped by cause, in the
//! three formats, with the exit code saying whether anyone is blocked.

mod support;

use resetlens::testkit::contoso::{six_users, snapshot_file};
use serde_json::Value;
use support::run::resetlens;

#[test]
fn text_lists_failing_users_and_groups_by_cause() {
    let (_tmp, snap) = snapshot_file(&six_users());
    let (code, out, err) = resetlens(&["scan", "--snapshot", snap.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("✗ bob"), "{out}");
    assert!(!out.contains("✗ alice"), "{out}");
    assert!(out.contains("6 users scanned: 3 would fail"), "{out}");
    for cause in [
        "inheritance-disabled",
        "account-disabled",
        "denied-reset-password",
    ] {
        assert!(
            out.contains(&format!("      1  {cause}")),
            "{cause} missing in {out}"
        );
    }
}

#[test]
fn json_lines_have_one_row_per_user_then_totals() {
    let (_tmp, snap) = snapshot_file(&six_users());
    let (code, out, _) = resetlens(&["scan", "--snapshot", snap.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1);
    let lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 7);
    let bob = lines.iter().find(|l| l["sam_account_name"] == "bob").unwrap();
    assert_eq!(bob["writeback_can_succeed"], false);
    assert_eq!(bob["primary_cause"], "inheritance-disabled");
    assert_eq!(lines[6]["totals"]["would_fail"], 3);
    assert_eq!(lines[6]["totals"]["by_cause"]["account-disabled"], 1);
}

#[test]
fn csv_and_base_scope() {
    let (_tmp, snap) = snapshot_file(&six_users());
    let snap = snap.to_str().unwrap();
    let (_, out, _) = resetlens(&["scan", "--snapshot", snap, "--format", "csv"]);
    assert!(out.starts_with("dn,sam_account_name,"), "{out}");
    assert_eq!(out.lines().count(), 7);
    assert!(out.contains(
        "\"CN=carol,OU=Staff,DC=contoso,DC=test\",carol,carol@contoso.test,false,account-disabled"
    ));
    // A base with nobody under it: nothing blocks.
    let (code, out, _) = resetlens(&[
        "scan",
        "--snapshot",
        snap,
        "--base",
        "OU=Empty,DC=contoso,DC=test",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 users scanned"), "{out}");
}

#[test]
fn everyone_fine_exits_0() {
    let mut dir = six_users();
    dir.users.retain(|u| u.sam_account_name == "alice");
    let (_tmp, snap) = snapshot_file(&dir);
    let (code, out, _) = resetlens(&["scan", "--snapshot", snap.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 users scanned: 0 would fail"), "{out}");
}
