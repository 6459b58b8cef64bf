//! Names people recognise for SIDs and GUIDs: the well-known and domain-relative SIDs (with their
//! SDDL aliases), the AdminSDHolder-protected groups, and the schema/extended-right GUIDs that
//! show up in ACEs relevant to password writeback. Tables only; rendering lives in `sddl`.

use super::{Guid, Sid};

/// Where a well-known SID lives: fixed everywhere, or a RID under the domain SID.
#[derive(Debug, Clone, Copy)]
pub enum SidScope {
    Fixed {
        authority: u64,
        subs: &'static [u32],
    },
    /// Domain-relative. The root-domain groups (Enterprise Admins, Schema Admins, ...) are taken
    /// relative to the one domain SID given, which is exact in a single-domain forest.
    Domain(u32),
}

#[derive(Debug, Clone, Copy)]
pub struct WellKnownSid {
    /// The two-letter SDDL alias Windows writes for this SID, if it has one.
    pub alias: Option<&'static str>,
    pub scope: SidScope,
    pub name: &'static str,
}

const fn fixed(
    alias: &'static str,
    authority: u64,
    subs: &'static [u32],
    name: &'static str,
) -> WellKnownSid {
    WellKnownSid {
        alias: if alias.is_empty() { None } else { Some(alias) },
        scope: SidScope::Fixed { authority, subs },
        name,
    }
}

const fn domain(alias: &'static str, rid: u32, name: &'static str) -> WellKnownSid {
    WellKnownSid {
        alias: if alias.is_empty() { None } else { Some(alias) },
        scope: SidScope::Domain(rid),
        name,
    }
}

/// Well-known SIDs, SDDL aliases as in Windows' sddl.h, display names as Windows shows them.
pub const WELL_KNOWN_SIDS: &[WellKnownSid] = &[
    fixed("WD", 1, &[0], "Everyone"),
    fixed("CO", 3, &[0], "CREATOR OWNER"),
    fixed("CG", 3, &[1], "CREATOR GROUP"),
    fixed("OW", 3, &[4], "OWNER RIGHTS"),
    fixed("NU", 5, &[2], "NETWORK"),
    fixed("", 5, &[3], "BATCH"),
    fixed("IU", 5, &[4], "INTERACTIVE"),
    fixed("SU", 5, &[6], "SERVICE"),
    fixed("AN", 5, &[7], "ANONYMOUS LOGON"),
    fixed("ED", 5, &[9], "ENTERPRISE DOMAIN CONTROLLERS"),
    fixed("PS", 5, &[10], "SELF"),
    fixed("AU", 5, &[11], "Authenticated Users"),
    fixed("RC", 5, &[12], "RESTRICTED"),
    fixed("", 5, &[13], "TERMINAL SERVER USER"),
    fixed("", 5, &[14], "REMOTE INTERACTIVE LOGON"),
    fixed("", 5, &[15], "This Organization"),
    fixed("SY", 5, &[18], "SYSTEM"),
    fixed("LS", 5, &[19], "LOCAL SERVICE"),
    fixed("NS", 5, &[20], "NETWORK SERVICE"),
    fixed("WR", 5, &[33], "WRITE RESTRICTED"),
    fixed("", 5, &[1000], "Other Organization"),
    fixed("BA", 5, &[32, 544], "Administrators"),
    fixed("BU", 5, &[32, 545], "Users"),
    fixed("BG", 5, &[32, 546], "Guests"),
    fixed("PU", 5, &[32, 547], "Power Users"),
    fixed("AO", 5, &[32, 548], "Account Operators"),
    fixed("SO", 5, &[32, 549], "Server Operators"),
    fixed("PO", 5, &[32, 550], "Print Operators"),
    fixed("BO", 5, &[32, 551], "Backup Operators"),
    fixed("RE", 5, &[32, 552], "Replicator"),
    fixed("RU", 5, &[32, 554], "Pre-Windows 2000 Compatible Access"),
    fixed("RD", 5, &[32, 555], "Remote Desktop Users"),
    fixed("NO", 5, &[32, 556], "Network Configuration Operators"),
    fixed("", 5, &[32, 557], "Incoming Forest Trust Builders"),
    fixed("MU", 5, &[32, 558], "Performance Monitor Users"),
    fixed("LU", 5, &[32, 559], "Performance Log Users"),
    fixed("", 5, &[32, 560], "Windows Authorization Access Group"),
    fixed("", 5, &[32, 561], "Terminal Server License Servers"),
    fixed("", 5, &[32, 562], "Distributed COM Users"),
    fixed("IS", 5, &[32, 568], "IIS_IUSRS"),
    fixed("", 5, &[32, 569], "Cryptographic Operators"),
    fixed("ER", 5, &[32, 573], "Event Log Readers"),
    fixed("CD", 5, &[32, 574], "Certificate Service DCOM Access"),
    fixed("HA", 5, &[32, 578], "Hyper-V Administrators"),
    fixed("AA", 5, &[32, 579], "Access Control Assistance Operators"),
    fixed("RM", 5, &[32, 580], "Remote Management Users"),
    fixed("AC", 15, &[2, 1], "ALL APPLICATION PACKAGES"),
    fixed("LW", 16, &[4096], "Low Mandatory Level"),
    fixed("ME", 16, &[8192], "Medium Mandatory Level"),
    fixed("MP", 16, &[8448], "Medium Plus Mandatory Level"),
    fixed("HI", 16, &[12288], "High Mandatory Level"),
    fixed("SI", 16, &[16384], "System Mandatory Level"),
    fixed("AS", 18, &[1], "Authentication authority asserted identity"),
    fixed("SS", 18, &[2], "Service asserted identity"),
    domain("RO", 498, "Enterprise Read-only Domain Controllers"),
    domain("LA", 500, "Administrator"),
    domain("LG", 501, "Guest"),
    domain("", 502, "krbtgt"),
    domain("DA", 512, "Domain Admins"),
    domain("DU", 513, "Domain Users"),
    domain("DG", 514, "Domain Guests"),
    domain("DC", 515, "Domain Computers"),
    domain("DD", 516, "Domain Controllers"),
    domain("CA", 517, "Cert Publishers"),
    domain("SA", 518, "Schema Admins"),
    domain("EA", 519, "Enterprise Admins"),
    domain("PA", 520, "Group Policy Creator Owners"),
    domain("", 521, "Read-only Domain Controllers"),
    domain("CN", 522, "Cloneable Domain Controllers"),
    domain("AP", 525, "Protected Users"),
    domain("KA", 526, "Key Admins"),
    domain("EK", 527, "Enterprise Key Admins"),
    domain("RS", 553, "RAS and IAS Servers"),
    domain("", 571, "Allowed RODC Password Replication Group"),
    domain("", 572, "Denied RODC Password Replication Group"),
];

impl WellKnownSid {
    pub fn matches(&self, sid: &Sid, domain_sid: Option<&Sid>) -> bool {
        match self.scope {
            SidScope::Fixed { authority, subs } => {
                sid.revision == 1 && sid.authority == authority && sid.sub_authorities == subs
            }
            SidScope::Domain(rid) => domain_sid.is_some_and(|d| {
                sid.rid() == Some(rid)
                    && sid.authority == d.authority
                    && sid.sub_authorities.len() == d.sub_authorities.len() + 1
                    && sid.sub_authorities.starts_with(&d.sub_authorities)
            }),
        }
    }

    /// The SID itself; `None` for a domain-relative entry when no domain SID is known.
    pub fn sid(&self, domain_sid: Option<&Sid>) -> Option<Sid> {
        match self.scope {
            SidScope::Fixed { authority, subs } => Some(Sid {
                revision: 1,
                authority,
                sub_authorities: subs.to_vec(),
            }),
            SidScope::Domain(rid) => domain_sid.map(|d| d.with_rid(rid)),
        }
    }
}

/// The table entry for `sid`, if it is well known (domain-relative ones need `domain_sid`).
pub fn well_known(sid: &Sid, domain_sid: Option<&Sid>) -> Option<&'static WellKnownSid> {
    WELL_KNOWN_SIDS.iter().find(|w| w.matches(sid, domain_sid))
}

/// Display name of a well-known SID ("Everyone", "Domain Admins", ...).
pub fn well_known_name(sid: &Sid, domain_sid: Option<&Sid>) -> Option<&'static str> {
    well_known(sid, domain_sid).map(|w| w.name)
}

/// The table entry for an SDDL alias ("DA", "WD", ...).
pub fn by_alias(alias: &str) -> Option<&'static WellKnownSid> {
    WELL_KNOWN_SIDS.iter().find(|w| w.alias == Some(alias))
}

/// Builtin protected groups (S-1-5-32-RID) whose members SDProp stamps with AdminSDHolder's DACL:
/// Account, Server, Print and Backup Operators, Administrators, Replicator.
pub const PROTECTED_BUILTIN_RIDS: &[u32] = &[544, 548, 549, 550, 551, 552];

/// Domain-relative protected groups: Domain Admins, Domain Controllers, Schema Admins, Enterprise
/// Admins, Read-only Domain Controllers (Schema/Enterprise Admins exist in the forest root only).
pub const PROTECTED_DOMAIN_RIDS: &[u32] = &[512, 516, 518, 519, 521];

/// Accounts protected by themselves, without group membership: Administrator and krbtgt.
pub const PROTECTED_ACCOUNT_RIDS: &[u32] = &[500, 502];

/// The domain-relative RIDs of the protected groups (see [`PROTECTED_DOMAIN_RIDS`]).
pub fn protected_group_rids() -> &'static [u32] {
    PROTECTED_DOMAIN_RIDS
}

/// Whether `sid` is one of the AdminSDHolder-protected groups of the domain `domain_sid`.
pub fn is_protected_group(sid: &Sid, domain_sid: &Sid) -> bool {
    let builtin = sid.authority == 5
        && sid.sub_authorities.len() == 2
        && sid.sub_authorities.first() == Some(&32)
        && sid.rid().is_some_and(|r| PROTECTED_BUILTIN_RIDS.contains(&r));
    builtin || is_domain_rid_in(sid, domain_sid, PROTECTED_DOMAIN_RIDS)
}

/// Whether `sid` is the domain's Administrator or krbtgt account.
pub fn is_protected_account(sid: &Sid, domain_sid: &Sid) -> bool {
    is_domain_rid_in(sid, domain_sid, PROTECTED_ACCOUNT_RIDS)
}

fn is_domain_rid_in(sid: &Sid, domain_sid: &Sid, rids: &[u32]) -> bool {
    sid.domain_part().as_ref() == Some(domain_sid) && sid.rid().is_some_and(|r| rids.contains(&r))
}

/// Ids of the extended rights, property sets, attributes and classes the writeback check and its
/// evidence refer to.
pub mod guids {
    use crate::security::Guid;

    pub const RESET_PASSWORD: Guid = Guid::from_str_const("00299570-246d-11d0-a768-00aa006e0529");
    pub const CHANGE_PASSWORD: Guid = Guid::from_str_const("ab721a53-1e2f-11d0-9819-00aa0040529b");
    pub const UNEXPIRE_PASSWORD: Guid = Guid::from_str_const("ccc2dc7d-a6ad-4a7a-8846-c04e3cc53501");
    pub const ACCOUNT_RESTRICTIONS: Guid = Guid::from_str_const("4c164200-20c0-11d0-a768-00aa006e0529");
    pub const PWD_LAST_SET: Guid = Guid::from_str_const("bf967a0a-0de6-11d0-a285-00aa003049e2");
    pub const LOCKOUT_TIME: Guid = Guid::from_str_const("28630ebf-41d5-11d1-a9c1-0000f80367c1");
    pub const USER_CLASS: Guid = Guid::from_str_const("bf967aba-0de6-11d0-a285-00aa003049e2");
    pub const COMPUTER_CLASS: Guid = Guid::from_str_const("bf967a86-0de6-11d0-a285-00aa003049e2");
    pub const DOMAIN_DNS_CLASS: Guid = Guid::from_str_const("19195a5b-6da0-11d0-afd3-00c04fd930c9");
}

const fn g(s: &str) -> Guid {
    Guid::from_str_const(s)
}

/// GUIDs with the names ADUC/dsacls use (CN of the controlAccessRight or the schema lDAPDisplayName).
const GUID_NAMES: &[(Guid, &str)] = &[
    // extended rights
    (guids::RESET_PASSWORD, "Reset Password"),
    (guids::CHANGE_PASSWORD, "Change Password"),
    (guids::UNEXPIRE_PASSWORD, "Unexpire Password"),
    (
        g("280f369c-67c7-438e-ae98-1d46f3c6f541"),
        "Update Password Not Required Bit",
    ),
    (
        g("05c74c5e-4deb-43b4-bd9f-86664c2a7fd5"),
        "Enable Per User Reversibly Encrypted Password",
    ),
    (
        g("1131f6aa-9c07-11d1-f79f-00c04fc2dcd2"),
        "DS-Replication-Get-Changes",
    ),
    (
        g("1131f6ad-9c07-11d1-f79f-00c04fc2dcd2"),
        "DS-Replication-Get-Changes-All",
    ),
    (
        g("89e95b76-444d-4c62-991a-0facbeda640c"),
        "DS-Replication-Get-Changes-In-Filtered-Set",
    ),
    (
        g("1131f6ab-9c07-11d1-f79f-00c04fc2dcd2"),
        "DS-Replication-Synchronize",
    ),
    (
        g("1131f6ac-9c07-11d1-f79f-00c04fc2dcd2"),
        "DS-Replication-Manage-Topology",
    ),
    (g("ab721a54-1e2f-11d0-9819-00aa0040529b"), "Send As"),
    (g("ab721a56-1e2f-11d0-9819-00aa0040529b"), "Receive As"),
    (
        g("68b1d179-0d15-4d4f-ab71-46152e79a7bc"),
        "Allowed to Authenticate",
    ),
    (g("ba33815a-4f93-4c76-87f3-57574bff8109"), "Migrate SID History"),
    // validated writes (which share their GUID with the attribute or property set)
    (
        g("bf9679c0-0de6-11d0-a285-00aa003049e2"),
        "member (Self-Membership)",
    ),
    (
        g("f3a64788-5306-11d1-a9c5-0000f80367c1"),
        "servicePrincipalName (Validated-SPN)",
    ),
    (
        g("72e39547-7b18-11d1-adef-00c04fd8d5cd"),
        "DNS Host Name Attributes",
    ),
    // property sets
    (guids::ACCOUNT_RESTRICTIONS, "Account Restrictions"),
    (g("5f202010-79a5-11d0-9020-00c04fc2d4cf"), "Logon Information"),
    (g("bc0ac240-79a9-11d0-9020-00c04fc2d4cf"), "Group Membership"),
    (g("59ba2f42-79a2-11d0-9020-00c04fc2d3cf"), "General Information"),
    (g("77b5b886-944a-11d1-aebd-0000f80367c1"), "Personal Information"),
    (g("e48d0154-bcf8-11d1-8702-00c04fb96050"), "Public Information"),
    (g("e45795b3-9455-11d1-aebd-0000f80367c1"), "Web Information"),
    (
        g("e45795b2-9455-11d1-aebd-0000f80367c1"),
        "Email Information (Phone and Mail Options)",
    ),
    (
        g("037088f8-0ae1-11d2-b422-00a0c968f939"),
        "Remote Access Information",
    ),
    (g("91e647de-d96f-4b70-9557-d63ff4f3ccd8"), "Private Information"),
    (
        g("c7407360-20bf-11d0-a768-00aa006e0529"),
        "Domain Password & Lockout Policies",
    ),
    (
        g("b8119fd0-04f6-4762-ab7a-4986c76b3f9a"),
        "Other Domain Parameters",
    ),
    // attributes
    (guids::PWD_LAST_SET, "pwdLastSet"),
    (guids::LOCKOUT_TIME, "lockoutTime"),
    (g("bf967a68-0de6-11d0-a285-00aa003049e2"), "userAccountControl"),
    (
        g("2cc4b836-b63f-4940-8d23-ea7acf06af56"),
        "msDS-User-Account-Control-Computed",
    ),
    (g("bf967915-0de6-11d0-a285-00aa003049e2"), "accountExpires"),
    (
        g("bf9679a4-0de6-11d0-a285-00aa003049e2"),
        "lockOutObservationWindow",
    ),
    (g("bf9679a5-0de6-11d0-a285-00aa003049e2"), "lockoutDuration"),
    (g("bf9679a6-0de6-11d0-a285-00aa003049e2"), "lockoutThreshold"),
    (g("bf9679c2-0de6-11d0-a285-00aa003049e2"), "minPwdAge"),
    (g("bf9679bb-0de6-11d0-a285-00aa003049e2"), "maxPwdAge"),
    (g("bf967a09-0de6-11d0-a285-00aa003049e2"), "pwdHistoryLength"),
    (g("23773dc2-b63a-11d2-90e1-00c04fd91ab1"), "mS-DS-ConsistencyGuid"),
    (g("b77ea093-88d0-4780-9a98-911f8e8b1dca"), "msDS-ResultantPSO"),
    (g("421f889a-472e-4fe4-8eb9-e1d0bc6071b2"), "msDS-LockoutDuration"),
    (
        g("456374ac-1f0a-4617-93cf-bc55a7c9d341"),
        "msDS-PasswordSettingsPrecedence",
    ),
    (g("bf967a7f-0de6-11d0-a285-00aa003049e2"), "userCertificate"),
    (
        g("5b47d60f-6090-40b2-9f37-2a4de88f3063"),
        "msDS-KeyCredentialLink",
    ),
    (
        g("3f78c3e5-f79a-46bd-a0b8-9d18116ddc79"),
        "msDS-AllowedToActOnBehalfOfOtherIdentity",
    ),
    // classes
    (guids::USER_CLASS, "user"),
    (guids::COMPUTER_CLASS, "computer"),
    (g("bf967a9c-0de6-11d0-a285-00aa003049e2"), "group"),
    (g("4828cc14-1437-45bc-9b07-ad6f015e5f28"), "inetOrgPerson"),
    (g("5cb41ed0-0e4c-11d0-a286-00aa003049e2"), "contact"),
    (
        g("ce206244-5827-4a86-ba1c-1c0c386c1b64"),
        "msDS-ManagedServiceAccount",
    ),
    (
        g("7b8b558a-93a5-4af7-adca-c017e67f1057"),
        "msDS-GroupManagedServiceAccount",
    ),
    (g("bf967aa5-0de6-11d0-a285-00aa003049e2"), "organizationalUnit"),
    (g("bf967a8b-0de6-11d0-a285-00aa003049e2"), "container"),
    (guids::DOMAIN_DNS_CLASS, "domainDNS"),
    (g("3bcd9db8-f84b-451c-952f-6c52b81f9ec6"), "msDS-PasswordSettings"),
];

/// The name of an extended right, property set, attribute or class GUID.
pub fn guid_name(guid: &Guid) -> Option<&'static str> {
    GUID_NAMES.iter().find(|(g, _)| g == guid).map(|(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sid(s: &str) -> Sid {
        s.parse().unwrap()
    }

    const DOMAIN: &str = "S-1-5-21-1004336348-1177238915-682003330";

    #[test]
    fn names_fixed_and_domain_relative_sids() {
        let dom = sid(DOMAIN);
        assert_eq!(well_known_name(&sid("S-1-1-0"), None), Some("Everyone"));
        assert_eq!(well_known_name(&sid("S-1-5-10"), None), Some("SELF"));
        assert_eq!(
            well_known_name(&sid("S-1-5-32-548"), None),
            Some("Account Operators")
        );
        assert_eq!(
            well_known_name(&dom.with_rid(512), Some(&dom)),
            Some("Domain Admins")
        );
        assert_eq!(well_known_name(&dom.with_rid(512), None), None);
        // Another domain's 512 is not this domain's Domain Admins.
        let other = sid("S-1-5-21-1-2-3-512");
        assert_eq!(well_known_name(&other, Some(&dom)), None);
        assert_eq!(well_known_name(&dom.with_rid(1105), Some(&dom)), None);
    }

    #[test]
    fn aliases_are_unique_and_resolve_back() {
        let dom = sid(DOMAIN);
        for w in WELL_KNOWN_SIDS {
            let Some(alias) = w.alias else { continue };
            assert_eq!(by_alias(alias).map(|b| b.name), Some(w.name), "alias {alias}");
            let s = w.sid(Some(&dom)).unwrap();
            assert_eq!(well_known(&s, Some(&dom)).map(|b| b.name), Some(w.name));
        }
    }

    #[test]
    fn protected_groups_follow_the_reference_list() {
        let dom = sid(DOMAIN);
        for rid in [512, 516, 518, 519, 521] {
            assert!(is_protected_group(&dom.with_rid(rid), &dom), "{rid}");
        }
        for s in [
            "S-1-5-32-544",
            "S-1-5-32-548",
            "S-1-5-32-549",
            "S-1-5-32-550",
            "S-1-5-32-551",
            "S-1-5-32-552",
        ] {
            assert!(is_protected_group(&sid(s), &dom), "{s}");
        }
        assert!(!is_protected_group(&dom.with_rid(513), &dom));
        assert!(!is_protected_group(&sid("S-1-5-32-545"), &dom));
        assert!(!is_protected_group(&sid("S-1-5-21-9-9-9-512"), &dom));
        assert!(is_protected_account(&dom.with_rid(500), &dom));
        assert!(is_protected_account(&dom.with_rid(502), &dom));
        assert!(!is_protected_account(&dom.with_rid(501), &dom));
        assert_eq!(protected_group_rids(), PROTECTED_DOMAIN_RIDS);
    }

    #[test]
    fn guid_names_cover_the_writeback_rights() {
        assert_eq!(guid_name(&guids::RESET_PASSWORD), Some("Reset Password"));
        assert_eq!(
            guid_name(&guids::ACCOUNT_RESTRICTIONS),
            Some("Account Restrictions")
        );
        let inet: Guid = "4828cc14-1437-45bc-9b07-ad6f015e5f28".parse().unwrap();
        assert_eq!(guid_name(&inet), Some("inetOrgPerson"));
        let unknown: Guid = "00000000-0000-0000-0000-000000000001".parse().unwrap();
        assert_eq!(guid_name(&unknown), None);
        let mut seen = std::collections::HashSet::new();
        assert!(GUID_NAMES.iter().all(|(g, _)| seen.insert(*g)), "duplicate GUID");
    }
}
