//! What the live diagnose and scan tests share: a user of its own in an OU of its own, with a
//! password settings object of its own (minimum age 0, lockout after 2 bad passwords) applied to
//! that user only, so the shared domain policy is never touched; and the binary run against the
//! lab over LDAPS.

use std::ffi::OsString;
use std::process::Command;

use serde_json::Value;

use super::lab::{Admin, Lab};
use super::run;

/// The lab's user for this test: in its own OU, with its own PSO.
pub async fn test_user(lab: &Lab, admin: &mut Admin, prefix: &str) -> (String, String) {
    let ou = admin.create_ou(&Lab::unique("rlou"), &lab.base_dn).await;
    new_user_in(lab, admin, prefix, &ou).await
}

pub async fn new_user_in(lab: &Lab, admin: &mut Admin, prefix: &str, parent: &str) -> (String, String) {
    let sam = Lab::unique(prefix);
    let dn = admin.create_user(&sam, parent).await;
    let pso = Lab::unique("rlpso");
    samba_tool(
        lab,
        &[
            "domain",
            "passwordsettings",
            "pso",
            "create",
            &pso,
            "5",
            "--min-pwd-age=0",
            "--account-lockout-threshold=2",
            "--account-lockout-duration=30",
            "--reset-account-lockout-after=30",
        ],
    );
    samba_tool(lab, &["domain", "passwordsettings", "pso", "apply", &pso, &sam]);
    (sam, dn)
}

pub fn samba_tool(lab: &Lab, args: &[&str]) {
    let out = Command::new("samba-tool")
        .args(args)
        .args(["-H", "ldap://127.0.0.1", "-U", "Administrator"])
        .env("PASSWD", lab.admin_password())
        .output()
        .unwrap_or_else(|e| panic!("cannot run samba-tool (the lab installs it): {e}"));
    assert!(
        out.status.success(),
        "samba-tool {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// resetlens's flags for the lab: LDAPS as Administrator, verified with the lab CA.
pub fn live_args(lab: &Lab) -> Vec<OsString> {
    vec![
        "--ldap-url".into(),
        lab.ldaps_url.clone().into(),
        "--bind-dn".into(),
        lab.admin_upn.clone().into(),
        "--password-file".into(),
        lab.admin_password_file.clone().into(),
        "--ca-cert".into(),
        lab.ca_cert.clone().into(),
    ]
}

/// The real binary, live over LDAPS as Administrator with the lab CA.
pub fn diagnose(lab: &Lab, user: &str) -> (i32, Value) {
    diagnose_with(lab, user, &[])
}

/// `diagnose` with extra flags (e.g. `--connector`).
pub fn diagnose_with(lab: &Lab, user: &str, extra: &[&str]) -> (i32, Value) {
    let out = run::command()
        .args(["diagnose", user, "--format", "json"])
        .args(live_args(lab))
        .args(extra)
        .output()
        .expect("run resetlens");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

pub fn codes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["code"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
