//! The live source against the lab DC: transports and certificate checks, binds and their errors,
//! what is read for a user, lookups that find nobody or too many, missing read rights, a DC that
//! goes away mid-session, the snapshot round trip, and whole-base reads spread over connections
//! (the order and the users of one paged search; a DC that goes away in the middle).

mod support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use resetlens::cli::SourceArgs;
use resetlens::config::SourceConfig;
use resetlens::directory::ldap::{Fanout, LiveReader, Session};
use resetlens::directory::{
    self, snapshot, ConnectorLookup, DirectoryError, DirectorySource, Scope, UserLookupError,
};
use support::lab::{CuttableProxy, Lab};

fn config(args: &SourceArgs) -> SourceConfig {
    SourceConfig::resolve(args).expect("valid configuration")
}

async fn load(args: &SourceArgs, scope: Scope) -> Result<directory::Directory, DirectoryError> {
    directory::load(&config(args).directory, scope).await
}

fn users(names: &[&str]) -> Scope {
    Scope::Users(names.iter().map(|s| s.to_string()).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ldaps_with_the_lab_ca_reads_everything_the_diagnosis_needs() {
    let lab = Lab::get();
    let dir = load(&lab.admin_source_args(), users(&["alice"]))
        .await
        .expect("read alice");
    assert_eq!(dir.source, lab.ldaps_url);
    assert_eq!(dir.domain.dn, lab.base_dn);
    assert_eq!(dir.domain.netbios_name.as_deref(), Some(lab.netbios.as_str()));
    assert!(dir.domain.security_descriptor.is_some() && dir.domain.admin_sd_holder_descriptor.is_some());
    assert!(dir.domain.pwd_history_length > 0 && dir.domain.max_pwd_age < 0);

    let alice = &dir.users[0];
    assert_eq!(alice.dn, lab.alice_dn);
    assert_eq!(alice.sam_account_name, "alice");
    assert_eq!(alice.user_principal_name.as_deref(), Some("alice@contoso.test"));
    assert_eq!(alice.display_name.as_deref(), Some("Alice Smith"));
    assert!(alice.object_guid.is_some() && alice.when_changed.is_some());
    assert_eq!(alice.uac_computed, Some(0));
    assert!(alice.pwd_last_set.is_some_and(|t| t > 0));
    let sid = alice.object_sid.clone().expect("objectSid");
    assert_eq!(sid.domain_part(), Some(dir.domain.sid.clone()));
    let groups = alice
        .token_groups
        .as_ref()
        .expect("tokenGroups read for a named user");
    assert!(groups.contains(&dir.domain.sid.with_rid(513)), "{groups:?}");
    let sd = alice.security_descriptor.as_deref().expect("descriptor");
    assert!(!directory::inheritance::dacl_protected(sd));
    assert!(dir
        .containers
        .iter()
        .any(|c| c.dn == lab.staff_ou && !c.dacl_protected));

    let ConnectorLookup::Found(connector) = &dir.connector else {
        panic!("connector not found: {:?}", dir.connector)
    };
    assert_eq!(connector.dn, lab.connector_dn);
    let mut admin = lab.admin().await;
    let helpdesk = admin.sid_of(&lab.helpdesk_dn).await;
    assert!(connector.token_groups.contains(&helpdesk));
    assert_eq!(
        dir.name_of(&connector.sid),
        format!("{}\\{}", lab.netbios, lab.connector)
    );
    assert_eq!(dir.name_of(&helpdesk), format!("{}\\Helpdesk", lab.netbios));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_form_of_user_name_finds_the_same_user() {
    let lab = Lab::get();
    let dir = load(&lab.admin_source_args(), users(&["alice"]))
        .await
        .expect("read alice");
    let alice = &dir.users[0];
    let forms = [
        "ALICE".to_string(),
        "alice@contoso.test".to_string(),
        lab.alice_dn.to_lowercase(),
        alice.object_guid.expect("guid").to_string(),
        alice.object_sid.clone().expect("sid").to_string(),
    ];
    for form in forms {
        let d = load(&lab.admin_source_args(), Scope::Users(vec![form.clone()]))
            .await
            .unwrap_or_else(|e| panic!("{form}: {e}"));
        assert_eq!(d.users[0].dn, lab.alice_dn, "{form}");
        // A DN is read with tokenGroups in the same request, a name in a second one: same result.
        assert!(
            d.users[0].token_groups.as_ref().is_some_and(|g| !g.is_empty()),
            "{form}"
        );
        assert_eq!(d.users, dir.users, "{form}");
        assert_eq!(d.containers, dir.containers, "{form}");
        assert_eq!(d.names, dir.names, "{form}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_ambiguous_users_are_input_errors_with_candidates() {
    let lab = Lab::get();
    let err = load(&lab.admin_source_args(), users(&["nobody-by-this-name"]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, DirectoryError::User(UserLookupError::NotFound(_))),
        "{err}"
    );

    let mut admin = lab.admin().await;
    let mail = format!("{}@contoso.test", Lab::unique("dup"));
    let a = admin.create_user(&Lab::unique("dupa"), &lab.staff_ou).await;
    let b = admin.create_user(&Lab::unique("dupb"), &lab.staff_ou).await;
    admin.set_attr(&a, "mail", &mail).await;
    admin.set_attr(&b, "mail", &mail).await;
    let err = load(&lab.admin_source_args(), users(&[&mail])).await.unwrap_err();
    let DirectoryError::User(UserLookupError::Ambiguous { candidates, .. }) = &err else {
        panic!("expected an ambiguous match, got {err}")
    };
    assert!(
        candidates.contains(&a) && candidates.contains(&b),
        "{candidates:?}"
    );
    assert!(err.to_string().contains(&a));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_with_verification() {
    let lab = Lab::get();
    let mut args = lab.admin_source_args();
    args.ldap_url = Some(lab.ldap_url.clone());
    let dir = load(&args, users(&["alice"])).await.expect("StartTLS read");
    assert_eq!(dir.users[0].dn, lab.alice_dn);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_says_how_to_fix_it() {
    let lab = Lab::get();
    for url in [lab.ldaps_url.clone(), lab.ldap_url.clone()] {
        let mut args = lab.admin_source_args();
        args.ldap_url = Some(url.clone());
        args.ca_cert = None;
        let err = load(&args, users(&["alice"])).await.unwrap_err();
        assert!(
            matches!(err, DirectoryError::CertificateUntrusted { .. }),
            "{url}: {err}"
        );
        // The directory names the host; the flag that fixes it (--ca-cert) is the command line's
        // to add, as `resetlens diagnose` does (tests/dc_faults.rs checks that sentence).
        assert!(err.to_string().contains("is not trusted"), "{err}");
    }
}

#[test]
fn insecure_skip_tls_verify_works_only_when_asked_and_warns() {
    let lab = Lab::get();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("s.json");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_resetlens"))
        .args(["snapshot", "--user", "alice", "--out"])
        .arg(&out)
        .args([
            "--ldap-url",
            &lab.ldaps_url,
            "--bind-dn",
            &lab.admin_upn,
            "--password-file",
        ])
        .arg(&lab.admin_password_file)
        .arg("--insecure-skip-tls-verify")
        .output()
        .expect("run resetlens");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("WARNING") && stderr.contains("--insecure-skip-tls-verify"),
        "{stderr}"
    );
    assert!(!stderr.contains(&lab.admin_password()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_named_as_such() {
    let lab = Lab::get();
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong");
    std::fs::write(&wrong, "Not-The-Password1\n").unwrap();
    let mut args = lab.admin_source_args();
    args.password_file = Some(wrong);
    let err = load(&args, users(&["alice"])).await.unwrap_err();
    assert!(matches!(err, DirectoryError::InvalidCredentials { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("wrong user name or password") && text.contains(&lab.admin_upn),
        "{text}"
    );
    assert!(!text.contains("Not-The-Password1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_dc_names_host_and_port() {
    let lab = Lab::get();
    let mut args = lab.admin_source_args();
    // Nothing listens on port 1.
    args.ldap_url = Some(format!("ldaps://{}:1", lab.host));
    let err = load(&args, users(&["alice"])).await.unwrap_err();
    assert!(matches!(err, DirectoryError::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains(&format!("{}:1", lab.host)), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bind_account_without_read_control_gets_a_rights_error() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let user = admin.create_user(&Lab::unique("norc"), &lab.staff_ou).await;
    // Authenticated Users may list and read properties but not read the descriptor (no RC).
    lab.set_dacl(
        &user,
        "D:P(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;SY)(A;;RPLCLO;;;AU)",
    );
    let mut args = lab.admin_source_args();
    args.bind_dn = Some(lab.connector_upn());
    args.password_file = Some(lab.connector_password_file.clone());
    // A non-admin gets descriptors only through the SD flags control: alice's comes back.
    let alice = load(&args, users(&["alice"]))
        .await
        .expect("non-admin read of alice");
    assert!(alice.users[0].security_descriptor.is_some());
    let err = load(&args, Scope::Users(vec![user.clone()])).await.unwrap_err();
    assert!(
        matches!(&err, DirectoryError::CannotReadSecurityDescriptor { dn } if *dn == user),
        "{err}"
    );
    assert!(err.to_string().contains("READ_CONTROL"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_reads_page_through_every_user() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let ou = admin.create_ou(&Lab::unique("oubulk"), &lab.base_dn).await;
    let mut made = Vec::new();
    for _ in 0..5 {
        made.push(admin.create_user(&Lab::unique("bulk"), &ou).await);
    }
    let dir = load(
        &lab.admin_source_args(),
        Scope::All {
            base: Some(ou.clone()),
        },
    )
    .await
    .expect("bulk read");
    let mut got: Vec<String> = dir.users.iter().map(|u| u.dn.clone()).collect();
    got.sort();
    made.sort();
    assert_eq!(got, made);
    assert!(dir
        .users
        .iter()
        .all(|u| u.security_descriptor.is_some() && u.token_groups.is_none()));
    assert!(dir.containers.iter().any(|c| c.dn == ou));
}

/// Bytes the DC sends for a one-user load, measured through an uncut proxy.
async fn bytes_for_one_user_load(lab: &Lab) -> usize {
    let proxy = CuttableProxy::start(usize::MAX, false);
    let mut args = lab.admin_source_args();
    args.ldap_url = Some(format!("ldaps://{}:{}", lab.host, proxy.port));
    load(&args, users(&["alice"]))
        .await
        .expect("load through the proxy");
    proxy.relayed.load(Ordering::SeqCst)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dc_that_stops_mid_session_gives_a_clear_error_without_hanging() {
    let lab = Lab::get();
    // Cut halfway: after the TLS handshake and the bind, before the reads are done.
    let limit = bytes_for_one_user_load(&lab).await / 2;
    for hang in [false, true] {
        let proxy = CuttableProxy::start(limit, hang);
        let mut args = lab.admin_source_args();
        args.ldap_url = Some(format!("ldaps://{}:{}", lab.host, proxy.port));
        args.timeout = Some(2);
        let result = tokio::time::timeout(Duration::from_secs(60), load(&args, users(&["alice"])))
            .await
            .expect("resetlens must not hang when the DC goes away");
        let err = result.expect_err("the load cannot succeed through a cut connection");
        let text = err.to_string();
        if hang {
            assert!(matches!(err, DirectoryError::Timeout { .. }), "{text}");
            assert!(text.contains("2 s"), "{text}");
        } else {
            assert!(matches!(err, DirectoryError::ConnectionLost { .. }), "{text}");
        }
        assert!(text.contains(&format!("{}:{}", lab.host, proxy.port)), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_round_trip_gives_the_same_directory() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let bob = admin.create_user(&Lab::unique("snap"), &lab.staff_ou).await;
    let live = load(
        &lab.admin_source_args(),
        Scope::Users(vec!["alice".into(), bob.clone()]),
    )
    .await
    .expect("live read");
    let mut buf = Vec::new();
    snapshot::write(&live, &mut buf).expect("write snapshot");
    let back = snapshot::from_bytes(&buf, "mem").expect("read snapshot");
    assert_eq!(back, live);

    // Through the files and the --snapshot source: the same users, as the live source gives them.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.json");
    snapshot::write(&live, std::fs::File::create(&path).unwrap()).unwrap();
    let args = SourceArgs {
        snapshot: Some(path.clone()),
        ..SourceArgs::default()
    };
    let offline = load(&args, Scope::Users(vec![bob.clone()]))
        .await
        .expect("snapshot read");
    assert_eq!(offline.users, vec![live.users[1].clone()]);
    assert_eq!(
        (&offline.domain, &offline.connector),
        (&live.domain, &live.connector)
    );
    assert_eq!(offline.source, path.display().to_string());
    assert!(!std::fs::read_to_string(&path)
        .unwrap()
        .contains(&lab.admin_password()));
}

#[test]
fn the_snapshot_command_captures_users_a_snapshot_source_reads_back() {
    let lab = Lab::get();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.json");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_resetlens"))
        .args(["snapshot", "--out"])
        .arg(&out)
        .args([
            "--ldap-url",
            &lab.ldaps_url,
            "--bind-dn",
            &lab.admin_upn,
            "--password-env",
            "LAB_PW",
        ])
        .arg("--ca-cert")
        .arg(&lab.ca_cert)
        .env("LAB_PW", lab.admin_password())
        .output()
        .expect("run resetlens");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let d = snapshot::read(&out).expect("the file reads back");
    assert!(d.users.iter().any(|u| u.dn == lab.alice_dn));
    assert!(d.users.iter().any(|u| u.sam_account_name == lab.connector));
    assert!(matches!(d.connector, ConnectorLookup::Found(_)));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("{\"format\":\"resetlens.snapshot/1\""));
    assert!(!text.contains(&lab.admin_password()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connector_can_be_named_in_every_form_or_is_reported_missing() {
    let lab = Lab::get();
    let sid = lab.admin().await.sid_of(&lab.connector_dn).await.to_string();
    let discovered = load(&lab.admin_source_args(), users(&["alice"]))
        .await
        .expect("read");
    let discovered = discovered.connector.account().expect("MSOL_* discovered");
    assert!(!discovered.token_groups.is_empty());
    for form in [
        lab.connector.clone(),
        lab.connector_upn(),
        lab.connector_dn.clone(),
        sid,
    ] {
        let mut args = lab.admin_source_args();
        args.connector = Some(form.clone());
        let dir = load(&args, users(&["alice"])).await.expect("read");
        let found = dir
            .connector
            .account()
            .unwrap_or_else(|| panic!("{form}: {:?}", dir.connector));
        assert_eq!(found.dn, lab.connector_dn, "{form}");
        assert_eq!(found, discovered, "{form}: same account, same tokenGroups");
    }
    let mut args = lab.admin_source_args();
    args.connector = Some("MSOL_doesnotexist".into());
    let dir = load(&args, users(&["alice"]))
        .await
        .expect("a missing connector is a finding, not an error");
    assert_eq!(
        dir.connector,
        ConnectorLookup::NotFound {
            wanted: "MSOL_doesnotexist".into()
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_settings_object_that_applies_is_read_with_the_user() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let user = admin.create_user(&Lab::unique("pso"), &lab.staff_ou).await;
    let pso = format!(
        "CN={},CN=Password Settings Container,CN=System,{}",
        Lab::unique("pso"),
        lab.base_dn
    );
    let one_day = "-864000000000";
    let attrs: Vec<(&str, &str)> = vec![
        ("objectClass", "msDS-PasswordSettings"),
        ("msDS-PasswordSettingsPrecedence", "7"),
        ("msDS-PasswordReversibleEncryptionEnabled", "FALSE"),
        ("msDS-PasswordHistoryLength", "5"),
        ("msDS-PasswordComplexityEnabled", "TRUE"),
        ("msDS-MinimumPasswordLength", "8"),
        ("msDS-MinimumPasswordAge", one_day),
        ("msDS-MaximumPasswordAge", "-36288000000000"),
        ("msDS-LockoutThreshold", "3"),
        ("msDS-LockoutObservationWindow", "-18000000000"),
        ("msDS-LockoutDuration", "-18000000000"),
        ("msDS-PSOAppliesTo", user.as_str()),
    ];
    admin
        .ldap
        .add(
            &pso,
            attrs
                .into_iter()
                .map(|(k, v)| {
                    (
                        k.as_bytes().to_vec(),
                        [v.as_bytes().to_vec()].into_iter().collect(),
                    )
                })
                .collect(),
        )
        .await
        .and_then(|r| r.success())
        .unwrap_or_else(|e| panic!("add PSO {pso}: {e}"));

    let dir = load(&lab.admin_source_args(), Scope::Users(vec![user.clone()]))
        .await
        .expect("read");
    let u = &dir.users[0];
    assert_eq!(u.resultant_pso.as_deref(), Some(pso.as_str()));
    let settings = dir.password_settings_for(u).expect("the PSO was read");
    assert_eq!((settings.precedence, settings.pwd_history_length), (7, 5));
    assert_eq!(settings.min_pwd_age, -864_000_000_000);
    assert_eq!(settings.lockout_threshold, 3);
}

/// Every user under `base` through the live reader spread as `fanout` says, with the context it
/// builds on the way (containers, names), as `directory::load` assembles them.
async fn read_spread(
    args: &SourceArgs,
    base: &str,
    fanout: Fanout,
) -> Result<directory::Directory, DirectoryError> {
    let cfg = config(args);
    let Some(DirectorySource::Ldap(ldap_cfg)) = &cfg.directory.source else {
        panic!("the lab source flags name no LDAP URL");
    };
    let session = Session::connect(ldap_cfg).await?;
    let reader = LiveReader::open(session, None, None).await?;
    reader
        .user_pages_with(Some(base), fanout)
        .await?
        .into_directory()
        .await
}

/// Batches of two over three connections: a handful of users crosses every connection twice.
const SPREAD: Fanout = Fanout {
    connections: 3,
    batch: 2,
};

/// An OU with users directly under it and in a child OU, made for one test.
async fn ou_with_users(lab: &Lab, prefix: &str) -> (String, Vec<String>) {
    let mut admin = lab.admin().await;
    let ou = admin.create_ou(&Lab::unique(prefix), &lab.base_dn).await;
    let inner = admin.create_ou("inner", &ou).await;
    let mut made = Vec::new();
    for parent in [&ou, &inner, &ou, &inner, &ou, &inner, &ou] {
        made.push(admin.create_user(&Lab::unique(prefix), parent).await);
    }
    (ou, made)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_spread_over_connections_gives_one_paged_searchs_users_in_its_order() {
    let lab = Lab::get();
    let (ou, mut made) = ou_with_users(&lab, "spread").await;
    let args = lab.admin_source_args();

    // The reference: one paged search of the users' attributes, as the reader did before.
    let cfg = config(&args);
    let Some(DirectorySource::Ldap(ldap_cfg)) = &cfg.directory.source else {
        panic!("the lab source flags name no LDAP URL");
    };
    let session = Session::connect(ldap_cfg).await.expect("bind");
    let mut search = session
        .paged(
            &ou,
            "(sAMAccountType=805306368)",
            &["sAMAccountName", "objectGUID", "nTSecurityDescriptor", "memberOf"],
        )
        .await
        .expect("paged search");
    let mut one_search = Vec::new();
    while let Some(e) = search.next().await.expect("paged search entry") {
        one_search.push(e.dn);
    }

    let spread = read_spread(&args, &ou, SPREAD).await.expect("spread read");
    let order: Vec<String> = spread.users.iter().map(|u| u.dn.clone()).collect();
    assert_eq!(order, one_search);
    let mut got = order.clone();
    got.sort();
    made.sort();
    assert_eq!(got, made);

    // One connection fetching everything in one batch: the same directory, byte for byte in a
    // snapshot (the capture time aside).
    let single = Fanout {
        connections: 1,
        batch: 1000,
    };
    let mut whole = read_spread(&args, &ou, single).await.expect("single read");
    whole.captured_at = spread.captured_at;
    let bytes = |d: &directory::Directory| {
        let mut buf = Vec::new();
        snapshot::write(d, &mut buf).expect("write snapshot");
        buf
    };
    assert_eq!(bytes(&whole), bytes(&spread));
    assert!(spread.containers.iter().any(|c| c.dn == ou));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dc_that_stops_in_a_spread_read_gives_a_clear_error_without_hanging() {
    let lab = Lab::get();
    let (ou, _) = ou_with_users(&lab, "spreadcut").await;
    let whole = CuttableProxy::start(usize::MAX, false);
    let mut args = lab.admin_source_args();
    args.ldap_url = Some(format!("ldaps://{}:{}", lab.host, whole.port));
    read_spread(&args, &ou, SPREAD)
        .await
        .expect("read through the proxy");
    // Cut in the middle: the context is read, the batches are on their way.
    let limit = whole.relayed.load(Ordering::SeqCst) * 3 / 4;
    for hang in [false, true] {
        let proxy = CuttableProxy::start(limit, hang);
        args.ldap_url = Some(format!("ldaps://{}:{}", lab.host, proxy.port));
        args.timeout = Some(2);
        let result = tokio::time::timeout(Duration::from_secs(60), read_spread(&args, &ou, SPREAD))
            .await
            .expect("a spread read must not hang when the DC goes away");
        let err = result.expect_err("the read cannot succeed through a cut connection");
        let text = err.to_string();
        if hang {
            assert!(matches!(err, DirectoryError::Timeout { .. }), "{text}");
        } else {
            assert!(matches!(err, DirectoryError::ConnectionLost { .. }), "{text}");
        }
        assert!(text.contains(&format!("{}:{}", lab.host, proxy.port)), "{text}");
    }
}
