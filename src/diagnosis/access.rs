//! The connector's effective rights on one user (and Unexpire Password on the domain root), where
//! inheritance stops, and the user's own "cannot change password" deny, all decided by the
//! security module's access check on the stored descriptors. Descriptors that were not read or do
//! not parse become evaluation gaps, never "no rights".

use std::sync::Arc;

use super::evidence::{self, Dacl, DaclUnavailable};
use super::facts::{AccessFacts, ObjectReadAccess, SamAccessFacts};
use super::model::{not_granted, DecidingAce, Effect, InheritanceSection, RightDecision, RightsSection};
use crate::directory::model::{builtin_dn, sam_server_dn};
use crate::directory::{blocked_at, ConnectorAccount, Directory, DirectoryUser};
use crate::security::access::{check, Principal, Right};
use crate::security::{names, SecurityDescriptor, Sid};

/// How many distinct user descriptors an `AccessCache` keeps.
const CACHE_CAPACITY: usize = 64;

/// Descriptors already parsed and evaluated for one connector account, for diagnosing many users
/// of one directory (a scan): users of an OU carry byte-identical descriptors, so most users cost
/// one comparison instead of a parse and four access checks. Valid for one `Directory` and one
/// account only (its domain root); bounded, oldest entries replaced first.
#[derive(Debug, Default)]
pub struct AccessCache {
    users: Vec<Evaluated>,
    next: usize,
    domain: Option<DomainDecision>,
    /// samServer and Builtin, which do not depend on the user.
    sam: Option<SamAccessFacts>,
}

/// One cache per connector account a diagnosis judges: Entra Connect's and Cloud Sync's.
#[derive(Debug, Default)]
pub struct AccessCaches {
    pub connect: AccessCache,
    pub cloud_sync: AccessCache,
}

/// The domain root's descriptor (as read, if at all) and Unexpire Password decided on it, or why
/// it could not be.
type DomainDecision = (Option<Arc<[u8]>>, Result<RightDecision, String>);

#[derive(Debug)]
struct Evaluated {
    bytes: Arc<[u8]>,
    sd: Result<SecurityDescriptor, String>,
    /// The DACL as the console lists it.
    dacl: Dacl,
    /// Reset Password, Change Password, Write lockoutTime, Write pwdLastSet for the connector.
    rights: [RightDecision; 4],
}

fn same_bytes(a: &Arc<[u8]>, b: &Arc<[u8]>) -> bool {
    Arc::ptr_eq(a, b) || a[..] == b[..]
}

fn parse(bytes: &[u8], what: &str) -> Result<SecurityDescriptor, String> {
    SecurityDescriptor::parse(bytes).map_err(|e| unparsable(what, &e))
}

fn unparsable(what: &str, e: &impl std::fmt::Display) -> String {
    format!("the {what} nTSecurityDescriptor does not parse: {e}")
}

fn not_read(what: &str) -> String {
    format!("the {what} nTSecurityDescriptor was not read (can the bind account read it?)")
}

/// The user's rights, inheritance and "cannot change password" for one user, with no cache.
pub fn assess(directory: &Directory, user: &DirectoryUser) -> AccessFacts {
    assess_cached(directory, user, &mut AccessCache::default())
}

/// `assess`, reusing what `cache` already evaluated for the same descriptors of `directory`.
pub fn assess_cached(directory: &Directory, user: &DirectoryUser, cache: &mut AccessCache) -> AccessFacts {
    assess_for(directory, user, directory.connector.account(), cache)
}

/// The same assessment for any connector account: Entra Connect's, or the Cloud Sync gMSA (one
/// code path for both). `cache` must be used for this one account only.
pub fn assess_for(
    directory: &Directory,
    user: &DirectoryUser,
    account: Option<&ConnectorAccount>,
    cache: &mut AccessCache,
) -> AccessFacts {
    let domain_sid = Some(&directory.domain.sid);
    let trustee = |sid: &Sid| match directory.names.get(sid) {
        Some(name) => name.clone(),
        None => names::well_known_name(sid, domain_sid).map_or_else(|| sid.to_string(), str::to_string),
    };
    let connector = account.map(|c| Principal::account(&c.sid, &c.token_groups, false));
    let decide = |sd: &SecurityDescriptor, right| match &connector {
        Some(p) => check(sd, p, right, domain_sid, &trustee),
        None => not_granted(),
    };

    let domain_bytes = directory.domain.security_descriptor.clone();
    let domain_known = cache
        .domain
        .as_ref()
        .is_some_and(|(b, _)| match (b, &domain_bytes) {
            (Some(a), Some(b)) => same_bytes(a, b),
            (None, None) => true,
            _ => false,
        });
    if !domain_known {
        let decision = match domain_bytes.as_deref() {
            None => Err(not_read("domain root's")),
            Some(b) => parse(b, "domain root's").map(|sd| decide(&sd, Right::UnexpirePassword)),
        };
        cache.domain = Some((domain_bytes, decision));
    }
    let (unexpire_password, domain_gap) = match cache.domain.as_ref().map(|(_, d)| d) {
        Some(Ok(d)) => (d.clone(), None),
        Some(Err(gap)) => (not_granted(), Some(gap.clone())),
        None => (not_granted(), None),
    };

    let Some(bytes) = &user.security_descriptor else {
        return AccessFacts {
            inheritance: InheritanceSection {
                dacl_protected: false,
                blocked_at: blocked_at(directory, user),
            },
            rights: RightsSection {
                reset_password: not_granted(),
                change_password: not_granted(),
                write_lockout_time: not_granted(),
                write_pwd_last_set: not_granted(),
                unexpire_password,
            },
            cannot_change_password: None,
            dacl: Arc::new(Err(DaclUnavailable::NotRead)),
            user_gap: Some(not_read("user's")),
            domain_gap,
        };
    };
    let index = match cache.users.iter().position(|e| same_bytes(&e.bytes, bytes)) {
        Some(i) => i,
        None => {
            let (sd, dacl) = match SecurityDescriptor::parse(bytes) {
                Ok(sd) => {
                    let dacl = evidence::aces(directory, &sd);
                    (Ok(sd), dacl)
                }
                Err(e) => (Err(unparsable("user's", &e)), evidence::unreadable(&e)),
            };
            let rights = [
                Right::ResetPassword,
                Right::ChangePassword,
                Right::WriteLockoutTime,
                Right::WritePwdLastSet,
            ]
            .map(|r| sd.as_ref().map_or_else(|_| not_granted(), |sd| decide(sd, r)));
            let entry = Evaluated {
                bytes: bytes.clone(),
                sd,
                dacl,
                rights,
            };
            if cache.users.len() < CACHE_CAPACITY {
                cache.users.push(entry);
                cache.users.len() - 1
            } else {
                let i = cache.next;
                cache.next = (cache.next + 1) % CACHE_CAPACITY;
                cache.users[i] = entry;
                i
            }
        }
    };
    let Some(entry) = cache.users.get(index) else {
        return assess_for(directory, user, account, &mut AccessCache::default());
    };
    let [reset_password, change_password, write_lockout_time, write_pwd_last_set] = entry.rights.clone();
    // Depends on the user's own SID and groups, so it is decided per user.
    let cannot_change_password = match (&entry.sd, &user.object_sid) {
        (Ok(sd), Some(sid)) => {
            let me = Principal::account(sid, user.token_groups.as_deref().unwrap_or_default(), true);
            denied_to_everyone_or_self(sd, check(sd, &me, Right::ChangePassword, domain_sid, &trustee))
        }
        _ => None,
    };
    AccessFacts {
        inheritance: InheritanceSection {
            dacl_protected: entry.sd.as_ref().is_ok_and(SecurityDescriptor::dacl_protected),
            blocked_at: blocked_at(directory, user),
        },
        rights: RightsSection {
            reset_password,
            change_password,
            write_lockout_time,
            write_pwd_last_set,
            unexpire_password,
        },
        cannot_change_password,
        dacl: entry.dacl.clone(),
        user_gap: entry.sd.as_ref().err().cloned(),
        domain_gap,
    }
}

/// The connector's read rights on samServer and Builtin (those read), decided once per directory.
pub fn sam_access_cached(directory: &Directory, cache: &mut AccessCache) -> SamAccessFacts {
    cache
        .sam
        .get_or_insert_with(|| sam_access(directory, directory.connector.account()))
        .clone()
}

/// The read rights `account` has on samServer and Builtin. Pre-Windows 2000 Compatible Access
/// grants count only when the account is effectively a member: through Authenticated Users, or
/// through its own tokenGroups.
pub fn sam_access(directory: &Directory, account: Option<&ConnectorAccount>) -> SamAccessFacts {
    let sam = &directory.sam;
    let Some(account) = account else {
        return SamAccessFacts {
            pre_windows_2000: sam.pre_windows_2000.clone(),
            ..SamAccessFacts::default()
        };
    };
    let pre2000 = Sid::pre_windows_2000_compatible_access();
    let through_authenticated_users = sam
        .pre_windows_2000
        .as_ref()
        .is_some_and(|g| g.authenticated_users_member);
    let mut principal = Principal::account(&account.sid, &account.token_groups, false);
    if through_authenticated_users && !principal.holds(&pre2000) {
        principal.sids.push(pre2000.clone());
    }
    let domain_sid = Some(&directory.domain.sid);
    let trustee = |sid: &Sid| match directory.names.get(sid) {
        Some(name) => name.clone(),
        None => names::well_known_name(sid, domain_sid).map_or_else(|| sid.to_string(), str::to_string),
    };
    let domain_dn = &directory.domain.dn;
    let objects = [
        (
            sam_server_dn(domain_dn),
            &sam.sam_server_descriptor,
            "samServer object's",
        ),
        (
            builtin_dn(domain_dn),
            &sam.builtin_descriptor,
            "Builtin container's",
        ),
    ]
    .into_iter()
    .filter_map(|(dn, bytes, what)| {
        let sd = parse(bytes.as_deref()?, what);
        Some(ObjectReadAccess {
            dn,
            rights: sd.map(|sd| Right::READ.map(|r| check(&sd, &principal, r, domain_sid, &trustee))),
        })
    })
    .collect();
    SamAccessFacts {
        objects,
        pre_windows_2000: sam.pre_windows_2000.clone(),
        connector_in_pre_windows_2000: principal.holds(&pre2000),
    }
}

/// "User cannot change password" is a deny for Everyone or SELF: a deny for the user's own SID or
/// a group is something else and is not reported as that checkbox.
fn denied_to_everyone_or_self(sd: &SecurityDescriptor, decision: RightDecision) -> Option<DecidingAce> {
    let ace = decision.deciding_ace.filter(|a| a.effect == Effect::Deny)?;
    let sid = sd.dacl.as_ref()?.aces.get(ace.index)?.sid.as_ref()?;
    (*sid == Sid::everyone() || *sid == Sid::principal_self()).then_some(ace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::contoso::{directory, CONNECTOR_SID, DOMAIN_SID};

    fn sd(sddl: &str) -> Option<Arc<[u8]>> {
        SecurityDescriptor::sddl_to_bytes(sddl, &DOMAIN_SID.parse().unwrap()).ok()
    }

    const RESET: &str = "00299570-246d-11d0-a768-00aa006e0529";
    const CHANGE: &str = "ab721a53-1e2f-11d0-9819-00aa0040529b";
    const USER_CLASS: &str = "bf967aba-0de6-11d0-a285-00aa003049e2";

    #[test]
    fn inherited_grant_and_explicit_deny_decide_with_their_ace() {
        let mut dir = directory();
        dir.domain.security_descriptor = sd("O:DAG:DAD:(OA;;CR;ccc2dc7d-a6ad-4a7a-8846-c04e3cc53501;;AU)");
        let mut u = dir.users[0].clone();
        u.security_descriptor = sd(&format!(
            "O:DAG:DAD:AI(OA;CIID;CR;{RESET};{USER_CLASS};{CONNECTOR_SID})(OA;CIID;WP;28630ebf-41d5-11d1-a9c1-0000f80367c1;{USER_CLASS};{CONNECTOR_SID})"
        ));
        let a = assess(&dir, &u);
        assert!(a.rights.reset_password.allowed);
        let ace = a.rights.reset_password.deciding_ace.clone().unwrap();
        assert!(ace.inherited && ace.index == 0 && ace.sddl.contains(RESET));
        assert!(a.rights.write_lockout_time.allowed);
        assert!(!a.rights.write_pwd_last_set.allowed);
        assert!(a.rights.unexpire_password.allowed);
        assert_eq!(a.user_gap, None);
        assert!(!a.inheritance.dacl_protected);

        u.security_descriptor = sd(&format!(
            "O:DAG:DAD:PAI(OD;;CR;{RESET};;{CONNECTOR_SID})(OA;CIID;CR;{RESET};{USER_CLASS};{CONNECTOR_SID})"
        ));
        let a = assess(&dir, &u);
        assert!(!a.rights.reset_password.allowed);
        assert_eq!(a.rights.reset_password.deciding_ace.unwrap().effect, Effect::Deny);
        assert!(a.inheritance.dacl_protected);
        assert_eq!(a.inheritance.blocked_at.as_deref(), Some(u.dn.as_str()));
    }

    #[test]
    fn cannot_change_password_only_for_everyone_or_self_denies() {
        let dir = directory();
        let mut u = dir.users[0].clone();
        u.security_descriptor = sd(&format!(
            "O:DAG:DAD:(OD;;CR;{CHANGE};;PS)(OD;;CR;{CHANGE};;WD)(OA;;CR;{CHANGE};;WD)"
        ));
        let a = assess(&dir, &u);
        assert!(a.cannot_change_password.unwrap().sddl.contains(";;PS)"));
        u.security_descriptor = sd(&format!("O:DAG:DAD:(OA;;CR;{CHANGE};;PS)(OA;;CR;{CHANGE};;WD)"));
        assert_eq!(assess(&dir, &u).cannot_change_password, None);
    }

    #[test]
    fn the_cache_gives_the_same_answers_and_reuses_identical_descriptors() {
        let mut dir = directory();
        dir.domain.security_descriptor = sd("O:DAG:DAD:(OA;;CR;ccc2dc7d-a6ad-4a7a-8846-c04e3cc53501;;AU)");
        let inheriting = sd(&format!(
            "O:DAG:DAD:AI(OA;CIID;CR;{RESET};{USER_CLASS};{CONNECTOR_SID})"
        ));
        let denied = sd(&format!(
            "O:DAG:DAD:PAI(OD;;CR;{RESET};;{CONNECTOR_SID})(OD;;CR;{CHANGE};;PS)"
        ));
        let mut cache = AccessCache::default();
        for (i, bytes) in [&inheriting, &denied, &inheriting, &None, &denied]
            .into_iter()
            .enumerate()
        {
            let mut u = dir.users[0].clone();
            // A copy with equal bytes but another allocation must hit the same entry.
            u.security_descriptor = bytes.as_deref().map(|b| Arc::from(b.to_vec()));
            u.dn = format!("CN=u{i},OU=Staff,DC=contoso,DC=test");
            assert_eq!(assess_cached(&dir, &u, &mut cache), assess(&dir, &u), "user {i}");
        }
        assert_eq!(cache.users.len(), 2);
    }

    #[test]
    fn sam_read_access_counts_pre_windows_2000_only_for_its_members() {
        use crate::directory::PreWindows2000;
        let mut dir = directory();
        assert_eq!(
            sam_access(&dir, dir.connector.account()),
            SamAccessFacts::default()
        );
        dir.sam.sam_server_descriptor = sd("O:DAG:DAD:(A;;RPLCLORC;;;RU)");
        dir.sam.builtin_descriptor = Some(Arc::from(&[1u8, 0, 4][..]));
        let group = |member| PreWindows2000 {
            dn: "CN=Pre-Windows 2000 Compatible Access,CN=Builtin,DC=contoso,DC=test".into(),
            authenticated_users_member: member,
        };
        dir.sam.pre_windows_2000 = Some(group(true));
        let a = sam_access(&dir, dir.connector.account());
        assert!(a.connector_in_pre_windows_2000);
        assert_eq!(a.objects[0].dn, "CN=Server,CN=System,DC=contoso,DC=test");
        let rights = a.objects[0].rights.as_ref().unwrap();
        assert!(rights.iter().all(|r| r.allowed), "{rights:?}");
        assert!(a.objects[1]
            .rights
            .as_ref()
            .unwrap_err()
            .contains("Builtin container's"));
        dir.sam.pre_windows_2000 = Some(group(false));
        let a = sam_access(&dir, dir.connector.account());
        assert!(!a.connector_in_pre_windows_2000);
        assert!(a.objects[0].rights.as_ref().unwrap().iter().all(|r| !r.allowed));
        // A connector that is a member through its own groups still gets the grant.
        let mut connector = dir.connector.account().cloned().unwrap();
        connector.token_groups.push("S-1-5-32-554".parse().unwrap());
        let a = sam_access(&dir, Some(&connector));
        assert!(a.connector_in_pre_windows_2000);
        assert!(a.objects[0].rights.as_ref().unwrap().iter().all(|r| r.allowed));
    }

    #[test]
    fn the_cloud_sync_gmsa_is_judged_by_its_own_sid_through_the_same_check() {
        use crate::directory::ConnectorAccount;
        let mut dir = directory();
        dir.domain.security_descriptor = sd("O:DAG:DAD:(OA;;CR;ccc2dc7d-a6ad-4a7a-8846-c04e3cc53501;;AU)");
        let gmsa = ConnectorAccount {
            dn: "CN=provAgentgMSA,CN=Managed Service Accounts,DC=contoso,DC=test".into(),
            sam_account_name: "provAgentgMSA$".into(),
            sid: format!("{DOMAIN_SID}-1130").parse().unwrap(),
            token_groups: vec![],
        };
        let mut u = dir.users[0].clone();
        u.security_descriptor = sd(&format!(
            "O:DAG:DAD:AI(OA;CIID;CR;{RESET};{USER_CLASS};{CONNECTOR_SID})"
        ));
        let mut cache = AccessCache::default();
        let a = assess_for(&dir, &u, Some(&gmsa), &mut cache);
        assert!(
            !a.rights.reset_password.allowed,
            "the Connect connector's grant is not the gMSA's"
        );
        assert!(a.rights.unexpire_password.allowed);
        assert!(assess(&dir, &u).rights.reset_password.allowed);
        u.security_descriptor = sd(&format!(
            "O:DAG:DAD:AI(OA;CIID;CR;{RESET};{USER_CLASS};{DOMAIN_SID}-1130)"
        ));
        assert!(
            assess_for(&dir, &u, Some(&gmsa), &mut cache)
                .rights
                .reset_password
                .allowed
        );
    }

    #[test]
    fn unread_descriptors_are_gaps() {
        let dir = directory();
        let mut u = dir.users[0].clone();
        u.security_descriptor = None;
        let a = assess(&dir, &u);
        assert!(a.user_gap.unwrap().contains("was not read"));
        assert!(a.domain_gap.unwrap().contains("domain root"));
        u.security_descriptor = Some(Arc::from(&[1u8, 0, 4][..]));
        assert!(assess(&dir, &u).user_gap.unwrap().contains("does not parse"));
    }
}
