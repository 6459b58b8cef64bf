//! `sam-server-not-readable` (field cause C4): writeback looks the user up with the legacy SAM
//! call (NetUserGetInfo), which needs read access (List contents, Read all properties, Read
//! permissions) on the samServer object `CN=Server,CN=System,<domain>` and on `CN=Builtin`, for
//! the connector through Authenticated Users or Pre-Windows 2000 Compatible Access; and
//! Authenticated Users must be a member of that group. Without it the reset fails with access
//! denied however good the ACLs on the user are. Objects that were not read are not judged.

use super::ace_line;
use crate::diagnosis::facts::{Facts, ObjectReadAccess};
use crate::diagnosis::fix::{cmd_quote, ps, Names};
use crate::diagnosis::model::{denied_by, Finding, Severity};
use crate::diagnosis::FindingCode;
use crate::directory::model::{authenticated_users_fsp_dn, sam_server_dn};
use crate::security::access::Right;

pub const CODE: FindingCode = FindingCode::SamServerNotReadable;

pub fn check(f: &Facts) -> Vec<Finding> {
    if f.connector().is_none() {
        return vec![];
    }
    let sam = &f.sam_access;
    let n = Names::of(f);
    let outside_group = sam
        .pre_windows_2000
        .as_ref()
        .filter(|g| !g.authenticated_users_member);
    let unreadable: Vec<&ObjectReadAccess> = sam
        .objects
        .iter()
        .filter(|o| o.rights.as_ref().is_ok_and(|r| r.iter().any(|d| !d.allowed)))
        .collect();
    if outside_group.is_none() && unreadable.is_empty() {
        return vec![];
    }
    let mut out = Finding::new(
        CODE,
        Severity::Blocker,
        "The connector cannot read the domain's SAM objects the password reset looks the user up through",
    )
    .detail(
        "Writeback looks the user up with the legacy SAM call NetUserGetInfo before it sets the password. That \
         needs List contents, Read all properties and Read permissions on the samServer object \
         (CN=Server,CN=System) and on CN=Builtin, granted by default to Authenticated Users and Pre-Windows \
         2000 Compatible Access, and Authenticated Users must be a member of Pre-Windows 2000 Compatible \
         Access. Without it the reset fails with access denied (33004, 6329 \"Failed to acquire user \
         information\") even when the user's own ACL is right.",
    );
    if let Some(group) = outside_group {
        out = out.evidence(format!(
            "{}: Authenticated Users ({}) is not a member",
            group.dn,
            authenticated_users_fsp_dn(&n.domain_dn)
        ));
    }
    for object in &unreadable {
        out = read_evidence(out, f, object);
    }
    if let Some(group) = outside_group {
        out = out
            .note("Put Authenticated Users back into Pre-Windows 2000 Compatible Access (on a domain controller):")
            .fix(format!(
                "Set-ADGroup -Identity {} -Add @{{member={}}}",
                ps(&group.dn),
                ps(&authenticated_users_fsp_dn(&n.domain_dn))
            ));
    }
    for object in &unreadable {
        out = read_fix(out, object);
    }
    vec![out
        .note("Check afterwards:")
        .fix(Names::show_acl(&sam_server_dn(&n.domain_dn)))]
}

fn read_evidence(mut out: Finding, f: &Facts, object: &ObjectReadAccess) -> Finding {
    let Ok(rights) = &object.rights else {
        return out;
    };
    let missing: Vec<&str> = Right::READ
        .iter()
        .zip(rights)
        .filter(|(_, d)| !d.allowed)
        .map(|(r, _)| r.label())
        .collect();
    out = out.evidence(format!(
        "connector {} on {}: no {}{}",
        Names::of(f).connector_principal(),
        object.dn,
        missing.join(", "),
        if f.sam_access.connector_in_pre_windows_2000 {
            ""
        } else {
            " (grants to Pre-Windows 2000 Compatible Access do not count: the connector is not a member)"
        }
    ));
    for (right, d) in Right::READ.iter().zip(rights) {
        if let Some(ace) = denied_by(d) {
            out = out.evidence(ace_line(&format!("deciding ACE for {}", right.label()), ace));
        }
    }
    out
}

/// The default grant, restored for Authenticated Users; a deny that decides must go first.
fn read_fix(out: Finding, object: &ObjectReadAccess) -> Finding {
    let denied = object
        .rights
        .as_ref()
        .ok()
        .and_then(|r| r.iter().find_map(denied_by));
    let out = match denied {
        Some(ace) => super::rights::remove_deny(out, &object.dn, ace),
        None => out,
    };
    out.note(format!(
        "Give Authenticated Users read access to {} again:",
        object.dn
    ))
    .fix(format!(
        "dsacls {} /G {}",
        cmd_quote(&object.dn),
        cmd_quote("NT AUTHORITY\\Authenticated Users:LCRPRC")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::facts::SamAccessFacts;
    use crate::diagnosis::model::{not_granted, DecidingAce, Effect, RightDecision};
    use crate::diagnosis::rules::codes;
    use crate::directory::{ConnectorLookup, PreWindows2000};
    use crate::testkit::contoso::{directory, facts, inherited_allow};

    const AT: &str = "2026-11-24T08:00:00Z";
    const SAM_SERVER: &str = "CN=Server,CN=System,DC=contoso,DC=test";
    const GROUP: &str = "CN=Pre-Windows 2000 Compatible Access,CN=Builtin,DC=contoso,DC=test";

    fn granted() -> [RightDecision; 3] {
        [(); 3].map(|_| inherited_allow("(A;;RPLCLORC;;;AU)"))
    }

    fn sam(member: bool, rights: [RightDecision; 3]) -> SamAccessFacts {
        SamAccessFacts {
            objects: vec![ObjectReadAccess {
                dn: SAM_SERVER.into(),
                rights: Ok(rights),
            }],
            pre_windows_2000: Some(PreWindows2000 {
                dn: GROUP.into(),
                authenticated_users_member: member,
            }),
            connector_in_pre_windows_2000: member,
        }
    }

    #[test]
    fn default_access_and_nothing_read_are_silent() {
        let dir = directory();
        let mut f = facts(&dir, &[], AT);
        assert!(check(&f).is_empty());
        f.sam_access = sam(true, granted());
        assert!(check(&f).is_empty());
        // A descriptor that did not parse is an evaluation gap, not a missing right.
        f.sam_access.objects[0].rights = Err("does not parse".into());
        assert!(check(&f).is_empty());
    }

    #[test]
    fn authenticated_users_outside_pre_windows_2000_blocks_with_the_group_fix() {
        let dir = directory();
        let mut f = facts(&dir, &[], AT);
        f.sam_access = sam(false, granted());
        let out = check(&f);
        assert_eq!(codes(&out), [CODE]);
        assert_eq!(out[0].severity, Severity::Blocker);
        assert!(out[0].evidence[0].contains("Authenticated Users (CN=S-1-5-11,CN=ForeignSecurityPrincipals"));
        assert!(out[0].remediation.contains(&format!(
            "Set-ADGroup -Identity '{GROUP}' -Add @{{member='CN=S-1-5-11,CN=ForeignSecurityPrincipals,DC=contoso,DC=test'}}"
        )));
    }

    #[test]
    fn missing_read_rights_are_named_and_a_deny_is_removed_first() {
        let dir = directory();
        let mut f = facts(&dir, &[], AT);
        let mut rights = granted();
        rights[1] = not_granted();
        f.sam_access = sam(true, rights.clone());
        let out = check(&f);
        assert_eq!(codes(&out), [CODE]);
        assert_eq!(
            out[0].evidence,
            [format!(
                "connector CONTOSO\\MSOL_abc123 on {SAM_SERVER}: no Read all properties"
            )]
        );
        assert!(out[0].remediation.contains(&format!(
            "dsacls \"{SAM_SERVER}\" /G \"NT AUTHORITY\\Authenticated Users:LCRPRC\""
        )));
        assert!(!out[0].remediation.iter().any(|r| r.contains("Set-ADGroup")));

        rights[2] = RightDecision {
            allowed: false,
            deciding_ace: Some(DecidingAce {
                sddl: "(D;;RC;;;WD)".into(),
                index: 0,
                inherited: false,
                trustee: "Everyone".into(),
                effect: Effect::Deny,
            }),
        };
        f.sam_access = sam(false, rights);
        let out = check(&f);
        assert!(out[0]
            .evidence
            .iter()
            .any(|e| e.contains("deciding ACE for Read permissions: deny ACE #0")));
        assert!(out[0]
            .evidence
            .iter()
            .any(|e| e.contains("do not count: the connector is not a member")));
        assert!(out[0]
            .remediation
            .iter()
            .any(|r| r.contains("RemoveAccessRuleSpecific")));
    }

    #[test]
    fn no_connector_is_left_to_connector_not_found() {
        let mut dir = directory();
        dir.connector = ConnectorLookup::NotFound {
            wanted: "MSOL_*".into(),
        };
        let mut f = facts(&dir, &[], AT);
        f.sam_access = sam(false, granted());
        assert!(check(&f).is_empty());
    }
}
