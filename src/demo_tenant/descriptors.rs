//! The demo tenant's security descriptors, written as SDDL the way a Windows Server 2022 domain
//! shows them, and encoded with the security module's SDDL parser. Each scenario that is about
//! ACLs differs from the ordinary user descriptor in exactly one way (see sample-logs/README.md).

use std::sync::Arc;

use crate::security::{SdError, SecurityDescriptor, Sid};

const RESET_PASSWORD: &str = "00299570-246d-11d0-a768-00aa006e0529";
const CHANGE_PASSWORD: &str = "ab721a53-1e2f-11d0-9819-00aa0040529b";
const LOCKOUT_TIME: &str = "28630ebf-41d5-11d1-a9c1-0000f80367c1";
const PWD_LAST_SET: &str = "bf967a0a-0de6-11d0-a285-00aa003049e2";
const USER_CLASS: &str = "bf967aba-0de6-11d0-a285-00aa003049e2";
const GROUP_CLASS: &str = "bf967a9c-0de6-11d0-a285-00aa003049e2";
const ACCOUNT_RESTRICTIONS: &str = "4c164200-20c0-11d0-a768-00aa006e0529";
const GENERAL_INFO: &str = "59ba2f42-79a2-11d0-9020-00c04fc3d4cf";
const PERSONAL_INFO: &str = "77b5b886-944a-11d1-aebd-0000f80367c1";
const EMAIL_INFO: &str = "e45795b2-9455-11d1-aebd-0000f80367c1";
const WEB_INFO: &str = "e45795b3-9455-11d1-aebd-0000f80367c1";
const TS_LICENSE_INFO: &str = "5805bc62-bdc9-4428-a5e2-856a0f4c185e";
const RAS_INFO: &str = "037088f8-0ae1-11d2-b422-00a0c968f939";
const TOKEN_GROUPS_GLOBAL: &str = "46a9b11d-60ae-405a-b7e8-ff8a58d456d2";
const REPL_GET_CHANGES: &str = "1131f6aa-9c07-11d1-f79f-00c04fc2dcd2";
const REPL_GET_CHANGES_ALL: &str = "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2";
const UPDATE_PASSWORD_NOT_REQUIRED: &str = "280f369c-67c7-438e-ae98-1d46f3c6f541";
/// BUILTIN\Windows Authorization Access Group and Terminal Server License Servers.
const WAAG: &str = "S-1-5-32-560";
const TSLS: &str = "S-1-5-32-561";
/// BUILTIN\RAS and IAS Servers.
const RAS: &str = "S-1-5-32-553";

/// The SIDs the descriptors name.
pub struct Trustees {
    pub domain: Sid,
    pub connector: Sid,
    /// A group the connector account is (mistakenly) a member of; heidi's object denies it.
    pub service_accounts: Sid,
    /// The only group OU=Contractors grants anything to once its inheritance was blocked.
    pub contractor_managers: Sid,
}

/// The encoded descriptors, shared: every ordinary user carries the same bytes.
pub struct Descriptors {
    pub domain_root: Arc<[u8]>,
    pub admin_sd_holder: Arc<[u8]>,
    pub ou: Arc<[u8]>,
    pub contractors_ou: Arc<[u8]>,
    pub user: Arc<[u8]>,
    /// Inheritance disabled and inherited ACEs removed (bob).
    pub user_inheritance_disabled: Arc<[u8]>,
    /// What SDProp stamps from AdminSDHolder (carol, dave).
    pub user_protected: Arc<[u8]>,
    /// Explicit deny of Reset password to a group the connector is in (heidi).
    pub user_reset_denied: Arc<[u8]>,
    /// Below OU=Contractors: inherits only what that OU grants (ivan).
    pub user_under_contractors: Arc<[u8]>,
    /// "User cannot change password": Change password denied to Everyone and SELF (trent).
    pub user_cannot_change_password: Arc<[u8]>,
}

impl Descriptors {
    pub fn build(t: &Trustees) -> Result<Descriptors, SdError> {
        let msol = t.connector.to_string();
        let enc = |sddl: String| SecurityDescriptor::sddl_to_bytes(&sddl, &t.domain);
        let explicit_user = explicit_user_aces(&format!(
            "(OA;;CR;{CHANGE_PASSWORD};;WD)(OA;;CR;{CHANGE_PASSWORD};;PS)"
        ));
        let inherited_user = format!(
            "(OA;CIID;CR;{RESET_PASSWORD};{USER_CLASS};{msol})\
             (OA;CIID;WP;{LOCKOUT_TIME};{USER_CLASS};{msol})\
             (OA;CIID;WP;{PWD_LAST_SET};{USER_CLASS};{msol})\
             (OA;CIID;RP;{ACCOUNT_RESTRICTIONS};{USER_CLASS};RU)\
             (OA;CIID;RP;{GENERAL_INFO};{USER_CLASS};RU)\
             (A;CIID;RPWPCRCCDCLCLORCWOWDSDDTSW;;;EA)\
             (A;CIID;LC;;;RU)\
             (A;CIID;CCDCLCSWRPWPLOCRSDRCWDWO;;;BA)"
        );
        let contractors = t.contractor_managers.to_string();
        Ok(Descriptors {
            domain_root: enc(format!(
                "O:BAG:BAD:AI\
                 (OA;;CR;{REPL_GET_CHANGES};;ED)(OA;;CR;{REPL_GET_CHANGES_ALL};;ED)\
                 (OA;;CR;{REPL_GET_CHANGES};;BA)(OA;;CR;{REPL_GET_CHANGES_ALL};;BA)\
                 (OA;;CR;{REPL_GET_CHANGES};;{msol})(OA;;CR;{REPL_GET_CHANGES_ALL};;{msol})\
                 (OA;;CR;{UPDATE_PASSWORD_NOT_REQUIRED};;AU)\
                 (OA;CIIO;CR;{RESET_PASSWORD};{USER_CLASS};{msol})\
                 (OA;CIIO;WP;{LOCKOUT_TIME};{USER_CLASS};{msol})\
                 (OA;CIIO;WP;{PWD_LAST_SET};{USER_CLASS};{msol})\
                 (OA;CIIO;RP;{ACCOUNT_RESTRICTIONS};{USER_CLASS};RU)\
                 (OA;CIIO;RP;{GENERAL_INFO};{USER_CLASS};RU)\
                 (A;;RPLCLORC;;;AU)(A;;RPWPCRCCDCLCLORCWOWDSW;;;DA)\
                 (A;CI;RPWPCRCCDCLCLORCWOWDSDDTSW;;;EA)(A;CI;LC;;;RU)\
                 (A;CI;CCDCLCSWRPWPLOCRSDRCWDWO;;;BA)(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;SY)"
            ))?,
            admin_sd_holder: enc(admin_sd_holder())?,
            ou: enc(format!(
                "O:DAG:DAD:AI(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;SY)\
                 (A;;LCRPLORC;;;AU)(OA;;CCDC;{USER_CLASS};;AO)(OA;;CCDC;{GROUP_CLASS};;AO)\
                 (OA;CIIOID;CR;{RESET_PASSWORD};{USER_CLASS};{msol})\
                 (OA;CIIOID;WP;{LOCKOUT_TIME};{USER_CLASS};{msol})\
                 (OA;CIIOID;WP;{PWD_LAST_SET};{USER_CLASS};{msol})\
                 (OA;CIIOID;RP;{ACCOUNT_RESTRICTIONS};{USER_CLASS};RU)\
                 (OA;CIIOID;RP;{GENERAL_INFO};{USER_CLASS};RU)\
                 (A;CIID;RPWPCRCCDCLCLORCWOWDSDDTSW;;;EA)(A;CIID;LC;;;RU)\
                 (A;CIID;CCDCLCSWRPWPLOCRSDRCWDWO;;;BA)"
            ))?,
            contractors_ou: enc(format!(
                "O:DAG:DAD:PAI(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;SY)\
                 (A;;LCRPLORC;;;AU)(A;CI;RPWPCRCCDCLCLORCWOWDSDDTSW;;;EA)\
                 (OA;CIIO;RPWP;{PERSONAL_INFO};{USER_CLASS};{contractors})(A;CI;RPLCLORC;;;{contractors})"
            ))?,
            user: enc(format!("O:DAG:DAD:AI{explicit_user}{inherited_user}"))?,
            user_inheritance_disabled: enc(format!("O:DAG:DAD:PAI{explicit_user}"))?,
            user_protected: enc(admin_sd_holder())?,
            user_reset_denied: enc(format!(
                "O:DAG:DAD:AI(OD;;CR;{RESET_PASSWORD};;{})\
                 {explicit_user}{inherited_user}",
                t.service_accounts
            ))?,
            user_under_contractors: enc(format!(
                "O:DAG:DAD:AI{explicit_user}\
                 (OA;CIID;RPWP;{PERSONAL_INFO};{USER_CLASS};{contractors})(A;CIID;RPLCLORC;;;{contractors})\
                 (A;CIID;RPWPCRCCDCLCLORCWOWDSDDTSW;;;EA)"
            ))?,
            user_cannot_change_password: enc(format!(
                "O:DAG:DAD:AI(OD;;CR;{CHANGE_PASSWORD};;WD)(OD;;CR;{CHANGE_PASSWORD};;PS){}{inherited_user}",
                explicit_user_aces("")
            ))?,
        })
    }
}

/// The explicit ACEs of the schema's default user descriptor, with `change_password` (the two
/// Change password grants, or their replacement) in the place Windows puts them.
fn explicit_user_aces(change_password: &str) -> String {
    format!(
        "(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;SY)(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)\
         (A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;AO)(A;;RPLCLORC;;;AU){change_password}\
         (OA;;RPWP;{PERSONAL_INFO};;PS)(OA;;RPWP;{EMAIL_INFO};;PS)(OA;;RPWP;{WEB_INFO};;PS)\
         (OA;;RP;{RAS_INFO};;{RAS})(OA;;RP;{ACCOUNT_RESTRICTIONS};;{RAS})\
         (OA;;RP;{TOKEN_GROUPS_GLOBAL};;{WAAG})(OA;;RPWP;{TS_LICENSE_INFO};;{TSLS})"
    )
}

/// CN=AdminSDHolder's descriptor: protected, and without the connector's ACEs because the
/// permissions were granted with `Set-ADSyncPasswordWritebackPermissions -SkipAdminSdHolders`.
fn admin_sd_holder() -> String {
    format!(
        "O:DAG:DAD:PAI(A;;LCRPLORC;;;AU)(A;;CCDCLCSWRPWPLOCRSDRCWDWO;;;BA)\
         (A;;CCDCLCSWRPWPLOCRSDRCWDWO;;;DA)(A;;CCDCLCSWRPWPLOCRSDRCWDWO;;;EA)\
         (A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;SY)\
         (OA;;CR;{CHANGE_PASSWORD};;WD)(OA;;CR;{CHANGE_PASSWORD};;PS)\
         (OA;;RP;{RAS_INFO};;{RAS})(OA;;RP;{ACCOUNT_RESTRICTIONS};;{RAS})\
         (OA;;RP;{TOKEN_GROUPS_GLOBAL};;{WAAG})"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trustees() -> Trustees {
        let domain: Sid = "S-1-5-21-1004336348-1177238915-682003330".parse().unwrap();
        Trustees {
            connector: domain.with_rid(1105),
            service_accounts: domain.with_rid(1120),
            contractor_managers: domain.with_rid(1121),
            domain,
        }
    }

    fn sd(bytes: &Arc<[u8]>) -> SecurityDescriptor {
        SecurityDescriptor::parse(bytes).unwrap()
    }

    #[test]
    fn every_descriptor_parses_back() {
        let t = trustees();
        let d = Descriptors::build(&t).unwrap();
        let msol = t.connector.to_string();
        let user = sd(&d.user).to_sddl(Some(&t.domain));
        assert!(
            user.contains(&format!("(OA;CIID;CR;{RESET_PASSWORD};{USER_CLASS};{msol})")),
            "{user}"
        );
        assert!(!sd(&d.user).dacl_protected());
        for protected in [
            &d.user_inheritance_disabled,
            &d.user_protected,
            &d.contractors_ou,
            &d.admin_sd_holder,
        ] {
            let s = sd(protected);
            assert!(s.dacl_protected());
            assert!(!s.to_sddl(Some(&t.domain)).contains(&msol));
        }
        let root = sd(&d.domain_root).to_sddl(Some(&t.domain));
        assert!(
            !root.contains("ccc2dc7d"),
            "the demo domain grants nobody Unexpire Password"
        );
    }

    #[test]
    fn scenario_descriptors_differ_from_the_ordinary_one_where_intended() {
        let t = trustees();
        let d = Descriptors::build(&t).unwrap();
        let heidi = sd(&d.user_reset_denied).to_sddl(Some(&t.domain));
        assert!(heidi.starts_with(&format!(
            "O:DAG:DAD:AI(OD;;CR;{RESET_PASSWORD};;{})",
            t.service_accounts
        )));
        let trent = sd(&d.user_cannot_change_password).to_sddl(Some(&t.domain));
        assert!(trent.contains(&format!("(OD;;CR;{CHANGE_PASSWORD};;WD)")));
        assert!(!trent.contains(&format!("(OA;;CR;{CHANGE_PASSWORD};;WD)")));
    }
}
