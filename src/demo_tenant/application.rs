//! Application-log records of the Entra Connect server AADC01: the PasswordResetService, ADSync
//! and Directory Synchronization sources (classic event sources), with message texts in the shapes
//! real servers write (field-causes.md section 2: the start, success and failure layouts, the 6329
//! blocks, 405, 611, 657). Invented where no public sample exists, and said so below: the change
//! operation's words (by analogy with the reset's), the 405 wording around its two values, and
//! the heartbeat and outage texts.

use base64::Engine;
use chrono::{DateTime, Utc};

use super::DNS_NAME;
use crate::directory::DirectoryUser;
use crate::evtx_writer::Record;
use crate::security::Guid;

pub const PASSWORD_RESET_SERVICE: &str = "PasswordResetService";
pub const ADSYNC: &str = "ADSync";
pub const DIRECTORY_SYNCHRONIZATION: &str = "Directory Synchronization";

const EXCEPTION: &str =
    "Microsoft.CredentialManagement.OnPremisesPasswordReset.Shared.PasswordResetException";
pub const POLICY_RESTRICTION: &str =
    "A restriction prevents the password from being changed to the current one specified.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error = 2,
    Warning = 3,
    Information = 4,
}

/// A record of the tenant's Connect server.
pub fn record(time: DateTime<Utc>, source: &str, event_id: u16, level: Level, text: String) -> Record {
    Record::classic(
        format!("AADC01.{DNS_NAME}"),
        time,
        source,
        event_id,
        level as u8,
        text,
    )
}

/// The base64 source anchor Connect logs: the anchor GUID's bytes in AD order.
pub fn anchor(guid: &Guid) -> String {
    base64::engine::general_purpose::STANDARD.encode(guid.to_bytes())
}

/// The user's source anchor: ms-DS-ConsistencyGuid, else objectGUID.
pub fn user_anchor(user: &DirectoryUser) -> String {
    user.consistency_guid
        .or(user.object_guid)
        .map(|g| anchor(&g))
        .unwrap_or_default()
}

fn upn(user: &DirectoryUser) -> &str {
    user.user_principal_name
        .as_deref()
        .unwrap_or(&user.sam_account_name)
}

/// The kind of cloud-originated operation, which picks the start/success/fail event triple.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Self-service reset (31001 / 31002 / 31003).
    Reset,
    /// Self-service change, old password known (31006 / 31007 / 31008).
    Change,
}

impl Operation {
    /// The event IDs and the operation words the service logs (a reset's start says
    /// `PasswordResetRequestStart`, not the documented name; a change's words are by analogy).
    fn ids(self) -> [(u16, &'static str); 3] {
        match self {
            Operation::Reset => [
                (31001, "PasswordResetRequestStart"),
                (31002, "PasswordResetSuccess"),
                (31003, "PasswordResetFail"),
            ],
            Operation::Change => [
                (31006, "ChangePasswordRequestStart"),
                (31007, "ChangePasswordSuccess"),
                (31008, "ChangePasswordFail"),
            ],
        }
    }
}

/// One writeback attempt as the service logs it.
pub struct Attempt<'a> {
    pub tracking_id: String,
    pub cloud_anchor: String,
    pub user: &'a DirectoryUser,
    /// The anchor the cloud sends; normally the user's, different when the cloud object is stale.
    pub source_anchor: String,
    pub operation: Operation,
    /// The cloud UPN the service logs, when the tenant's differs from AD's (an unverified UPN
    /// suffix: `user@tenant.onmicrosoft.com`); `None` logs AD's.
    pub cloud_upn: Option<String>,
}

impl Attempt<'_> {
    fn upn(&self) -> &str {
        self.cloud_upn.as_deref().unwrap_or_else(|| upn(self.user))
    }

    pub fn start(&self, time: DateTime<Utc>) -> Record {
        let (id, name) = self.operation.ids()[0];
        let text = format!(
            "TrackingId: {}, {name}, Details: {}",
            self.tracking_id,
            self.upn()
        );
        record(time, PASSWORD_RESET_SERVICE, id, Level::Information, text)
    }

    /// The success layout as posted: the context, then the UPN, then `unblockUser`.
    pub fn success(&self, time: DateTime<Utc>, unblock_user: bool) -> Record {
        let (id, name) = self.operation.ids()[1];
        let text = format!(
            "TrackingId: {}, {name}, Details: {}, UserPrincipalName: {}, unblockUser: {}",
            self.tracking_id,
            self.context(),
            self.upn(),
            if unblock_user { "True" } else { "False" }
        );
        record(time, PASSWORD_RESET_SERVICE, id, Level::Information, text)
    }

    /// The operation's fail event (31003 / 31008) with the exception text of `cause`.
    pub fn fail(&self, time: DateTime<Utc>, cause: &str) -> Record {
        let (id, name) = self.operation.ids()[2];
        record(
            time,
            PASSWORD_RESET_SERVICE,
            id,
            Level::Error,
            self.error_text(name, cause),
        )
    }

    /// A 33xxx (AD error) or 32xxx (service error) event about this attempt.
    pub fn error(&self, time: DateTime<Utc>, event_id: u16, name: &str, cause: &str) -> Record {
        record(
            time,
            PASSWORD_RESET_SERVICE,
            event_id,
            Level::Error,
            self.error_text(name, cause),
        )
    }

    /// The failure layout as posted: no operation word, `Reason:` first, the context before the
    /// UPN, `Details:` last with the exception and its stack on lines of their own. `_name` is the
    /// documented name, which the text does not carry.
    fn error_text(&self, _name: &str, cause: &str) -> String {
        let op = match self.operation {
            Operation::Reset => "ResetPassword(String cloudAnchor, String sourceAnchor, String newPassword)",
            Operation::Change => "ChangePassword(String cloudAnchor, String sourceAnchor, String oldPassword, String newPassword)",
        };
        format!(
            "TrackingId: {}, Reason: {cause}, {}, UserPrincipalName: {}, Details: {EXCEPTION}: {cause}\r\n   \
             at AADPasswordReset.SynchronizationEngineManagedHandle.ThrowSyncEngineError(Int32 hr)\r\n   \
             at AADPasswordReset.SynchronizationEngineManagedHandle.{op}\r\n   \
             at Microsoft.CredentialManagement.OnPremisesPasswordReset.PasswordResetCredentialManager.{}(String encryptedRequestString, String publicKeyEncryptedSymmetricKey, String publicKeyEncryptedSymmetricIV)",
            self.tracking_id,
            self.context(),
            self.upn(),
            match self.operation {
                Operation::Reset => "ResetPassword",
                Operation::Change => "ChangePassword",
            }
        )
    }

    fn context(&self) -> String {
        format!(
            "Context: cloudAnchor: {}, SourceAnchorValue: {}",
            self.cloud_anchor, self.source_anchor
        )
    }
}

/// The sync engine's own error text for an HRESULT.
pub fn engine_error(hr: u32, message: &str) -> String {
    format!("Synchronization Engine returned an error hr={hr:08X}, message={message}")
}

/// The build line ADSync ends a 6329 with.
const BUILD: &str = "Azure AD Sync 2.1.20.0";

/// ADSync 6329 in the shape posted: the fixed first line, then the quoted block.
fn adsync_6329(time: DateTime<Utc>, block: &str) -> Record {
    let text = format!(
        "An unexpected error has occurred during a password set operation.\r\n\"{block}\r\n{BUILD}\""
    );
    record(time, ADSYNC, 6329, Level::Error, text)
}

/// 6329: the export of a password to AD bailed out with `hr`.
pub fn adsync_bail(time: DateTime<Utc>, hr: u32, message: &str) -> Record {
    adsync_6329(
        time,
        &format!("BAIL: MMS(5716): ..\\server.cpp(11139): 0x{hr:08X} ({message})"),
    )
}

/// 6329 of the SAM remote-call restriction (field-causes C1): the NetUserGetInfo lookup denied.
pub fn adsync_sam_denied(time: DateTime<Utc>, account: &str) -> Record {
    adsync_6329(
        time,
        &format!(
            "ERR_: MMS(7720): admaexport.cpp(2944): Failed to acquire user information: {account}. Error Code: ERROR_ACCESS_DENIED\r\n\
             BAIL: MMS(7720): admaexport.cpp(3011): 0x80070005 (Access is denied.)"
        ),
    )
}

/// 6329 of a user outside selective password hash sync (field-causes C8), anchor glued to the
/// build line as some builds write it.
pub fn adsync_not_in_scope(time: DateTime<Utc>, cloud_anchor: &str) -> Record {
    let text = format!(
        "An unexpected error has occurred during a password set operation.\r\n \"ERR_: MMS(7720): ..\\ObjectSearcher.cpp(461): AD Object is not present.\r\n\
         BAIL: MMS(7720): ..\\ObjectSearcher.cpp(491): 0x80230405 (The operation failed because the object cannot be found):\r\n\
         No password writeback targets found.\r\n\
         Make sure that the source object exists and is connected to the target objects via MV and the target object is in scope of password sync rule.\r\n\
         AAD anchor = {cloud_anchor}{BUILD}\""
    );
    record(time, ADSYNC, 6329, Level::Error, text)
}

/// 405 before an export: the sync engine's LDAP bind as the connector (wording around the two
/// posted values invented).
pub fn adsync_bind(time: DateTime<Utc>, domain: &str, account: &str) -> Record {
    record(
        time,
        ADSYNC,
        405,
        Level::Information,
        format!("Call sync ldap_bind for DomainName={domain}, UserName={account}."),
    )
}

/// A service-level PasswordResetService event (heartbeat, outage) with no user.
pub fn service(time: DateTime<Utc>, event_id: u16, name: &str, details: &str, level: Level) -> Record {
    record(
        time,
        PASSWORD_RESET_SERVICE,
        event_id,
        level,
        format!("{name}, Details: {details}"),
    )
}

/// One user's line in a PHS batch.
pub struct PhsLine {
    pub anchor: String,
    pub dn: String,
    pub changed: DateTime<Utc>,
    /// pwdLastSet is 0 after the change: the user must change it at next logon.
    pub change_on_logon: bool,
}

/// 656: the batch's change requests, one line per user.
pub fn phs_request(time: DateTime<Utc>, lines: &[PhsLine]) -> Record {
    let text = lines
        .iter()
        .map(|l| {
            format!(
                "Password Change Request - Anchor: {}, Dn: {}, Change Date: {}",
                l.anchor,
                l.dn,
                l.changed.format("%m/%d/%Y %H:%M:%S")
            )
        })
        .collect::<Vec<_>>()
        .join("\r\n");
    record(time, DIRECTORY_SYNCHRONIZATION, 656, Level::Information, text)
}

/// 657: the batch's results, one line per user, with the forest trailer newer builds append.
pub fn phs_result(time: DateTime<Utc>, lines: &[PhsLine], connector_id: &Guid) -> Record {
    let mut text = lines
        .iter()
        .map(|l| {
            format!(
                "Password Change Result - Anchor: {}, Dn: {}, PwdChangeOnLogon={}, Result: Success.",
                l.anchor,
                l.dn,
                if l.change_on_logon { "True" } else { "False" }
            )
        })
        .collect::<Vec<_>>()
        .join("\r\n");
    text.push_str(&format!(
        "\r\n<forest-info><partition-name>{}</partition-name><connector-id>{connector_id}</connector-id></forest-info>",
        DNS_NAME.to_uppercase()
    ));
    record(time, DIRECTORY_SYNCHRONIZATION, 657, Level::Information, text)
}

pub fn phs_batch_edge(time: DateTime<Utc>, event_id: u16, count: usize) -> Record {
    let what = if event_id == 650 { "start" } else { "end" };
    record(
        time,
        DIRECTORY_SYNCHRONIZATION,
        event_id,
        Level::Information,
        format!("Provision credentials batch {what}. Count: {count}"),
    )
}

pub fn phs_ping(time: DateTime<Utc>, start: bool) -> Record {
    let (id, text) = if start {
        (653, "Provision credentials ping start.")
    } else {
        (654, "Provision credentials ping end.")
    };
    record(
        time,
        DIRECTORY_SYNCHRONIZATION,
        id,
        Level::Information,
        text.to_string(),
    )
}
