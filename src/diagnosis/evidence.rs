//! The evidence a console shows beside the verdict, decided once with it: the user's DACL as rows
//! (trustees and object types named), the inheritance chain from the domain root down with the
//! level that blocks it, and the user's events in attempt order. Texts are as read from the
//! directory and the logs: whoever draws them cleans them (`sanitize`).

use std::fmt;
use std::sync::Arc;

use crate::ad::dn;
use crate::directory::{Directory, DirectoryUser};
use crate::events::Event;
use crate::security::descriptor::{AceType, SecurityDescriptor};
use crate::security::names::{guid_name, well_known_name};
use crate::security::sddl::rights_to_sddl;
use crate::security::{Guid, Sid};

use super::model::{Effect, InheritanceSection};

/// One ACE of the user's DACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AceEntry {
    /// Position in the DACL (what a `deciding_ace.index` refers to).
    pub index: usize,
    pub effect: Effect,
    pub inherited: bool,
    /// The directory's name for the trustee, a well-known name, else the SID string.
    pub trustee: String,
    pub rights: String,
    /// The object type GUID, by name when known ("Reset Password"), else the GUID; empty if none.
    pub object: String,
    pub inherited_object: String,
    pub sddl: String,
}

/// Why the user's DACL cannot be listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaclUnavailable {
    NotRead,
    Unreadable(String),
}

impl fmt::Display for DaclUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DaclUnavailable::NotRead => f.write_str("no security descriptor was read for this user"),
            DaclUnavailable::Unreadable(e) => write!(f, "unreadable security descriptor: {e}"),
        }
    }
}

/// The user's DACL, shared by the diagnoses of users that carry the same descriptor.
pub type Dacl = Arc<Result<Vec<AceEntry>, DaclUnavailable>>;

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

/// One event of the user's timeline with its attempt (numbered by first appearance of its
/// TrackingId; `None` for events without one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineEntry {
    /// Index into `Diagnosis::events`.
    pub event: usize,
    pub attempt: Option<usize>,
}

fn trustee_name(dir: &Directory, sid: &Sid) -> String {
    dir.names
        .get(sid)
        .cloned()
        .or_else(|| well_known_name(sid, Some(&dir.domain.sid)).map(str::to_string))
        .unwrap_or_else(|| sid.to_string())
}

fn guid_label(g: Option<&Guid>) -> String {
    g.map_or_else(String::new, |g| {
        guid_name(g).map_or_else(|| g.to_string(), str::to_string)
    })
}

/// A DACL that could not be parsed.
pub fn unreadable(e: &impl fmt::Display) -> Dacl {
    Arc::new(Err(DaclUnavailable::Unreadable(e.to_string())))
}

/// The entries of a parsed descriptor's DACL (empty when it has none).
pub fn aces(dir: &Directory, sd: &SecurityDescriptor) -> Dacl {
    let Some(acl) = sd.access_dacl() else {
        return Arc::new(Ok(Vec::new()));
    };
    Arc::new(Ok(acl
        .aces
        .iter()
        .enumerate()
        .map(|(index, ace)| AceEntry {
            index,
            effect: match ace.ace_type {
                AceType::AccessDenied | AceType::AccessDeniedObject => Effect::Deny,
                _ => Effect::Allow,
            },
            inherited: ace.is_inherited(),
            trustee: ace
                .sid
                .as_ref()
                .map_or_else(|| "?".to_string(), |s| trustee_name(dir, s)),
            rights: rights_to_sddl(ace.mask),
            object: guid_label(ace.object_type.as_ref()),
            inherited_object: guid_label(ace.inherited_object_type.as_ref()),
            sddl: ace.to_sddl(Some(&dir.domain.sid)),
        })
        .collect()))
}

/// From the domain root down to the user, each level marked as the diagnosis found it.
pub fn inheritance_chain(
    dir: &Directory,
    user: &DirectoryUser,
    found: &InheritanceSection,
) -> Vec<ChainLink> {
    let blocked_at = found.blocked_at.as_deref();
    let mut links: Vec<ChainLink> = dn::chain(&user.dn, &dir.domain.dn)
        .into_iter()
        .map(|level| {
            let inherits = if dn::same(level, &dir.domain.dn) {
                Inherits::Root
            } else if dn::same(level, &user.dn) {
                if found.dacl_protected {
                    Inherits::Protected
                } else {
                    Inherits::Yes
                }
            } else {
                match dir.containers.iter().find(|c| dn::same(&c.dn, level)) {
                    Some(c) if c.dacl_protected => Inherits::Protected,
                    Some(_) => Inherits::Yes,
                    None => Inherits::Unknown,
                }
            };
            ChainLink {
                dn: level.to_string(),
                inherits,
                blocks: blocked_at.is_some_and(|b| dn::same(b, level)),
            }
        })
        .collect();
    links.reverse();
    links
}

/// The events in attempt order: an attempt's events (one TrackingId) stay together at the place
/// its first event has in time; events without a TrackingId (the DCs' own) keep their place.
pub fn timeline(events: &[Event]) -> Vec<TimelineEntry> {
    // For each attempt: its TrackingId and the index of its first (oldest) event.
    let mut attempts: Vec<(&str, usize)> = Vec::new();
    let mut rows: Vec<(usize, TimelineEntry)> = events
        .iter()
        .enumerate()
        .map(|(i, e)| match e.fields.tracking_id.as_deref() {
            Some(t) => {
                let n = attempts.iter().position(|(a, _)| *a == t).unwrap_or_else(|| {
                    attempts.push((t, i));
                    attempts.len() - 1
                });
                let first = attempts[n].1;
                (
                    first,
                    TimelineEntry {
                        event: i,
                        attempt: Some(n + 1),
                    },
                )
            }
            None => (
                i,
                TimelineEntry {
                    event: i,
                    attempt: None,
                },
            ),
        })
        .collect();
    rows.sort_by_key(|(group_start, r)| (*group_start, r.event));
    rows.into_iter().map(|(_, r)| r).collect()
}
