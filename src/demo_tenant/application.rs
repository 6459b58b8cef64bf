//! Application-log records of the Entra Connect server AADC01: the PasswordResetService, ADSync
//! and Directory Synchronization sources (classic event sources), with message texts in the shapes
//! documented in writeback-facts.md sections 1.3, 2.1 and 2.2. The PasswordResetService bodies are
//! not published by Microsoft; these follow the shapes public parsing scripts rely on.

use base64::Engine;
use chrono::{DateTime, Utc};

use super::DNS_NAME;
use crate::directory::DirectoryUser;
use crate::evtx_writer::{EventData, Provider, Record, KEYWORDS_CLASSIC};
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

pub fn record(time: DateTime<Utc>, source: &str, event_id: u16, level: Level, text: String) -> Record {
    Record {
        record_id: 0,
        time,
        computer: format!("AADC01.{DNS_NAME}"),
        channel: "Application".into(),
        provider: Provider::Classic { name: source.into() },
        event_id,
        level: level as u8,
        task: 0,
        keywords: KEYWORDS_CLASSIC,
        process_id: 0,
        thread_id: 0,
        data: EventData::ClassicStrings(vec![text]),
    }
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
    fn ids(self) -> [(u16, &'static str); 3] {
        match self {
            Operation::Reset => [
                (31001, "PasswordResetStart"),
                (31002, "PasswordResetSuccess"),
                (31003, "PasswordResetFail"),
            ],
            Operation::Change => [
                (31006, "ChangePasswordStart"),
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
}

impl Attempt<'_> {
    pub fn start(&self, time: DateTime<Utc>) -> Record {
        let (id, name) = self.operation.ids()[0];
        let text = format!(
            "TrackingId: {}, {name}, Details: {}",
            self.tracking_id,
            upn(self.user)
        );
        record(time, PASSWORD_RESET_SERVICE, id, Level::Information, text)
    }

    pub fn success(&self, time: DateTime<Utc>, force_password_change: bool) -> Record {
        let (id, name) = self.operation.ids()[1];
        let text = format!(
            "TrackingId: {}, {name}, Details: {}, UserPrincipalName: {}, ForcePasswordChange: {}",
            self.tracking_id,
            self.context(),
            upn(self.user),
            if force_password_change { "True" } else { "False" }
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

    fn error_text(&self, name: &str, cause: &str) -> String {
        format!(
            "TrackingId: {}, {name}, UserPrincipalName: {}, Details: {EXCEPTION}: {cause}, {}",
            self.tracking_id,
            upn(self.user),
            self.context()
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

/// ADSync 6329: the export of a password to AD bailed out.
pub fn adsync_bail(time: DateTime<Utc>, dn: &str, hr: u32, message: &str) -> Record {
    let text = format!(
        "An error occurred while setting the password of an object in Active Directory. Dn: {dn}\r\n\
         BAIL: MMS(4924) 0x{hr:08x}: \"{message}\""
    );
    record(time, ADSYNC, 6329, Level::Error, text)
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
