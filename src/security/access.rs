//! The AD effective-access check for the five rights password writeback needs, and the three
//! read rights its SAM calls need on the samServer and Builtin objects, with the ACE that decided
//! each one. Follows the directory's access check for a single right: walk the DACL in
//! order, skip inherit-only ACEs and ACEs for SIDs the principal does not hold, and let the first
//! allow or deny that covers the right decide. Object ACEs cover a right through its own GUID, its
//! property set, or the object's class (the root of the object-type tree); an ACE without an
//! object type covers every right its mask holds. InheritedObjectType does not take part: on the
//! object itself, the DC has already stored inherited ACEs meant for other classes as inherit-only.

use serde::Serialize;

use super::descriptor::{Ace, AceType, SecurityDescriptor};
use super::names::guids;
use super::{Guid, Sid};

pub const ADS_RIGHT_ACTRL_DS_LIST: u32 = 0x0000_0004;
pub const ADS_RIGHT_DS_READ_PROP: u32 = 0x0000_0010;
pub const ADS_RIGHT_DS_WRITE_PROP: u32 = 0x0000_0020;
pub const READ_CONTROL: u32 = 0x0002_0000;
pub const ADS_RIGHT_DS_CONTROL_ACCESS: u32 = 0x0000_0100;
pub const GENERIC_ALL: u32 = 0x1000_0000;
pub const GENERIC_EXECUTE: u32 = 0x2000_0000;
pub const GENERIC_WRITE: u32 = 0x4000_0000;
pub const GENERIC_READ: u32 = 0x8000_0000;

/// How the directory maps generic rights onto its own (the DS generic mapping).
const GENERIC_MAPPING: [(u32, u32); 4] = [
    (GENERIC_READ, 0x0002_0094),    // RC LC RP LO
    (GENERIC_WRITE, 0x0002_0028),   // RC SW WP
    (GENERIC_EXECUTE, 0x0002_0004), // RC LC
    (GENERIC_ALL, 0x000F_01FF),     // every DS right plus the standard rights
];

/// A right password writeback needs on the user (or, for Unexpire Password, on the domain root),
/// or one of the read rights on a whole object (samServer, Builtin) its SAM calls need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Right {
    ResetPassword,
    ChangePassword,
    WriteLockoutTime,
    WritePwdLastSet,
    UnexpirePassword,
    /// List contents (LC).
    ListContents,
    /// Read all properties (RP with no object type).
    ReadAllProperties,
    /// Read permissions (RC, READ_CONTROL).
    ReadPermissions,
}

/// What an ACE must cover for a right: the access bit and the nodes of the object-type tree
/// (object class at the root, then property set, then the attribute or extended right). The
/// whole-object read rights have no node: only an ACE without an object type covers them (an
/// object ACE reading one property set is not "read all properties").
struct Requirement {
    access: u32,
    object_type: Option<Guid>,
    property_set: Option<Guid>,
    object_class: Option<Guid>,
}

impl Right {
    /// The read rights writeback needs on samServer (`CN=Server,CN=System`) and `CN=Builtin`.
    pub const READ: [Right; 3] = [
        Right::ListContents,
        Right::ReadAllProperties,
        Right::ReadPermissions,
    ];

    /// The rights writeback needs on the user and the domain root.
    pub const ALL: [Right; 5] = [
        Right::ResetPassword,
        Right::ChangePassword,
        Right::WriteLockoutTime,
        Right::WritePwdLastSet,
        Right::UnexpirePassword,
    ];

    /// The key used for this right in the JSON report.
    pub fn code(self) -> &'static str {
        match self {
            Right::ResetPassword => "reset_password",
            Right::ChangePassword => "change_password",
            Right::WriteLockoutTime => "write_lockout_time",
            Right::WritePwdLastSet => "write_pwd_last_set",
            Right::UnexpirePassword => "unexpire_password",
            Right::ListContents => "list_contents",
            Right::ReadAllProperties => "read_all_properties",
            Right::ReadPermissions => "read_permissions",
        }
    }

    /// The name ADUC shows for this permission.
    pub fn label(self) -> &'static str {
        match self {
            Right::ResetPassword => "Reset Password",
            Right::ChangePassword => "Change Password",
            Right::WriteLockoutTime => "Write lockoutTime",
            Right::WritePwdLastSet => "Write pwdLastSet",
            Right::UnexpirePassword => "Unexpire Password",
            Right::ListContents => "List contents",
            Right::ReadAllProperties => "Read all properties",
            Right::ReadPermissions => "Read permissions",
        }
    }

    /// The class of the object this right is checked on: user objects for the first four (other
    /// account classes, such as inetOrgPerson, differ only for ACEs whose object type is a class),
    /// the domain root for Unexpire Password; any object for the read rights.
    fn requirement(self) -> Requirement {
        let whole_object = |access| Requirement {
            access,
            object_type: None,
            property_set: None,
            object_class: None,
        };
        let (access, object_type, property_set, object_class) = match self {
            Right::ListContents => return whole_object(ADS_RIGHT_ACTRL_DS_LIST),
            Right::ReadAllProperties => return whole_object(ADS_RIGHT_DS_READ_PROP),
            Right::ReadPermissions => return whole_object(READ_CONTROL),
            Right::ResetPassword => (
                ADS_RIGHT_DS_CONTROL_ACCESS,
                guids::RESET_PASSWORD,
                None,
                guids::USER_CLASS,
            ),
            Right::ChangePassword => (
                ADS_RIGHT_DS_CONTROL_ACCESS,
                guids::CHANGE_PASSWORD,
                None,
                guids::USER_CLASS,
            ),
            Right::WriteLockoutTime => (
                ADS_RIGHT_DS_WRITE_PROP,
                guids::LOCKOUT_TIME,
                None,
                guids::USER_CLASS,
            ),
            Right::WritePwdLastSet => (
                ADS_RIGHT_DS_WRITE_PROP,
                guids::PWD_LAST_SET,
                Some(guids::ACCOUNT_RESTRICTIONS),
                guids::USER_CLASS,
            ),
            Right::UnexpirePassword => (
                ADS_RIGHT_DS_CONTROL_ACCESS,
                guids::UNEXPIRE_PASSWORD,
                None,
                guids::DOMAIN_DNS_CLASS,
            ),
        };
        Requirement {
            access,
            object_type: Some(object_type),
            property_set,
            object_class: Some(object_class),
        }
    }
}

/// The SIDs an access check matches ACEs against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub sids: Vec<Sid>,
    /// The principal is the object being checked, so ACEs for SELF (S-1-5-10) apply to it.
    pub is_self: bool,
}

impl Principal {
    /// An account's token: its SID, its tokenGroups (transitive, with the primary group), Everyone
    /// and Authenticated Users, plus PRINCIPAL_SELF when the account is the object checked.
    pub fn account(sid: &Sid, token_groups: &[Sid], is_self: bool) -> Principal {
        let mut sids = Vec::with_capacity(token_groups.len() + 4);
        sids.push(sid.clone());
        sids.extend_from_slice(token_groups);
        sids.push(Sid::everyone());
        sids.push(Sid::authenticated_users());
        if is_self {
            sids.push(Sid::principal_self());
        }
        Principal { sids, is_self }
    }

    pub fn holds(&self, sid: &Sid) -> bool {
        self.sids.contains(sid)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    Allow,
    Deny,
}

/// The ACE that settled a right, as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecidingAce {
    pub sddl: String,
    /// Position in the DACL, counting from 0.
    pub index: usize,
    pub inherited: bool,
    pub trustee: String,
    pub effect: Effect,
}

/// The outcome for one right. `deciding_ace` is `None` when no ACE covered the right (then
/// `allowed` is false) or when the descriptor has no DACL at all (then everything is allowed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RightDecision {
    pub allowed: bool,
    pub deciding_ace: Option<DecidingAce>,
}

/// Decides `right` for `principal` on the object whose descriptor is `sd` (for Unexpire Password,
/// pass the domain root's descriptor). `domain` renders SIDs as SDDL aliases; `trustee_name`
/// names the deciding ACE's SID.
pub fn check(
    sd: &SecurityDescriptor,
    principal: &Principal,
    right: Right,
    domain: Option<&Sid>,
    trustee_name: &dyn Fn(&Sid) -> String,
) -> RightDecision {
    let Some(dacl) = sd.access_dacl() else {
        return RightDecision {
            allowed: true,
            deciding_ace: None,
        };
    };
    let need = right.requirement();
    let decided = dacl
        .aces
        .iter()
        .enumerate()
        .find_map(|(index, ace)| decides(ace, principal, &need).map(|e| (index, ace, e)));
    match decided {
        None => RightDecision {
            allowed: false,
            deciding_ace: None,
        },
        Some((index, ace, effect)) => RightDecision {
            allowed: effect == Effect::Allow,
            deciding_ace: Some(DecidingAce {
                sddl: ace.to_sddl(domain),
                index,
                inherited: ace.is_inherited(),
                trustee: ace.sid.as_ref().map(trustee_name).unwrap_or_default(),
                effect,
            }),
        },
    }
}

/// Whether this ACE settles the requirement for the principal, and how.
fn decides(ace: &Ace, principal: &Principal, need: &Requirement) -> Option<Effect> {
    if ace.is_inherit_only() {
        return None;
    }
    // Audit, alarm, callback and label ACEs never grant or deny.
    let effect = match ace.ace_type {
        AceType::AccessAllowed | AceType::AccessAllowedObject => Effect::Allow,
        AceType::AccessDenied | AceType::AccessDeniedObject => Effect::Deny,
        _ => return None,
    };
    if mapped_mask(ace.mask) & need.access == 0 {
        return None;
    }
    let covers = match ace.object_type {
        None => true,
        Some(object_type) => {
            [need.object_type, need.property_set, need.object_class].contains(&Some(object_type))
        }
    };
    // The SID comparison is the expensive test, so it runs last.
    (covers && principal.holds(ace.sid.as_ref()?)).then_some(effect)
}

/// The mask with generic rights replaced by the directory rights they stand for.
fn mapped_mask(mask: u32) -> u32 {
    GENERIC_MAPPING
        .iter()
        .filter(|(generic, _)| mask & generic != 0)
        .fold(mask, |acc, (generic, specific)| (acc & !generic) | specific)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::names;

    const DOMAIN: &str = "S-1-5-21-1004336348-1177238915-682003330";
    const CONNECTOR: &str = "S-1-5-21-1004336348-1177238915-682003330-1105";
    const GROUP: &str = "S-1-5-21-1004336348-1177238915-682003330-1200";
    const USER: &str = "S-1-5-21-1004336348-1177238915-682003330-1300";
    const RESET: &str = "00299570-246d-11d0-a768-00aa006e0529";
    const CHANGE: &str = "ab721a53-1e2f-11d0-9819-00aa0040529b";
    const UNEXPIRE: &str = "ccc2dc7d-a6ad-4a7a-8846-c04e3cc53501";
    const LOCKOUT: &str = "28630ebf-41d5-11d1-a9c1-0000f80367c1";
    const PWD_LAST_SET: &str = "bf967a0a-0de6-11d0-a285-00aa003049e2";
    const ACCOUNT_RESTRICTIONS: &str = "4c164200-20c0-11d0-a768-00aa006e0529";
    const USER_CLASS: &str = "bf967aba-0de6-11d0-a285-00aa003049e2";
    const COMPUTER_CLASS: &str = "bf967a86-0de6-11d0-a285-00aa003049e2";

    fn sid(s: &str) -> Sid {
        s.parse().unwrap()
    }

    fn domain() -> Sid {
        sid(DOMAIN)
    }

    /// The connector: member of Domain Users and of GROUP.
    fn connector() -> Principal {
        let dom = domain();
        Principal::account(&sid(CONNECTOR), &[dom.with_rid(513), sid(GROUP)], false)
    }

    fn user_itself() -> Principal {
        Principal::account(&sid(USER), &[domain().with_rid(513)], true)
    }

    fn name(s: &Sid) -> String {
        if *s == sid(CONNECTOR) {
            return "CONTOSO\\MSOL_abc123".to_string();
        }
        let dom = domain();
        names::well_known_name(s, Some(&dom)).map_or_else(|| s.to_string(), str::to_string)
    }

    /// `sddl` uses `{C}`, `{G}`, `{RESET}`, ... placeholders for readability.
    fn descriptor(sddl: &str) -> SecurityDescriptor {
        let text = [
            ("{C}", CONNECTOR),
            ("{G}", GROUP),
            ("{RESET}", RESET),
            ("{CHANGE}", CHANGE),
            ("{UNEXPIRE}", UNEXPIRE),
            ("{LOCKOUT}", LOCKOUT),
            ("{PLS}", PWD_LAST_SET),
            ("{AR}", ACCOUNT_RESTRICTIONS),
            ("{USER}", USER_CLASS),
            ("{COMPUTER}", COMPUTER_CLASS),
        ]
        .iter()
        .fold(sddl.to_string(), |s, (k, v)| s.replace(k, v));
        SecurityDescriptor::from_sddl(&format!("O:DAG:DU{text}"), Some(&domain())).unwrap()
    }

    fn decide_for(sddl: &str, principal: &Principal, right: Right) -> RightDecision {
        check(&descriptor(sddl), principal, right, Some(&domain()), &name)
    }

    fn decide(sddl: &str, right: Right) -> RightDecision {
        decide_for(sddl, &connector(), right)
    }

    /// (allowed, index of the deciding ACE, its effect)
    fn outcome(d: &RightDecision) -> Outcome {
        let ace = d.deciding_ace.as_ref();
        (d.allowed, ace.map(|a| a.index), ace.map(|a| a.effect))
    }

    type Outcome = (bool, Option<usize>, Option<Effect>);

    fn allowed_by(index: usize) -> Outcome {
        (true, Some(index), Some(Effect::Allow))
    }

    fn denied_by(index: usize) -> Outcome {
        (false, Some(index), Some(Effect::Deny))
    }

    const NO_ACE: Outcome = (false, None, None);

    #[test]
    fn inherited_grant_reports_the_deciding_ace() {
        let d = decide(
            "D:AI(A;;RPLCLORC;;;AU)(OA;CIID;CR;{RESET};{USER};{C})",
            Right::ResetPassword,
        );
        let ace = d.deciding_ace.clone().unwrap();
        assert!(d.allowed);
        assert_eq!(ace.index, 1);
        assert!(ace.inherited);
        assert_eq!(ace.trustee, "CONTOSO\\MSOL_abc123");
        assert_eq!(ace.sddl, format!("(OA;CIID;CR;{RESET};{USER_CLASS};{CONNECTOR})"));
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["deciding_ace"]["effect"], "allow");
        assert_eq!(json["deciding_ace"]["index"], 1);
        assert_eq!(json["deciding_ace"]["inherited"], true);
        assert_eq!(json["allowed"], true);
    }

    #[test]
    fn explicit_deny_before_inherited_allow_denies() {
        let d = decide(
            "D:AI(OD;;CR;{RESET};;{C})(OA;CIID;CR;{RESET};{USER};{C})",
            Right::ResetPassword,
        );
        assert_eq!(outcome(&d), denied_by(0));
        assert!(!d.deciding_ace.as_ref().unwrap().inherited);
        assert_eq!(
            serde_json::to_value(&d).unwrap()["deciding_ace"]["effect"],
            "deny"
        );
    }

    #[test]
    fn explicit_allow_before_inherited_deny_allows() {
        let d = decide(
            "D:AI(OA;;CR;{RESET};;{C})(OD;CIID;CR;{RESET};{USER};{C})",
            Right::ResetPassword,
        );
        assert_eq!(outcome(&d), allowed_by(0));
    }

    #[test]
    fn first_inherited_ace_wins_between_inherited_ones() {
        let allow_first = "D:AI(OA;CIID;CR;{RESET};;{C})(OD;CIID;CR;{RESET};;{C})";
        assert_eq!(outcome(&decide(allow_first, Right::ResetPassword)), allowed_by(0));
        let deny_first = "D:AI(OD;CIID;CR;{RESET};;{C})(OA;CIID;CR;{RESET};;{C})";
        assert_eq!(outcome(&decide(deny_first, Right::ResetPassword)), denied_by(0));
    }

    #[test]
    fn no_covering_ace_is_missing_not_denied() {
        let d = decide(
            "D:AI(A;;RPLCLORC;;;AU)(OA;CIID;WP;{LOCKOUT};{USER};{C})",
            Right::ResetPassword,
        );
        assert_eq!(outcome(&d), NO_ACE);
        // Someone else's grant does not count.
        let d = decide("D:(OA;;CR;{RESET};;S-1-5-21-1-2-3-4)", Right::ResetPassword);
        assert_eq!(outcome(&d), NO_ACE);
    }

    #[test]
    fn inherit_only_aces_are_skipped() {
        let sddl = "D:AI(OA;CIIOID;CR;{RESET};{USER};{C})(OD;CIIO;CR;{RESET};;{C})";
        assert_eq!(outcome(&decide(sddl, Right::ResetPassword)), NO_ACE);
    }

    #[test]
    fn grant_scoped_to_the_computer_class_does_not_reach_users() {
        // On a user, the DC stores an inherited ACE meant for computers as inherit-only.
        let sddl = "D:AI(OA;CIIOID;CR;{RESET};{COMPUTER};{C})(OA;CIID;WP;{LOCKOUT};{USER};{C})";
        assert_eq!(outcome(&decide(sddl, Right::ResetPassword)), NO_ACE);
        assert_eq!(outcome(&decide(sddl, Right::WriteLockoutTime)), allowed_by(1));
    }

    #[test]
    fn inherited_object_type_is_not_rechecked_on_the_object() {
        let sddl = "D:AI(OA;CIID;CR;{RESET};{COMPUTER};{C})";
        assert_eq!(outcome(&decide(sddl, Right::ResetPassword)), allowed_by(0));
    }

    #[test]
    fn property_set_grants_pwd_last_set_but_not_lockout_time() {
        let sddl = "D:AI(OA;CIID;WP;{AR};{USER};{C})";
        assert_eq!(outcome(&decide(sddl, Right::WritePwdLastSet)), allowed_by(0));
        assert_eq!(outcome(&decide(sddl, Right::WriteLockoutTime)), NO_ACE);
        assert_eq!(outcome(&decide(sddl, Right::ResetPassword)), NO_ACE);
        // Reading the property set grants no write.
        let read = "D:AI(OA;CIID;RP;{AR};{USER};{C})";
        assert_eq!(outcome(&decide(read, Right::WritePwdLastSet)), NO_ACE);
    }

    #[test]
    fn property_set_and_attribute_aces_decide_in_order() {
        let deny_set_first = "D:AI(OD;;WP;{AR};;{C})(OA;CIID;WP;{PLS};{USER};{C})";
        assert_eq!(
            outcome(&decide(deny_set_first, Right::WritePwdLastSet)),
            denied_by(0)
        );
        let allow_attr_first = "D:AI(OA;;WP;{PLS};;{C})(OD;CIID;WP;{AR};{USER};{C})";
        assert_eq!(
            outcome(&decide(allow_attr_first, Right::WritePwdLastSet)),
            allowed_by(0)
        );
        // A deny on the set does not touch lockoutTime, which is in no set.
        let deny_set = "D:AI(OD;;WP;{AR};;{C})(OA;CIID;WP;{LOCKOUT};{USER};{C})";
        assert_eq!(outcome(&decide(deny_set, Right::WriteLockoutTime)), allowed_by(1));
    }

    #[test]
    fn generic_all_and_full_control_grant_everything() {
        for mask in ["GA", "CCDCLCSWRPWPDTLOCRSDRCWDWO"] {
            let sddl = format!("D:AI(A;CIID;{mask};;;{{C}})");
            for right in Right::ALL {
                assert_eq!(outcome(&decide(&sddl, right)), allowed_by(0), "{mask} {right:?}");
            }
        }
    }

    #[test]
    fn generic_write_covers_properties_not_extended_rights() {
        let sddl = "D:AI(A;CIID;GW;;;{C})";
        assert_eq!(outcome(&decide(sddl, Right::WriteLockoutTime)), allowed_by(0));
        assert_eq!(outcome(&decide(sddl, Right::WritePwdLastSet)), allowed_by(0));
        assert_eq!(outcome(&decide(sddl, Right::ResetPassword)), NO_ACE);
        // Generic read maps to RP and never to WP.
        assert_eq!(
            outcome(&decide("D:(A;;GR;;;{C})", Right::WritePwdLastSet)),
            NO_ACE
        );
    }

    #[test]
    fn control_access_without_object_type_is_all_extended_rights() {
        for sddl in ["D:AI(A;CIID;CR;;;{C})", "D:AI(OA;CIID;CR;;{USER};{C})"] {
            assert_eq!(outcome(&decide(sddl, Right::ResetPassword)), allowed_by(0));
            assert_eq!(outcome(&decide(sddl, Right::ChangePassword)), allowed_by(0));
            assert_eq!(outcome(&decide(sddl, Right::UnexpirePassword)), allowed_by(0));
            assert_eq!(outcome(&decide(sddl, Right::WriteLockoutTime)), NO_ACE);
        }
        // A different extended right is not Reset Password.
        let other = "D:(OA;;CR;{CHANGE};;{C})";
        assert_eq!(outcome(&decide(other, Right::ResetPassword)), NO_ACE);
    }

    #[test]
    fn write_property_without_object_type_is_all_properties() {
        let sddl = "D:AI(A;CIID;WP;;;{C})";
        assert_eq!(outcome(&decide(sddl, Right::WriteLockoutTime)), allowed_by(0));
        assert_eq!(outcome(&decide(sddl, Right::WritePwdLastSet)), allowed_by(0));
        assert_eq!(outcome(&decide(sddl, Right::ResetPassword)), NO_ACE);
    }

    #[test]
    fn object_type_naming_the_class_covers_the_whole_object() {
        let sddl = "D:(OA;;CR;{USER};;{C})";
        assert_eq!(outcome(&decide(sddl, Right::ResetPassword)), allowed_by(0));
        assert_eq!(outcome(&decide(sddl, Right::UnexpirePassword)), NO_ACE);
    }

    #[test]
    fn deny_through_a_group_sid() {
        let d = decide(
            "D:AI(OD;;CR;{RESET};;{G})(OA;CIID;CR;{RESET};{USER};{C})",
            Right::ResetPassword,
        );
        assert_eq!(outcome(&d), denied_by(0));
        assert_eq!(d.deciding_ace.unwrap().trustee, GROUP);
        // Deny to Everyone reaches every principal.
        let everyone = "D:AI(OD;;CR;{RESET};;WD)(OA;CIID;CR;{RESET};;{C})";
        assert_eq!(outcome(&decide(everyone, Right::ResetPassword)), denied_by(0));
    }

    #[test]
    fn principal_self_applies_only_to_the_object_itself() {
        let sddl = "D:AI(OA;;CR;{CHANGE};;PS)";
        assert_eq!(outcome(&decide(sddl, Right::ChangePassword)), NO_ACE);
        let d = decide_for(sddl, &user_itself(), Right::ChangePassword);
        assert_eq!(outcome(&d), allowed_by(0));
        assert_eq!(d.deciding_ace.unwrap().trustee, "SELF");
    }

    #[test]
    fn user_cannot_change_password_denies_the_user() {
        let sddl = "D:AI(OD;;CR;{CHANGE};;WD)(OD;;CR;{CHANGE};;PS)(OA;;CR;{CHANGE};;WD)(OA;;CR;{CHANGE};;PS)";
        let d = decide_for(sddl, &user_itself(), Right::ChangePassword);
        assert_eq!(outcome(&d), denied_by(0));
        assert_eq!(d.deciding_ace.unwrap().trustee, "Everyone");
        // It does not touch the reset right.
        let reset = format!("{sddl}(OA;CIID;CR;{{RESET}};;{{C}})");
        assert_eq!(outcome(&decide(&reset, Right::ResetPassword)), allowed_by(4));
    }

    #[test]
    fn audit_and_other_ace_types_never_grant() {
        let sddl = "D:(AU;SA;GA;;;{C})(OU;SA;CR;{RESET};;{C})(XA;;GA;;;{C})S:(AU;SA;GA;;;{C})";
        for right in Right::ALL {
            assert_eq!(outcome(&decide(sddl, right)), NO_ACE, "{right:?}");
        }
    }

    #[test]
    fn null_or_absent_dacl_grants_everything_and_empty_dacl_nothing() {
        for sddl in ["D:NO_ACCESS_CONTROL", ""] {
            for right in Right::ALL {
                let d = decide(sddl, right);
                assert!(d.allowed && d.deciding_ace.is_none(), "{sddl:?} {right:?}");
            }
        }
        assert_eq!(outcome(&decide("D:P", Right::ResetPassword)), NO_ACE);
    }

    #[test]
    fn unexpire_password_through_authenticated_users_on_the_domain_root() {
        let root = "D:(OA;;CR;{UNEXPIRE};;AU)(OA;CIIO;CR;{RESET};{USER};{C})";
        let d = decide(root, Right::UnexpirePassword);
        assert_eq!(outcome(&d), allowed_by(0));
        assert_eq!(d.deciding_ace.unwrap().sddl, format!("(OA;;CR;{UNEXPIRE};;AU)"));
    }

    #[test]
    fn principal_token_and_right_names() {
        let p = connector();
        assert!(p.holds(&Sid::everyone()) && p.holds(&Sid::authenticated_users()));
        assert!(!p.holds(&Sid::principal_self()));
        assert!(user_itself().holds(&Sid::principal_self()));
        let codes: Vec<_> = Right::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(
            codes,
            [
                "reset_password",
                "change_password",
                "write_lockout_time",
                "write_pwd_last_set",
                "unexpire_password"
            ]
        );
        for r in Right::ALL {
            assert_eq!(serde_json::to_value(r).unwrap(), r.code());
        }
        assert_eq!(Right::WritePwdLastSet.label(), "Write pwdLastSet");
    }

    #[test]
    fn read_rights_need_an_ace_for_the_whole_object() {
        // What samServer carries by default: a plain read grant for Authenticated Users.
        let sam_server = "D:AI(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPLCLORC;;;AU)";
        for right in Right::READ {
            assert_eq!(outcome(&decide(sam_server, right)), allowed_by(1), "{right:?}");
        }
        // Reading one property set, or an inherit-only grant, is not reading the object.
        let partial = "D:AI(OA;;RP;{AR};;{C})(OA;CIIO;RPLCLORC;;{USER};{C})(A;;LC;;;{C})";
        assert_eq!(outcome(&decide(partial, Right::ReadAllProperties)), NO_ACE);
        assert_eq!(outcome(&decide(partial, Right::ReadPermissions)), NO_ACE);
        assert_eq!(outcome(&decide(partial, Right::ListContents)), allowed_by(2));
        // Generic read covers all three; a deny before the grant decides.
        assert_eq!(
            outcome(&decide("D:(A;;GR;;;{G})", Right::ReadPermissions)),
            allowed_by(0)
        );
        let denied = "D:(D;;RC;;;WD)(A;;RPLCLORC;;;AU)";
        assert_eq!(outcome(&decide(denied, Right::ReadPermissions)), denied_by(0));
        assert_eq!(outcome(&decide(denied, Right::ListContents)), allowed_by(1));
        // Someone else's read grant does not count (Pre-Windows 2000 without the membership).
        let other = "D:(A;;RPLCLORC;;;RU)";
        assert_eq!(outcome(&decide(other, Right::ReadAllProperties)), NO_ACE);
        let mut member = connector();
        member.sids.push(sid("S-1-5-32-554"));
        assert_eq!(
            outcome(&decide_for(other, &member, Right::ReadAllProperties)),
            allowed_by(0)
        );
        assert_eq!(
            Right::READ.map(Right::code),
            ["list_contents", "read_all_properties", "read_permissions"]
        );
    }

    #[test]
    fn generic_mapping() {
        assert_eq!(mapped_mask(GENERIC_ALL), 0xF01FF);
        assert_eq!(mapped_mask(GENERIC_WRITE | 0x100), 0x20128);
        assert_eq!(mapped_mask(0x100), 0x100);
    }
}
