//! `evaluation-gap` (a code of resetlens's own, documented in the README's table of findings):
//! something the diagnosis needed could not be read, so the rules that depend on it stayed silent. Said out loud
//! so silence is never mistaken for "fine".

use crate::diagnosis::facts::Facts;
use crate::diagnosis::model::{Finding, Severity};
use crate::diagnosis::FindingCode;

pub fn check(f: &Facts) -> Vec<Finding> {
    let sam_gaps = f.sam_access.objects.iter().filter_map(|o| {
        o.rights
            .as_ref()
            .err()
            .map(|g| format!("read access on {}: {g}", o.dn))
    });
    let gaps: Vec<String> = [
        f.access
            .user_gap
            .as_ref()
            .map(|g| format!("rights on the user: {g}")),
        f.access
            .domain_gap
            .as_ref()
            .map(|g| format!("Unexpire Password on the domain root: {g}")),
        f.policy.unresolved_pso.as_ref().map(|dn| {
            format!("msDS-ResultantPSO names {dn}, which was not read; the domain policy was used instead")
        }),
    ]
    .into_iter()
    .flatten()
    .chain(sam_gaps)
    .collect();
    if gaps.is_empty() {
        return vec![];
    }
    let mut finding = Finding::new(
        FindingCode::EvaluationGap,
        Severity::Warning,
        "Part of the diagnosis could not be evaluated",
    )
    .detail(
        "resetlens could not read everything it checks; the findings that depend on the missing data are \
         absent, not passed.",
    );
    for g in gaps {
        finding = finding.evidence(g);
    }
    vec![finding.note(
        "Give the bind account read access to nTSecurityDescriptor (owner, group, DACL) of users, OUs and the \
         domain root, and to Password Settings objects, then run again",
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::rules::codes;
    use crate::testkit::contoso::{directory, facts};

    #[test]
    fn gaps_are_reported_and_absent_gaps_are_silent() {
        let dir = directory();
        let mut f = facts(&dir, &[], "2026-11-24T08:00:00Z");
        assert!(check(&f).is_empty());
        f.access.user_gap = Some("nTSecurityDescriptor was not returned".into());
        let out = check(&f);
        assert_eq!(codes(&out), [FindingCode::EvaluationGap]);
        assert!(out[0].evidence[0].contains("was not returned"));
        f.access.user_gap = None;
        f.sam_access
            .objects
            .push(crate::diagnosis::facts::ObjectReadAccess {
                dn: "CN=Server,CN=System,DC=contoso,DC=test".into(),
                rights: Err("the samServer object's nTSecurityDescriptor does not parse: truncated".into()),
            });
        let out = check(&f);
        assert_eq!(
            out[0].evidence,
            ["read access on CN=Server,CN=System,DC=contoso,DC=test: the samServer object's nTSecurityDescriptor does not parse: truncated"]
        );
    }
}
