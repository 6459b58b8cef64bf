//! What the rules read: the directory model and the user's events, decoded once at the evaluation
//! instant (account state, effective policy, effective rights, protected-group membership).
//! Rules never parse descriptors or raw attributes themselves, so each can be tested with
//! hand-built facts.

use chrono::{DateTime, Utc};

use super::account::AccountState;
use super::evidence::Dacl;
use super::model::{DecidingAce, EvaluatedAtSource, InheritanceSection, RightDecision, RightsSection};
use super::policy::EffectivePolicy;
use crate::ad::dn;
use crate::directory::{ConnectorAccount, ConnectorLookup, Directory, DirectoryUser, PreWindows2000};
use crate::events::correlate::{Attempt, Operation};
use crate::events::{Event, EventKind};
use crate::security::{names, Sid};

/// The connector account's and the user's access as the security descriptors decide it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessFacts {
    pub inheritance: InheritanceSection,
    pub rights: RightsSection,
    /// The deny ACE (Everyone or SELF) that decides the user's own Change Password right.
    pub cannot_change_password: Option<DecidingAce>,
    /// The user's DACL as the console lists it.
    pub dacl: Dacl,
    /// Why the rights on the user object could not be evaluated (descriptor not read, malformed,
    /// no connector); `None` when they were.
    pub user_gap: Option<String>,
    /// Why Unexpire Password on the domain root could not be evaluated.
    pub domain_gap: Option<String>,
}

/// The connector's read rights on one of the objects writeback's SAM calls read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectReadAccess {
    pub dn: String,
    /// List contents, Read all properties, Read permissions (`Right::READ`), or why the
    /// descriptor could not be evaluated.
    pub rights: Result<[RightDecision; 3], String>,
}

/// What the SAM calls need besides the user (field cause C4), decided for the connector. Only the
/// objects that were read are here; nothing read means nothing to say.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SamAccessFacts {
    /// samServer first, then Builtin, each when its descriptor was read.
    pub objects: Vec<ObjectReadAccess>,
    /// `None` when the group was not read.
    pub pre_windows_2000: Option<PreWindows2000>,
    /// Whether the connector counts as a member of Pre-Windows 2000 Compatible Access (through
    /// Authenticated Users, or its tokenGroups), so that group's grants were counted for it.
    pub connector_in_pre_windows_2000: bool,
}

#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub directory: &'a Directory,
    pub user: &'a DirectoryUser,
    /// The user's correlated events and the writeback service's own, oldest first.
    pub events: &'a [Event],
    /// What the Entra Connect server's writeback log covers (`correlate::connect_log_span`).
    pub connect_log: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The user's writeback attempts, grouped from `events` by the events module.
    pub attempts: Vec<Attempt>,
    pub at: DateTime<Utc>,
    pub at_source: EvaluatedAtSource,
    pub policy: EffectivePolicy,
    pub account: AccountState,
    pub access: AccessFacts,
    /// The Cloud Sync gMSA's access, decided like the Connect connector's; `None` without one.
    pub cloud_sync: Option<AccessFacts>,
    /// Read access on samServer and Builtin, and Pre-Windows 2000 membership.
    pub sam_access: SamAccessFacts,
    /// Display names of the protected groups (or protected built-in accounts) the user is.
    pub protected_groups: Vec<String>,
    /// Whether membership was checked transitively (tokenGroups read), not just memberOf.
    pub membership_transitive: bool,
}

impl Facts<'_> {
    pub fn connector(&self) -> Option<&ConnectorAccount> {
        self.directory.connector.account()
    }

    /// The account whose rights the report's `connector` and `rights` sections show: Entra
    /// Connect's when there is one, else (none found, not several) Cloud Sync's gMSA; with the
    /// access decided for it.
    pub fn reported_connector(&self) -> Option<(&ConnectorAccount, &AccessFacts)> {
        match (
            &self.directory.connector,
            &self.directory.cloud_sync,
            &self.cloud_sync,
        ) {
            (ConnectorLookup::Found(c), _, _) => Some((c, &self.access)),
            (ConnectorLookup::NotFound { .. }, Some(g), Some(access)) => Some((g, access)),
            _ => None,
        }
    }

    /// Whether Cloud Sync's gMSA is the only account that writes passwords back.
    pub fn cloud_sync_only(&self) -> bool {
        self.directory.cloud_sync.is_some()
            && matches!(self.directory.connector, ConnectorLookup::NotFound { .. })
    }

    /// The user's most recent writeback attempt.
    pub fn latest_attempt(&self) -> Option<&Attempt> {
        self.attempts.iter().max_by_key(|a| a.started)
    }

    /// Whether the most recent attempt was a password change (the user knew the old password),
    /// which lockout and "cannot change password" stop, unlike a reset.
    pub fn latest_is_change(&self) -> bool {
        self.latest_attempt()
            .is_some_and(|a| a.operation == Operation::Change)
    }
}

/// The user's attempt whose TrackingId `e` carries (service errors name no user, only that).
pub fn attempt_of<'a>(attempts: &'a [Attempt], e: &Event) -> Option<&'a Attempt> {
    let tid = e.fields.tracking_id.as_deref()?;
    attempts.iter().find(|a| {
        a.tracking_id
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(tid))
    })
}

/// The protected groups (AdminSDHolder) the user is in, by display name, and whether that was
/// checked transitively. tokenGroups gives nested membership; without it only memberOf's direct
/// groups can be matched, by the well-known names of the protected groups. The built-in
/// Administrator and krbtgt accounts are protected by themselves.
pub fn protected_membership(directory: &Directory, user: &DirectoryUser) -> (Vec<String>, bool) {
    let domain_sid = &directory.domain.sid;
    let mut found: Vec<String> = Vec::new();
    if let Some(sid) = user
        .object_sid
        .as_ref()
        .filter(|s| names::is_protected_account(s, domain_sid))
    {
        found.push(format!("{} (a protected account itself)", directory.name_of(sid)));
    }
    let Some(groups) = &user.token_groups else {
        let protected_names: Vec<&str> = names::PROTECTED_BUILTIN_RIDS
            .iter()
            .filter_map(|rid| builtin(*rid))
            .chain(
                names::PROTECTED_DOMAIN_RIDS
                    .iter()
                    .map(|rid| domain_sid.with_rid(*rid)),
            )
            .filter_map(|sid| names::well_known_name(&sid, Some(domain_sid)))
            .collect();
        found.extend(
            user.member_of
                .iter()
                .filter(|g| {
                    dn::rdns(g).first().is_some_and(|cn| {
                        protected_names
                            .iter()
                            .any(|p| dn::rdn_value(cn).eq_ignore_ascii_case(p))
                    })
                })
                .cloned(),
        );
        return (found, false);
    };
    found.extend(
        groups
            .iter()
            .filter(|g| names::is_protected_group(g, domain_sid))
            .map(|g| {
                names::well_known_name(g, Some(domain_sid))
                    .map_or_else(|| directory.name_of(g), str::to_string)
            }),
    );
    (found, true)
}

fn builtin(rid: u32) -> Option<Sid> {
    format!("S-1-5-32-{rid}").parse().ok()
}

/// The contract's evaluation instant: `--at`, else the latest failed writeback event, else now.
/// A failed event is the user's failure or sync-engine event, or a service error that carries
/// the TrackingId of one of the user's attempts.
pub fn evaluation_instant(
    requested: Option<DateTime<Utc>>,
    events: &[Event],
    attempts: &[Attempt],
    now: DateTime<Utc>,
) -> (DateTime<Utc>, EvaluatedAtSource) {
    if let Some(at) = requested {
        return (at, EvaluatedAtSource::Requested);
    }
    let latest_failed_attempt = events
        .iter()
        .filter(|e| match e.kind {
            EventKind::WritebackFailure | EventKind::SyncEngine => true,
            EventKind::WritebackServiceError => attempt_of(attempts, e).is_some(),
            _ => false,
        })
        .map(|e| e.time)
        .max();
    match latest_failed_attempt {
        Some(t) => (t, EvaluatedAtSource::LatestFailedAttempt),
        None => (now, EvaluatedAtSource::Now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::contoso::{directory, event, ts, user, DOMAIN_SID};

    #[test]
    fn protected_membership_from_token_groups_or_member_of() {
        let dir = directory();
        let mut u = user("bob");
        assert_eq!(protected_membership(&dir, &u), (vec![], true));
        u.token_groups = Some(vec![
            format!("{DOMAIN_SID}-513").parse().unwrap(),
            format!("{DOMAIN_SID}-512").parse().unwrap(),
        ]);
        let (groups, transitive) = protected_membership(&dir, &u);
        assert!(transitive);
        assert_eq!(groups, ["Domain Admins"]);
        u.token_groups = None;
        u.member_of = vec![
            "CN=Helpdesk,OU=Groups,DC=contoso,DC=test".into(),
            "CN=Account Operators,CN=Builtin,DC=contoso,DC=test".into(),
        ];
        assert_eq!(
            protected_membership(&dir, &u),
            (
                vec!["CN=Account Operators,CN=Builtin,DC=contoso,DC=test".to_string()],
                false
            )
        );
        u.member_of.clear();
        u.object_sid = Some(format!("{DOMAIN_SID}-500").parse().unwrap());
        assert_eq!(protected_membership(&dir, &u).0.len(), 1);
    }

    #[test]
    fn instant_prefers_at_then_failure_then_now() {
        let now = ts("2026-11-25T12:00:00Z");
        let evs = vec![
            event(33004, EventKind::WritebackFailure, "2026-11-24T08:00:00Z"),
            event(31002, EventKind::WritebackSuccess, "2026-11-24T09:00:00Z"),
            event(33008, EventKind::WritebackFailure, "2026-11-24T10:00:00Z"),
        ];
        assert_eq!(
            evaluation_instant(Some(now), &evs, &[], now),
            (now, EvaluatedAtSource::Requested)
        );
        assert_eq!(
            evaluation_instant(None, &evs, &[], now),
            (ts("2026-11-24T10:00:00Z"), EvaluatedAtSource::LatestFailedAttempt)
        );
        assert_eq!(
            evaluation_instant(None, &evs[1..2], &[], now),
            (now, EvaluatedAtSource::Now)
        );
    }
}
