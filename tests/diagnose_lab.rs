//! `resetlens diagnose` live against the lab's Samba AD DC, for what the DC can show for real:
//! inheritance disabled on the user or blocked at an OU, an explicit deny, adminCount left over or
//! a protected-group member, a disabled account and a lockout caused by real failed binds. Where
//! the DC can say so, resetlens's verdict is checked against the connector account's real reset.
//!
//! Each test makes its own OU, user and password settings object (minimum age 0, lockout after 2
//! bad passwords) applied to that user only, so the shared domain policy is never touched.
//! Needs `.ci/samba-lab.sh start`; fails loudly without it.

mod support;

use serde_json::Value;
use support::lab::{Lab, PROTECTED_OU_DACL, PROTECTED_USER_DACL, RESET_PASSWORD};
use support::live::{codes, diagnose, new_user_in, test_user};

#[tokio::test]
async fn healthy_user_is_clean_and_the_connector_really_resets() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let (sam, dn) = test_user(&lab, &mut admin, "rlok").await;
    let (code, v) = diagnose(&lab, &sam);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["verdict"]["writeback_can_succeed"], true);
    assert!(
        v["policy"]["source"]
            .as_str()
            .unwrap()
            .starts_with("pso:CN=rlpso"),
        "{}",
        v["policy"]
    );
    assert!(
        lab.connector_can_reset(&dn).await,
        "the DC refused a reset resetlens called fine"
    );
}

#[tokio::test]
async fn inheritance_disabled_on_the_user() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let (sam, dn) = test_user(&lab, &mut admin, "rlinh").await;
    lab.set_dacl(&dn, PROTECTED_USER_DACL);
    let (code, v) = diagnose(&lab, &sam);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["inheritance"]["dacl_protected"], true);
    assert_eq!(v["inheritance"]["blocked_at"].as_str(), Some(dn.as_str()));
    assert_eq!(v["verdict"]["primary_cause"], "inheritance-disabled");
    assert!(
        !lab.connector_can_reset(&dn).await,
        "the DC allowed a reset resetlens called blocked"
    );
}

#[tokio::test]
async fn inheritance_blocked_at_an_ou_names_the_ou() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let ou = admin.create_protected_ou(&Lab::unique("rlpou")).await;
    let (sam, dn) = new_user_in(&lab, &mut admin, "rlblk", &ou).await;
    let (code, v) = diagnose(&lab, &sam);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["inheritance"]["dacl_protected"], false);
    assert_eq!(v["inheritance"]["blocked_at"].as_str(), Some(ou.as_str()));
    assert_eq!(v["verdict"]["primary_cause"], "inheritance-disabled");
    let finding = &v["findings"][0];
    assert!(finding["title"].as_str().unwrap().contains(&ou), "{finding}");
    assert!(!lab.connector_can_reset(&dn).await);
    // The OU's DACL is what the test set.
    assert!(lab.dacl_sddl(&ou).starts_with(&PROTECTED_OU_DACL[..4]));
}

#[tokio::test]
async fn explicit_deny_is_named_and_the_dc_agrees() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let (sam, dn) = test_user(&lab, &mut admin, "rldeny").await;
    let connector_sid = admin.sid_of(&lab.connector_dn).await;
    lab.add_aces(&dn, &format!("(OD;;CR;{RESET_PASSWORD};;{connector_sid})"));
    let (code, v) = diagnose(&lab, &sam);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["verdict"]["primary_cause"], "denied-reset-password");
    let ace = &v["rights"]["reset_password"]["deciding_ace"];
    assert_eq!(ace["effect"], "deny");
    assert_eq!(ace["inherited"], false);
    assert!(!lab.connector_can_reset(&dn).await);
}

#[tokio::test]
async fn admin_count_left_over_vs_protected_group_member() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let (sam, dn) = test_user(&lab, &mut admin, "rladm").await;
    admin.set_attr(&dn, "adminCount", "1").await;
    lab.set_dacl(&dn, PROTECTED_USER_DACL);
    let (code, v) = diagnose(&lab, &sam);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["account"]["admin_count"], 1);
    assert_eq!(v["verdict"]["primary_cause"], "admin-count-orphaned");
    assert!(
        !codes(&v).contains(&"inheritance-disabled".to_string()),
        "{:?}",
        codes(&v)
    );
    assert!(!lab.connector_can_reset(&dn).await);

    let account_operators = format!("CN=Account Operators,CN=Builtin,{}", lab.base_dn);
    admin.add_member(&account_operators, &dn).await;
    let (code, v) = diagnose(&lab, &sam);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["verdict"]["primary_cause"], "admin-sd-holder");
    assert!(!codes(&v).contains(&"admin-count-orphaned".to_string()));
}

#[tokio::test]
async fn disabled_account() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let (sam, dn) = test_user(&lab, &mut admin, "rldis").await;
    admin.set_attr(&dn, "userAccountControl", "514").await;
    let (code, v) = diagnose(&lab, &sam);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["account"]["enabled"], false);
    assert_eq!(v["verdict"]["primary_cause"], "account-disabled");
}

#[tokio::test]
async fn locked_out_by_real_failed_binds() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let (sam, _dn) = test_user(&lab, &mut admin, "rllock").await;
    let (code, v) = diagnose(&lab, &sam);
    assert_eq!(
        (code, &v["account"]["locked_out"]),
        (0, &Value::Bool(false)),
        "{v:#}"
    );
    let upn = format!("{sam}@{}", lab.realm.to_ascii_lowercase());
    for _ in 0..3 {
        assert!(!binds(&lab, &upn, "Wrong!Password-1").await);
    }
    let (code, v) = diagnose(&lab, &sam);
    assert_eq!(v["account"]["locked_out"], true, "{v:#}");
    assert!(v["account"]["lockout_time"].is_string());
    let finding = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "account-locked")
        .unwrap_or_else(|| panic!("no account-locked in {v:#}"));
    // The connector may write lockoutTime here, so a reset would unlock: a warning, not a block.
    assert_eq!(finding["severity"], "warning");
    assert_eq!(code, 0);
}

/// A simple bind as `who` over LDAPS; `false` when the DC refuses it.
async fn binds(lab: &Lab, who: &str, password: &str) -> bool {
    let pem = std::fs::read(&lab.ca_cert).expect("lab CA readable");
    let tls = native_tls::TlsConnector::builder()
        .add_root_certificate(native_tls::Certificate::from_pem(&pem).expect("PEM"))
        .build()
        .expect("TLS");
    let settings = ldap3::LdapConnSettings::new().set_connector(tls);
    let (conn, mut ldap) = ldap3::LdapConnAsync::with_settings(settings, &lab.ldaps_url)
        .await
        .expect("connect to the lab DC");
    ldap3::drive!(conn);
    let ok = ldap.simple_bind(who, password).await.is_ok_and(|r| r.rc == 0);
    let _ = ldap.unbind().await;
    ok
}
