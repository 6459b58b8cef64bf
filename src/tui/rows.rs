//! Which rows of the diagnosis' lists a console filter keeps: the DACL entries and the timeline
//! (both decided by the diagnosis), and the users to mark in the search list. `update` stores the
//! result in the list's state when the diagnosis arrives or the filter changes; views draw it.

use std::collections::HashSet;

use chrono::Duration;

use crate::diagnosis::correlation::user_key;
use crate::diagnosis::Diagnosis;
use crate::directory::Directory;
use crate::events::catalog;
use crate::events::Event;
use crate::security::access::Effect;

/// Whether a row passes a `/` filter: every word of the filter occurs in one of `fields`
/// (case-insensitive). An empty filter passes everything.
pub fn passes(filter: &str, fields: &[&str]) -> bool {
    filter.split_whitespace().all(|word| {
        let word = word.to_lowercase();
        fields.iter().any(|f| f.to_lowercase().contains(&word))
    })
}

/// The DACL entries (indexes into the diagnosis' DACL) that pass the Permissions filter.
pub fn filtered_dacl(d: &Diagnosis, filter: &str) -> Vec<usize> {
    let Ok(aces) = d.dacl.as_ref() else {
        return Vec::new();
    };
    aces.iter()
        .enumerate()
        .filter(|(_, r)| {
            let kind = match r.effect {
                Effect::Allow => "allow",
                Effect::Deny => "deny",
            };
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

/// The timeline entries (indexes into the diagnosis' timeline) that pass the Events filter: the
/// exact ID, or words in the name, machine, summary, provider.
pub fn filtered_timeline(d: &Diagnosis, filter: &str) -> Vec<usize> {
    // The summary is written for each event the filter reads: not at all for an empty one.
    let everything = filter.trim().is_empty();
    d.timeline
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            everything
                || d.events.get(r.event).is_some_and(|e| {
                    filter.trim() == e.event_id.to_string()
                        || passes(filter, &[e.name(), &e.machine, &e.summary(), &e.provider])
                })
        })
        .map(|(i, _)| i)
        .collect()
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
