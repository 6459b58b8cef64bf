//! The normalized event: one per EVTX record of interest (or one per user line of a 656/657 batch),
//! with the fields the correlation and the diagnosis read already parsed out of the message text or
//! the EventData. Owned data only; nothing of the evtx crate leaks past `events::ingest`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::security::{Guid, Sid};

/// Audit outcome from the Keywords of a Security event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditOutcome {
    Success,
    Failure,
}

/// What the catalog says an event is, in the contract's `kind` vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    WritebackResetStart,
    WritebackChangeStart,
    WritebackAdminResetStart,
    WritebackSuccess,
    WritebackFailure,
    /// Onboarding, offboarding, service start/stop, heartbeats, key creation.
    WritebackService,
    /// 32xxx: the service could not reach the cloud or its configuration is broken.
    WritebackServiceError,
    /// 6329 and other ADSync sync-engine messages.
    SyncEngine,
    /// ADSync 405 / 403: the sync engine bound to AD as the connector account (its credentials
    /// work), logged before each writeback.
    ConnectorBind,
    PhsRequest,
    PhsResult,
    /// 611, 650-655, 622/623, 663 and the other PHS housekeeping events.
    Phs,
    DcReset,
    DcChange,
    DcLockout,
    DcUnlock,
    DcUserChanged,
    DcLogonFailure,
    /// Microsoft Entra Password Protection's DC agent accepted a password (10014/10015), or
    /// would have rejected it in audit mode (10024/10025).
    DcPasswordAccepted,
    /// The DC agent rejected a password (10016 change, 10017 set: the set is writeback's).
    DcPasswordRejected,
    /// Which list rejected it (300xx), paired with the 10016/10017.
    DcPasswordRejectReason,
    Other,
}

/// Where an event was read from: which file, and where in it (for evidence and error reports).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventOrigin {
    pub file: Arc<str>,
    /// System/EventRecordID: the number Event Viewer shows and people quote in tickets.
    pub record_id: u64,
    /// The record header's number: the record's position in this file. It equals `record_id` in
    /// a log as Windows wrote it, but re-saved or filtered exports renumber their headers from 1
    /// while EventRecordID keeps the original (a public DC sample: header 6, EventRecordID
    /// 233279999). `events::raw` finds the record again by it.
    pub position: u64,
}

/// Fields parsed from the message or EventData. All optional: a field is `None` when the event
/// does not carry it or its text did not have the expected shape.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFields {
    pub tracking_id: Option<String>,
    pub user_principal_name: Option<String>,
    pub admin_upn: Option<String>,
    pub cloud_anchor: Option<String>,
    /// The base64 source anchor as written in the event.
    pub source_anchor_b64: Option<String>,
    /// The same anchor decoded (objectGUID or mS-DS-ConsistencyGuid).
    pub source_anchor: Option<Guid>,
    pub dn: Option<String>,
    /// 657's `Result:` or a PHS result text.
    pub result: Option<String>,
    /// `hr=XXXXXXXX` or `0x8023....` in the message.
    pub hresult: Option<u32>,
    /// The `message=` text of a sync-engine error.
    pub error_message: Option<String>,
    pub force_password_change: Option<bool>,
    pub target_user: Option<String>,
    pub target_domain: Option<String>,
    pub target_sid: Option<Sid>,
    pub subject_user: Option<String>,
    pub subject_domain: Option<String>,
    pub subject_sid: Option<Sid>,
    /// 4740's caller computer (stored in TargetDomainName by Windows).
    pub caller_computer: Option<String>,
    /// 4738's PasswordLastSet as written (locale text or `%%1794`).
    pub password_last_set: Option<String>,
    pub old_uac: Option<String>,
    pub new_uac: Option<String>,
    /// 4625's Status / SubStatus NTSTATUS codes.
    pub status: Option<u32>,
    pub sub_status: Option<u32>,
    /// The operation word of a PasswordResetService text (`PasswordResetRequestStart`,
    /// `ResetUserPasswordByAdminStart`, ...), as logged.
    pub operation: Option<String>,
    /// 31002's `unblockUser: True|False`: whether the reset also unlocked the account.
    pub unblock_user: Option<bool>,
    /// The line of a 6329 that names the failed step (`Failed to acquire user information: ...`,
    /// `ExportPasswordSet failed with ...`, the last `BAIL`): the cause, where the first HRESULT of
    /// the chain can be unrelated noise.
    pub cause: Option<String>,
    /// A Win32 error the cause names (`0x6ba` = 1722 RPC server unavailable, `ERROR_ACCESS_DENIED`
    /// = 5), or the `RPC Error N` of a 611.
    pub win32_error: Option<u32>,
    /// 611's domain, 405's `DomainName=`, 657's `<partition-name>`.
    pub domain: Option<String>,
    /// 611's domain controller host name and IP address.
    pub dc_host: Option<String>,
    pub dc_ip: Option<String>,
    /// 611's `Details:` exception chain (first line).
    pub exception: Option<String>,
    /// 405's `UserName=`: the account the sync engine bound to AD with.
    pub bind_user: Option<String>,
    /// System/Correlation ActivityID: Password Protection pairs a rejection with its reason by it.
    pub correlation_id: Option<Guid>,
}

/// One normalized event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub time: DateTime<Utc>,
    pub machine: String,
    pub channel: String,
    pub provider: String,
    pub event_id: u32,
    pub level: u8,
    pub audit: Option<AuditOutcome>,
    pub origin: EventOrigin,
    pub kind: EventKind,
    /// The message text (classic sources: the insertion string; Security: empty). Untrusted:
    /// sanitize before it reaches a terminal.
    pub message: String,
    pub fields: EventFields,
}
