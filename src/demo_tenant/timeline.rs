//! The 24.5 hours of events the demo tenant's three logs hold: each scenario user's story, and the
//! background a real tenant has (heartbeats, PHS pings and batches, other users' successful
//! writebacks and on-premises changes, logons, a few lockouts). Password and lockout state the
//! events imply is written back into the directory so the snapshot and the logs agree.

use chrono::{DateTime, Duration, Utc};

use super::application::{self as app, Attempt, Level, Operation, PhsLine};
use super::people::{self, writeback_works, CONNECTOR_SAM, HELPDESK_ADMIN};
use super::rng::Rng;
use super::scenarios::scenarios;
use super::security_events::{self as sec, Dc, Subject, Workstation};
use super::NETBIOS;
use crate::ad::time::to_filetime;
use crate::directory::{uac, Directory, DirectoryUser};
use crate::evtx_writer::Record;
use crate::security::Guid;

/// Background volume.
const LOGONS_PER_DC: usize = 2000;
const FAILED_LOGONS_PER_DC: usize = 30;
const BACKGROUND_WRITEBACKS: usize = 36;
const ON_PREMISES_CHANGES: usize = 60;
const BACKGROUND_LOCKOUTS: usize = 3;
/// 4625 NTSTATUS and sub-status of a wrong password (STATUS_LOGON_FAILURE, STATUS_WRONG_PASSWORD).
const BAD_PASSWORD: (u32, u32) = (0xC000_006D, 0xC000_006A);
/// The Service Bus outage that catches peggy.
const OUTAGE: (&str, &str) = ("2026-11-24T08:54:00Z", "2026-11-24T09:00:00Z");
/// First record ids: real logs have been running for a while.
const FIRST_IDS: (u64, u64, u64, u64) = (48_211, 7_340_012, 6_120_877, 3_318);

/// The logs, records in time order with their final ids.
pub struct Logs {
    pub application: Vec<Record>,
    pub dc01: Vec<Record>,
    pub dc02: Vec<Record>,
    /// DC01's Password Protection DC agent log (its own channel, exported on its own).
    pub dc01_password_protection: Vec<Record>,
}

struct Timeline<'a> {
    rng: &'a mut Rng,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    application: Vec<Record>,
    dc01: Vec<Record>,
    dc02: Vec<Record>,
    dc01_password_protection: Vec<Record>,
    /// Password changes PHS will pick up: (time, user index).
    phs: Vec<(DateTime<Utc>, usize)>,
    connector: Subject,
}

pub fn play(rng: &mut Rng, dir: &mut Directory, start: DateTime<Utc>, end: DateTime<Utc>) -> Logs {
    let mut t = Timeline {
        rng,
        start,
        end,
        application: Vec::new(),
        dc01: Vec::new(),
        dc02: Vec::new(),
        dc01_password_protection: Vec::new(),
        phs: Vec::new(),
        connector: Subject {
            sid: people::connector_sid(),
            name: CONNECTOR_SAM.to_string(),
            domain: NETBIOS.to_string(),
            logon_id: 0x01F3_A2B7,
        },
    };
    t.service_background();
    t.background_writebacks(dir);
    t.on_premises_changes(dir);
    t.logons(dir);
    t.lockouts(dir);
    for s in scenarios() {
        let at = s.attempt_at.parse().unwrap_or(start);
        if let Some(i) = dir.users.iter().position(|u| u.sam_account_name == s.user) {
            t.scenario(dir, i, at);
        }
    }
    t.phs_batches(dir);
    Logs {
        application: numbered(t.application, FIRST_IDS.0),
        dc01: numbered(t.dc01, FIRST_IDS.1),
        dc02: numbered(t.dc02, FIRST_IDS.2),
        dc01_password_protection: numbered(t.dc01_password_protection, FIRST_IDS.3),
    }
}

/// Sorts by time (stable, so same-instant events keep their causal order) and assigns ids.
fn numbered(mut records: Vec<Record>, first_id: u64) -> Vec<Record> {
    records.sort_by_key(|r| r.time);
    for (i, r) in records.iter_mut().enumerate() {
        r.record_id = first_id + i as u64;
    }
    records
}

/// The correlation id of quinn's password validation on DC01 (fixed, so the other logs' random
/// values stay as they were).
const QUINN_VALIDATION: Guid = Guid::from_str_const("5b9e2c1d-7f3a-4e8b-a6d0-3c4f5e6a7b8c");

/// hr=80230626's message as posted.
const MA_DENIED: &str =
    "The password could not be updated because the management agent credentials were denied access.";

fn ms(n: i64) -> Duration {
    Duration::milliseconds(n)
}

/// "11/24/2026 8:02:13 AM": how 4738 renders PasswordLastSet on an en-US DC in UTC.
fn locale_time(t: DateTime<Utc>) -> String {
    t.format("%-m/%-d/%Y %-I:%M:%S %p").to_string()
}

fn in_outage(t: DateTime<Utc>) -> bool {
    let from = OUTAGE.0.parse::<DateTime<Utc>>().ok();
    let to = OUTAGE.1.parse::<DateTime<Utc>>().ok();
    matches!((from, to), (Some(f), Some(e)) if t >= f && t < e)
}

impl Timeline<'_> {
    fn dc_log(&mut self, dc: Dc) -> &mut Vec<Record> {
        match dc {
            Dc::Dc01 => &mut self.dc01,
            Dc::Dc02 => &mut self.dc02,
        }
    }

    fn thread(&mut self) -> u32 {
        500 + 4 * self.rng.below(2000) as u32
    }

    /// A random instant in the log's window, at millisecond precision.
    fn random_time(&mut self) -> DateTime<Utc> {
        let span = (self.end - self.start).num_milliseconds().max(1) as u64;
        self.start + ms(self.rng.below(span) as i64)
    }

    /// A random instant outside the scenario hour and the outage, so background events never
    /// sit inside a scenario user's correlation window.
    fn quiet_time(&mut self) -> DateTime<Utc> {
        loop {
            let t = self.random_time();
            let scenario_hour = t >= self.end - Duration::minutes(95) && t < self.end - Duration::minutes(5);
            if !scenario_hour && !in_outage(t) {
                return t;
            }
        }
    }

    fn tracking_id(&mut self) -> String {
        self.rng.guid().to_string()
    }

    fn attempt<'u>(&mut self, user: &'u DirectoryUser, operation: Operation) -> Attempt<'u> {
        Attempt {
            tracking_id: self.tracking_id(),
            cloud_anchor: format!("User_{}", self.rng.guid()),
            user,
            source_anchor: app::user_anchor(user),
            operation,
            cloud_upn: None,
        }
    }

    /// Heartbeats every 10 minutes, PHS pings every 30, a service restart at night, and the
    /// Service Bus outage.
    fn service_background(&mut self) {
        let mut t = self.start + Duration::seconds(37);
        while t < self.end {
            if !in_outage(t) {
                self.application.push(app::service(
                    t,
                    31019,
                    "ServiceBusHeartBeat",
                    "Successfully sent a heartbeat request to the Service Bus.",
                    Level::Information,
                ));
            }
            t += Duration::minutes(10);
        }
        let mut t = self.start + Duration::minutes(15);
        while t < self.end {
            self.application.push(app::phs_ping(t, true));
            self.application.push(app::phs_ping(t + ms(1350), false));
            t += Duration::minutes(30);
        }
        let restart = self.start + Duration::hours(17) + Duration::minutes(2);
        self.application.push(app::service(
            restart,
            31016,
            "WriteBackServiceStopped",
            "Password writeback service stopped.",
            Level::Information,
        ));
        self.application.push(app::service(
            restart + Duration::seconds(191),
            31015,
            "WriteBackServiceStarted",
            "Password writeback service started.",
            Level::Information,
        ));
        if let (Ok(from), Ok(to)) = (
            OUTAGE.0.parse::<DateTime<Utc>>(),
            OUTAGE.1.parse::<DateTime<Utc>>(),
        ) {
            let mut t = from + ms(12_400);
            while t < to {
                self.application.push(app::service(
                    t,
                    32002,
                    "ServiceBusError",
                    "Error Connecting to ServiceBus. The token provider was unable to provide a security token.",
                    Level::Error,
                ));
                self.application.push(app::service(
                    t + Duration::seconds(61),
                    32014,
                    "ServiceBusWarning",
                    "Retrying the connection to ServiceBus.",
                    Level::Warning,
                ));
                t += Duration::minutes(2);
            }
        }
    }

    /// Other users changing their password in the cloud: 31006, 4724 + 4738 by the connector,
    /// 31007, then PHS.
    fn background_writebacks(&mut self, dir: &mut Directory) {
        let candidates: Vec<usize> = (0..dir.users.len())
            .filter(|&i| dir.users.get(i).is_some_and(writeback_works) && people_is_ordinary(&dir.users[i]))
            .collect();
        for n in 0..BACKGROUND_WRITEBACKS {
            let i = *self.rng.pick(&candidates);
            let t = self.quiet_time();
            let dc = if n % 3 == 0 { Dc::Dc02 } else { Dc::Dc01 };
            self.successful_writeback(dir, i, t, dc, Operation::Change, false);
        }
    }

    fn successful_writeback(
        &mut self,
        dir: &mut Directory,
        i: usize,
        t: DateTime<Utc>,
        dc: Dc,
        operation: Operation,
        unexpire_denied: bool,
    ) {
        let Some(user) = dir.users.get(i).cloned() else {
            return;
        };
        let attempt = self.attempt(&user, operation);
        let set_at = t + ms(700 + self.rng.below(300) as i64);
        let (th1, th2) = (self.thread(), self.thread());
        let reset = sec::reset_password(dc, set_at, &user, &self.connector, true, th1);
        let last_set = if unexpire_denied {
            "%%1794".to_string()
        } else {
            locale_time(set_at)
        };
        let changed = sec::user_changed(dc, set_at + ms(40), &user, &self.connector, &last_set, th2);
        self.application.push(attempt.start(t));
        self.dc_log(dc).push(reset);
        self.dc_log(dc).push(changed);
        self.application.push(attempt.success(set_at + ms(600), false));
        if let Some(u) = dir.users.get_mut(i) {
            if unexpire_denied {
                u.pwd_last_set = Some(0);
                u.uac_computed = Some(uac::PASSWORD_EXPIRED);
            } else {
                u.pwd_last_set = Some(to_filetime(set_at));
            }
            u.when_changed = Some(set_at);
        }
        self.phs.push((set_at, i));
    }

    /// Users changing their password on-premises (Ctrl+Alt+Del): 4723 on a DC, then PHS.
    fn on_premises_changes(&mut self, dir: &mut Directory) {
        for n in 0..ON_PREMISES_CHANGES {
            let i = self.rng.below(dir.users.len() as u64) as usize;
            let Some(user) = dir.users.get(i).filter(|u| people_is_ordinary(u)).cloned() else {
                continue;
            };
            let t = self.quiet_time();
            self.on_premises_change(dir, i, &user, t, if n % 2 == 0 { Dc::Dc01 } else { Dc::Dc02 });
        }
    }

    fn on_premises_change(
        &mut self,
        dir: &mut Directory,
        i: usize,
        user: &DirectoryUser,
        t: DateTime<Utc>,
        dc: Dc,
    ) {
        let logon_id = 0x0200_0000 + self.rng.below(0x00FF_FFFF);
        let th = self.thread();
        self.dc_log(dc)
            .push(sec::change_password(dc, t, user, logon_id, th));
        if let Some(u) = dir.users.get_mut(i) {
            u.pwd_last_set = Some(to_filetime(t));
            u.when_changed = Some(t);
        }
        self.phs.push((t, i));
    }

    /// Kerberos network logons and a few typos: the bulk of every DC's Security log.
    fn logons(&mut self, dir: &Directory) {
        for dc in [Dc::Dc01, Dc::Dc02] {
            for _ in 0..LOGONS_PER_DC {
                let i = self.rng.below(dir.users.len() as u64) as usize;
                let Some(user) = dir
                    .users
                    .get(i)
                    .filter(|u| u.user_account_control & uac::ACCOUNTDISABLE == 0 && people_is_ordinary(u))
                else {
                    continue;
                };
                let t = self.random_time();
                let (name, ip) = self.workstation();
                let port = 49152 + self.rng.below(16000) as u16;
                let logon_id = 0x0300_0000 + self.rng.below(0x00FF_FFFF);
                let guid = self.rng.guid();
                let th = self.thread();
                let from = Workstation {
                    name: &name,
                    ip: &ip,
                    port,
                };
                let r = sec::logon(dc, t, user, &from, logon_id, guid, th);
                self.dc_log(dc).push(r);
            }
            for _ in 0..FAILED_LOGONS_PER_DC {
                let i = self.rng.below(dir.users.len() as u64) as usize;
                let Some(user) = dir.users.get(i).filter(|u| people_is_ordinary(u)) else {
                    continue;
                };
                let t = self.quiet_time();
                let (name, ip) = self.workstation();
                self.failed_logon(dc, t, user, (&name, &ip), BAD_PASSWORD);
            }
        }
    }

    fn workstation(&mut self) -> (String, String) {
        let n = 100 + self.rng.below(400);
        (format!("WS{n:03}"), format!("10.20.{}.{}", n / 100, n % 100 + 10))
    }

    /// A few users lock themselves out and the helpdesk unlocks them (4740, then 4767).
    fn lockouts(&mut self, dir: &Directory) {
        let helpdesk = Subject {
            sid: people::helpdesk_admin_sid(),
            name: HELPDESK_ADMIN.to_string(),
            domain: NETBIOS.to_string(),
            logon_id: 0x0044_1F20,
        };
        for _ in 0..BACKGROUND_LOCKOUTS {
            let i = self.rng.below(dir.users.len() as u64) as usize;
            let Some(user) = dir.users.get(i).filter(|u| people_is_ordinary(u)).cloned() else {
                continue;
            };
            let t = self.quiet_time();
            let (name, ip) = self.workstation();
            self.lock_out(&user, t, Dc::Dc02, &name, &ip);
            let th = self.thread();
            let unlock = sec::unlocked(
                Dc::Dc01,
                t + Duration::minutes(20 + self.rng.below(40) as i64),
                &user,
                &helpdesk,
                th,
            );
            self.dc01.push(unlock);
        }
    }

    /// A 4625 on `dc` from the workstation `(name, ip)` with NTSTATUS `(status, sub_status)`.
    fn failed_logon(
        &mut self,
        dc: Dc,
        t: DateTime<Utc>,
        user: &DirectoryUser,
        (name, ip): (&str, &str),
        (status, sub_status): (u32, u32),
    ) {
        let th = self.thread();
        let from = Workstation { name, ip, port: 0 };
        let r = sec::logon_failed(dc, t, user, &from, status, sub_status, th);
        self.dc_log(dc).push(r);
    }

    /// Five bad passwords from `workstation` on `dc`, then 4740 there and on the PDC (DC01).
    fn lock_out(
        &mut self,
        user: &DirectoryUser,
        t: DateTime<Utc>,
        dc: Dc,
        workstation: &str,
        ip: &str,
    ) -> DateTime<Utc> {
        for k in 0..5 {
            let at = t + Duration::seconds(11 * k);
            self.failed_logon(dc, at, user, (workstation, ip), BAD_PASSWORD);
        }
        let locked = t + Duration::seconds(55) + ms(120);
        let th = self.thread();
        let r = sec::locked_out(dc, locked, user, workstation, th);
        self.dc_log(dc).push(r);
        if dc != Dc::Dc01 {
            let th = self.thread();
            self.dc01
                .push(sec::locked_out(Dc::Dc01, locked + ms(310), user, workstation, th));
        }
        locked
    }

    /// One scenario user's story; see scenarios.rs for the plot of each.
    fn scenario(&mut self, dir: &mut Directory, i: usize, t: DateTime<Utc>) {
        let Some(user) = dir.users.get(i).cloned() else {
            return;
        };
        let denied = app::engine_error(0x8007_0005, "Access is denied.");
        match user.sam_account_name.as_str() {
            "alice" => self.successful_writeback(dir, i, t, Dc::Dc01, Operation::Change, false),
            "oscar" => {
                self.successful_writeback(dir, i, t, Dc::Dc02, Operation::Reset, true);
                let at = t + Duration::minutes(6);
                self.failed_logon(Dc::Dc02, at, &user, ("WS077", "10.20.0.87"), (0xC000_0224, 0));
            }
            "bob" | "carol" | "dave" | "heidi" | "ivan" => {
                self.failed_writeback(
                    &user,
                    t,
                    Operation::Reset,
                    (33004, "ADPermissionsError"),
                    &denied,
                    None,
                );
            }
            "victor" => {
                // The tenant logs his cloud UPN; his anchor and TrackingId tie the attempt to him.
                let mut attempt = self.attempt(&user, Operation::Reset);
                attempt.cloud_upn = Some(format!("{}@contoso.onmicrosoft.com", user.sam_account_name));
                let account = format!("{NETBIOS}\\{CONNECTOR_SAM}");
                self.application.push(attempt.start(t));
                self.application
                    .push(app::adsync_bind(t + ms(310), super::DNS_NAME, CONNECTOR_SAM));
                self.application
                    .push(app::adsync_sam_denied(t + ms(920), &account));
                let cause = app::engine_error(0x8023_0626, MA_DENIED);
                self.application
                    .push(attempt.error(t + ms(1_530), 33004, "ADPermissionsError", &cause));
                self.application.push(attempt.fail(t + ms(1_610), &cause));
            }
            "wendy" => {
                let attempt = self.attempt(&user, Operation::Reset);
                self.application.push(attempt.start(t));
                self.application
                    .push(app::adsync_not_in_scope(t + ms(1_080), &attempt.cloud_anchor));
                let cause = app::engine_error(
                    0x8023_0405,
                    "The operation failed because the object cannot be found.",
                );
                self.application
                    .push(attempt.error(t + ms(1_530), 33002, "ADUserNotFoundError", &cause));
                self.application.push(attempt.fail(t + ms(1_610), &cause));
            }
            "quinn" => {
                // DC01's Password Protection agent refuses the set: tenant banned list. One
                // validation: the rejection and its reason share a correlation id.
                let filtered = t + ms(880);
                self.dc01_password_protection.push(sec::password_protection(
                    Dc::Dc01,
                    filtered,
                    10017,
                    &user,
                    QUINN_VALIDATION,
                ));
                self.dc01_password_protection.push(sec::password_protection(
                    Dc::Dc01,
                    filtered + ms(1),
                    30003,
                    &user,
                    QUINN_VALIDATION,
                ));
                self.policy_refusal(&user, t);
            }
            "erin" => {
                // Her on-premises change at 05:10 starts the minimum password age.
                let changed = t - Duration::hours(3) - Duration::minutes(7) - ms(3_300);
                self.on_premises_change(dir, i, &user, changed, Dc::Dc02);
                self.policy_refusal(&user, t);
            }
            "frank" => {
                let cause = app::engine_error(0x8007_0533, "Logon failure: account currently disabled.");
                self.failed_writeback(
                    &user,
                    t,
                    Operation::Reset,
                    (33005, "ADUserAccountDisabled"),
                    &cause,
                    None,
                );
            }
            "grace" => {
                let locked = self.lock_out(&user, t - Duration::minutes(4), Dc::Dc02, "WS042", "10.20.0.52");
                let again = locked + Duration::seconds(84);
                self.failed_logon(Dc::Dc02, again, &user, ("WS042", "10.20.0.52"), (0xC000_0234, 0));
                if let Some(u) = dir.users.get_mut(i) {
                    u.lockout_time = to_filetime(locked);
                    u.bad_pwd_count = Some(5);
                    u.uac_computed = Some(uac::LOCKOUT);
                    u.when_changed = Some(locked);
                }
                let cause = app::engine_error(
                    0x8007_0775,
                    "The referenced account is currently locked out and may not be logged on to.",
                );
                self.failed_writeback(
                    &user,
                    t,
                    Operation::Change,
                    (33006, "ADUserAccountLockedOut"),
                    &cause,
                    None,
                );
            }
            "judy" => {
                // The cloud still holds the anchor of the account that was deleted.
                let stale = app::anchor(&self.rng.guid());
                let cause = "Object could not be found.";
                self.failed_writeback(
                    &user,
                    t,
                    Operation::Reset,
                    (33002, "ADUserNotFoundError"),
                    cause,
                    Some(stale),
                );
            }
            "mallory" => {
                let cause = app::engine_error(0x8007_2035, "The server is unwilling to process the request.");
                self.failed_writeback(
                    &user,
                    t,
                    Operation::Reset,
                    (33001, "ADUnKnownError"),
                    &cause,
                    None,
                );
            }
            "peggy" => {
                let attempt = self.attempt(&user, Operation::Reset);
                self.application.push(attempt.start(t));
                let cause = "Error Connecting to ServiceBus. The token provider was unable to provide a security token.";
                self.application
                    .push(attempt.error(t + ms(2_480), 32002, "ServiceBusError", cause));
            }
            "trent" => {
                self.application.push(app::adsync_bail(
                    t + ms(1_100),
                    0x8023_0619,
                    app::POLICY_RESTRICTION,
                ));
                let attempt = self.attempt(&user, Operation::Change);
                self.application.push(attempt.start(t));
                let cause = app::engine_error(0x8023_0619, app::POLICY_RESTRICTION);
                self.application.push(attempt.fail(t + ms(1_420), &cause));
            }
            _ => {}
        }
    }

    /// A reset AD received and refused by policy: 4724 audit failure on DC01, the 6329 with
    /// 0x80230619, then 33008 and 31003.
    fn policy_refusal(&mut self, user: &DirectoryUser, t: DateTime<Utc>) {
        let th = self.thread();
        let refused = sec::reset_password(Dc::Dc01, t + ms(910), user, &self.connector, false, th);
        self.dc01.push(refused);
        self.application.push(app::adsync_bail(
            t + ms(1_240),
            0x8023_0619,
            app::POLICY_RESTRICTION,
        ));
        let policy = app::engine_error(0x8023_0619, app::POLICY_RESTRICTION);
        self.failed_writeback(
            user,
            t,
            Operation::Reset,
            (33008, "ADPasswordPolicyError"),
            &policy,
            None,
        );
    }

    /// Start, the specific 33xxx error, then the operation's fail event.
    fn failed_writeback(
        &mut self,
        user: &DirectoryUser,
        t: DateTime<Utc>,
        operation: Operation,
        (event_id, name): (u16, &str),
        cause: &str,
        source_anchor: Option<String>,
    ) {
        let mut attempt = self.attempt(user, operation);
        if let Some(anchor) = source_anchor {
            attempt.source_anchor = anchor;
        }
        self.application.push(attempt.start(t));
        self.application
            .push(attempt.error(t + ms(1_530), event_id, name, cause));
        self.application.push(attempt.fail(t + ms(1_610), cause));
    }

    /// PHS runs every 2 minutes: changes of one window go out as one batch (650, 656, 657, 651).
    fn phs_batches(&mut self, dir: &Directory) {
        let connector_id = Guid::from_str_const("b891884f-051e-4a83-95af-2544101c9083");
        let mut changes = std::mem::take(&mut self.phs);
        changes.sort_by_key(|(t, _)| *t);
        let window = |t: &DateTime<Utc>| (*t - self.start).num_seconds().div_euclid(120);
        let mut k = 0;
        while k < changes.len() {
            let w = window(&changes[k].0);
            let batch: Vec<&(DateTime<Utc>, usize)> =
                changes[k..].iter().take_while(|(t, _)| window(t) == w).collect();
            k += batch.len();
            let lines: Vec<PhsLine> = batch
                .iter()
                .filter_map(|(t, i)| {
                    let u = dir.users.get(*i)?;
                    Some(PhsLine {
                        anchor: app::user_anchor(u),
                        dn: u.dn.clone(),
                        changed: *t,
                        change_on_logon: u.pwd_last_set == Some(0),
                    })
                })
                .collect();
            let at = self.start + Duration::seconds((w + 1) * 120 + 7);
            self.application.push(app::phs_batch_edge(at, 650, lines.len()));
            for part in lines.chunks(50) {
                self.application.push(app::phs_request(at + ms(40), part));
                self.application
                    .push(app::phs_result(at + ms(1_900), part, &connector_id));
            }
            self.application
                .push(app::phs_batch_edge(at + ms(1_950), 651, lines.len()));
        }
    }
}

/// Not a scenario user: background events never involve them, so their stories stay clean.
fn people_is_ordinary(user: &DirectoryUser) -> bool {
    !scenarios().iter().any(|s| s.user == user.sam_account_name)
}
