//! Event-derived findings (`event-*`): each failed attempt of the user (grouped by the events
//! module, with its 6329, 4724 and 4740) and each service error that touched it is classified by
//! HRESULT, 6329 text and event ID; failures of one code make one finding. The finding is weighed against the
//! directory findings: corroborated, contradicted ("fixed since, or the DC that handled it
//! differs": both sides are shown), superseded by a later success, or an older attempt.

use chrono::{DateTime, Duration, Utc};

use super::{event_line, when};
use crate::ad::dn;
use crate::diagnosis::facts::{attempt_of, Facts};
use crate::diagnosis::fix::{ps, Names};
use crate::diagnosis::model::{Finding, Severity};
use crate::diagnosis::FindingCode;
use crate::events::correlate::{Attempt, AttemptOutcome};
use crate::events::{Event, EventKind};

/// Sync-engine HRESULTs with a cause of their own (writeback-facts 2.2, field-causes C5-C9).
const HR_PASSWORD_RESTRICTION: u32 = 0x8023_0619;
const HR_DUPLICATE_ANCHOR: u32 = 0x8023_0402;
const HR_FILENAME_TOO_LONG: u32 = 0x8007_00CE;
const HR_SYNC_NOT_ENABLED: u32 = 0x8023_061F;
const HR_MA_CREDENTIALS_DENIED: u32 = 0x8023_0626;
const HR_PRIVILEGED_ACCOUNT: u32 = 0x8023_1367;
const HR_NOT_SEALED: u32 = 0x8023_062C;
const HR_NO_DC: u32 = 0x8023_0818;
const HR_ADSI_PATH: u32 = 0x8000_5000;
const HR_RPC_UNAVAILABLE: u32 = 0x8007_06BA;

/// Win32 errors a 6329's cause names.
const WIN32_ACCESS_DENIED: u32 = 5;
const WIN32_RPC_UNAVAILABLE: u32 = 1722;

const POLICY_HINTS_TEXT: &str = "doesn't contain the LDAP password policy control";
/// The step that calls NetUserGetInfo over SAM-RPC (admaexport.cpp): denied by the "Restrict
/// clients allowed to make remote calls to SAM" policy, unreachable when RPC is blocked.
const SAM_LOOKUP_TEXT: &str = "Failed to acquire user information";
/// The 0x80230405 of a user outside selective password hash sync's scope (field-causes C8).
const OUT_OF_SCOPE_TEXT: &str = "No password writeback targets found";

/// Characters that break writeback in an OU's name (writeback-facts 1.5); leading/trailing space
/// and a leading '#' are checked separately.
const RESERVED_IN_OU: &[char] = &[',', '+', '"', '\\', '<', '>', ';', '\n', '\r', '=', '/'];

/// Generic "the reset failed" events: their cause is whatever more specific event of the same
/// attempt (TrackingId) says.
const GENERIC_FAILURES: &[u32] = &[31003, 31008, 31011];

/// Directory findings that can explain each event code; an event code listed here and explained by
/// none of them is contradicted by the directory as it is now.
const EXPLAINED_BY: &[(FindingCode, &[FindingCode])] = &[
    (FindingCode::EventPermissionDenied, super::ACCESS_BLOCKERS),
    (FindingCode::EventAccountDisabled, &[FindingCode::AccountDisabled]),
    (FindingCode::EventAccountLocked, &[FindingCode::AccountLocked]),
    (
        FindingCode::EventPasswordPolicy,
        &[
            FindingCode::PasswordProtectionRejected,
            FindingCode::MinPasswordAge,
            FindingCode::UserCannotChangePassword,
        ],
    ),
];

/// Findings that corroborate an event code which the event proves by itself: shown as agreement
/// when present, never a contradiction when absent (the directory cannot show the whole cause:
/// a custom scoping rule, SDProp's timing).
const CORROBORATED_BY: &[(FindingCode, &[FindingCode])] = &[
    (
        FindingCode::EventProtectedAccount,
        &[FindingCode::AdminSdHolder, FindingCode::AdminCountOrphaned],
    ),
    (
        FindingCode::EventNotInPasswordSyncScope,
        &[FindingCode::PasswordSyncScopeExcluded],
    ),
];

fn lookup(
    table: &'static [(FindingCode, &'static [FindingCode])],
    code: FindingCode,
) -> &'static [FindingCode] {
    table.iter().find(|(c, _)| *c == code).map_or(&[], |(_, by)| by)
}

/// The findings that can stand behind an event code (the verdict names them as the cause).
pub fn explained_by(code: FindingCode) -> &'static [FindingCode] {
    match lookup(EXPLAINED_BY, code) {
        [] => lookup(CORROBORATED_BY, code),
        by => by,
    }
}

/// The code of a sync-engine HRESULT that names its cause.
fn code_for_hresult(hr: u32) -> Option<FindingCode> {
    match hr {
        HR_PASSWORD_RESTRICTION => Some(FindingCode::EventPasswordPolicy),
        HR_DUPLICATE_ANCHOR => Some(FindingCode::EventDuplicateAnchor),
        HR_FILENAME_TOO_LONG => Some(FindingCode::EventConnectorPasswordTooLong),
        HR_SYNC_NOT_ENABLED => Some(FindingCode::EventForestNotEnabled),
        HR_MA_CREDENTIALS_DENIED => Some(FindingCode::EventPermissionDenied),
        HR_PRIVILEGED_ACCOUNT => Some(FindingCode::EventProtectedAccount),
        HR_NOT_SEALED => Some(FindingCode::EventLdapNotSealed),
        HR_NO_DC => Some(FindingCode::EventDcUnreachable),
        HR_ADSI_PATH => Some(FindingCode::EventOuReservedCharacters),
        HR_RPC_UNAVAILABLE => Some(FindingCode::EventRpcUnavailable),
        _ => None,
    }
}

/// The code an event's own cause gives (the 6329's cause line, its text, its HRESULT), before
/// what its event ID alone says: the specific reason of a failure, where there is one.
fn specific_code(e: &Event) -> Option<FindingCode> {
    let f = &e.fields;
    let names_sam_lookup = f.cause.as_deref().is_some_and(|c| c.contains(SAM_LOOKUP_TEXT));
    match f.win32_error {
        Some(WIN32_ACCESS_DENIED) if names_sam_lookup => return Some(FindingCode::EventRemoteSamRestricted),
        Some(WIN32_RPC_UNAVAILABLE) if e.kind == EventKind::SyncEngine => {
            return Some(FindingCode::EventRpcUnavailable)
        }
        _ => {}
    }
    if e.message.contains(OUT_OF_SCOPE_TEXT) {
        return Some(FindingCode::EventNotInPasswordSyncScope);
    }
    if e.message.contains(POLICY_HINTS_TEXT) {
        return Some(FindingCode::EventPolicyHintsUnsupported);
    }
    f.hresult.and_then(code_for_hresult)
}

/// The contract's event code for one failure event.
pub fn classify(e: &Event, user_dn: &str) -> FindingCode {
    specific_code(e).unwrap_or_else(|| by_event_id(e, user_dn))
}

/// What the event ID alone says.
fn by_event_id(e: &Event, user_dn: &str) -> FindingCode {
    match e.event_id {
        33004 => FindingCode::EventPermissionDenied,
        33008 => FindingCode::EventPasswordPolicy,
        33002 => FindingCode::EventUserNotFound,
        33003 => FindingCode::EventDuplicateAnchor,
        33001 if reserved_ou(e.fields.dn.as_deref().unwrap_or(user_dn)).is_some() => {
            FindingCode::EventOuReservedCharacters
        }
        33005 => FindingCode::EventAccountDisabled,
        33006 => FindingCode::EventAccountLocked,
        31044 | 6800 => FindingCode::EventWritebackNotRunning,
        31034 | 32001 | 32002 | 32009 | 32011 | 32014 => FindingCode::EventServiceConnectivity,
        31016 | 31013 => FindingCode::EventWritebackDisabled,
        32004 | 32010 => FindingCode::EventDecryption,
        _ => FindingCode::EventUnknownFailure,
    }
}

/// The first OU above the user whose name has a character writeback cannot handle: its DN and
/// what is wrong with it.
pub fn reserved_ou(user_dn: &str) -> Option<(String, String)> {
    dn::chain(user_dn, "").into_iter().skip(1).find_map(|ancestor| {
        let rdn = dn::rdns(ancestor).into_iter().next()?;
        if !dn::rdn_is(rdn, "OU") {
            return None;
        }
        let name = dn::rdn_value(rdn);
        let what = if name.starts_with(' ') || name.ends_with(' ') {
            Some("a leading or trailing space".to_string())
        } else if name.starts_with('#') {
            Some("a leading '#'".to_string())
        } else {
            name.chars()
                .find(|c| RESERVED_IN_OU.contains(c))
                .map(|c| format!("'{}' (0x{:02X})", c.escape_default(), c as u32))
        };
        what.map(|w| (ancestor.to_string(), w))
    })
}

/// The user's own RDN when its value has a character LDAP paths must escape, for hr=0x80005000.
fn reserved_in_own_name(user_dn: &str) -> Option<(String, String)> {
    let rdn = dn::rdns(user_dn).into_iter().next()?;
    let value = dn::rdn_value(rdn);
    value.chars().find(|c| RESERVED_IN_OU.contains(c)).map(|c| {
        (
            user_dn.to_string(),
            format!("'{}' (0x{:02X})", c.escape_default(), c as u32),
        )
    })
}

/// The `DOMAIN\account` a 6329's cause names (`Failed to acquire user information: CONTOSO\MSOL_...`).
fn named_account(events: &[&Event]) -> Option<String> {
    events.iter().find_map(|e| {
        let cause = e.fields.cause.as_deref()?;
        let (_, rest) = cause.split_once(SAM_LOOKUP_TEXT)?;
        let account = rest.trim_start_matches([':', ' ']).split(['.', ' ']).next()?;
        account.contains('\\').then(|| account.to_string())
    })
}

/// How long after an attempt starts a service error without its TrackingId still counts for it.
const SERVICE_ERROR_WINDOW_MINUTES: i64 = 5;

/// One failure the events show: its code, when, and the evidence lines.
struct Failure<'a> {
    code: FindingCode,
    time: DateTime<Utc>,
    evidence: Vec<String>,
    /// The events that carry the failure (for the texts a fix quotes).
    events: Vec<&'a Event>,
}

/// The code of a failed attempt: the specific cause any of its failure and sync-engine events
/// names (a 6329's `Failed to acquire user information: ... ERROR_ACCESS_DENIED` beside a 33004
/// is the SAM restriction, not missing rights), else what the 33xxx says (a generic
/// 31003/31008/31011 yields to the 33xxx of the same attempt).
fn attempt_code(a: &Attempt, user_dn: &str) -> FindingCode {
    let candidates = || {
        a.events
            .iter()
            .chain(a.failure.iter())
            .filter(|e| matches!(e.kind, EventKind::WritebackFailure | EventKind::SyncEngine))
    };
    candidates()
        .find_map(specific_code)
        .or_else(|| {
            candidates()
                .filter(|e| !GENERIC_FAILURES.contains(&e.event_id))
                .map(|e| by_event_id(e, user_dn))
                .find(|c| *c != FindingCode::EventUnknownFailure)
        })
        .or_else(|| a.hresult.and_then(code_for_hresult))
        .unwrap_or(FindingCode::EventUnknownFailure)
}

/// The evidence of one failed attempt: its failure and sync-engine events with their message,
/// and what the DCs' Security logs say (a 4724 by the connector means the reset reached AD; none,
/// where the logs cover the time, means AD refused before auditing, as for access denied).
fn attempt_evidence(a: &Attempt, code: FindingCode) -> Vec<String> {
    let mut out: Vec<String> = a
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::WritebackFailure
                    | EventKind::SyncEngine
                    | EventKind::DcLockout
                    | EventKind::ConnectorBind
            )
        })
        .flat_map(|e| {
            let mut lines = vec![event_line(e)];
            if let Some(msg) = e.fields.error_message.as_deref() {
                lines.push(format!("  message: {msg}"));
            } else if let Some(account) = e.fields.bind_user.as_deref() {
                // The connector's credentials work: what failed came after the bind.
                lines.push(format!("  the sync engine bound to AD as {account}"));
            } else if let Some(cause) = e.fields.cause.as_deref() {
                // The step that failed, not the whole block with its noise.
                lines.push(format!("  cause: {cause}"));
            } else if e.kind == EventKind::SyncEngine && !e.message.is_empty() {
                lines.push(format!("  text: {}", e.message));
            }
            lines
        })
        .collect();
    out.push(
        match (a.dc_reset_seen, a.dc_reset_audit_failed, a.dc_logs_cover) {
            (true, true, _) => "DC side: 4724 by the connector with audit failure: AD received the reset and rejected the password (policy)",
            (true, false, _) => "DC side: 4724 by the connector: the reset reached AD",
            (false, _, true) if matches!(code, FindingCode::EventPermissionDenied | FindingCode::EventUnknownFailure) => "DC side: no 4724 although the DC Security logs cover the attempt: AD refused it before auditing (access denied writes no 4724)",
            (false, _, true) => "DC side: no 4724 by the connector in the DC Security logs for this attempt",
            (false, _, false) => "DC side: no DC Security log covers the attempt, so whether AD saw it is unknown",
        }
        .to_string(),
    );
    if let Some(caller) = &a.lockout_caller {
        out.push(format!(
            "4740: the bad passwords that locked the account came from {caller}"
        ));
    }
    out
}

/// Failures of the writeback service itself that touched this user: service errors carrying the
/// TrackingId of one of the user's attempts or arriving while an attempt waited for an answer that
/// never came (an attempt that failed on its own has its own reason), and a
/// stopped or offboarded service (no later 31015) as of the evaluated instant. Errors unrelated
/// to the user's attempts are left to `resetlens events`.
fn service_failures<'a>(f: &'a Facts) -> Vec<Failure<'a>> {
    let restarted_after = |t| f.events.iter().any(|e| e.event_id == 31015 && e.time > t);
    let window = Duration::minutes(SERVICE_ERROR_WINDOW_MINUTES);
    let during_an_attempt = |e: &Event| {
        attempt_of(&f.attempts, e).is_some()
            || f.attempts.iter().any(|a| {
                a.outcome == AttemptOutcome::Pending && e.time >= a.started && e.time <= a.started + window
            })
    };
    f.events
        .iter()
        .filter(|e| match e.event_id {
            31013 | 31016 => e.time <= f.at && !restarted_after(e.time),
            _ => e.kind == EventKind::WritebackServiceError && during_an_attempt(e),
        })
        .map(|e| {
            let mut evidence = vec![event_line(e)];
            if !e.message.is_empty() {
                evidence.push(format!("  text: {}", e.message));
            }
            Failure {
                code: classify(e, &f.user.dn),
                time: e.time,
                evidence,
                events: vec![e],
            }
        })
        .collect()
}

pub fn check(f: &Facts, directory_findings: &[Finding]) -> Vec<Finding> {
    let mut failures: Vec<Failure> = f
        .attempts
        .iter()
        .filter(|a| a.outcome == AttemptOutcome::Failed)
        .map(|a| {
            let code = attempt_code(a, &f.user.dn);
            Failure {
                code,
                time: a.failure.as_ref().map_or(a.started, |e| e.time),
                evidence: attempt_evidence(a, code),
                events: a.events.iter().collect(),
            }
        })
        .collect();
    failures.extend(service_failures(f));
    let Some(latest_code) = failures.iter().max_by_key(|x| x.time).map(|x| x.code) else {
        return vec![];
    };
    let success = f
        .attempts
        .iter()
        .filter(|a| a.outcome == AttemptOutcome::Succeeded)
        .map(|a| a.started)
        .chain(
            f.events
                .iter()
                .filter(|e| e.kind == EventKind::WritebackSuccess)
                .map(|e| e.time),
        )
        .max();
    let mut codes: Vec<FindingCode> = Vec::new();
    for x in &failures {
        if !codes.contains(&x.code) {
            codes.push(x.code);
        }
    }
    codes
        .into_iter()
        .map(|code| {
            let mine: Vec<&Failure> = failures.iter().filter(|x| x.code == code).collect();
            let last = mine.iter().map(|x| x.time).max().unwrap_or(f.at);
            let events: Vec<&Event> = mine.iter().flat_map(|x| x.events.iter().copied()).collect();
            let mut finding = describe(f, code, &events);
            for x in &mine {
                for line in &x.evidence {
                    finding = finding.evidence(line.clone());
                }
            }
            if let Some(ok) = success.filter(|ok| *ok > last) {
                finding.severity = Severity::Info;
                finding.detail.push_str(&format!(
                    " A later writeback succeeded ({}), so this no longer blocks.",
                    when(ok)
                ));
            } else if code != latest_code {
                finding.severity = Severity::Info;
                finding
                    .detail
                    .push_str(" This was an earlier failure; a later one had another reason.");
            } else {
                weigh_against_directory(f, code, directory_findings, &mut finding);
            }
            finding
        })
        .collect()
}

/// Corroborated: as severe as the directory finding that explains it. Contradicted: a warning that
/// says both sides. Not checkable from the directory: a blocker.
fn weigh_against_directory(f: &Facts, code: FindingCode, directory: &[Finding], finding: &mut Finding) {
    let by = explained_by(code);
    let explaining: Vec<&Finding> = directory.iter().filter(|d| by.contains(&d.code)).collect();
    let agree = |finding: &mut Finding| {
        let names: Vec<&str> = explaining.iter().map(|d| d.code.as_str()).collect();
        finding
            .evidence
            .push(format!("the directory agrees: {}", names.join(", ")));
    };
    if lookup(EXPLAINED_BY, code).is_empty() {
        // Proven by the event itself: agreement is shown, absence changes nothing.
        if !explaining.is_empty() {
            agree(finding);
        }
        return;
    }
    if let Some(strongest) = explaining.iter().map(|d| d.severity).max() {
        finding.severity = strongest.max(Severity::Warning);
        agree(finding);
        return;
    }
    if code == FindingCode::EventPermissionDenied && f.access.user_gap.is_some() {
        return;
    }
    finding.severity = Severity::Warning;
    let now_shows = match code {
        FindingCode::EventPermissionDenied => "the connector's rights on the user look sufficient now",
        FindingCode::EventAccountDisabled => "the account is enabled now",
        FindingCode::EventAccountLocked => "the account is not locked out now",
        _ => "the password policy does not explain it now (no minimum-age or cannot-change block)",
    };
    let explanation = if code == FindingCode::EventPasswordPolicy {
        " The chosen password was most likely refused by history, complexity or a password filter: a different password should work."
    } else {
        " Either it was fixed since, or the DC that handled the attempt differs (replication, or a DC whose data was not read)."
    };
    finding.detail.push_str(&format!(
        " The event says it failed, but {now_shows} (directory read {}).{explanation}",
        when(f.directory.captured_at)
    ));
    finding
        .evidence
        .push(format!("the directory disagrees: {now_shows}"));
}

/// Title, explanation and fix for one event code; `events` are the failures' own.
fn describe(f: &Facts, code: FindingCode, events: &[&Event]) -> Finding {
    let n = Names::of(f);
    let upn = f
        .user
        .user_principal_name
        .as_deref()
        .unwrap_or(&f.user.sam_account_name);
    let b = |title: &str, detail: &str| Finding::new(code, Severity::Blocker, title).detail(detail);
    match code {
        FindingCode::EventPermissionDenied => b(
            "Writeback was refused: the connector lacked permission (33004)",
            "AD refused the connector account's reset of this user's password with access denied.",
        )
        .fix(n.set_writeback_permissions(None))
        .note("After granting, allow up to an hour (SDProp) before retrying for protected accounts"),
        FindingCode::EventPasswordPolicy => b(
            "Writeback was refused by the password policy (33008 / hr=0x80230619)",
            "The new password did not satisfy the on-premises policy: minimum age, history, complexity, a \
             password filter, or \"user cannot change password\".",
        )
        .note(format!("Ask the user to choose a different password. {}", f.policy.requirements())),
        FindingCode::EventUserNotFound => b(
            "Writeback could not find the user on-premises (33002)",
            "The sync engine found no on-premises object for this cloud user: deleted on-premises, out of the \
             sync scope, or not joined in the metaverse.",
        )
        .note("On the Entra Connect server, check the user's connector-space object:")
        .fix(format!(
            "Get-ADSyncCSObject -ConnectorName {} -DistinguishedName {}",
            ps(&n.domain_fqdn),
            ps(&n.user_dn)
        ))
        .note("With selective password hash sync, adminDescription decides the scope (PHSFiltered excludes; in include mode only PHSIncluded is in): check it before a sync")
        .fix(format!("Get-ADUser -Identity {} -Properties adminDescription | Select-Object adminDescription", ps(&n.user_dn)))
        .note("Once the object exists, is joined and is in scope, run a delta sync:")
        .fix("Start-ADSyncSyncCycle -PolicyType Delta"),
        FindingCode::EventNotInPasswordSyncScope => b(
            "The user is outside password hash sync's scope, so writeback has no target (33002 + 6329 0x80230405)",
            "The sync engine found no password writeback target: \"No password writeback targets found ... in scope of \
             password sync rule\". Selective password hash sync keeps this user out (adminDescription PHSFiltered, or not \
             PHSIncluded in include mode). A delta sync alone will not change that.",
        )
        .fix(format!("Get-ADUser -Identity {} -Properties adminDescription | Select-Object adminDescription", ps(&n.user_dn)))
        .note("Bring the user into scope (exclude mode: clear the value; include mode: set PHSIncluded), then sync:")
        .fix(format!("Set-ADUser -Identity {} -Clear adminDescription", ps(&n.user_dn)))
        .fix("Start-ADSyncSyncCycle -PolicyType Delta"),
        FindingCode::EventRemoteSamRestricted => {
            let account = named_account(events).unwrap_or_else(|| n.connector_principal());
            b(
                "The SAM remote-call restriction refused the connector (6329 Failed to acquire user information: ERROR_ACCESS_DENIED)",
                &format!(
                    "Writeback asks a DC for the user's information over SAM-RPC (NetUserGetInfo) as {account}, and was \
                     refused. That is the \"Network access: Restrict clients allowed to make remote calls to SAM\" policy on the \
                     Entra Connect server or the DCs, not the user's permissions: the directory cannot show it, and a retry fails \
                     the same way until the policy changes."
                ),
            )
            .note("On the Entra Connect server and each DC, read the policy's registry value (it stays after the GPO is removed):")
            .fix(r"Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa' -Name RestrictRemoteSam")
            .note(format!(
                "Either allow {account} in the policy (Security Options > Network access: Restrict clients allowed to make remote calls to SAM > Edit Security > add it with Remote Access: Allow), or remove the policy and delete the value:"
            ))
            .fix(r"Remove-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa' -Name RestrictRemoteSam")
            .note("When Entra Connect runs on a DC, also point the connector at another DC (Only use preferred domain controllers)")
            .fix("Restart-Service ADSync")
        }
        FindingCode::EventRpcUnavailable => b(
            "The Connect server could not reach a domain controller over RPC (6329 0x6ba: RPC server unavailable)",
            "Writeback's SAM-RPC call to the DC failed with RPC_S_SERVER_UNAVAILABLE (1722): a firewall between the \
             Entra Connect server and the DCs blocks TCP 135 or the dynamic RPC ports. The user's account is not the cause.",
        )
        .fix(format!("Test-NetConnection -ComputerName {} -Port 135", ps(&n.domain_fqdn)))
        .fix(format!("nltest /dsgetdc:{} /force", n.domain_fqdn))
        .note("Allow TCP 135 and the dynamic RPC range (TCP 49152-65535) from the Entra Connect server to every DC, then retry"),
        FindingCode::EventDcUnreachable => b(
            "No domain controller could be contacted from the Connect server (hr=0x80230818)",
            "The management agent run was terminated because a domain controller could not be contacted: DC \
             reachability or name resolution from the Entra Connect server (one report: a DC configured by NetBIOS \
             name instead of its FQDN).",
        )
        .fix(format!("nltest /dsgetdc:{} /force", n.domain_fqdn))
        .fix(format!("Resolve-DnsName {}", ps(&n.domain_fqdn)))
        .note("Synchronization Service Manager > Connectors > the AD connector > Configure Directory Partitions: preferred DCs by FQDN"),
        FindingCode::EventLdapNotSealed => b(
            "The connector's LDAP traffic is not signed and encrypted, so AD refuses the password (hr=0x8023062C)",
            "\"The server is not configured for insecure setting of passwords, or a 128 bit TLS or SSL connection is \
             required\": \"Sign and Encrypt LDAP Traffic\" is off in one of the three places Synchronization Service \
             Manager sets it.",
        )
        .note(format!(
            "Synchronization Service Manager > Connectors > {} > Properties: turn on Sign and Encrypt LDAP Traffic under Connect to Active Directory Forest, under Configure Directory Partitions > the partition's credentials, and under its Configure options; then:",
            n.domain_fqdn
        ))
        .fix("Restart-Service ADSync"),
        FindingCode::EventProtectedAccount => b(
            "Writeback refused an admin reset of a privileged account (hr=0x80231367)",
            "The management agent was denied access to perform the operation on a privileged account: an administrator's \
             cloud reset of a user with adminCount=1 is not written back, by design.",
        )
        .note("Reset the password on-premises instead:")
        .fix(format!("Set-ADAccountPassword -Identity {} -Reset", ps(&n.user_dn))),
        FindingCode::EventWritebackNotRunning => b(
            "Password writeback is not running on the Entra Connect server (31044 / 6800)",
            "The writeback endpoint did not start (6800) or one of its Service Bus service hosts is down (31044), so \
             cloud password requests are not served.",
        )
        .fix("Get-Service ADSync")
        .fix("Restart-Service ADSync")
        .note("Then look for 31015 (service started); if 6800 or 31044 returns, check the clock (w32tm /query /status) and that TLS 1.2 is enabled, then disable and re-enable password writeback in the wizard"),
        FindingCode::EventServiceConnectivity if events.iter().any(|e| e.event_id == 32009) => b(
            "Writeback's setup credentials were refused (32009: no token for the setup administrator)",
            "Entra Connect could not get a token for the Global Administrator given at setup (wrong password, a federated \
             account, or no licence): a setup-time credential problem, not the network.",
        )
        .note("Run the Entra Connect wizard again (Customize synchronization options > Optional features > Password writeback) with a managed, licensed cloud administrator"),
        FindingCode::EventServiceConnectivity if events.iter().any(|e| e.event_id == 31034 && e.message.contains("connection to the connect service was lost")) => b(
            "The writeback service lost its connection to the sync service: ADSync is down (31034)",
            "31034 \"The connection to the connect service was lost\" appears when the ADSync service is stopped: \
             writeback cannot set passwords until it runs.",
        )
        .fix("Get-Service ADSync")
        .fix("Start-Service ADSync"),
        FindingCode::EventDuplicateAnchor => b(
            "Two on-premises objects share this user's source anchor (33003 / hr=0x80230402)",
            "The same user is enabled in more than one forest or domain, or the anchor is not unique; \
             writeback does not know which to reset.",
        )
        .note("Find the duplicates in each forest:")
        .fix(format!(
            "Get-ADUser -Filter \"UserPrincipalName -eq '{}'\" -Server <each forest> -Properties mS-DS-ConsistencyGuid",
            upn.replace('\'', "''")
        ))
        .note("Disable or remove the extra account, so only one on-premises account is enabled for this identity"),
        FindingCode::EventOuReservedCharacters => {
            // hr=0x80005000 (C11) also comes from a reserved character in the user's own name.
            let (ou, what) = reserved_ou(&f.user.dn)
                .or_else(|| reserved_in_own_name(&f.user.dn))
                .unwrap_or_default();
            b(
                "The user's OU name has a character writeback cannot handle (33001)",
                "Writeback fails with 33001 when the on-premises OU path contains reserved characters.",
            )
            .evidence(format!("{ou} contains {what}"))
            .note("Rename the OU without it:")
            .fix(format!(
                "Rename-ADObject -Identity {} -NewName '<name without reserved characters>'",
                ps(&ou)
            ))
        }
        FindingCode::EventAccountDisabled => b(
            "Writeback was refused: the account is disabled (33005)",
            "The on-premises account was disabled when the reset arrived.",
        )
        .fix(format!("Enable-ADAccount -Identity {}", ps(&n.user_dn))),
        FindingCode::EventAccountLocked => b(
            "Writeback was refused: the account is locked out (33006)",
            "The on-premises account was locked out when the password operation arrived.",
        )
        .fix(format!("Unlock-ADAccount -Identity {}", ps(&n.user_dn))),
        FindingCode::EventServiceConnectivity => b(
            "The writeback service could not reach the cloud (Service Bus / web service)",
            "Entra Connect's password reset service could not connect to its Service Bus relay or the cloud \
             service, so requests did not arrive or could not be answered.",
        )
        .fix("Test-NetConnection -ComputerName ssprdedicatedsbprodscu.servicebus.windows.net -Port 443")
        .note("Allow outbound TCP 443 to *.passwordreset.microsoftonline.com and *.servicebus.windows.net; TLS 1.2 and .NET 4.8 on the Connect server")
        .fix("Restart-Service ADSync"),
        FindingCode::EventWritebackDisabled => b(
            "Password writeback was stopped or turned off on the Connect server",
            "The writeback service stopped (31016) or was offboarded (31013) and did not start again (no later \
             31015), so cloud requests fail.",
        )
        .note("Entra Connect wizard: Customize synchronization options > Optional features > Password writeback, then look for event 31015")
        .fix("Restart-Service ADSync"),
        FindingCode::EventDecryption => b(
            "The Connect server could not decrypt the password from the cloud (32004 / 32010)",
            "The encryption keys of the cloud and the Connect server do not match.",
        )
        .note("Disable and re-enable password writeback in the Entra Connect wizard (rolls the keys)"),
        FindingCode::EventPolicyHintsUnsupported => b(
            "A DC does not support the LDAP password policy hints control (6329)",
            "Entra Connect needs DCs that advertise LDAP_SERVER_POLICY_HINTS (1.2.840.113556.1.4.2066): \
             Windows Server 2016 or later.",
        )
        .fix("(Get-ADRootDSE -Server <DC>).supportedControl -contains '1.2.840.113556.1.4.2066'")
        .note("Upgrade or retire the DCs that lack it, or point the connector at DCs that have it"),
        FindingCode::EventConnectorPasswordTooLong => b(
            "The connector account's password is longer than 256 characters (hr=0x800700CE)",
            "The sync engine cannot use a connector account password longer than 256 characters.",
        )
        .fix(format!(
            "Set-ADAccountPassword -Identity {} -Reset  # 256 characters or fewer",
            ps(f.connector().map_or("<connector account DN>", |c| c.dn.as_str()))
        ))
        .note("Then update it in Synchronization Service Manager > Connectors > the AD connector > Properties > Connect to Active Directory Forest"),
        FindingCode::EventForestNotEnabled => b(
            "Password sync is not enabled on this management agent (hr=0x8023061F)",
            "A forest was added (or removed and re-added) after writeback was enabled.",
        )
        .note("Disable and re-enable password writeback in the Entra Connect wizard"),
        _ => b(
            "Writeback failed for a reason the events do not name",
            "The failure event carries no specific cause. 31003/31008/31011 alone document three causes: the \
             password policy, missing connector permissions, or a protected-group user; see the directory \
             findings.",
        )
        .note("Read the full event text and the ADSync events around the same time; give Microsoft support the TrackingId"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::rules::codes;
    use crate::events::EventFields;
    use crate::testkit::contoso::{directory, event, facts, ts};

    const AT: &str = "2026-11-24T08:00:00Z";

    fn with_hr(id: u32, hr: u32) -> Event {
        let mut e = event(id, EventKind::WritebackFailure, "2026-11-24T08:00:00Z");
        e.fields.hresult = Some(hr);
        e
    }

    #[test]
    fn classification_by_hresult_text_and_id() {
        let dn = "CN=a,OU=Staff,DC=contoso,DC=test";
        assert_eq!(
            classify(&with_hr(6329, 0x8023_0619), dn),
            FindingCode::EventPasswordPolicy
        );
        assert_eq!(
            classify(&with_hr(6329, 0x8023_0402), dn),
            FindingCode::EventDuplicateAnchor
        );
        assert_eq!(
            classify(&with_hr(6329, 0x8007_00CE), dn),
            FindingCode::EventConnectorPasswordTooLong
        );
        assert_eq!(
            classify(&with_hr(6329, 0x8023_061F), dn),
            FindingCode::EventForestNotEnabled
        );
        let mut hints = event(6329, EventKind::SyncEngine, AT);
        hints.message =
            "MMS(3040): admaexport.cpp(2837): The server doesn't contain the LDAP password policy control."
                .into();
        assert_eq!(classify(&hints, dn), FindingCode::EventPolicyHintsUnsupported);
        for (id, code) in [
            (33004, FindingCode::EventPermissionDenied),
            (33002, FindingCode::EventUserNotFound),
            (33005, FindingCode::EventAccountDisabled),
            (33006, FindingCode::EventAccountLocked),
            (32002, FindingCode::EventServiceConnectivity),
            (31016, FindingCode::EventWritebackDisabled),
            (32004, FindingCode::EventDecryption),
            (33001, FindingCode::EventUnknownFailure),
            (31003, FindingCode::EventUnknownFailure),
        ] {
            assert_eq!(
                classify(&event(id, EventKind::WritebackFailure, AT), dn),
                code,
                "{id}"
            );
        }
        let odd = r"CN=a,OU=R\, D,OU=Staff,DC=contoso,DC=test";
        assert_eq!(
            classify(&event(33001, EventKind::WritebackFailure, AT), odd),
            FindingCode::EventOuReservedCharacters
        );
        assert_eq!(reserved_ou(odd).map(|r| r.1), Some("',' (0x2C)".to_string()));
        assert_eq!(
            reserved_ou(r"CN=a,OU=\ Lead,DC=x").map(|r| r.1),
            Some("a leading or trailing space".to_string())
        );
        // The DN comes from the event: a multi-byte character at byte 3 must not panic.
        assert_eq!(reserved_ou("CN=a,aa\u{e9}=b,OU=ok,DC=x"), None);
    }

    #[test]
    fn no_failure_events_no_findings() {
        let dir = directory();
        let evs = [event(31002, EventKind::WritebackSuccess, AT)];
        assert!(check(&facts(&dir, &evs, AT), &[]).is_empty());
    }

    #[test]
    fn permission_denied_contradicted_by_directory_is_a_warning_with_both_sides() {
        let dir = directory();
        // Another user's 4738 shows the DC's Security log covers the time.
        let mut other = event(4738, EventKind::DcUserChanged, AT);
        other.channel = "Security".into();
        other.fields = EventFields::default();
        let evs = [event(33004, EventKind::WritebackFailure, AT), other];
        let out = check(&facts(&dir, &evs, AT), &[]);
        assert_eq!(codes(&out), [FindingCode::EventPermissionDenied]);
        assert_eq!(out[0].severity, Severity::Warning);
        assert!(out[0]
            .detail
            .contains("fixed since, or the DC that handled the attempt differs"));
        assert!(out[0]
            .evidence
            .iter()
            .any(|e| e.contains("33004") && e.contains("CONNECT01")));
        assert!(out[0]
            .evidence
            .iter()
            .any(|e| e.starts_with("DC side: no 4724 although the DC Security logs cover")));
    }

    #[test]
    fn policy_failure_with_a_4724_audit_failure_says_ad_rejected_the_password() {
        let dir = directory();
        let mut reset = event(4724, EventKind::DcReset, "2026-11-24T08:00:01Z");
        reset.channel = "Security".into();
        reset.audit = Some(crate::events::AuditOutcome::Failure);
        reset.fields = EventFields {
            target_user: Some("alice".into()),
            subject_user: Some("MSOL_abc123".into()),
            ..EventFields::default()
        };
        let evs = [with_hr(33008, 0x8023_0619), reset];
        let out = check(&facts(&dir, &evs, AT), &[]);
        assert_eq!(codes(&out), [FindingCode::EventPasswordPolicy]);
        assert!(out[0]
            .evidence
            .iter()
            .any(|e| e.contains("4724 by the connector with audit failure")));
        // Not explained by minimum age or cannot-change: the chosen password was refused.
        assert_eq!(out[0].severity, Severity::Warning);
        assert!(out[0].detail.contains("a different password should work"));
    }

    #[test]
    fn corroborated_permission_denied_blocks() {
        let dir = directory();
        let evs = [event(33004, EventKind::WritebackFailure, AT)];
        let dirf = [Finding::new(
            FindingCode::InheritanceDisabled,
            Severity::Blocker,
            "x",
        )];
        let out = check(&facts(&dir, &evs, AT), &dirf);
        assert_eq!(out[0].severity, Severity::Blocker);
        assert!(out[0]
            .evidence
            .iter()
            .any(|e| e == "the directory agrees: inheritance-disabled"));
    }

    #[test]
    fn generic_failure_folds_into_the_specific_event_and_success_supersedes() {
        let dir = directory();
        let evs = [
            event(31003, EventKind::WritebackFailure, "2026-11-24T07:59:59Z"),
            with_hr(33008, 0x8023_0619),
            event(31002, EventKind::WritebackSuccess, "2026-11-24T09:00:00Z"),
        ];
        let out = check(&facts(&dir, &evs, AT), &[]);
        assert_eq!(codes(&out), [FindingCode::EventPasswordPolicy]);
        assert_eq!(out[0].severity, Severity::Info);
    }

    #[test]
    fn service_errors_count_only_for_the_users_own_attempts() {
        let dir = directory();
        let start = event(31001, EventKind::WritebackResetStart, "2026-11-24T08:00:00Z");
        let mut bus = event(32002, EventKind::WritebackServiceError, "2026-11-24T08:00:05Z");
        bus.fields.user_principal_name = None;
        let evs = [start.clone(), bus.clone()];
        let out = check(&facts(&dir, &evs, "2026-11-24T08:00:05Z"), &[]);
        assert_eq!(codes(&out), [FindingCode::EventServiceConnectivity]);
        assert_eq!(out[0].severity, Severity::Blocker);
        // Another attempt's error an hour later is not this user's.
        let mut later = bus;
        later.time = ts("2026-11-24T09:00:00Z");
        later.fields.tracking_id = Some("someone-else".into());
        let evs = [start.clone(), later.clone()];
        assert!(check(&facts(&dir, &evs, "2026-11-24T09:30:00Z"), &[]).is_empty());
        // An attempt that failed for its own reason keeps it, whatever the service logged meanwhile.
        let mut retry = later;
        retry.time = ts("2026-11-24T08:00:03Z");
        let evs = [start, with_hr(33008, 0x8023_0619), retry];
        assert_eq!(
            codes(&check(&facts(&dir, &evs, AT), &[])),
            [FindingCode::EventPasswordPolicy]
        );
    }

    /// A Connect-server event whose fields are parsed from `text`, as ingestion does.
    fn shaped(id: u32, kind: EventKind, time: &str, text: &str) -> Event {
        let mut e = event(id, kind, time);
        if kind == EventKind::SyncEngine {
            e.provider = "ADSync".into();
        }
        e.message = text.to_string();
        e.fields = crate::events::message::parse(id, text).remove(0);
        e
    }

    // field-causes.md section 2, as posted (the tracking id and UPN made this test's).
    const START: &str = "TrackingId: 3f1c9d2e-0000-4000-8000-000000000001, PasswordResetRequestStart, Details: alice@contoso.test";
    const DENIED_33004: &str = "TrackingId: 3f1c9d2e-0000-4000-8000-000000000001, Reason: Synchronization Engine returned an error hr=80230626, message=The password could not be updated because the management agent credentials were denied access., Context: cloudAnchor: User_9b83f544-ba22-4ffb-bff5-c1c2374d654c, SourceAnchorValue: F39SWQrM2EidaboN8UC8Ww==, UserPrincipalName: alice@contoso.test, Details: Microsoft.CredentialManagement.OnPremisesPasswordReset.Shared.PasswordResetException: Synchronization Engine returned an error hr=80230626, message=The password could not be updated because the management agent credentials were denied access.";
    const REMOTE_SAM_6329: &str = "An unexpected error has occurred during a password set operation.\r\n\"ERR_: MMS(7720): admaexport.cpp(2944): Failed to acquire user information: CONTOSO\\MSOL_abc123. Error Code: ERROR_ACCESS_DENIED\r\nBAIL: MMS(7720): admaexport.cpp(3011): 0x80070005 (Access is denied.)\r\nAzure AD Sync 2.1.20.0\"";
    const RPC_6329: &str = "An unexpected error has occurred during a password set operation.\r\n\"ERR_: MMS(3412): ..\\regkey.cpp(112): 0x80070002 (The system cannot find the file specified.)\r\nERR_: MMS(3412): admaexport.cpp(2944): Failed to acquire user information: 0x6ba\r\nBAIL: MMS(3412): admaexport.cpp(3011): ExportPasswordSet failed with 0x80004005 (Unspecified error)\r\nAzure AD Sync 2.1.20.0\"";
    const NOT_IN_SCOPE_6329: &str = "An unexpected error has occurred during a password set operation.\r\n \"ERR_: MMS(7720): ..\\ObjectSearcher.cpp(461): AD Object is not present.\r\nBAIL: MMS(7720): ..\\ObjectSearcher.cpp(491): 0x80230405 (The operation failed because the object cannot be found):\r\nNo password writeback targets found.\r\nMake sure that the source object exists and is connected to the target objects via MV and the target object is in scope of password sync rule.\r\nAAD anchor = User_9b83f544-ba22-4ffb-bff5-c1c2374d654cAzure AD Sync 2.1.20.0\"";

    fn failure_text(id: u32, hr: &str, message: &str) -> String {
        format!(
            "TrackingId: 3f1c9d2e-0000-4000-8000-000000000001, Reason: Synchronization Engine returned an error hr={hr}, message={message}, Context: cloudAnchor: User_9b83f544-ba22-4ffb-bff5-c1c2374d654c, SourceAnchorValue: F39SWQrM2EidaboN8UC8Ww==, UserPrincipalName: alice@contoso.test, Details: x (event {id})"
        )
    }

    /// The 33002 of an object the sync engine cannot find (hr=80230405).
    fn not_found_33002() -> String {
        failure_text(
            33002,
            "80230405",
            "The operation failed because the object cannot be found.",
        )
    }

    fn attempt(failure_id: u32, failure: &str, engine: Option<&str>) -> Vec<Event> {
        let mut evs = vec![shaped(
            31001,
            EventKind::WritebackResetStart,
            "2026-11-24T07:59:58Z",
            START,
        )];
        if let Some(text) = engine {
            evs.push(shaped(6329, EventKind::SyncEngine, "2026-11-24T07:59:59Z", text));
        }
        evs.push(shaped(failure_id, EventKind::WritebackFailure, AT, failure));
        evs
    }

    fn diagnosis_of(evs: &[Event], dir: &crate::directory::Directory) -> crate::diagnosis::Diagnosis {
        crate::diagnosis::report(&facts(dir, evs, AT), ts("2026-11-25T12:00:00Z"))
    }

    #[test]
    fn a_33004_whose_6329_names_err_access_denied_on_the_sam_lookup_is_the_sam_restriction() {
        let dir = directory();
        let evs = attempt(33004, DENIED_33004, Some(REMOTE_SAM_6329));
        let out = check(&facts(&dir, &evs, AT), &[]);
        assert_eq!(codes(&out), [FindingCode::EventRemoteSamRestricted]);
        let x = &out[0];
        assert_eq!(
            x.severity,
            Severity::Blocker,
            "the directory looking fine changes nothing"
        );
        assert!(x.detail.contains("CONTOSO\\MSOL_abc123"), "{}", x.detail);
        assert!(x
            .remediation
            .iter()
            .any(|r| r.contains("RestrictRemoteSam") && r.starts_with("Remove-ItemProperty")));
        assert!(x
            .remediation
            .iter()
            .any(|r| r.contains("Restrict clients allowed to make remote calls to SAM")));
        assert!(x
            .evidence
            .iter()
            .any(|e| e.contains("Failed to acquire user information")));
        let mut bound = attempt(33004, DENIED_33004, Some(REMOTE_SAM_6329));
        let mut bind = shaped(
            405,
            EventKind::ConnectorBind,
            "2026-11-24T07:59:59Z",
            "Call sync ldap_bind for DomainName=contoso.test, UserName=MSOL_abc123.",
        );
        bind.provider = "ADSync".into();
        bound.insert(1, bind);
        let out = check(&facts(&dir, &bound, AT), &[]);
        assert!(
            out[0]
                .evidence
                .iter()
                .any(|e| e == "  the sync engine bound to AD as MSOL_abc123"),
            "{:?}",
            out[0].evidence
        );
        // Without the 6329 the same 33004 is the permission finding, contradicted by the directory.
        let plain = attempt(33004, DENIED_33004, None);
        assert_eq!(
            codes(&check(&facts(&dir, &plain, AT), &[])),
            [FindingCode::EventPermissionDenied]
        );
    }

    #[test]
    fn causes_the_directory_cannot_show_never_say_try_again() {
        let dir = directory();
        let cases: [(Vec<Event>, FindingCode); 5] = [
            (attempt(33004, DENIED_33004, Some(REMOTE_SAM_6329)), FindingCode::EventRemoteSamRestricted),
            (attempt(33001, &failure_text(33001, "80004005", "Unspecified error"), Some(RPC_6329)), FindingCode::EventRpcUnavailable),
            (
                attempt(33001, &failure_text(33001, "80230818", "The management agent run was terminated because a domain controller could not be contacted."), None),
                FindingCode::EventDcUnreachable,
            ),
            (
                attempt(33009, &failure_text(33009, "8023062C", "the server is not configured for insecure setting of passwords, or a 128 bit TLS or SSL connection is required."), None),
                FindingCode::EventLdapNotSealed,
            ),
            (attempt(33002, &not_found_33002(), Some(NOT_IN_SCOPE_6329)), FindingCode::EventNotInPasswordSyncScope),
        ];
        for (evs, code) in cases {
            let d = diagnosis_of(&evs, &dir);
            assert_eq!(d.verdict.primary_cause, Some(code), "{code}: {:?}", d.findings);
            assert!(!d.verdict.writeback_can_succeed, "{code}");
            let summary = d.verdict.summary.to_lowercase();
            assert!(
                !summary.contains("try again") && !summary.contains("fixed since"),
                "{code}: {summary}"
            );
            let f = d.findings.iter().find(|x| x.code == code).expect("the finding");
            assert_eq!(f.severity, Severity::Blocker, "{code}");
            assert!(!f.remediation.is_empty(), "{code} has a fix");
        }
    }

    #[test]
    fn out_of_scope_33002_is_not_user_not_found_and_the_directory_corroborates_it() {
        let dir = directory();
        let evs = attempt(33002, &not_found_33002(), Some(NOT_IN_SCOPE_6329));
        let out = check(&facts(&dir, &evs, AT), &[]);
        assert_eq!(codes(&out), [FindingCode::EventNotInPasswordSyncScope]);
        assert!(out[0]
            .remediation
            .iter()
            .any(|r| r.contains("-Clear adminDescription") && r.contains("CN=alice,OU=Staff")));
        assert!(!out[0]
            .remediation
            .iter()
            .any(|r| r.contains("Get-ADSyncCSObject")));
        let dirf = [Finding::new(
            FindingCode::PasswordSyncScopeExcluded,
            Severity::Blocker,
            "x",
        )];
        let out = check(&facts(&dir, &evs, AT), &dirf);
        assert_eq!(out[0].severity, Severity::Blocker);
        assert!(out[0]
            .evidence
            .iter()
            .any(|e| e == "the directory agrees: password-sync-scope-excluded"));
        // A 33002 without that text stays "not found", whose advice now names the scope too.
        let evs = attempt(33002, &not_found_33002(), None);
        let out = check(&facts(&dir, &evs, AT), &[]);
        assert_eq!(codes(&out), [FindingCode::EventUserNotFound]);
        assert!(out[0].remediation.iter().any(|r| r.contains("adminDescription")));
    }

    #[test]
    fn protected_account_hresult_is_its_own_finding_corroborated_by_admin_sd_holder() {
        let dir = directory();
        let evs = attempt(31011, &failure_text(31011, "80231367", "The password could not be updated because the management agent credentials were denied access to perform the operation on a privileged account."), None);
        let dirf = [Finding::new(FindingCode::AdminSdHolder, Severity::Blocker, "x")];
        let out = check(&facts(&dir, &evs, AT), &dirf);
        assert_eq!(codes(&out), [FindingCode::EventProtectedAccount]);
        assert_eq!(out[0].severity, Severity::Blocker);
        assert!(out[0]
            .evidence
            .iter()
            .any(|e| e == "the directory agrees: admin-sd-holder"));
        assert!(out[0]
            .remediation
            .iter()
            .any(|r| r.starts_with("Set-ADAccountPassword")));
    }

    #[test]
    fn service_causes_are_told_apart() {
        let dir = directory();
        let start = shaped(
            31001,
            EventKind::WritebackResetStart,
            "2026-11-24T08:00:00Z",
            START,
        );
        let service = |id: u32, text: &str| {
            let mut e = shaped(id, EventKind::WritebackServiceError, "2026-11-24T08:00:03Z", text);
            if id == 6800 {
                e.provider = "ADSync".into();
            }
            e
        };
        let cases = [
            (service(31044, "No service host for service bus endpoints are in running state."), FindingCode::EventWritebackNotRunning, "Restart-Service ADSync"),
            (service(32009, "Error getting auth token."), FindingCode::EventServiceConnectivity, "wizard"),
            (service(31034, "The connection to the connect service was lost."), FindingCode::EventServiceConnectivity, "Start-Service ADSync"),
            (service(32002, "Error Connecting to ServiceBus. The token provider was unable to provide a security token."), FindingCode::EventServiceConnectivity, "Test-NetConnection"),
        ];
        let mut titles = Vec::new();
        for (e, code, fix) in cases {
            let evs = [start.clone(), e];
            let out = check(&facts(&dir, &evs, "2026-11-24T08:00:05Z"), &[]);
            assert_eq!(codes(&out), [code]);
            assert!(
                out[0].remediation.iter().any(|r| r.contains(fix)),
                "{code}: {:?}",
                out[0].remediation
            );
            titles.push(out[0].title.clone());
        }
        titles.sort();
        titles.dedup();
        assert_eq!(titles.len(), 4, "each service cause has its own explanation");
    }

    #[test]
    fn a_6329_of_another_attempt_or_user_does_not_join() {
        let dir = directory();
        // The same server, 40 seconds later: another request's error.
        let mut later = shaped(
            6329,
            EventKind::SyncEngine,
            "2026-11-24T08:00:40Z",
            REMOTE_SAM_6329,
        );
        later.fields.tracking_id = None;
        let evs = [attempt(33004, DENIED_33004, None), vec![later]].concat();
        assert_eq!(
            codes(&check(&facts(&dir, &evs, AT), &[])),
            [FindingCode::EventPermissionDenied]
        );
        // In the attempt's second, but naming another user's cloud anchor.
        let other = NOT_IN_SCOPE_6329.replace(
            "User_9b83f544-ba22-4ffb-bff5-c1c2374d654c",
            "User_00000000-1111-2222-3333-444444444444",
        );
        let evs = attempt(33002, &not_found_33002(), Some(&other));
        assert_eq!(
            codes(&check(&facts(&dir, &evs, AT), &[])),
            [FindingCode::EventUserNotFound]
        );
    }

    #[test]
    fn offboarding_counts_only_without_a_later_start() {
        let dir = directory();
        let mut off = event(31013, EventKind::WritebackService, "2026-11-24T07:00:00Z");
        off.fields.tracking_id = None;
        let evs = [off.clone()];
        assert_eq!(
            codes(&check(&facts(&dir, &evs, AT), &[])),
            [FindingCode::EventWritebackDisabled]
        );
        let started = event(31015, EventKind::WritebackService, "2026-11-24T07:30:00Z");
        let evs = [off, started];
        assert!(check(&facts(&dir, &evs, AT), &[]).is_empty());
    }
}
