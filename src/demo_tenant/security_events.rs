//! Security-log records of the demo DCs, with the field lists and types Windows Server 2022
//! writes for 4624, 4625, 4723, 4724, 4738, 4740 and 4767 (writeback-facts.md section 8).

use chrono::{DateTime, Utc};

use super::{DNS_NAME, NETBIOS};
use crate::directory::DirectoryUser;
use crate::evtx_writer::{
    EventData, Provider, Record, Value, KEYWORDS_AUDIT_FAILURE, KEYWORDS_AUDIT_SUCCESS,
};
use crate::security::{Guid, Sid};

const TASK_USER_ACCOUNT_MANAGEMENT: u16 = 13824;
const TASK_LOGON: u16 = 12544;

/// A domain controller writing events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dc {
    Dc01,
    Dc02,
}

impl Dc {
    pub fn computer(self) -> String {
        format!("{}.{DNS_NAME}", self.name())
    }

    pub fn name(self) -> &'static str {
        match self {
            Dc::Dc01 => "DC01",
            Dc::Dc02 => "DC02",
        }
    }

    fn lsass_pid(self) -> u32 {
        match self {
            Dc::Dc01 => 664,
            Dc::Dc02 => 652,
        }
    }
}

/// Who performed an audited change.
pub struct Subject {
    pub sid: Sid,
    pub name: String,
    pub domain: String,
    pub logon_id: u64,
}

impl Subject {
    /// The DC's own machine account (lockouts are audited as SYSTEM).
    pub fn system(dc: Dc) -> Subject {
        Subject {
            sid: "S-1-5-18".parse().unwrap_or_else(|_| unreachable!("literal SID")),
            name: format!("{}$", dc.name()),
            domain: NETBIOS.to_string(),
            logon_id: 0x3e7,
        }
    }

    fn fields(&self) -> Vec<(String, Value)> {
        vec![
            field("SubjectUserSid", Value::Sid(self.sid.clone())),
            field("SubjectUserName", s(&self.name)),
            field("SubjectDomainName", s(&self.domain)),
            field("SubjectLogonId", Value::HexInt64(self.logon_id)),
        ]
    }
}

fn field(name: &str, value: Value) -> (String, Value) {
    (name.to_string(), value)
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

fn target_sid(user: &DirectoryUser) -> Value {
    match &user.object_sid {
        Some(sid) => Value::Sid(sid.clone()),
        None => s("-"),
    }
}

fn record(
    dc: Dc,
    time: DateTime<Utc>,
    event_id: u16,
    task: u16,
    success: bool,
    thread: u32,
    data: Vec<(String, Value)>,
) -> Record {
    let keywords = if success {
        KEYWORDS_AUDIT_SUCCESS
    } else {
        KEYWORDS_AUDIT_FAILURE
    };
    Record {
        thread_id: thread,
        ..Record::security_audit(
            dc.computer(),
            time,
            event_id,
            task,
            keywords,
            dc.lsass_pid(),
            data,
        )
    }
}

fn target_fields(user: &DirectoryUser, target_domain: &str) -> Vec<(String, Value)> {
    vec![
        field("TargetUserName", s(&user.sam_account_name)),
        field("TargetDomainName", s(target_domain)),
        field("TargetSid", target_sid(user)),
    ]
}

/// 4724: an attempt to reset an account's password (failure = rejected by policy).
pub fn reset_password(
    dc: Dc,
    time: DateTime<Utc>,
    user: &DirectoryUser,
    by: &Subject,
    success: bool,
    thread: u32,
) -> Record {
    let mut data = target_fields(user, NETBIOS);
    data.extend(by.fields());
    record(
        dc,
        time,
        4724,
        TASK_USER_ACCOUNT_MANAGEMENT,
        success,
        thread,
        data,
    )
}

/// 4723: an attempt to change an account's password (the user themselves).
pub fn change_password(
    dc: Dc,
    time: DateTime<Utc>,
    user: &DirectoryUser,
    logon_id: u64,
    thread: u32,
) -> Record {
    let mut data = target_fields(user, NETBIOS);
    let me = Subject {
        sid: user.object_sid.clone().unwrap_or_else(Sid::everyone),
        name: user.sam_account_name.clone(),
        domain: NETBIOS.to_string(),
        logon_id,
    };
    data.extend(me.fields());
    data.push(field("PrivilegeList", s("-")));
    record(dc, time, 4723, TASK_USER_ACCOUNT_MANAGEMENT, true, thread, data)
}

/// 4738 after a password set: only PasswordLastSet changed (`password_last_set` is the
/// locale-formatted local time, or "%%1794" for "never", i.e. pwdLastSet = 0).
pub fn user_changed(
    dc: Dc,
    time: DateTime<Utc>,
    user: &DirectoryUser,
    by: &Subject,
    password_last_set: &str,
    thread: u32,
) -> Record {
    let mut data = vec![field("Dummy", s("-"))];
    data.extend(target_fields(user, NETBIOS));
    data.extend(by.fields());
    data.push(field("PrivilegeList", s("-")));
    for name in [
        "SamAccountName",
        "DisplayName",
        "UserPrincipalName",
        "HomeDirectory",
        "HomePath",
        "ScriptPath",
        "ProfilePath",
        "UserWorkstations",
    ] {
        data.push(field(name, s("-")));
    }
    data.push(field("PasswordLastSet", s(password_last_set)));
    for name in [
        "AccountExpires",
        "PrimaryGroupId",
        "AllowedToDelegateTo",
        "OldUacValue",
        "NewUacValue",
        "UserAccountControl",
        "UserParameters",
        "SidHistory",
        "LogonHours",
    ] {
        data.push(field(name, s("-")));
    }
    record(dc, time, 4738, TASK_USER_ACCOUNT_MANAGEMENT, true, thread, data)
}

/// 4740: locked out; TargetDomainName holds the caller computer.
pub fn locked_out(
    dc: Dc,
    time: DateTime<Utc>,
    user: &DirectoryUser,
    caller_computer: &str,
    thread: u32,
) -> Record {
    let mut data = target_fields(user, caller_computer);
    data.extend(Subject::system(dc).fields());
    record(dc, time, 4740, TASK_USER_ACCOUNT_MANAGEMENT, true, thread, data)
}

/// 4767: unlocked.
pub fn unlocked(dc: Dc, time: DateTime<Utc>, user: &DirectoryUser, by: &Subject, thread: u32) -> Record {
    let mut data = target_fields(user, NETBIOS);
    data.extend(by.fields());
    record(dc, time, 4767, TASK_USER_ACCOUNT_MANAGEMENT, true, thread, data)
}

/// Where a logon came from.
pub struct Workstation<'a> {
    pub name: &'a str,
    pub ip: &'a str,
    pub port: u16,
}

/// 4624: a network logon (Kerberos) at the DC.
pub fn logon(
    dc: Dc,
    time: DateTime<Utc>,
    user: &DirectoryUser,
    from: &Workstation,
    logon_id: u64,
    logon_guid: Guid,
    thread: u32,
) -> Record {
    let data = vec![
        field("SubjectUserSid", s_sid("S-1-0-0")),
        field("SubjectUserName", s("-")),
        field("SubjectDomainName", s("-")),
        field("SubjectLogonId", Value::HexInt64(0)),
        field("TargetUserSid", target_sid(user)),
        field("TargetUserName", s(&user.sam_account_name)),
        field("TargetDomainName", s(&DNS_NAME.to_uppercase())),
        field("TargetLogonId", Value::HexInt64(logon_id)),
        field("LogonType", Value::UInt32(3)),
        field("LogonProcessName", s("Kerberos")),
        field("AuthenticationPackageName", s("Kerberos")),
        field("WorkstationName", s("-")),
        field("LogonGuid", Value::Guid(logon_guid)),
        field("TransmittedServices", s("-")),
        field("LmPackageName", s("-")),
        field("KeyLength", Value::UInt32(0)),
        field("ProcessId", Value::HexInt64(0)),
        field("ProcessName", s("-")),
        field("IpAddress", s(from.ip)),
        field("IpPort", s(&from.port.to_string())),
        field("ImpersonationLevel", s("%%1833")),
        field("RestrictedAdminMode", s("-")),
        field("TargetOutboundUserName", s("-")),
        field("TargetOutboundDomainName", s("-")),
        field("VirtualAccount", s("%%1843")),
        field("TargetLinkedLogonId", Value::HexInt64(0)),
        field("ElevatedToken", s("%%1843")),
    ];
    record(dc, time, 4624, TASK_LOGON, true, thread, data)
}

/// 4625: a failed logon with NTSTATUS `status` / `sub_status`.
pub fn logon_failed(
    dc: Dc,
    time: DateTime<Utc>,
    user: &DirectoryUser,
    from: &Workstation,
    status: u32,
    sub_status: u32,
    thread: u32,
) -> Record {
    let data = vec![
        field("SubjectUserSid", s_sid("S-1-0-0")),
        field("SubjectUserName", s("-")),
        field("SubjectDomainName", s("-")),
        field("SubjectLogonId", Value::HexInt64(0)),
        field("TargetUserSid", s_sid("S-1-0-0")),
        field("TargetUserName", s(&user.sam_account_name)),
        field("TargetDomainName", s(NETBIOS)),
        field("Status", Value::HexInt32(status)),
        field("FailureReason", s(failure_reason(sub_status))),
        field("SubStatus", Value::HexInt32(sub_status)),
        field("LogonType", Value::UInt32(3)),
        field("LogonProcessName", s("NtLmSsp ")),
        field("AuthenticationPackageName", s("NTLM")),
        field("WorkstationName", s(from.name)),
        field("TransmittedServices", s("-")),
        field("LmPackageName", s("-")),
        field("KeyLength", Value::UInt32(0)),
        field("ProcessId", Value::HexInt64(0)),
        field("ProcessName", s("-")),
        field("IpAddress", s(from.ip)),
        field("IpPort", s(&from.port.to_string())),
    ];
    record(dc, time, 4625, TASK_LOGON, false, thread, data)
}

/// The message-table token Windows stores as FailureReason for a sub-status.
fn failure_reason(sub_status: u32) -> &'static str {
    match sub_status {
        0xC000_0234 => "%%2307",
        0xC000_0224 => "%%2309",
        0xC000_0072 => "%%2310",
        _ => "%%2313",
    }
}

fn s_sid(sid: &str) -> Value {
    match sid.parse::<Sid>() {
        Ok(sid) => Value::Sid(sid),
        Err(_) => s(sid),
    }
}

/// Password Protection's DC agent provider. Its GUID is not published in the material this
/// project works from: this one is made up, and nothing reads it.
const PASSWORD_PROTECTION: Guid = Guid::from_str_const("c7a1e2b3-5d4f-4e6a-9b8c-0d1e2f3a4b5c");
/// The Admin channel's keyword bit.
const KEYWORDS_ADMIN_CHANNEL: u64 = 0x4000_0000_0000_0000;

/// A Password Protection DC agent event about `user` (10017 set rejected, 30003 tenant list...),
/// with the UserName / FullName fields its messages show; the message wording is Microsoft's to
/// render and is not part of the record.
pub fn password_protection(
    dc: Dc,
    time: DateTime<Utc>,
    event_id: u16,
    user: &DirectoryUser,
    validation: Guid,
) -> Record {
    Record {
        record_id: 0,
        time,
        computer: dc.computer(),
        channel: "Microsoft-AzureADPasswordProtection-DCAgent/Admin".into(),
        provider: Provider::Manifest {
            name: "Microsoft-AzureADPasswordProtection-DCAgent".into(),
            guid: PASSWORD_PROTECTION,
        },
        event_id,
        level: if (10014..=10015).contains(&event_id) { 4 } else { 3 },
        task: 0,
        keywords: KEYWORDS_ADMIN_CHANNEL,
        process_id: 2_140,
        thread_id: 2_388,
        activity_id: Some(validation),
        data: EventData::Named(vec![
            field("UserName", s(&user.sam_account_name)),
            field("FullName", s(user.display_name.as_deref().unwrap_or(""))),
        ]),
    }
}
