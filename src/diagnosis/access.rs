//! The connector's effective rights on one user (and Unexpire Password on the domain root), where
//! inheritance stops, and the user's own "cannot change password" deny, all decided by the
//! security module's access check on the stored descriptors. Descriptors that were not read or do
//! not parse become evaluation gaps, never "no rights".

use super::facts::AccessFacts;
use super::model::{not_granted, DecidingAce, Effect, InheritanceSection, RightDecision, RightsSection};
use crate::directory::{blocked_at, Directory, DirectoryUser};
use crate::security::access::{check, Principal, Right};
use crate::security::{names, SecurityDescriptor, Sid};

pub fn assess(directory: &Directory, user: &DirectoryUser) -> AccessFacts {
    let domain_sid = Some(&directory.domain.sid);
    let trustee = |sid: &Sid| match directory.names.get(sid) {
        Some(name) => name.clone(),
        None => names::well_known_name(sid, domain_sid).map_or_else(|| sid.to_string(), str::to_string),
    };
    let parsed = |bytes: Option<&[u8]>, what: &str| match bytes {
        None => Err(format!(
            "the {what} nTSecurityDescriptor was not read (can the bind account read it?)"
        )),
        Some(b) => SecurityDescriptor::parse(b)
            .map_err(|e| format!("the {what} nTSecurityDescriptor does not parse: {e}")),
    };
    let user_sd = parsed(user.security_descriptor.as_deref(), "user's");
    let domain_sd = parsed(directory.domain.security_descriptor.as_deref(), "domain root's");
    let connector = directory
        .connector
        .account()
        .map(|c| Principal::account(&c.sid, &c.token_groups, false));

    let decide = |sd: &Result<SecurityDescriptor, String>, right| match (sd, &connector) {
        (Ok(sd), Some(p)) => check(sd, p, right, domain_sid, &trustee),
        _ => not_granted(),
    };
    let rights = RightsSection {
        reset_password: decide(&user_sd, Right::ResetPassword),
        change_password: decide(&user_sd, Right::ChangePassword),
        write_lockout_time: decide(&user_sd, Right::WriteLockoutTime),
        write_pwd_last_set: decide(&user_sd, Right::WritePwdLastSet),
        unexpire_password: decide(&domain_sd, Right::UnexpirePassword),
    };
    let cannot_change_password = match (&user_sd, &user.object_sid) {
        (Ok(sd), Some(sid)) => {
            let me = Principal::account(sid, user.token_groups.as_deref().unwrap_or_default(), true);
            denied_to_everyone_or_self(sd, check(sd, &me, Right::ChangePassword, domain_sid, &trustee))
        }
        _ => None,
    };
    AccessFacts {
        inheritance: InheritanceSection {
            dacl_protected: user_sd.as_ref().is_ok_and(SecurityDescriptor::dacl_protected),
            blocked_at: blocked_at(directory, user),
        },
        rights,
        cannot_change_password,
        user_gap: user_sd.err(),
        domain_gap: domain_sd.err(),
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
    use std::sync::Arc;

    use super::*;
    use crate::diagnosis::testing::{directory, CONNECTOR_SID, DOMAIN_SID};

    fn sd(sddl: &str) -> Option<Arc<[u8]>> {
        let domain: Sid = DOMAIN_SID.parse().unwrap();
        Some(Arc::from(
            SecurityDescriptor::from_sddl(sddl, Some(&domain))
                .unwrap()
                .to_bytes(),
        ))
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
