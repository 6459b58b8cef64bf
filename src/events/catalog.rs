//! The catalog of events that matter for password writeback: every event ID the reference
//! documents for the Entra Connect server (PasswordResetService, ADSync, Directory Synchronization)
//! and the domain controllers (Security auditing), as data. Each entry carries its documented
//! name, the kind the correlation and diagnosis work with, what it means in plain language and,
//! for failures, the likely cause and fix. Sources: writeback-facts.md sections 1, 2 and 8.

use super::model::EventKind;

/// The event sources the catalog knows, by the provider name Windows writes into the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    PasswordResetService,
    AdSync,
    DirectorySynchronization,
    SecurityAuditing,
    /// Microsoft Entra Password Protection's DC agent (its `.../Admin` log on each DC).
    PasswordProtection,
}

impl Provider {
    pub const ALL: [Provider; 5] = [
        Provider::PasswordResetService,
        Provider::AdSync,
        Provider::DirectorySynchronization,
        Provider::SecurityAuditing,
        Provider::PasswordProtection,
    ];

    /// The provider name as it appears in `<Provider Name="...">`.
    pub fn name(self) -> &'static str {
        match self {
            Provider::PasswordResetService => "PasswordResetService",
            Provider::AdSync => "ADSync",
            Provider::DirectorySynchronization => "Directory Synchronization",
            Provider::SecurityAuditing => "Microsoft-Windows-Security-Auditing",
            Provider::PasswordProtection => "Microsoft-AzureADPasswordProtection-DCAgent",
        }
    }

    /// Matches a record's provider name, ignoring ASCII case (exports differ in casing).
    pub fn from_name(name: &str) -> Option<Provider> {
        Provider::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }
}

/// One documented event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    pub provider: Provider,
    pub id: u32,
    /// The name Microsoft's documentation gives it (spelling as documented).
    pub name: &'static str,
    pub kind: EventKind,
    /// What it means, for a helpdesk agent.
    pub meaning: &'static str,
    /// For failures: the likely cause.
    pub cause: Option<&'static str>,
    /// For failures: what to do about it.
    pub fix: Option<&'static str>,
}

impl CatalogEntry {
    /// Whether ingestion collects this event when no explicit ID list is given. Noise events
    /// (successful logons) are in the catalog so they get a name, not so they fill a timeline.
    pub fn collected_by_default(&self) -> bool {
        self.kind != EventKind::Other
    }

    /// Whether this event reports that something went wrong.
    pub fn is_failure(&self) -> bool {
        self.cause.is_some()
    }
}

/// Finds an event by provider name (ASCII case ignored) and event ID.
pub fn lookup(provider: &str, id: u32) -> Option<&'static CatalogEntry> {
    let provider = Provider::from_name(provider)?;
    CATALOG.iter().find(|e| e.provider == provider && e.id == id)
}

/// Every entry, in catalog order.
pub fn entries() -> &'static [CatalogEntry] {
    CATALOG
}

/// Whether any provider's default-collected entry has this ID: the cheap first test the fast
/// reader applies before it looks at the provider name.
pub fn is_default_id(id: u32) -> bool {
    CATALOG.iter().any(|e| e.id == id && e.collected_by_default())
}

const WRITEBACK_FAIL_CAUSE: &str =
    "The password reached the Entra Connect server but setting it in AD failed: the new \
     password breaks the domain policy (age, history, complexity, filter), the AD DS connector account lacks \
     rights on the user, or the user is in a protected group (adminCount=1).";
const WRITEBACK_FAIL_FIX: &str =
    "Look at the ADSync and 33xxx events with the same TrackingId for the exact reason; \
     check the connector account's effective 'Reset password' right on the user and the password policy.";
const REENABLE_FIX: &str =
    "Disable and re-enable password writeback in Entra Connect; if it persists, open a support case with the tracking ID.";
const CONNECTIVITY_FIX: &str = "Allow outbound TCP 443 from the Connect server to *.servicebus.windows.net and \
     *.passwordreset.microsoftonline.com (TLS 1.2, proxy settings of the ADSync service account), then restart ADSync.";

macro_rules! entry {
    ($p:ident, $id:expr, $name:expr, $kind:ident, $meaning:expr) => {
        CatalogEntry {
            provider: Provider::$p,
            id: $id,
            name: $name,
            kind: EventKind::$kind,
            meaning: $meaning,
            cause: None,
            fix: None,
        }
    };
    ($p:ident, $id:expr, $name:expr, $kind:ident, $meaning:expr, $cause:expr, $fix:expr) => {
        CatalogEntry {
            provider: Provider::$p,
            id: $id,
            name: $name,
            kind: EventKind::$kind,
            meaning: $meaning,
            cause: Some($cause),
            fix: Some($fix),
        }
    };
}

// Names for IDs Microsoft documents without one (ADSync, Directory Synchronization, Security)
// are descriptive, not official.
static CATALOG: &[CatalogEntry] = &[
    // PasswordResetService: the writeback service itself.
    entry!(PasswordResetService, 31001, "PasswordResetStart", WritebackResetStart,
        "The Connect server received a self-service password reset for a synced user; first event of every reset writeback."),
    entry!(PasswordResetService, 31002, "PasswordResetSuccess", WritebackSuccess,
        "The reset password was written to AD."),
    entry!(PasswordResetService, 31003, "PasswordResetFail", WritebackFailure,
        "The reset reached the Connect server but setting the password in AD failed.",
        WRITEBACK_FAIL_CAUSE, WRITEBACK_FAIL_FIX),
    entry!(PasswordResetService, 31004, "OnboardingEventStart", WritebackService,
        "Writeback was enabled; onboarding the tenant to the writeback service started."),
    entry!(PasswordResetService, 31005, "OnboardingEventSuccess", WritebackService,
        "Onboarding succeeded; writeback is ready."),
    entry!(PasswordResetService, 31006, "ChangePasswordStart", WritebackChangeStart,
        "A cloud password change (the user knew the old password) arrived; first event of every change writeback."),
    entry!(PasswordResetService, 31007, "ChangePasswordSuccess", WritebackSuccess,
        "The changed password was written to AD."),
    entry!(PasswordResetService, 31008, "ChangePasswordFail", WritebackFailure,
        "The change reached the Connect server but setting the password in AD failed.",
        WRITEBACK_FAIL_CAUSE, WRITEBACK_FAIL_FIX),
    entry!(PasswordResetService, 31009, "ResetUserPasswordByAdminStart", WritebackAdminResetStart,
        "An administrator reset the user's password in the cloud; first event of an admin-reset writeback."),
    entry!(PasswordResetService, 31010, "ResetUserPasswordByAdminSuccess", WritebackSuccess,
        "The administrator's reset was written to AD."),
    entry!(PasswordResetService, 31011, "ResetUserPasswordByAdminFail", WritebackFailure,
        "The administrator's reset reached the Connect server but setting it in AD failed.",
        WRITEBACK_FAIL_CAUSE, WRITEBACK_FAIL_FIX),
    entry!(PasswordResetService, 31012, "OffboardingEventStart", WritebackService,
        "Writeback was disabled; offboarding started."),
    entry!(PasswordResetService, 31013, "OffboardingEventSuccess", WritebackService,
        "Offboarding succeeded; writeback is now disabled."),
    entry!(PasswordResetService, 31014, "OffboardingEventFail", WritebackServiceError,
        "Offboarding (disabling writeback) failed.",
        "A cloud or on-premises admin permission problem, or a federated Global Administrator was used.",
        "Run the wizard again with a managed (cloud-only) Global Administrator."),
    entry!(PasswordResetService, 31015, "WriteBackServiceStarted", WritebackService,
        "The writeback service started and is ready for requests."),
    entry!(PasswordResetService, 31016, "WriteBackServiceStopped", WritebackService,
        "The writeback service stopped; cloud password requests fail until it starts again."),
    entry!(PasswordResetService, 31017, "AuthTokenSuccess", WritebackService,
        "Got an authentication token for the Global Administrator used in setup."),
    entry!(PasswordResetService, 31018, "KeyPairCreationSuccess", WritebackService,
        "The key pair that encrypts passwords on their way from the cloud was created."),
    entry!(PasswordResetService, 31019, "ServiceBusHeartBeat", WritebackService,
        "A heartbeat to the tenant's Service Bus relay succeeded."),
    entry!(PasswordResetService, 31034, "ServiceBusListenerError", WritebackServiceError,
        "The writeback service could not connect its Service Bus listener.",
        "Network or TLS trouble; with 'The remote certificate is invalid' the server lacks the root CAs Azure now uses.",
        "Install the current Azure root certificates and check outbound TCP 443 to *.servicebus.windows.net."),
    entry!(PasswordResetService, 31044, "PasswordResetService", WritebackServiceError,
        "Writeback is not working: one of the two Service Bus relay hosts is not running.",
        "One of the Service Hosts that listen on the redundant relays is down.",
        "Restart the ADSync service; if it persists, disable and re-enable writeback."),
    entry!(PasswordResetService, 32000, "UnknownError", WritebackServiceError,
        "An unknown error happened during a password operation.",
        "See the exception text in the event.", REENABLE_FIX),
    entry!(PasswordResetService, 32001, "ServiceError", WritebackServiceError,
        "The Connect server could not reach the cloud password reset web service.",
        "Outbound connectivity to *.passwordreset.microsoftonline.com is blocked or failing.", CONNECTIVITY_FIX),
    entry!(PasswordResetService, 32002, "ServiceBusError", WritebackServiceError,
        "The Connect server could not connect to the tenant's Service Bus instance.",
        "An outbound firewall or proxy blocks *.servicebus.windows.net, or the token provider failed.", CONNECTIVITY_FIX),
    entry!(PasswordResetService, 32003, "InPutValidationError", WritebackServiceError,
        "Invalid input was passed to the web service API.",
        "A transient or malformed request.", "Retry the operation."),
    entry!(PasswordResetService, 32004, "DecryptionError", WritebackServiceError,
        "The password from the cloud could not be decrypted.",
        "The encryption keys of the cloud and the Connect server no longer match.", REENABLE_FIX),
    entry!(PasswordResetService, 32005, "ConfigurationError", WritebackServiceError,
        "The tenant configuration file written at onboarding could not be read or saved.",
        "The onboarding configuration is damaged or inaccessible.", REENABLE_FIX),
    entry!(PasswordResetService, 32006, "(undocumented)", WritebackServiceError,
        "An event ID Microsoft does not document.",
        "Unknown; read the event text.", REENABLE_FIX),
    entry!(PasswordResetService, 32007, "OnBoardingConfigUpdateError", WritebackServiceError,
        "Onboarding data could not be updated before it was handed to the sync service.",
        "The onboarding state is inconsistent.", REENABLE_FIX),
    entry!(PasswordResetService, 32008, "ValidationError", WritebackServiceError,
        "The password reset web service sent an invalid response.",
        "The service or the onboarding state is inconsistent.", REENABLE_FIX),
    entry!(PasswordResetService, 32009, "AuthTokenError", WritebackServiceError,
        "No authentication token could be obtained for the Global Administrator given in setup.",
        "Wrong user name or password, or the administrator is federated.",
        "Use a managed (non-federated) Global Administrator with the right password, then check connectivity."),
    entry!(PasswordResetService, 32010, "CryptoError", WritebackServiceError,
        "Generating the encryption key or decrypting a password failed.",
        "A key or crypto-provider problem on the Connect server.", REENABLE_FIX),
    entry!(PasswordResetService, 32011, "OnBoardingServiceError", WritebackServiceError,
        "The Connect server could not talk to the web service to start onboarding.",
        "A firewall blocks TCP 443 or 9350-9354 outbound, or the token failed (federated admin).", CONNECTIVITY_FIX),
    entry!(PasswordResetService, 32012, "(undocumented)", WritebackServiceError,
        "An event ID Microsoft does not document.",
        "Unknown; read the event text.", REENABLE_FIX),
    entry!(PasswordResetService, 32013, "OffBoardingError", WritebackServiceError,
        "The Connect server could not talk to the web service to offboard.",
        "A firewall blocks TCP 443 or 9350-9354 outbound, or the token failed (federated admin).", CONNECTIVITY_FIX),
    entry!(PasswordResetService, 32014, "ServiceBusWarning", WritebackServiceError,
        "The Service Bus connection had to be retried.",
        "Latency or bandwidth trouble towards Service Bus; a concern only when frequent.", CONNECTIVITY_FIX),
    entry!(PasswordResetService, 32015, "ReportServiceHealthError", WritebackServiceError,
        "Sending health data (every 5 minutes) to the cloud failed.",
        "Outbound connectivity to the cloud is failing.", CONNECTIVITY_FIX),
    entry!(PasswordResetService, 33001, "ADUnKnownError", WritebackFailure,
        "AD returned an unknown error while the password was set.",
        "Often the user's OU path contains a reserved character (leading/trailing space or #, , + \" \\ < > ; = / CR LF).",
        "Look at ADSync events for detail; rename the OU so its name has no reserved characters."),
    entry!(PasswordResetService, 33002, "ADUserNotFoundError", WritebackFailure,
        "The user was not found on-premises.",
        "The user was deleted on-premises but not in the cloud, is out of the sync scope, or sync is broken.",
        "Check the user exists on-premises and is in the sync scope; check the sync run history."),
    entry!(PasswordResetService, 33003, "ADMutliMatchError", WritebackFailure,
        "Two on-premises users have the same cloud anchor (source anchor).",
        "Duplicate source anchor (e.g. the same user enabled in an account and a resource forest).",
        "Make the source anchor unique: disable or unlink the duplicate account."),
    entry!(PasswordResetService, 33004, "ADPermissionsError", WritebackFailure,
        "The AD DS connector account is not allowed to set this user's password.",
        "The connector account lacks 'Reset password' on the user: inheritance is disabled, a deny applies, or the user is protected by AdminSDHolder (adminCount=1).",
        "Grant the connector account Reset password (and write lockoutTime/pwdLastSet) on the user, re-enable inheritance, or handle the AdminSDHolder protection."),
    entry!(PasswordResetService, 33005, "ADUserAccountDisabled", WritebackFailure,
        "The target account is disabled on-premises.",
        "The on-premises account is disabled.", "Enable the account, then retry the reset."),
    entry!(PasswordResetService, 33006, "ADUserAccountLockedOut", WritebackFailure,
        "The target account is locked out on-premises.",
        "Too many bad passwords locked the account (see 4740 on a DC for the caller computer).",
        "Unlock the account, stop the source of bad passwords, then retry."),
    entry!(PasswordResetService, 33007, "ADUserIncorrectPassword", WritebackFailure,
        "A password change supplied the wrong current password.",
        "The user typed the wrong old password.", "Retry with the right current password, or use reset instead of change."),
    entry!(PasswordResetService, 33008, "ADPasswordPolicyError", WritebackFailure,
        "The new password violates the on-premises password policy.",
        "Minimum password age, history, complexity, a password filter, or 'User cannot change password'.",
        "Pick another password, wait out the minimum password age, or fix the policy or the user's flag."),
    entry!(PasswordResetService, 33009, "ADConfigurationError", WritebackFailure,
        "An AD configuration issue stopped the password set.",
        "A configuration problem on the AD side.", "Check the ADSync events around it for the detail."),
    // ADSync: the sync engine.
    entry!(AdSync, 6329, "SyncEngineError", SyncEngine,
        "The sync engine reported an error while setting a password in AD.",
        "0x80230619: password policy (age, history, complexity, filter, User cannot change password); 'doesn't contain the LDAP password policy control': DCs older than required; 0x8023061f: a forest was added after writeback was enabled.",
        "Follow the error code in the text: fix the policy or flag, upgrade the DCs, or disable and re-enable writeback."),
    entry!(AdSync, 403, "ImpersonationLogonUser", ConnectorBind,
        "The sync engine logged on as the AD DS connector account (ImpersonationHelper LogonUser) before a password operation."),
    entry!(AdSync, 405, "ConnectorLdapBind", ConnectorBind,
        "The sync engine bound to AD over LDAP as the connector account: its credentials work."),
    entry!(AdSync, 6800, "WritebackEndpointFailed", WritebackServiceError,
        "The password writeback endpoint failed to start when the sync service started.",
        "The WCF endpoint for writeback could not start.",
        "Restart the ADSync service; if it persists, disable and re-enable writeback."),
    // Directory Synchronization: password hash sync.
    entry!(DirectorySynchronization, 0, "PasswordSyncRetry", Phs,
        "Some password changes failed to sync and were scheduled for retry.",
        "Transient password hash sync failure for the listed DNs.", "Watch for the retry; check the sync service if it repeats."),
    entry!(DirectorySynchronization, 115, "AccessDenied", Phs,
        "Access to Entra ID was denied for password hash sync.",
        "The connector credentials were changed outside the wizard.", "Run the Entra Connect wizard again to update credentials."),
    entry!(DirectorySynchronization, 611, "PasswordSyncFailed", Phs,
        "Password hash synchronization failed for a domain.",
        "Replication (GetNCChanges) failed: DN, epoch or permission trouble.",
        "Check the connector account's replication rights and the exception text."),
    entry!(DirectorySynchronization, 622, "FullSyncDomainCompleted", Phs,
        "A full password hash sync cycle completed for a domain."),
    entry!(DirectorySynchronization, 623, "FullSyncForestCompleted", Phs,
        "A full password hash sync cycle completed for a forest."),
    entry!(DirectorySynchronization, 650, "ProvisionBatchStart", Phs,
        "Started sending a batch of changed password hashes to Entra ID."),
    entry!(DirectorySynchronization, 651, "ProvisionBatchEnd", Phs,
        "Finished sending a batch of password hashes."),
    entry!(DirectorySynchronization, 652, "ProvisionBatchFailed", Phs,
        "A batch of password hashes could not be sent.",
        "Password hash sync not activated for the tenant, or the service was busy.",
        "Check the error code in the text; busy errors retry on their own."),
    entry!(DirectorySynchronization, 653, "ProvisionPingStart", Phs,
        "Password hash sync 'no changes' ping started."),
    entry!(DirectorySynchronization, 654, "ProvisionPingEnd", Phs,
        "Password hash sync ping finished."),
    entry!(DirectorySynchronization, 655, "ProvisionPingFailed", Phs,
        "The password hash sync ping failed.",
        "Credentials or connectivity to Entra ID.", "Check the error text; re-run the wizard if credentials are rejected."),
    entry!(DirectorySynchronization, 656, "PasswordChangeRequest", PhsRequest,
        "A password change in AD was detected and will be pushed to Entra ID."),
    entry!(DirectorySynchronization, 657, "PasswordChangeResult", PhsResult,
        "The result of pushing one user's password hash to Entra ID."),
    entry!(DirectorySynchronization, 663, "PhsHeartbeat", Phs,
        "Password hash sync manager heartbeat."),
    entry!(DirectorySynchronization, 6900, "PasswordChangeNotificationError", Phs,
        "An unexpected error while processing a password change notification.",
        "Wrong credentials, or password hash sync not activated.", "Read the error text; re-run the wizard if needed."),
    // Security auditing on the domain controllers.
    entry!(SecurityAuditing, 4723, "PasswordChangeAttempt", DcChange,
        "An attempt to change an account's password (old and new password)."),
    entry!(SecurityAuditing, 4724, "PasswordResetAttempt", DcReset,
        "An attempt to reset an account's password; for writeback the subject is the AD DS connector account. No event is written when access is denied."),
    entry!(SecurityAuditing, 4738, "UserAccountChanged", DcUserChanged,
        "A user account was changed (password last set, account control flags ...)."),
    entry!(SecurityAuditing, 4740, "UserAccountLockedOut", DcLockout,
        "A user account was locked out; the caller computer is where the bad passwords came from.",
        "Repeated bad passwords from the caller computer (stale credentials on a device or service).",
        "Find and fix the stale password on the caller computer, then unlock the account."),
    entry!(SecurityAuditing, 4767, "UserAccountUnlocked", DcUnlock,
        "A user account was unlocked."),
    entry!(SecurityAuditing, 4625, "LogonFailure", DcLogonFailure,
        "An account failed to log on; Status and SubStatus say why.",
        "Bad password, locked or disabled account, expired password or 'must change password'.",
        "Read the status code; if bad passwords lock the account, fix their source."),
    entry!(SecurityAuditing, 4771, "KerberosPreauthFailed", DcLogonFailure,
        "Kerberos pre-authentication failed (often a bad password).",
        "Bad password (0x18), revoked/locked/disabled account (0x12) or expired password (0x17).",
        "Find the device using the stale password."),
    entry!(SecurityAuditing, 4624, "LogonSuccess", Other,
        "An account logged on successfully (noise for writeback)."),
    // Microsoft Entra Password Protection DC agent (howto-password-ban-bad-on-premises-monitor).
    // A rejection (10016/10017) is paired with the 300xx that names the list.
    entry!(PasswordProtection, 10014, "ChangeAccepted", DcPasswordAccepted,
        "Password Protection validated a password change and accepted it."),
    entry!(PasswordProtection, 10015, "SetAccepted", DcPasswordAccepted,
        "Password Protection validated a password set (reset, as writeback does) and accepted it."),
    entry!(PasswordProtection, 10016, "ChangeRejected", DcPasswordRejected,
        "Password Protection rejected a password change.",
        "The new password matched a banned password list or the user's name.",
        "Choose a password without the banned words; see the paired 300xx event for which list."),
    entry!(PasswordProtection, 10017, "SetRejected", DcPasswordRejected,
        "Password Protection rejected a password set: a writeback reset is a set.",
        "The new password matched a banned password list or the user's name.",
        "Choose a password without the banned words; see the paired 300xx event for which list."),
    entry!(PasswordProtection, 10024, "ChangeAuditOnlyWouldReject", DcPasswordAccepted,
        "Password Protection (audit mode) would have rejected a password change; it was accepted."),
    entry!(PasswordProtection, 10025, "SetAuditOnlyWouldReject", DcPasswordAccepted,
        "Password Protection (audit mode) would have rejected a password set; it was accepted."),
    entry!(PasswordProtection, 30002, "ChangeRejectedTenantList", DcPasswordRejectReason,
        "The changed password matched the tenant's custom banned password list."),
    entry!(PasswordProtection, 30003, "SetRejectedTenantList", DcPasswordRejectReason,
        "The set password matched the tenant's custom banned password list."),
    entry!(PasswordProtection, 30004, "ChangeRejectedMicrosoftList", DcPasswordRejectReason,
        "The changed password matched Microsoft's global banned password list."),
    entry!(PasswordProtection, 30005, "SetRejectedMicrosoftList", DcPasswordRejectReason,
        "The set password matched Microsoft's global banned password list."),
    entry!(PasswordProtection, 30021, "ChangeRejectedUserName", DcPasswordRejectReason,
        "The changed password contained the user's account or display name."),
    entry!(PasswordProtection, 30022, "SetRejectedUserName", DcPasswordRejectReason,
        "The set password contained the user's account or display name."),
    entry!(PasswordProtection, 30026, "ChangeRejectedCombinedLists", DcPasswordRejectReason,
        "The changed password matched the combined Microsoft and tenant banned password lists."),
    entry!(PasswordProtection, 30027, "SetRejectedCombinedLists", DcPasswordRejectReason,
        "The set password matched the combined Microsoft and tenant banned password lists."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_id_is_present() {
        let mut ids: Vec<(Provider, u32)> = Vec::new();
        ids.extend((31001..=31019).map(|i| (Provider::PasswordResetService, i)));
        ids.extend([31034, 31044].map(|i| (Provider::PasswordResetService, i)));
        ids.extend((32000..=32015).map(|i| (Provider::PasswordResetService, i)));
        ids.extend((33001..=33009).map(|i| (Provider::PasswordResetService, i)));
        ids.extend([403, 405, 6329, 6800].map(|i| (Provider::AdSync, i)));
        ids.extend(
            [
                611, 622, 623, 650, 651, 652, 653, 654, 655, 656, 657, 663, 0, 115, 6900,
            ]
            .map(|i| (Provider::DirectorySynchronization, i)),
        );
        ids.extend([4723, 4724, 4738, 4740, 4767, 4625, 4771, 4624].map(|i| (Provider::SecurityAuditing, i)));
        ids.extend(
            [
                10014, 10015, 10016, 10017, 10024, 10025, 30002, 30003, 30004, 30005, 30021, 30022, 30026,
                30027,
            ]
            .map(|i| (Provider::PasswordProtection, i)),
        );
        for (p, id) in &ids {
            assert!(lookup(p.name(), *id).is_some(), "{p:?} {id} missing");
        }
        assert_eq!(entries().len(), ids.len(), "no entries beyond the reference");
    }

    #[test]
    fn entries_are_unique_and_failures_have_cause_and_fix() {
        for (i, e) in entries().iter().enumerate() {
            assert!(
                !entries()[..i]
                    .iter()
                    .any(|o| o.provider == e.provider && o.id == e.id),
                "duplicate {:?} {}",
                e.provider,
                e.id
            );
            assert_eq!(e.cause.is_some(), e.fix.is_some(), "{} cause/fix pair", e.id);
            assert!(!e.meaning.is_empty());
            if e.kind == EventKind::WritebackFailure || e.kind == EventKind::WritebackServiceError {
                assert!(e.is_failure(), "{} must say cause and fix", e.id);
            }
        }
    }

    #[test]
    fn lookup_ignores_provider_case_and_checks_provider() {
        assert_eq!(
            lookup("passwordresetservice", 33004).map(|e| e.name),
            Some("ADPermissionsError")
        );
        assert_eq!(
            lookup("directory synchronization", 656).map(|e| e.kind),
            Some(EventKind::PhsRequest)
        );
        assert_eq!(
            lookup("adsync", 6329).map(|e| e.kind),
            Some(EventKind::SyncEngine)
        );
        assert_eq!(
            lookup("Microsoft-Windows-Security-Auditing", 4724).map(|e| e.kind),
            Some(EventKind::DcReset)
        );
        assert!(lookup("PasswordResetService", 4724).is_none());
        assert!(lookup("Some-Other-Provider", 0).is_none());
    }

    #[test]
    fn noise_is_named_but_not_collected_by_default() {
        let logon = lookup("Microsoft-Windows-Security-Auditing", 4624).expect("4624");
        assert!(!logon.collected_by_default());
        assert!(!is_default_id(4624));
        assert!(is_default_id(4724));
        assert!(is_default_id(0));
    }
}
