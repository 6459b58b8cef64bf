//! The demo tenant's directory: the domain, its OUs, the connector account, ~5,000 ordinary users
//! and the scenario users, each with the attributes and descriptor their scenario needs.
//! Password and lockout attributes the event timeline changes (pwdLastSet, lockoutTime) are set
//! here to their state before the timeline and updated by it.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::descriptors::{Descriptors, Trustees};
use super::rng::Rng;
use super::scenarios::scenarios;
use super::{DNS_NAME, DOMAIN_DN, NETBIOS};
use crate::ad::time::{to_filetime, to_interval};
use crate::directory::{
    uac, ConnectorAccount, ConnectorLookup, Container, Directory, DirectoryUser, Domain, PasswordSettings,
};
use crate::security::{SdError, Sid};

pub const DOMAIN_SID: &str = "S-1-5-21-1004336348-1177238915-682003330";
pub const CONNECTOR_SAM: &str = "MSOL_2f4a7c9e1b3d";
const RID_CONNECTOR: u32 = 1105;
const RID_SERVICE_ACCOUNTS: u32 = 1120;
const RID_CONTRACTOR_MANAGERS: u32 = 1121;
const RID_HELPDESK: u32 = 1122;
/// Helpdesk admin who unlocks accounts in the background noise.
pub const HELPDESK_ADMIN: &str = "adm_hdesk";
const RID_HELPDESK_ADMIN: u32 = 1110;
const FIRST_SCENARIO_RID: u32 = 1200;
const FIRST_ORDINARY_RID: u32 = 2000;
pub const ORDINARY_USERS: usize = 5000;

/// Departments ordinary users are spread over, with their weight. Writeback noise only picks
/// users from OUs where writeback works (see [`writeback_works`]).
const OUS: &[(&str, u64)] = &[
    ("OU=Sales,OU=Staff", 30),
    ("OU=Finance,OU=Staff", 15),
    ("OU=Engineering,OU=Staff", 30),
    ("OU=Marketing,OU=Staff", 10),
    ("OU=Support,OU=Staff", 12),
    ("OU=Executives,OU=Staff", 1),
    ("OU=Research/Development,OU=Staff", 1),
    ("OU=Contractors", 1),
];

const FIRST_NAMES: &[&str] = &[
    "Aaron",
    "Abigail",
    "Adam",
    "Adrian",
    "Aisha",
    "Alan",
    "Albert",
    "Alex",
    "Alicia",
    "Amanda",
    "Amir",
    "Amy",
    "Andrea",
    "Andrew",
    "Angela",
    "Anna",
    "Anthony",
    "Arjun",
    "Ben",
    "Beth",
    "Brandon",
    "Brian",
    "Caleb",
    "Camila",
    "Carlos",
    "Carmen",
    "Catherine",
    "Chloe",
    "Chris",
    "Claire",
    "Connor",
    "Daniel",
    "David",
    "Deborah",
    "Diana",
    "Diego",
    "Dylan",
    "Elena",
    "Eli",
    "Emily",
    "Emma",
    "Eric",
    "Ethan",
    "Eva",
    "Fatima",
    "Felix",
    "Fiona",
    "Gabriel",
    "George",
    "Hannah",
    "Harper",
    "Hassan",
    "Helen",
    "Henry",
    "Hugo",
    "Ian",
    "Isabel",
    "Jack",
    "James",
    "Jana",
    "Jason",
    "Jennifer",
    "Jessica",
    "John",
    "Jonas",
    "Jorge",
    "Julia",
    "Kai",
    "Karen",
    "Kate",
    "Kevin",
    "Laura",
    "Leo",
    "Liam",
    "Linda",
    "Lucas",
    "Lucy",
    "Maria",
    "Mark",
    "Martin",
    "Maya",
    "Mia",
    "Michael",
    "Mohammed",
    "Nadia",
    "Nathan",
    "Nina",
    "Noah",
    "Olivia",
    "Omar",
    "Paul",
    "Priya",
    "Rachel",
    "Rafael",
    "Rebecca",
    "Ryan",
    "Sara",
    "Sophie",
    "Thomas",
    "Yuki",
    "Zoe",
];

const LAST_NAMES: &[&str] = &[
    "Adams", "Ahmed", "Allen", "Bailey", "Becker", "Bell", "Brooks", "Brown", "Campbell", "Carter", "Castro",
    "Clark", "Collins", "Cook", "Cooper", "Cruz", "Davis", "Diaz", "Edwards", "Evans", "Fischer", "Flores",
    "Foster", "Garcia", "Gomez", "Gonzalez", "Gray", "Green", "Hall", "Harris", "Hoffmann", "Hughes", "Ito",
    "Jackson", "James", "Jensen", "Johnson", "Kelly", "Khan", "Kim", "King", "Klein", "Kumar", "Lee",
    "Lewis", "Lopez", "Martin", "Martinez", "Meyer", "Miller", "Moore", "Morales", "Morgan", "Murphy",
    "Nguyen", "Nielsen", "Novak", "Ortiz", "Parker", "Patel", "Perez", "Peterson", "Phillips", "Price",
    "Ramirez", "Reed", "Reyes", "Richter", "Rivera", "Roberts", "Rossi", "Russell", "Sanchez", "Sato",
    "Schmidt", "Scott", "Silva", "Singh", "Smith", "Stewart", "Sullivan", "Tanaka", "Taylor", "Thomas",
    "Thompson", "Torres", "Turner", "Walker", "Wang", "Ward", "Weber", "White", "Williams", "Wilson", "Wood",
    "Wright", "Young", "Zhang",
];

/// Whether an ordinary user could be a background writeback success: OUs where nothing blocks
/// writeback, account enabled.
pub fn writeback_works(user: &DirectoryUser) -> bool {
    user.dn.ends_with(",OU=Staff,DC=contoso,DC=example")
        && !user.dn.contains("OU=Research/Development")
        && !user.dn.contains("OU=Executives")
        && user.user_account_control & uac::ACCOUNTDISABLE == 0
}

pub fn domain_sid() -> Sid {
    DOMAIN_SID
        .parse()
        .unwrap_or_else(|_| unreachable!("DOMAIN_SID is a valid SID literal"))
}

pub fn connector_dn() -> String {
    format!("CN={CONNECTOR_SAM},CN=Users,{DOMAIN_DN}")
}

/// The directory before the timeline: every user with their scenario state, passwords last set
/// at `before` minus a deterministic age.
pub fn build_directory(rng: &mut Rng, before: DateTime<Utc>) -> Result<Directory, SdError> {
    let domain_sid = domain_sid();
    let trustees = Trustees {
        domain: domain_sid.clone(),
        connector: domain_sid.with_rid(RID_CONNECTOR),
        service_accounts: domain_sid.with_rid(RID_SERVICE_ACCOUNTS),
        contractor_managers: domain_sid.with_rid(RID_CONTRACTOR_MANAGERS),
    };
    let sd = Descriptors::build(&trustees)?;

    let mut containers = vec![
        container("CN=Users", false, &sd.ou),
        container("OU=Admins", false, &sd.ou),
        container("OU=Groups", false, &sd.ou),
        container("OU=Staff", false, &sd.ou),
    ];
    for (ou, _) in OUS {
        if *ou == "OU=Contractors" {
            containers.push(container(ou, true, &sd.contractors_ou));
        } else {
            containers.push(container(ou, false, &sd.ou));
        }
    }

    let mut users = Vec::with_capacity(ORDINARY_USERS + scenarios().len());
    for (i, s) in scenarios().iter().enumerate() {
        users.push(scenario_user(
            rng,
            s.user,
            s.display_name,
            s.ou,
            FIRST_SCENARIO_RID + i as u32,
            before,
            &sd,
        ));
    }
    let mut taken: HashMap<String, u32> = users.iter().map(|u| (u.sam_account_name.clone(), 1)).collect();
    let total_weight: u64 = OUS.iter().map(|(_, w)| w).sum();
    for i in 0..ORDINARY_USERS {
        let given = *rng.pick(FIRST_NAMES);
        let surname = *rng.pick(LAST_NAMES);
        let base = format!("{}{}", &given[..1], surname).to_lowercase();
        let n = taken.entry(base.clone()).or_insert(0);
        *n += 1;
        let sam = if *n == 1 { base } else { format!("{base}{n}") };
        let mut roll = rng.below(total_weight);
        let ou = OUS
            .iter()
            .find(|(_, w)| {
                let hit = roll < *w;
                roll = roll.saturating_sub(*w);
                hit
            })
            .map_or("OU=Staff", |(ou, _)| ou);
        let display = format!("{given} {surname}");
        let descriptor = if ou == "OU=Contractors" {
            &sd.user_under_contractors
        } else {
            &sd.user
        };
        let mut u = base_user(rng, &sam, &display, ou, FIRST_ORDINARY_RID + i as u32, descriptor);
        u.pwd_last_set = Some(to_filetime(
            before - Duration::minutes(rng.below(40 * 24 * 60) as i64 + 60),
        ));
        match rng.below(100) {
            0 => u.user_account_control |= uac::ACCOUNTDISABLE,
            1..=3 => u.user_account_control |= uac::DONT_EXPIRE_PASSWORD,
            _ => {}
        }
        users.push(u);
    }

    let names = names(&domain_sid);
    Ok(Directory {
        domain: Domain {
            security_descriptor: Some(sd.domain_root.clone()),
            admin_sd_holder_descriptor: Some(sd.admin_sd_holder.clone()),
            ..Domain::with_default_policy(DOMAIN_DN, NETBIOS, domain_sid.clone())
        },
        connector: ConnectorLookup::Found(ConnectorAccount {
            dn: connector_dn(),
            sam_account_name: CONNECTOR_SAM.to_string(),
            sid: domain_sid.with_rid(RID_CONNECTOR),
            token_groups: vec![
                domain_sid.with_rid(513),
                domain_sid.with_rid(RID_SERVICE_ACCOUNTS),
            ],
        }),
        containers,
        password_settings: vec![admins_pso()],
        sam: Default::default(),
        cloud_sync: None,
        names,
        users,
        source: format!("ldap://DC01.{DNS_NAME}"),
        captured_at: before,
    })
}

fn container(rdns: &str, protected: bool, sd: &Arc<[u8]>) -> Container {
    Container {
        dn: format!("{rdns},{DOMAIN_DN}"),
        dacl_protected: protected,
        security_descriptor: Some(sd.clone()),
    }
}

fn admins_pso() -> PasswordSettings {
    PasswordSettings {
        dn: format!("CN=Admins PSO,CN=Password Settings Container,CN=System,{DOMAIN_DN}"),
        precedence: 10,
        min_pwd_age: to_interval(Duration::days(1)),
        max_pwd_age: to_interval(Duration::days(90)),
        pwd_history_length: 24,
        lockout_threshold: 3,
        lockout_duration: to_interval(Duration::minutes(60)),
        lockout_observation_window: to_interval(Duration::minutes(60)),
        min_pwd_length: None,
        complexity: None,
    }
}

fn names(domain: &Sid) -> HashMap<Sid, String> {
    [
        (512, "Domain Admins"),
        (513, "Domain Users"),
        (519, "Enterprise Admins"),
        (RID_CONNECTOR, CONNECTOR_SAM),
        (RID_SERVICE_ACCOUNTS, "Service Accounts"),
        (RID_CONTRACTOR_MANAGERS, "Contractor Managers"),
        (RID_HELPDESK, "Helpdesk"),
        (RID_HELPDESK_ADMIN, HELPDESK_ADMIN),
    ]
    .into_iter()
    .map(|(rid, name)| (domain.with_rid(rid), format!("{NETBIOS}\\{name}")))
    .collect()
}

pub fn helpdesk_admin_sid() -> Sid {
    domain_sid().with_rid(RID_HELPDESK_ADMIN)
}

pub fn connector_sid() -> Sid {
    domain_sid().with_rid(RID_CONNECTOR)
}

fn base_user(rng: &mut Rng, sam: &str, display: &str, ou: &str, rid: u32, sd: &Arc<[u8]>) -> DirectoryUser {
    let guid = rng.guid();
    let upn = format!("{sam}@{DNS_NAME}");
    DirectoryUser {
        dn: format!("CN={display},{ou},{DOMAIN_DN}"),
        sam_account_name: sam.to_string(),
        user_principal_name: Some(upn.clone()),
        display_name: Some(display.to_string()),
        mail: Some(upn),
        object_guid: Some(guid),
        object_sid: Some(domain_sid().with_rid(rid)),
        consistency_guid: Some(guid),
        user_account_control: uac::NORMAL_ACCOUNT,
        uac_computed: Some(0),
        lockout_time: 0,
        pwd_last_set: None,
        bad_pwd_count: Some(0),
        admin_count: None,
        member_of: Vec::new(),
        token_groups: Some(vec![domain_sid().with_rid(513)]),
        resultant_pso: None,
        security_descriptor: Some(sd.clone()),
        when_changed: None,
        admin_description: None,
    }
}

/// A scenario user in the state before the timeline; the per-user differences are the scenario.
fn scenario_user(
    rng: &mut Rng,
    sam: &str,
    display: &str,
    ou: &str,
    rid: u32,
    before: DateTime<Utc>,
    sd: &Descriptors,
) -> DirectoryUser {
    let descriptor = match sam {
        "bob" => &sd.user_inheritance_disabled,
        "carol" | "dave" => &sd.user_protected,
        "heidi" => &sd.user_reset_denied,
        "ivan" => &sd.user_under_contractors,
        "trent" => &sd.user_cannot_change_password,
        _ => &sd.user,
    };
    let mut u = base_user(rng, sam, display, ou, rid, descriptor);
    u.pwd_last_set = Some(to_filetime(
        before - Duration::days(20) - Duration::minutes(i64::from(rid % 97)),
    ));
    let domain = domain_sid();
    match sam {
        "carol" => {
            u.admin_count = Some(1);
            u.member_of = vec![format!("CN=Domain Admins,CN=Users,{DOMAIN_DN}")];
            u.token_groups = Some(vec![domain.with_rid(513), domain.with_rid(512)]);
            u.resultant_pso = Some(admins_pso().dn);
        }
        "dave" => u.admin_count = Some(1),
        "frank" => u.user_account_control |= uac::ACCOUNTDISABLE,
        "ivan" => u.member_of = vec![format!("CN=Contractors,OU=Groups,{DOMAIN_DN}")],
        // Re-created on-premises: a new objectGUID, and the consistency GUID not stamped yet.
        "judy" => u.consistency_guid = None,
        // Selective password hash sync's exclusion (field-causes C8).
        "wendy" => u.admin_description = Some("PHSFiltered".into()),
        _ => {}
    }
    u
}
