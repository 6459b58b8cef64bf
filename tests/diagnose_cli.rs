//! `resetlens diagnose` end to end through the real binary on a snapshot: the JSON contract, the
//! exit codes (0 clean, 1 blocked, 2 input errors) and the text and markdown formats.

mod support;

use resetlens::testkit::contoso::{six_users, snapshot_file};
use serde_json::Value;
use support::run::resetlens;

fn diagnose_json(snapshot: &str, user: &str) -> (i32, Value) {
    let (code, out, err) = resetlens(&["diagnose", user, "--snapshot", snapshot, "--format", "json"]);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}\nstderr: {err}"));
    (code, v)
}

#[test]
fn healthy_user_exits_0_with_rights_and_deciding_aces() {
    let (_tmp, snap) = snapshot_file(&six_users());
    let (code, v) = diagnose_json(snap.to_str().unwrap(), "alice");
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["schema"], "resetlens.diagnosis/1");
    assert_eq!(v["verdict"]["writeback_can_succeed"], true);
    assert_eq!(v["verdict"]["primary_cause"], Value::Null);
    let reset = &v["rights"]["reset_password"];
    assert_eq!(reset["allowed"], true);
    assert_eq!(reset["deciding_ace"]["inherited"], true);
    assert_eq!(reset["deciding_ace"]["trustee"], "CONTOSO\\MSOL_abc123");
    assert_eq!(v["rights"]["unexpire_password"]["allowed"], true);
    assert_eq!(v["connector"]["account"], "CONTOSO\\MSOL_abc123");
    assert_eq!(v["evaluated_at_source"], "now");
}

#[test]
fn inheritance_disabled_user_exits_1_and_names_the_cause() {
    let (_tmp, snap) = snapshot_file(&six_users());
    let (code, v) = diagnose_json(snap.to_str().unwrap(), "CN=bob,OU=Staff,DC=contoso,DC=test");
    assert_eq!(code, 1);
    assert_eq!(v["inheritance"]["dacl_protected"], true);
    assert_eq!(
        v["inheritance"]["blocked_at"],
        "CN=bob,OU=Staff,DC=contoso,DC=test"
    );
    assert_eq!(v["verdict"]["primary_cause"], "inheritance-disabled");
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"missing-reset-password"), "{codes:?}");
}

#[test]
fn explicit_deny_and_disabled_account() {
    let (_tmp, snap) = snapshot_file(&six_users());
    let snap = snap.to_str().unwrap();
    let (code, v) = diagnose_json(snap, "dave@contoso.test");
    assert_eq!(code, 1);
    assert_eq!(v["verdict"]["primary_cause"], "denied-reset-password");
    assert_eq!(v["rights"]["reset_password"]["deciding_ace"]["effect"], "deny");
    assert_eq!(v["rights"]["reset_password"]["deciding_ace"]["index"], 0);
    let (code, v) = diagnose_json(snap, "carol");
    assert_eq!(code, 1);
    assert_eq!(v["account"]["enabled"], false);
    assert_eq!(v["verdict"]["primary_cause"], "account-disabled");
}

#[test]
fn unknown_and_ambiguous_users_exit_2_with_candidates() {
    let (_tmp, snap) = snapshot_file(&six_users());
    let snap = snap.to_str().unwrap();
    let (code, out, err) = resetlens(&["diagnose", "nobody", "--snapshot", snap]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("nobody"), "{err}");
    let (code, _, err) = resetlens(&["diagnose", "shared@contoso.test", "--snapshot", snap]);
    assert_eq!(code, 2);
    assert!(
        err.contains("CN=erin,OU=Staff,DC=contoso,DC=test")
            && err.contains("CN=frank,OU=Staff,DC=contoso,DC=test"),
        "{err}"
    );
}

#[test]
fn unreadable_inputs_exit_2() {
    let (code, _, err) = resetlens(&["diagnose", "alice", "--snapshot", "/nonexistent/snap.json"]);
    assert_eq!(code, 2, "{err}");
    let (_tmp, snap) = snapshot_file(&six_users());
    let (code, _, err) = resetlens(&[
        "diagnose",
        "alice",
        "--snapshot",
        snap.to_str().unwrap(),
        "--evtx",
        "/nonexistent/Application.evtx",
    ]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn text_and_markdown_formats() {
    let (_tmp, snap) = snapshot_file(&six_users());
    let snap = snap.to_str().unwrap();
    let (code, out, _) = resetlens(&["diagnose", "bob", "--snapshot", snap]);
    assert_eq!(code, 1);
    assert!(out.contains("✗ writeback will fail"), "{out}");
    assert!(!out.contains('\x1b'), "no colour when not a terminal");
    let (code, out, _) = resetlens(&["diagnose", "bob", "--snapshot", snap, "--format", "markdown"]);
    assert_eq!(code, 1);
    assert!(out.starts_with("## Password writeback: bob Example"), "{out}");
    assert!(out.contains("| Reset Password | ❌ not granted |"), "{out}");
}

#[test]
fn at_sets_the_evaluation_instant() {
    let (_tmp, snap) = snapshot_file(&six_users());
    let (_, out, _) = resetlens(&[
        "diagnose",
        "alice",
        "--snapshot",
        snap.to_str().unwrap(),
        "--format",
        "json",
        "--at",
        "2026-11-24T08:00:00Z",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["evaluated_at"], "2026-11-24T08:00:00Z");
    assert_eq!(v["evaluated_at_source"], "requested");
}
