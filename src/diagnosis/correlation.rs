//! What the event correlation is told about the directory: a user's identifiers and the
//! connector account. Events know nothing of the directory's model; the diagnosis (and the views
//! and commands that match events to a directory user) hand them these.

use crate::directory::{Directory, DirectoryUser};
use crate::events::correlate::{CorrelationSettings, UserIdentity, UserKey};

/// The key that finds `user`'s events: every identifier the directory read, anchors included.
pub fn user_key(user: &DirectoryUser) -> UserKey {
    UserKey::from_identity(&UserIdentity {
        dn: user.dn.clone(),
        sam_account_name: user.sam_account_name.clone(),
        user_principal_name: user.user_principal_name.clone(),
        object_sid: user.object_sid.clone(),
        object_guid: user.object_guid,
        consistency_guid: user.consistency_guid,
    })
}

/// The default windows, with the connector account `dir` found (to tell its resets from other
/// people's).
pub fn correlation_settings(dir: &Directory) -> CorrelationSettings {
    let connector = dir.connector.account();
    CorrelationSettings {
        connector_sam: connector.map(|c| c.sam_account_name.clone()),
        connector_sid: connector.map(|c| c.sid.clone()),
        ..CorrelationSettings::default()
    }
}
