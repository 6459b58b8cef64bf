//! `resetlens scan` live against the lab's Samba AD DC: every user under one OU of the test's own,
//! streamed page by page from LDAP, with who would fail and why. Needs `.ci/samba-lab.sh start`;
//! fails loudly without it.

mod support;

use serde_json::Value;
use support::lab::{Lab, PROTECTED_USER_DACL};
use support::live::{live_args, new_user_in};
use support::run;

#[tokio::test]
async fn live_scan_of_an_ou_groups_who_would_fail() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let ou = admin.create_ou(&Lab::unique("rlscan"), &lab.base_dn).await;
    let (fine, _) = new_user_in(&lab, &mut admin, "rlsok", &ou).await;
    let (blocked, blocked_dn) = new_user_in(&lab, &mut admin, "rlsblk", &ou).await;
    lab.set_dacl(&blocked_dn, PROTECTED_USER_DACL);

    let out = run::command()
        .args(["scan", "--format", "json", "--base", &ou])
        .args(live_args(&lab))
        .output()
        .expect("run resetlens");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(lines.len(), 3, "{stdout}");
    let row = |sam: &str| {
        lines
            .iter()
            .find(|l| l["sam_account_name"] == sam)
            .unwrap_or_else(|| panic!("{sam} missing: {stdout}"))
    };
    assert_eq!(row(&fine)["writeback_can_succeed"], true);
    assert_eq!(row(&blocked)["primary_cause"], "inheritance-disabled");
    assert_eq!(lines[2]["totals"]["users"], 2);
    assert_eq!(lines[2]["totals"]["by_cause"]["inheritance-disabled"], 1);
}
