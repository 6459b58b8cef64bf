//! The rows behind the user view's lists, computed from the model and the diagnosis without any
//! drawing: the user's DACL (trustees and GUIDs resolved, deciding ACEs marked), the inheritance
//! chain from the domain root down to the user with the blocking point, and the user's events
//! grouped by attempt. `update` uses them for list lengths, the views for the cells, so both agree.

use std::collections::HashSet;

use chrono::Duration;

use crate::ad::dn;
use crate::diagnosis::correlation::user_key;
use crate::diagnosis::Diagnosis;
use crate::directory::{Directory, DirectoryUser};
use crate::events::catalog;
use crate::events::Event;
use crate::security::descriptor::{AceType, SecurityDescriptor};
use crate::security::names::{guid_name, well_known_name};
use crate::security::sddl::rights_to_sddl;
use crate::security::{Guid, Sid};

/// One ACE of the user's DACL, ready for a table row. Text fields are sanitized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AceRow {
    /// Position in the DACL (what the diagnosis' `deciding_ace.index` refers to).
    pub index: usize,
    pub allow: bool,
    pub inherited: bool,
    pub trustee: String,
    pub rights: String,
    /// The object type GUID, by name when known ("Reset Password"), else the GUID; empty if none.
    pub object: String,
    pub inherited_object: String,
    pub sddl: String,
    /// Which of the five writeback rights this ACE decided, by name.
    pub decides: Vec<&'static str>,
}

/// A display name for `sid`: the directory's name, a well-known name, else the SID string.
pub fn trustee_name(dir: &Directory, sid: &Sid) -> String {
    let name = dir
        .names
        .get(sid)
        .cloned()
        .or_else(|| well_known_name(sid, Some(&dir.domain.sid)).map(str::to_string))
        .unwrap_or_else(|| sid.to_string());
    crate::sanitize::line(&name)
}

fn guid_label(g: Option<&Guid>) -> String {
    g.map_or_else(String::new, |g| {
        guid_name(g).map_or_else(|| g.to_string(), str::to_string)
    })
}

/// The rights whose deciding ACE is `index` on the user object (Unexpire Password is decided on
/// the domain root, so it never points into the user's DACL).
fn decided_by(diag: Option<&Diagnosis>, index: usize) -> Vec<&'static str> {
    let Some(d) = diag else { return Vec::new() };
    crate::report::rights_rows(&d.rights)
        .into_iter()
        .take(4)
        .filter(|(_, check)| check.deciding_ace.as_ref().is_some_and(|a| a.index == index))
        .map(|(name, _)| name)
        .collect()
}

/// The user's DACL as rows, or why it cannot be shown.
pub fn dacl_rows(
    dir: &Directory,
    user: &DirectoryUser,
    diag: Option<&Diagnosis>,
) -> Result<Vec<AceRow>, String> {
    let bytes = user
        .security_descriptor
        .as_deref()
        .ok_or("no security descriptor was read for this user")?;
    let sd = SecurityDescriptor::parse(bytes).map_err(|e| format!("unreadable security descriptor: {e}"))?;
    let Some(acl) = sd.access_dacl() else {
        return Ok(Vec::new());
    };
    Ok(acl
        .aces
        .iter()
        .enumerate()
        .map(|(index, ace)| AceRow {
            index,
            allow: !matches!(ace.ace_type, AceType::AccessDenied | AceType::AccessDeniedObject),
            inherited: ace.is_inherited(),
            trustee: ace
                .sid
                .as_ref()
                .map_or_else(|| "?".to_string(), |s| trustee_name(dir, s)),
            rights: rights_to_sddl(ace.mask),
            object: guid_label(ace.object_type.as_ref()),
            inherited_object: guid_label(ace.inherited_object_type.as_ref()),
            sddl: crate::sanitize::line(&ace.to_sddl(Some(&dir.domain.sid))),
            decides: decided_by(diag, index),
        })
        .collect())
}

/// Whether a row passes a `/` filter: every word of the filter occurs in one of `fields`
/// (case-insensitive). An empty filter passes everything.
pub fn passes(filter: &str, fields: &[&str]) -> bool {
    filter.split_whitespace().all(|word| {
        let word = word.to_lowercase();
        fields.iter().any(|f| f.to_lowercase().contains(&word))
    })
}

/// DACL rows after the Permissions filter.
pub fn filtered_dacl(rows: &[AceRow], filter: &str) -> Vec<usize> {
    rows.iter()
        .enumerate()
        .filter(|(_, r)| {
            let kind = if r.allow { "allow" } else { "deny" };
            let origin = if r.inherited { "inherited" } else { "explicit" };
            passes(
                filter,
                &[
                    &r.trustee,
                    &r.rights,
                    &r.object,
                    &r.inherited_object,
                    kind,
                    origin,
                    &r.sddl,
                ],
            )
        })
        .map(|(i, _)| i)
        .collect()
}

/// Whether a level of the chain lets ACEs from above through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inherits {
    /// The domain root: where the writeback ACEs are normally granted.
    Root,
    Yes,
    /// SE_DACL_PROTECTED: ACEs from above stop here.
    Protected,
    /// A container the directory source did not return.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    pub dn: String,
    pub inherits: Inherits,
    /// The diagnosis names this level as where inheritance is blocked.
    pub blocks: bool,
}

/// From the domain root down to the user.
pub fn inheritance_chain(dir: &Directory, user: &DirectoryUser, diag: Option<&Diagnosis>) -> Vec<ChainLink> {
    let blocked_at = diag.and_then(|d| d.inheritance.blocked_at.as_deref());
    let user_protected = diag.map(|d| d.inheritance.dacl_protected).or_else(|| {
        let sd = SecurityDescriptor::parse(user.security_descriptor.as_deref()?).ok()?;
        Some(sd.dacl_protected())
    });
    let mut links: Vec<ChainLink> = dn::chain(&user.dn, &dir.domain.dn)
        .into_iter()
        .map(|level| {
            let inherits = if dn::same(level, &dir.domain.dn) {
                Inherits::Root
            } else if dn::same(level, &user.dn) {
                match user_protected {
                    Some(true) => Inherits::Protected,
                    Some(false) => Inherits::Yes,
                    None => Inherits::Unknown,
                }
            } else {
                match dir.containers.iter().find(|c| dn::same(&c.dn, level)) {
                    Some(c) if c.dacl_protected => Inherits::Protected,
                    Some(_) => Inherits::Yes,
                    None => Inherits::Unknown,
                }
            };
            ChainLink {
                dn: crate::sanitize::line(level),
                inherits,
                blocks: blocked_at.is_some_and(|b| dn::same(b, level)),
            }
        })
        .collect();
    links.reverse();
    links
}

/// One event of the user's timeline, with the attempt it belongs to (numbered by first
/// appearance of its TrackingId; `None` for events without one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRow {
    /// Index into `Diagnosis::events`.
    pub event: usize,
    pub attempt: Option<usize>,
}

/// The user's events grouped by attempt: an attempt's events (one TrackingId) stay together at the
/// place its first event has in time; events without a TrackingId (the DCs' own) keep their place
/// in time. Then the Events filter (the exact ID, or words in the name, machine, summary, provider).
pub fn event_rows(diag: &Diagnosis, filter: &str) -> Vec<EventRow> {
    // For each attempt: its number and the index of its first (oldest) event.
    let mut attempts: Vec<(&str, usize)> = Vec::new();
    let mut rows: Vec<(usize, EventRow)> = diag
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| match e.tracking_id.as_deref() {
            Some(t) => {
                let n = match attempts.iter().position(|(a, _)| *a == t) {
                    Some(p) => p,
                    None => {
                        attempts.push((t, i));
                        attempts.len() - 1
                    }
                };
                let first = attempts.get(n).map_or(i, |(_, f)| *f);
                (
                    first,
                    EventRow {
                        event: i,
                        attempt: Some(n + 1),
                    },
                )
            }
            None => (
                i,
                EventRow {
                    event: i,
                    attempt: None,
                },
            ),
        })
        .filter(|(_, r)| {
            diag.events.get(r.event).is_some_and(|e| {
                let id = e.event_id.to_string();
                filter.trim() == id || passes(filter, &[e.name, &e.machine, &e.summary, &e.provider])
            })
        })
        .collect();
    rows.sort_by_key(|(group_start, r)| (*group_start, r.event));
    rows.into_iter().map(|(_, r)| r).collect()
}

/// How far before the newest event read a failure still counts as recent. Measured from the
/// logs, not the clock, so an export examined a week later marks the same users.
pub const RECENT: i64 = 7;

/// The users (indexes into `dir.users`) with a writeback failure in the last `RECENT` days of
/// the logs. Failures are few, so each is matched against every user rather than the reverse.
pub fn users_with_recent_failures(dir: &Directory, events: &[Event]) -> HashSet<usize> {
    let Some(newest) = events.iter().map(|e| e.time).max() else {
        return HashSet::new();
    };
    let since = newest - Duration::days(RECENT);
    let failures: Vec<&Event> = events
        .iter()
        .filter(|e| {
            e.time >= since && catalog::lookup(&e.provider, e.event_id).is_some_and(|c| c.is_failure())
        })
        .collect();
    if failures.is_empty() {
        return HashSet::new();
    }
    dir.users
        .iter()
        .enumerate()
        .filter(|(_, u)| {
            let key = user_key(u);
            failures.iter().any(|e| key.matches(e))
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_words_must_all_match_somewhere() {
        assert!(passes("", &["x"]));
        assert!(passes("msol reset", &["CONTOSO\\MSOL_1", "Reset Password"]));
        assert!(!passes("msol deny", &["CONTOSO\\MSOL_1", "allow"]));
    }
}
