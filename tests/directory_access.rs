//! resetlens's Reset Password verdict against what the real DC does: for each case the test sets
//! up the ACLs as Administrator, lets the connector account (MSOL_abc123) really attempt the reset
//! over LDAPS (success vs "insufficient access rights"), then reads the user with resetlens's live
//! source and evaluates it with the access check. The two must agree, and the case's expected
//! outcome guards against a set-up that silently tests nothing.

mod support;

use resetlens::config::SourceConfig;
use resetlens::directory::{self, blocked_at, Directory, Scope};
use resetlens::security::access::{self, Effect, Principal, Right, RightDecision};
use resetlens::security::descriptor::SecurityDescriptor;
use support::lab::{Lab, CLASS_COMPUTER, CLASS_USER, PROTECTED_USER_DACL, RESET_PASSWORD};

const ATTR_PWD_LAST_SET: &str = support::lab::ATTR_PWD_LAST_SET;

/// Reads `user_dn` live (as Administrator, like a helpdesk would) and decides Reset Password for
/// the discovered connector account.
async fn resetlens_verdict(lab: &Lab, user_dn: &str) -> (RightDecision, Directory) {
    let cfg = SourceConfig::resolve(&lab.admin_source_args()).expect("lab config");
    let dir = directory::load(&cfg.directory, Scope::Users(vec![user_dn.to_string()]))
        .await
        .unwrap_or_else(|e| panic!("resetlens could not read {user_dn}: {e}"));
    let user = dir.users.first().expect("the user was read");
    let connector = dir
        .connector
        .account()
        .unwrap_or_else(|| panic!("connector not discovered: {:?}", dir.connector));
    let sd = SecurityDescriptor::parse(user.security_descriptor.as_deref().expect("descriptor read"))
        .expect("descriptor parses");
    let principal = Principal::account(&connector.sid, &connector.token_groups, false);
    let decision = access::check(
        &sd,
        &principal,
        Right::ResetPassword,
        Some(&dir.domain.sid),
        &|s| dir.name_of(s),
    );
    (decision, dir)
}

/// Asserts the DC and resetlens agree, and that both match what the case is about.
async fn assert_agree(lab: &Lab, user_dn: &str, expected: bool) -> (RightDecision, Directory) {
    let dc = lab.connector_can_reset(user_dn).await;
    let (decision, dir) = resetlens_verdict(lab, user_dn).await;
    assert_eq!(
        decision.allowed,
        dc,
        "resetlens says allowed={} ({:?}) but the DC {} the reset of {user_dn}",
        decision.allowed,
        decision.deciding_ace,
        if dc { "accepted" } else { "refused" }
    );
    assert_eq!(
        dc, expected,
        "the DC's answer for {user_dn} is not what this case sets up"
    );
    (decision, dir)
}

async fn connector_sid(lab: &Lab) -> String {
    lab.admin().await.sid_of(&lab.connector_dn).await.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inherited_grant_from_the_domain_root() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let user = admin.create_user(&Lab::unique("root"), &lab.staff_ou).await;
    let (decision, dir) = assert_agree(&lab, &user, true).await;
    let ace = decision.deciding_ace.expect("an ACE decides");
    assert!(ace.inherited && ace.effect == Effect::Allow, "{ace:?}");
    assert_eq!(ace.trustee, format!("{}\\{}", lab.netbios, lab.connector));
    assert_eq!(blocked_at(&dir, &dir.users[0]), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inherited_grant_from_an_ou() {
    let lab = Lab::get();
    let sid = connector_sid(&lab).await;
    let mut admin = lab.admin().await;
    let ou = admin.create_protected_ou(&Lab::unique("ougrant")).await;
    lab.add_aces(&ou, &format!("(OA;CIIO;CR;{RESET_PASSWORD};{CLASS_USER};{sid})"));
    let user = admin.create_user(&Lab::unique("ougr"), &ou).await;
    let (decision, dir) = assert_agree(&lab, &user, true).await;
    assert!(decision.deciding_ace.expect("an ACE decides").inherited);
    // The OU stops the domain root's ACEs, yet its own grant reaches the user.
    assert_eq!(blocked_at(&dir, &dir.users[0]).as_deref(), Some(ou.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_through_a_nested_group() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    // outer ∋ Helpdesk ∋ MSOL_abc123: the grant reaches the connector two levels down.
    let users_cn = format!("CN=Users,{}", lab.base_dn);
    let outer = admin.create_group(&Lab::unique("gout"), &users_cn).await;
    admin.add_member(&outer, &lab.helpdesk_dn).await;
    let outer_sid = admin.sid_of(&outer).await;
    let ou = admin.create_protected_ou(&Lab::unique("ounest")).await;
    lab.add_aces(
        &ou,
        &format!("(OA;CIIO;CR;{RESET_PASSWORD};{CLASS_USER};{outer_sid})"),
    );
    let user = admin.create_user(&Lab::unique("nest"), &ou).await;
    let (decision, _) = assert_agree(&lab, &user, true).await;
    let ace = decision.deciding_ace.expect("an ACE decides");
    assert!(ace.sddl.contains(&outer_sid.to_string()), "{ace:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generic_all_on_the_user() {
    let lab = Lab::get();
    let sid = connector_sid(&lab).await;
    let mut admin = lab.admin().await;
    let ou = admin.create_protected_ou(&Lab::unique("ouga")).await;
    let user = admin.create_user(&Lab::unique("ga"), &ou).await;
    lab.add_aces(&user, &format!("(A;;GA;;;{sid})"));
    let (decision, _) = assert_agree(&lab, &user, true).await;
    assert!(!decision.deciding_ace.expect("an ACE decides").inherited);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_extended_rights_on_the_user() {
    let lab = Lab::get();
    let sid = connector_sid(&lab).await;
    let mut admin = lab.admin().await;
    let ou = admin.create_protected_ou(&Lab::unique("oucr")).await;
    let user = admin.create_user(&Lab::unique("cr"), &ou).await;
    lab.add_aces(&user, &format!("(A;;CR;;;{sid})"));
    assert_agree(&lab, &user, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_scoped_to_computer_objects_does_not_reach_users() {
    let lab = Lab::get();
    let sid = connector_sid(&lab).await;
    let mut admin = lab.admin().await;
    let ou = admin.create_protected_ou(&Lab::unique("oucomp")).await;
    lab.add_aces(
        &ou,
        &format!("(OA;CIIO;CR;{RESET_PASSWORD};{CLASS_COMPUTER};{sid})"),
    );
    let user = admin.create_user(&Lab::unique("comp"), &ou).await;
    let (decision, _) = assert_agree(&lab, &user, false).await;
    assert_eq!(decision.deciding_ace, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_pwd_last_set_write_is_not_enough() {
    let lab = Lab::get();
    let sid = connector_sid(&lab).await;
    let mut admin = lab.admin().await;
    let ou = admin.create_protected_ou(&Lab::unique("oupls")).await;
    lab.add_aces(
        &ou,
        &format!("(OA;CIIO;WP;{ATTR_PWD_LAST_SET};{CLASS_USER};{sid})"),
    );
    let user = admin.create_user(&Lab::unique("pls"), &ou).await;
    let (decision, _) = assert_agree(&lab, &user, false).await;
    assert_eq!(decision.deciding_ace, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explicit_deny_on_the_user() {
    let lab = Lab::get();
    let sid = connector_sid(&lab).await;
    let mut admin = lab.admin().await;
    let user = admin.create_user(&Lab::unique("deny"), &lab.staff_ou).await;
    lab.add_aces(&user, &format!("(OD;;CR;{RESET_PASSWORD};;{sid})"));
    let (decision, _) = assert_agree(&lab, &user, false).await;
    let ace = decision.deciding_ace.expect("the deny decides");
    assert!(ace.effect == Effect::Deny && !ace.inherited, "{ace:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deny_through_a_group() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let helpdesk = admin.sid_of(&lab.helpdesk_dn).await;
    let user = admin.create_user(&Lab::unique("gdeny"), &lab.staff_ou).await;
    lab.add_aces(&user, &format!("(OD;;CR;{RESET_PASSWORD};;{helpdesk})"));
    let (decision, _) = assert_agree(&lab, &user, false).await;
    let ace = decision.deciding_ace.expect("the deny decides");
    assert_eq!(ace.effect, Effect::Deny);
    assert_eq!(ace.trustee, format!("{}\\Helpdesk", lab.netbios));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inheritance_disabled_on_the_user() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let user = admin.create_user(&Lab::unique("prot"), &lab.staff_ou).await;
    lab.set_dacl(&user, PROTECTED_USER_DACL);
    let (_, dir) = assert_agree(&lab, &user, false).await;
    let u = &dir.users[0];
    assert!(directory::inheritance::dacl_protected(
        u.security_descriptor.as_deref().unwrap()
    ));
    assert_eq!(blocked_at(&dir, u).as_deref(), Some(user.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inheritance_blocked_on_a_parent_ou() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let outer = admin.create_protected_ou(&Lab::unique("oublk")).await;
    let inner = admin.create_ou("Inner", &outer).await;
    let user = admin.create_user(&Lab::unique("blk"), &inner).await;
    let (_, dir) = assert_agree(&lab, &user, false).await;
    let u = &dir.users[0];
    assert!(!directory::inheritance::dacl_protected(
        u.security_descriptor.as_deref().unwrap()
    ));
    assert_eq!(blocked_at(&dir, u).as_deref(), Some(outer.as_str()));
    let inner_c = dir
        .containers
        .iter()
        .find(|c| c.dn == inner)
        .expect("inner OU read");
    assert!(!inner_c.dacl_protected);
    // Both read in one search, kept nearest first.
    let chain: Vec<&str> = dir.containers.iter().map(|c| c.dn.as_str()).collect();
    assert_eq!(chain, [inner.as_str(), outer.as_str()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_count_with_a_protected_dacl() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let user = admin.create_user(&Lab::unique("adm"), &lab.staff_ou).await;
    // What SDProp would stamp (Samba does not run SDProp, so the test does it).
    lab.set_dacl(&user, PROTECTED_USER_DACL);
    admin.set_attr(&user, "adminCount", "1").await;
    let (_, dir) = assert_agree(&lab, &user, false).await;
    assert_eq!(dir.users[0].admin_count, Some(1));
    assert_eq!(blocked_at(&dir, &dir.users[0]).as_deref(), Some(user.as_str()));
}
