//! The demo tenant's scenario users as data: who they are, what happened to them, and the verdict
//! resetlens must reach. The generator schedules their events from this table and the diagnosis
//! tests loop over it, so the two cannot drift apart.

/// One scenario user of the demo tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scenario {
    /// sAMAccountName (the UPN is `<user>@contoso.example`).
    pub user: &'static str,
    pub display_name: &'static str,
    /// The OU path below the domain root (RDNs joined by commas).
    pub ou: &'static str,
    /// When the user's writeback attempt starts (RFC 3339, UTC). Failure events follow within
    /// three seconds, so the latest failed event (the diagnosis' default `--at`) is just after.
    pub attempt_at: &'static str,
    pub story: &'static str,
    /// The finding code that explains the failure; `None` when writeback works.
    pub primary_cause: Option<&'static str>,
    /// False when a blocker stands; a warning can be the cause while writeback can succeed (a
    /// refused password, a request that never arrived).
    pub writeback_can_succeed: bool,
    /// The time the ticket names, for a scenario the diagnosis reads at a given instant (`--at`).
    pub ticket_at: Option<&'static str>,
    /// For inheritance scenarios: the DN the report's `inheritance.blocked_at` must name.
    pub blocked_at: Option<&'static str>,
}

/// Every scenario user, in the order of their attempts (the order the README lists them).
/// peggy's Service Bus outage (08:54-09:00) catches only her; the field causes come after it.
pub fn scenarios() -> &'static [Scenario] {
    SCENARIOS
}

/// The scenario for `user` (sAMAccountName), if it is one.
pub fn scenario(user: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.user.eq_ignore_ascii_case(user))
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        user: "alice",
        display_name: "Alice Anders",
        ou: "OU=Sales,OU=Staff",
        attempt_at: "2026-11-24T08:02:00Z",
        story: "changes her password at mysignins; writeback works end to end (31006, 4724 and 4738 on DC01, 31007, then 656/657)",
        primary_cause: None,
        writeback_can_succeed: true,
        blocked_at: None,
        ticket_at: None,
    },
    Scenario {
        user: "bob",
        display_name: "Bob Baker",
        ou: "OU=Finance,OU=Staff",
        attempt_at: "2026-11-24T08:06:00Z",
        story: "inheritance was disabled on his account and the inherited ACEs removed, so the connector's Reset password never reaches him (31001, 33004, 31003, no 4724 on any DC)",
        primary_cause: Some("inheritance-disabled"),
        writeback_can_succeed: false,
        blocked_at: Some("CN=Bob Baker,OU=Finance,OU=Staff,DC=contoso,DC=example"),
        ticket_at: None,
    },
    Scenario {
        user: "carol",
        display_name: "Carol Chen",
        ou: "OU=Admins",
        attempt_at: "2026-11-24T08:10:00Z",
        story: "Domain Admins member: adminCount=1 and SDProp stamped the AdminSDHolder DACL, which lacks the connector's ACEs (31001, 33004, 31003)",
        primary_cause: Some("admin-sd-holder"),
        writeback_can_succeed: false,
        blocked_at: Some("CN=Carol Chen,OU=Admins,DC=contoso,DC=example"),
        ticket_at: None,
    },
    Scenario {
        user: "dave",
        display_name: "Dave Dalton",
        ou: "OU=Engineering,OU=Staff",
        attempt_at: "2026-11-24T08:14:00Z",
        story: "left Domain Admins long ago but kept adminCount=1 and the protected AdminSDHolder DACL (31001, 33004, 31003)",
        primary_cause: Some("admin-count-orphaned"),
        writeback_can_succeed: false,
        blocked_at: Some("CN=Dave Dalton,OU=Engineering,OU=Staff,DC=contoso,DC=example"),
        ticket_at: None,
    },
    Scenario {
        user: "erin",
        display_name: "Erin Evans",
        ou: "OU=Sales,OU=Staff",
        attempt_at: "2026-11-24T08:18:00Z",
        story: "changed her password on-premises at 05:10 and resets again at 08:18, inside the 1-day minimum password age (4724 audit failure on DC01, 6329 0x80230619, 33008, 31003)",
        primary_cause: Some("min-password-age"),
        writeback_can_succeed: false,
        blocked_at: None,
        ticket_at: None,
    },
    Scenario {
        user: "frank",
        display_name: "Frank Fischer",
        ou: "OU=Finance,OU=Staff",
        attempt_at: "2026-11-24T08:22:00Z",
        story: "his account is disabled on-premises (31001, 33005, 31003)",
        primary_cause: Some("account-disabled"),
        writeback_can_succeed: false,
        blocked_at: None,
        ticket_at: None,
    },
    Scenario {
        user: "grace",
        display_name: "Grace Green",
        ou: "OU=Engineering,OU=Staff",
        attempt_at: "2026-11-24T08:28:00Z",
        story: "an old password saved on WS042 locked her out at 08:24 (five 4625 and a 4740 naming WS042 on DC02, 4740 on the PDC DC01); her change at 08:28 fails (31006, 33006, 31008)",
        primary_cause: Some("account-locked"),
        writeback_can_succeed: false,
        blocked_at: None,
        ticket_at: None,
    },
    Scenario {
        user: "heidi",
        display_name: "Heidi Hahn",
        ou: "OU=Executives,OU=Staff",
        attempt_at: "2026-11-24T08:32:00Z",
        story: "an explicit deny of Reset password to CONTOSO\\Service Accounts on her object; the connector account is a member of that group (31001, 33004, 31003)",
        primary_cause: Some("denied-reset-password"),
        writeback_can_succeed: false,
        blocked_at: None,
        ticket_at: None,
    },
    Scenario {
        user: "ivan",
        display_name: "Ivan Ivanov",
        ou: "OU=Contractors",
        attempt_at: "2026-11-24T08:36:00Z",
        story: "OU=Contractors has inheritance blocked, so nothing from the domain root reaches him (31001, 33004, 31003)",
        primary_cause: Some("inheritance-disabled"),
        writeback_can_succeed: false,
        blocked_at: Some("OU=Contractors,DC=contoso,DC=example"),
        ticket_at: None,
    },
    Scenario {
        user: "judy",
        display_name: "Judy Jones",
        ou: "OU=Sales,OU=Staff",
        attempt_at: "2026-11-24T08:40:00Z",
        story: "her account was deleted and re-created on-premises; the cloud anchor still names the old objectGUID, which matches nobody (31001, 33002, 31003)",
        primary_cause: Some("event-user-not-found"),
        writeback_can_succeed: false,
        blocked_at: None,
        ticket_at: None,
    },
    Scenario {
        user: "mallory",
        display_name: "Mallory Moss",
        ou: "OU=Research/Development,OU=Staff",
        attempt_at: "2026-11-24T08:44:00Z",
        story: "her OU name contains '/', a character writeback cannot handle (31001, 33001 naming her DN, 31003)",
        primary_cause: Some("event-ou-reserved-characters"),
        writeback_can_succeed: false,
        blocked_at: None,
        ticket_at: None,
    },
    Scenario {
        user: "oscar",
        display_name: "Oscar Olsen",
        ou: "OU=Engineering,OU=Staff",
        attempt_at: "2026-11-24T08:48:00Z",
        story: "his reset succeeds (31001, 4724 on DC02, 31002) but the connector lacks Unexpire Password, so pwdLastSet ends at 0 (4738 PasswordLastSet %%1794) and his next logon fails 0xC0000224",
        primary_cause: Some("missing-unexpire-password"),
        writeback_can_succeed: false,
        blocked_at: None,
        ticket_at: None,
    },
    Scenario {
        user: "trent",
        display_name: "Trent Turner",
        ou: "OU=Sales,OU=Staff",
        attempt_at: "2026-11-24T08:52:00Z",
        story: "'User cannot change password' is set (Change password denied to Everyone and SELF); his change fails (31006, 6329 0x80230619, 31008)",
        primary_cause: Some("user-cannot-change-password"),
        writeback_can_succeed: false,
        blocked_at: None,
        ticket_at: None,
    },
    Scenario {
        user: "peggy",
        display_name: "Peggy Park",
        ou: "OU=Finance,OU=Staff",
        attempt_at: "2026-11-24T08:56:00Z",
        story: "a Service Bus outage from 08:54 to 09:00 (32002 and 32014, no heartbeats) breaks her reset (31001, then 32002 with her TrackingId)",
        primary_cause: Some("event-service-connectivity"),
        writeback_can_succeed: false,
        blocked_at: None,
        ticket_at: None,
    },
    Scenario {
        user: "victor",
        display_name: "Victor Vance",
        ou: "OU=Sales,OU=Staff",
        attempt_at: "2026-11-24T09:04:00Z",
        story: "the \"Restrict clients allowed to make remote calls to SAM\" policy on the Connect server refuses the connector's NetUserGetInfo: his ACLs are fine (31001 with only his cloud UPN, 405, 6329 Failed to acquire user information ... ERROR_ACCESS_DENIED, 33004 hr=80230626, 31003, no 4724)",
        primary_cause: Some("event-remote-sam-restricted"),
        writeback_can_succeed: false,
        blocked_at: None,
        ticket_at: None,
    },
    Scenario {
        user: "wendy",
        display_name: "Wendy Wu",
        ou: "OU=Finance,OU=Staff",
        attempt_at: "2026-11-24T09:08:00Z",
        story: "adminDescription PHSFiltered keeps her out of selective password hash sync, so writeback has no target (31001, 6329 0x80230405 No password writeback targets found, 33002, 31003)",
        primary_cause: Some("password-sync-scope-excluded"),
        writeback_can_succeed: false,
        blocked_at: None,
        ticket_at: None,
    },
    Scenario {
        user: "quinn",
        display_name: "Quinn Quade",
        ou: "OU=Engineering,OU=Staff",
        attempt_at: "2026-11-24T09:12:00Z",
        story: "Microsoft Entra Password Protection on DC01 refuses her new password from the tenant's banned list (10017 + 30003 on DC01, 4724 audit failure, 6329 0x80230619, 33008, 31003): another password will work",
        primary_cause: Some("password-protection-rejected"),
        writeback_can_succeed: true,
        blocked_at: None,
        ticket_at: None,
    },
    Scenario {
        user: "rupert",
        display_name: "Rupert Ross",
        ou: "OU=Sales,OU=Staff",
        attempt_at: "2026-11-24T09:20:00Z",
        story: "his manager reset his password in the Microsoft 365 admin center at 09:20: nothing reaches the Connect server, whose heartbeats go on (read it with --at 2026-11-24T09:20:00Z)",
        primary_cause: Some("no-attempt-received"),
        writeback_can_succeed: true,
        blocked_at: None,
        ticket_at: Some("2026-11-24T09:20:00Z"),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_unique_and_times_parse_in_order() {
        let mut last = None;
        for s in scenarios() {
            assert_eq!(scenarios().iter().filter(|o| o.user == s.user).count(), 1);
            let t = s.attempt_at.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
            assert!(last.map_or(true, |l| l < t), "{} out of order", s.user);
            last = Some(t);
            if s.primary_cause.is_none() {
                assert!(s.writeback_can_succeed, "{}", s.user);
            }
        }
        assert_eq!(scenarios().len(), 18);
        assert_eq!(scenario("IVAN").map(|s| s.user), Some("ivan"));
    }
}
