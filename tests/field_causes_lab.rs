//! The directory causes the field reports (issue 10), live against the lab's Samba AD DC:
//! adminDescription PHSFiltered (selective password hash sync), read access to the samServer
//! object and Pre-Windows 2000 Compatible Access, the password policy's length and complexity,
//! mS-DS-ConsistencyGuid, and the Cloud Sync gMSA's rights.
//!
//! Each test makes its own OU, user and PSO (`support::live::test_user`). The one test that
//! must edit a shared object (Pre-Windows 2000 Compatible Access) restores it when it ends, also
//! on failure. Needs `.ci/samba-lab.sh start`; fails loudly without it.

mod support;

use ldap3::Scope as LdapScope;
use resetlens::config::SourceConfig;
use resetlens::directory::{self, snapshot, Directory, Scope};
use support::lab::Lab;
use support::lab::{ATTR_PWD_LAST_SET, CLASS_USER, RESET_PASSWORD, TEST_USER_PASSWORD};
use support::live::{codes, diagnose, diagnose_with, samba_tool, test_user};
use tokio::sync::RwLock;

/// Tests whose verdict depends on domain-wide objects (Pre-Windows 2000 Compatible Access, the one
/// `provAgentgMSA$`) take it shared; a test that edits one takes it alone, so none of this
/// binary's tests sees them half-edited.
static SHARED_OBJECTS: RwLock<()> = RwLock::const_new(());

async fn load_user(lab: &Lab, sam: &str) -> Directory {
    let config = SourceConfig::resolve(&lab.admin_source_args()).expect("valid configuration");
    directory::load(&config.directory, Scope::Users(vec![sam.to_string()]))
        .await
        .expect("read the user")
}

/// `dir` written as a snapshot and read back.
fn through_snapshot(dir: &Directory) -> Directory {
    let mut buf = Vec::new();
    snapshot::write(dir, &mut buf).expect("write snapshot");
    snapshot::from_bytes(&buf, "mem").expect("read snapshot")
}

#[tokio::test]
async fn phs_filtered_is_read_back_and_blocks_with_its_own_code() {
    let lab = Lab::get();
    let _shared = SHARED_OBJECTS.read().await;
    let mut admin = lab.admin().await;
    let (sam, dn) = test_user(&lab, &mut admin, "rlphs").await;
    let (code, v) = diagnose(&lab, &sam);
    assert!(
        !codes(&v).contains(&"password-sync-scope-excluded".to_string()),
        "{v:#}"
    );
    assert_eq!(code, 0, "{v:#}");

    admin.set_attr(&dn, "adminDescription", "PHSFiltered").await;
    let dir = load_user(&lab, &sam).await;
    assert_eq!(dir.users[0].admin_description.as_deref(), Some("PHSFiltered"));
    assert_eq!(
        through_snapshot(&dir).users[0].admin_description.as_deref(),
        Some("PHSFiltered")
    );
    let (code, v) = diagnose(&lab, &sam);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["verdict"]["primary_cause"], "password-sync-scope-excluded");
    let finding = &v["findings"][0];
    assert_eq!(finding["code"], "password-sync-scope-excluded");
    let fix = format!("Set-ADUser -Identity '{dn}' -Clear adminDescription");
    assert!(
        finding["remediation"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == &fix),
        "{finding:#}"
    );
}

/// `samba-tool domain passwordsettings show`'s value for `label` (e.g. "Minimum password length").
fn password_setting(lab: &Lab, label: &str) -> String {
    let out = std::process::Command::new("samba-tool")
        .args([
            "domain",
            "passwordsettings",
            "show",
            "-H",
            "ldap://127.0.0.1",
            "-U",
            "Administrator",
        ])
        .env("PASSWD", lab.admin_password())
        .output()
        .expect("run samba-tool");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find_map(|l| {
            l.strip_prefix(label)?
                .trim_start()
                .strip_prefix(':')
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no '{label}' in: {text}"))
}

#[tokio::test]
async fn length_and_complexity_come_from_the_domain_and_the_users_pso() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let (sam, _dn) = test_user(&lab, &mut admin, "rlpol").await;
    let dir = load_user(&lab, &sam).await;
    let length: u32 = password_setting(&lab, "Minimum password length")
        .parse()
        .expect("a number");
    let complex = password_setting(&lab, "Password complexity") == "on";
    assert_eq!(dir.domain.min_pwd_length, Some(length));
    assert_eq!(dir.domain.pwd_properties.map(|p| p & 1 == 1), Some(complex));
    let snap = through_snapshot(&dir);
    assert_eq!(
        (snap.domain.min_pwd_length, snap.domain.pwd_properties),
        (dir.domain.min_pwd_length, dir.domain.pwd_properties)
    );

    // The user's own PSO (test_user applies one) with its own length and complexity.
    let pso = dir.users[0].resultant_pso.clone().expect("the test user's PSO");
    let pso_name = pso
        .split(',')
        .next()
        .and_then(|rdn| rdn.strip_prefix("CN="))
        .expect("CN=<name>,...")
        .to_string();
    samba_tool(
        &lab,
        &[
            "domain",
            "passwordsettings",
            "pso",
            "set",
            &pso_name,
            "--min-pwd-length=13",
            "--complexity=off",
        ],
    );
    let (_, v) = diagnose(&lab, &sam);
    assert_eq!(v["policy"]["source"], format!("pso:{pso}"), "{:#}", v["policy"]);
    assert_eq!(v["policy"]["min_pwd_length"], 13);
    assert_eq!(v["policy"]["complexity"], false);
    samba_tool(
        &lab,
        &[
            "domain",
            "passwordsettings",
            "pso",
            "set",
            &pso_name,
            "--complexity=on",
        ],
    );
    let (_, v) = diagnose(&lab, &sam);
    assert_eq!(v["policy"]["complexity"], true, "{:#}", v["policy"]);
}

#[tokio::test]
async fn consistency_guid_is_read_live_and_kept_by_the_snapshot() {
    let lab = Lab::get();
    let mut admin = lab.admin().await;
    let (sam, dn) = test_user(&lab, &mut admin, "rlcg").await;
    assert_eq!(load_user(&lab, &sam).await.users[0].consistency_guid, None);
    let guid: resetlens::security::Guid = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0".parse().unwrap();
    admin
        .set_binary_attr(&dn, "mS-DS-ConsistencyGuid", &guid.to_bytes())
        .await;
    let dir = load_user(&lab, &sam).await;
    assert_eq!(dir.users[0].consistency_guid, Some(guid));
    assert_eq!(through_snapshot(&dir).users[0].consistency_guid, Some(guid));
}

/// Puts Authenticated Users back into Pre-Windows 2000 Compatible Access when dropped, so the
/// shared lab DC is restored even when the test fails half-way.
struct RestoreMember<'a> {
    lab: &'a Lab,
    group: String,
    member: String,
}

impl Drop for RestoreMember<'_> {
    fn drop(&mut self) {
        self.lab.ldb_modify(&format!(
            "dn: {}\nchangetype: modify\nadd: member\nmember: {}\n-\n",
            self.group, self.member
        ));
    }
}

/// Whether `member` is in the group, as the DC answers a member filter.
async fn is_member(admin: &mut support::lab::Admin, group: &str, member: &str) -> bool {
    let filter = format!("(member={})", ldap3::ldap_escape(member));
    let (entries, _) = admin
        .ldap
        .search(group, LdapScope::Base, &filter, vec!["1.1"])
        .await
        .and_then(|r| r.success())
        .expect("search the group");
    !entries.is_empty()
}

#[tokio::test]
async fn authenticated_users_outside_pre_windows_2000_blocks_and_is_restored() {
    let lab = Lab::get();
    let _alone = SHARED_OBJECTS.write().await;
    let mut admin = lab.admin().await;
    let group = format!("CN=Pre-Windows 2000 Compatible Access,CN=Builtin,{}", lab.base_dn);
    let member = format!("CN=S-1-5-11,CN=ForeignSecurityPrincipals,{}", lab.base_dn);
    if !is_member(&mut admin, &group, &member).await {
        // An earlier run was killed before it could restore the group.
        admin.add_member(&group, &member).await;
    }
    let (sam, _dn) = test_user(&lab, &mut admin, "rlsam").await;
    let (code, v) = diagnose(&lab, &sam);
    assert!(
        !codes(&v).contains(&"sam-server-not-readable".to_string()),
        "{v:#}"
    );
    assert_eq!(code, 0, "{v:#}");

    let dir = load_user(&lab, &sam).await;
    let sam_objects = &dir.sam;
    assert!(sam_objects.sam_server_descriptor.is_some() && sam_objects.builtin_descriptor.is_some());
    let pre2000 = sam_objects.pre_windows_2000.clone().expect("the group was read");
    assert!(pre2000.authenticated_users_member);
    assert_eq!(through_snapshot(&dir).sam, dir.sam);

    admin
        .ldap
        .modify(
            &group,
            vec![ldap3::Mod::Delete(
                b"member".to_vec(),
                [member.as_bytes().to_vec()].into_iter().collect(),
            )],
        )
        .await
        .and_then(|r| r.success())
        .expect("remove Authenticated Users from the group");
    let restore = RestoreMember {
        lab: &lab,
        group: group.clone(),
        member: member.clone(),
    };
    let dir = load_user(&lab, &sam).await;
    assert_eq!(
        dir.sam
            .pre_windows_2000
            .as_ref()
            .map(|g| g.authenticated_users_member),
        Some(false)
    );
    let (code, v) = diagnose(&lab, &sam);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["verdict"]["primary_cause"], "sam-server-not-readable", "{v:#}");
    let finding = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "sam-server-not-readable")
        .expect("the finding");
    let fix = format!("Set-ADGroup -Identity '{group}' -Add @{{member='{member}'}}");
    assert!(
        finding["remediation"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == &fix),
        "{finding:#}"
    );
    // samServer itself still grants Authenticated Users read access: only the membership is named.
    assert_eq!(finding["evidence"].as_array().unwrap().len(), 1, "{finding:#}");

    drop(restore);
    assert!(
        is_member(&mut admin, &group, &member).await,
        "the group was restored"
    );
    let (code, v) = diagnose(&lab, &sam);
    assert_eq!(code, 0, "{v:#}");
}

const ATTR_LOCKOUT_TIME: &str = "28630ebf-41d5-11d1-a9c1-0000f80367c1";

/// Deletes the lab's Cloud Sync gMSA when dropped: it is one per domain and every diagnosis sees it.
struct RemoveOnDrop<'a> {
    lab: &'a Lab,
    dn: String,
}

impl Drop for RemoveOnDrop<'_> {
    fn drop(&mut self) {
        self.lab.ldb_delete(&self.dn);
    }
}

fn finding<'a>(v: &'a serde_json::Value, code: &str) -> Option<&'a serde_json::Value> {
    v["findings"].as_array()?.iter().find(|f| f["code"] == code)
}

/// Cloud Sync's gMSA checked with the same engine as the Connect connector. Samba 4.17 serves no
/// gMSA password, so the gMSA cannot bind: the ground truth is an ordinary account given exactly
/// the gMSA's ACEs, whose real reset the DC allows or refuses.
#[tokio::test]
async fn cloud_sync_gmsa_rights_with_and_without_the_four_aces() {
    let lab = Lab::get();
    let _alone = SHARED_OBJECTS.write().await;
    let mut admin = lab.admin().await;
    let gmsa_dn = format!("CN=provAgentgMSA,CN=Managed Service Accounts,{}", lab.base_dn);
    let (left_over, _) = admin
        .ldap
        .search(
            &lab.base_dn,
            LdapScope::Subtree,
            "(sAMAccountName=provAgentgMSA$)",
            vec!["1.1"],
        )
        .await
        .and_then(|r| r.success())
        .expect("look for a left-over gMSA");
    for e in left_over {
        lab.ldb_delete(&ldap3::SearchEntry::construct(e).dn);
    }
    admin
        .add(
            &gmsa_dn,
            vec![
                ("objectClass", vec![b"msDS-GroupManagedServiceAccount".to_vec()]),
                ("sAMAccountName", vec![b"provAgentgMSA$".to_vec()]),
                ("dNSHostName", vec![b"provagent.contoso.test".to_vec()]),
                ("msDS-ManagedPasswordInterval", vec![b"30".to_vec()]),
                ("userAccountControl", vec![b"4096".to_vec()]),
            ],
        )
        .await;
    let _remove = RemoveOnDrop {
        lab: &lab,
        dn: gmsa_dn.clone(),
    };
    let gmsa_sid = admin.sid_of(&gmsa_dn).await;
    let (sam, dn) = test_user(&lab, &mut admin, "rlcs").await;
    let ou = dn
        .split_once(',')
        .map(|(_, ou)| ou.to_string())
        .expect("the user's OU");
    // The ground-truth twin: an ordinary account that gets exactly the gMSA's ACEs.
    let twin = Lab::unique("rltw");
    let twin_dn = admin.create_user(&twin, &ou).await;
    let twin_sid = admin.sid_of(&twin_dn).await;
    let twin_upn = format!("{twin}@{}", lab.realm.to_ascii_lowercase());

    // Beside the healthy Connect connector: a warning naming the gMSA, and Connect's sections.
    let (code, v) = diagnose(&lab, &sam);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        v["connector"]["account"],
        format!("{}\\{}", lab.netbios, lab.connector)
    );
    assert_eq!(v["cloud_sync"]["sid"], gmsa_sid.to_string(), "{v:#}");
    assert_eq!(v["cloud_sync"]["rights"]["reset_password"]["allowed"], false);
    assert!(v["cloud_sync"]["evidence"]
        .as_str()
        .unwrap()
        .contains("Export-AADCloudSyncToolsLogs"));
    let warn = finding(&v, "cloud-sync-missing-rights").unwrap_or_else(|| panic!("no finding in {v:#}"));
    assert_eq!(warn["severity"], "warning");
    assert!(
        warn["title"]
            .as_str()
            .unwrap()
            .contains("provAgentgMSA$ lacks Reset Password"),
        "{warn:#}"
    );
    assert!(
        warn["detail"].as_str().unwrap().contains("has all four"),
        "{warn:#}"
    );
    assert!(
        !lab.can_reset_as(&twin_upn, TEST_USER_PASSWORD, &dn).await,
        "the twin reset without a grant"
    );

    // Cloud Sync as the only writer (--connector names the gMSA): a blocker, no connector-not-found.
    let only = ["--connector", "provAgentgMSA$"];
    let (code, v) = diagnose_with(&lab, &sam, &only);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        v["verdict"]["primary_cause"], "cloud-sync-missing-rights",
        "{v:#}"
    );
    assert_eq!(v["connector"]["sid"], gmsa_sid.to_string());
    assert_eq!(v["rights"]["reset_password"]["allowed"], false);
    assert!(!codes(&v).contains(&"connector-not-found".to_string()), "{v:#}");
    let fix = format!(
        "Set-AADCloudSyncPermissions -PermissionType PasswordWriteBack -TargetDomain '{}' -EACredential (Get-Credential)",
        lab.realm.to_ascii_lowercase()
    );
    let block = finding(&v, "cloud-sync-missing-rights").unwrap();
    assert!(
        block["remediation"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().ends_with(&fix)),
        "{block:#}"
    );

    // What Set-AADCloudSyncPermissions grants, on the user's OU, to the gMSA and to its twin.
    let aces: String = [&gmsa_sid, &twin_sid]
        .iter()
        .flat_map(|sid| {
            [RESET_PASSWORD, ATTR_LOCKOUT_TIME, ATTR_PWD_LAST_SET].map(|guid| {
                let right = if guid == RESET_PASSWORD { "CR" } else { "WP" };
                format!("(OA;CIIO;{right};{guid};{CLASS_USER};{sid})")
            })
        })
        .collect();
    lab.add_aces(&ou, &aces);
    let (code, v) = diagnose_with(&lab, &sam, &only);
    assert_eq!(code, 0, "{v:#}");
    assert!(finding(&v, "cloud-sync-missing-rights").is_none(), "{v:#}");
    for right in [
        "reset_password",
        "write_lockout_time",
        "write_pwd_last_set",
        "unexpire_password",
    ] {
        assert_eq!(v["rights"][right]["allowed"], true, "{right}: {v:#}");
    }
    let ace = &v["rights"]["reset_password"]["deciding_ace"];
    assert_eq!(ace["inherited"], true);
    assert!(
        ace["sddl"].as_str().unwrap().ends_with(&format!("{gmsa_sid})")),
        "{ace}"
    );
    assert!(
        lab.can_reset_as(&twin_upn, TEST_USER_PASSWORD, &dn).await,
        "the DC refused the twin's reset"
    );
}
