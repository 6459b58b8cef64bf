//! Every scenario user of the demo tenant (`sample-logs/`) gets the verdict the README states,
//! through the real binary, offline: `resetlens diagnose <user> --snapshot
//! sample-logs/contoso-directory.snapshot.json --evtx sample-logs --format json`. The expected
//! verdicts come from `demo_tenant::scenarios()`, the same table the generator wrote the logs from.

#[path = "support/run.rs"]
mod run;

use resetlens::demo_tenant::scenarios;
use run::{demo_source, resetlens};
use serde_json::Value;

fn diagnose(user: &str) -> (i32, Value, String) {
    diagnose_at(user, None)
}

/// `--at` for a scenario whose ticket names a time.
fn diagnose_at(user: &str, at: Option<&str>) -> (i32, Value, String) {
    let source = demo_source();
    let mut args = vec!["diagnose", user, "--format", "json"];
    if let Some(at) = at {
        args.extend(["--at", at]);
    }
    args.extend(source.iter().map(String::as_str));
    let (code, stdout, stderr) = resetlens(&args);
    let v = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{user}: not JSON ({e}): {stdout}\n{stderr}"));
    (code, v, stderr)
}

#[test]
fn every_scenario_user_gets_the_stated_verdict() {
    let mut wrong = Vec::new();
    for s in scenarios() {
        let (code, v, stderr) = diagnose_at(s.user, s.ticket_at);
        let got_cause = v["verdict"]["primary_cause"].as_str().map(str::to_string);
        let got_ok = v["verdict"]["writeback_can_succeed"].as_bool();
        let want_code = if s.writeback_can_succeed { 0 } else { 1 };
        let mut problems = Vec::new();
        if got_cause.as_deref() != s.primary_cause {
            problems.push(format!("primary_cause {got_cause:?}, want {:?}", s.primary_cause));
        }
        if got_ok != Some(s.writeback_can_succeed) {
            problems.push(format!(
                "writeback_can_succeed {got_ok:?}, want {}",
                s.writeback_can_succeed
            ));
        }
        if code != want_code {
            problems.push(format!("exit {code}, want {want_code}"));
        }
        if let Some(at) = s.blocked_at {
            if v["inheritance"]["blocked_at"].as_str() != Some(at) {
                problems.push(format!(
                    "blocked_at {}, want {at}",
                    v["inheritance"]["blocked_at"]
                ));
            }
        }
        if !problems.is_empty() {
            let findings: Vec<String> = v["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| format!("{}:{}", f["code"], f["severity"]))
                .collect();
            wrong.push(format!(
                "{}: {} (findings {findings:?}; stderr {stderr})",
                s.user,
                problems.join("; ")
            ));
        }
    }
    assert!(wrong.is_empty(), "demo verdicts differ:\n{}", wrong.join("\n"));
}

#[test]
fn failed_attempts_are_evaluated_at_their_own_time_with_their_events() {
    for s in scenarios()
        .iter()
        .filter(|s| !s.writeback_can_succeed && s.user != "oscar")
    {
        let (_, v, _) = diagnose(s.user);
        assert_eq!(v["evaluated_at_source"], "latest-failed-attempt", "{}", s.user);
        let at: chrono::DateTime<chrono::Utc> = v["evaluated_at"].as_str().unwrap().parse().unwrap();
        let attempt: chrono::DateTime<chrono::Utc> = s.attempt_at.parse().unwrap();
        assert!(
            at >= attempt && at - attempt < chrono::Duration::minutes(2),
            "{}: {at} vs {attempt}",
            s.user
        );
        assert!(
            !v["events"].as_array().unwrap().is_empty(),
            "{}: no events",
            s.user
        );
    }
}

fn evidence_of(v: &Value, code: &str) -> Vec<String> {
    v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["code"] == code)
        .flat_map(|f| f["evidence"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e.as_str().map(str::to_string))
        .collect()
}

#[test]
fn the_dcs_security_logs_say_whether_ad_saw_the_reset() {
    // bob: access denied, so no 4724 although DC01/DC02's logs cover the time.
    let (_, v, _) = diagnose("bob");
    let bob = evidence_of(&v, "event-permission-denied");
    assert!(
        bob.iter()
            .any(|e| e.starts_with("DC side: no 4724 although the DC Security logs cover")),
        "{bob:?}"
    );
    // erin: the reset reached DC01 and was refused by policy (4724 audit failure).
    let (_, v, _) = diagnose("erin");
    let erin = evidence_of(&v, "event-password-policy");
    assert!(
        erin.iter()
            .any(|e| e.contains("4724 by the connector with audit failure")),
        "{erin:?}"
    );
    assert!(evidence_of(&v, "min-password-age")
        .iter()
        .any(|e| e.starts_with("pwdLastSet = 2026-11-24 05:10")));
}
