//! The user's account state decoded at one instant: enabled, locked out (from
//! msDS-User-Account-Control-Computed, else the MS-ADTS 3.1.1.4.5.17 LO rule with the effective
//! lockout duration; never from lockoutTime alone), password timestamps and flags.

use chrono::{DateTime, Utc};
use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::policy::EffectivePolicy;
use crate::ad::time::{to_filetime, FileTime};
use crate::directory::{uac, DirectoryUser};

/// How `locked_out` was decided, for the evidence line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockoutBasis {
    /// The DC's msDS-User-Account-Control-Computed LOCKOUT bit.
    Computed,
    /// lockoutTime and the effective lockout duration: the computed attribute was not read, or it
    /// describes the capture time while the evaluation is at another instant.
    LockoutRule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountState {
    pub enabled: bool,
    pub locked_out: bool,
    pub lockout_basis: LockoutBasis,
    /// lockoutTime as an instant; `None` when 0 or unreadable.
    pub lockout_time: Option<DateTime<Utc>>,
    /// When the lockout ends by itself; `None` when not locked, or locked until an admin unlocks.
    pub lockout_ends: Option<DateTime<Utc>>,
    pub pwd_last_set: Option<FileTime>,
    pub must_change_password: bool,
    pub password_never_expires: bool,
    pub admin_count: Option<u32>,
    pub user_account_control: u32,
    /// The password flags set in userAccountControl (and the computed one), by name.
    pub flags: Vec<&'static str>,
    pub bad_pwd_count: Option<u32>,
}

/// Flags worth a name on the account, and which word holds each: userAccountControl, or the
/// constructed msDS-User-Account-Control-Computed.
const NAMED_FLAGS: [(u32, bool, &str); 4] = [
    (uac::DONT_EXPIRE_PASSWORD, false, "password never expires"),
    (uac::PASSWD_NOTREQD, false, "password not required"),
    (uac::SMARTCARD_REQUIRED, false, "smart card required"),
    (uac::PASSWORD_EXPIRED, true, "password expired"),
];

const TRUST_BITS: u32 =
    uac::INTERDOMAIN_TRUST_ACCOUNT | uac::WORKSTATION_TRUST_ACCOUNT | uac::SERVER_TRUST_ACCOUNT;

impl AccountState {
    /// The state at `at`. `computed_is_current`: the constructed msDS-User-Account-Control-Computed
    /// was read at (about) `at`; when evaluating another instant (`--at`, a past attempt) the
    /// lockout is recomputed from lockoutTime instead.
    pub fn at(
        user: &DirectoryUser,
        policy: &EffectivePolicy,
        at: DateTime<Utc>,
        computed_is_current: bool,
    ) -> AccountState {
        let uac = user.user_account_control;
        let by_rule = lockout_rule(uac, user.lockout_time, policy.lockout_duration_raw, at);
        let (locked_out, lockout_basis) = match user.uac_computed.filter(|_| computed_is_current) {
            Some(c) => (c & uac::LOCKOUT != 0, LockoutBasis::Computed),
            None => (by_rule, LockoutBasis::LockoutRule),
        };
        let lockout_time = FileTime::from_raw(user.lockout_time).instant();
        let lockout_ends = lockout_time
            .filter(|_| locked_out && policy.lockout_duration_raw < 0)
            .and_then(|t| crate::ad::time::interval(policy.lockout_duration_raw).map(|d| t + d));
        let password_never_expires = uac & uac::DONT_EXPIRE_PASSWORD != 0;
        let pwd_last_set = user.pwd_last_set.map(FileTime::from_raw);
        AccountState {
            enabled: uac & uac::ACCOUNTDISABLE == 0,
            locked_out,
            lockout_basis,
            lockout_time,
            lockout_ends,
            pwd_last_set,
            must_change_password: pwd_last_set == Some(FileTime::Zero) && !password_never_expires,
            password_never_expires,
            admin_count: user.admin_count,
            user_account_control: uac,
            flags: NAMED_FLAGS
                .iter()
                .filter(|(bit, computed, _)| {
                    let word = if *computed {
                        user.uac_computed.unwrap_or(0)
                    } else {
                        uac
                    };
                    word & bit != 0
                })
                .map(|(_, _, name)| *name)
                .collect(),
            bad_pwd_count: user.bad_pwd_count,
        }
    }

    pub fn pwd_last_set_instant(&self) -> Option<DateTime<Utc>> {
        self.pwd_last_set.and_then(FileTime::instant)
    }
}

/// The contract's `account` section: the decoded state at the evaluated instant, pwdLastSet as
/// an instant (`null` when 0, "must change", or absent), lockoutTime `null` when 0 or absent.
impl Serialize for AccountState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut section = s.serialize_struct("AccountSection", 7)?;
        section.serialize_field("enabled", &self.enabled)?;
        section.serialize_field("locked_out", &self.locked_out)?;
        section.serialize_field("lockout_time", &self.lockout_time)?;
        section.serialize_field("pwd_last_set", &self.pwd_last_set_instant())?;
        section.serialize_field("must_change_password", &self.must_change_password)?;
        section.serialize_field("password_never_expires", &self.password_never_expires)?;
        section.serialize_field("admin_count", &self.admin_count)?;
        section.end()
    }
}

/// MS-ADTS 3.1.1.4.5.17, LOCKOUT: no trust-account bit, lockoutTime != 0, and either the effective
/// duration read unsigned is below 0x8000000000000000 (zero or positive: locked until unlocked) or
/// now + duration (negative) <= lockoutTime. i128 keeps `now + i64::MIN` ("forever") exact.
pub fn lockout_rule(uac: u32, lockout_time: i64, duration_raw: i64, at: DateTime<Utc>) -> bool {
    if uac & TRUST_BITS != 0 || lockout_time == 0 {
        return false;
    }
    if duration_raw >= 0 {
        return true;
    }
    i128::from(to_filetime(at)) + i128::from(duration_raw) <= i128::from(lockout_time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ad::time::{to_interval, INTERVAL_FOREVER};
    use crate::testkit::contoso::{directory, ts, user};
    use chrono::Duration;

    const THIRTY_MIN: i64 = -18_000_000_000;

    #[test]
    fn lockout_rule_follows_ms_adts() {
        let locked_at = ts("2026-11-24T08:00:00Z");
        let lt = to_filetime(locked_at);
        // Inside the 30-minute window: locked; after it: not, although lockoutTime stays non-zero.
        assert!(lockout_rule(0x200, lt, THIRTY_MIN, ts("2026-11-24T08:29:00Z")));
        assert!(lockout_rule(0x200, lt, THIRTY_MIN, ts("2026-11-24T08:30:00Z")));
        assert!(!lockout_rule(0x200, lt, THIRTY_MIN, ts("2026-11-24T08:31:00Z")));
        // "Forever" and a zero duration: locked until an administrator unlocks.
        assert!(lockout_rule(
            0x200,
            lt,
            INTERVAL_FOREVER,
            ts("2030-01-01T00:00:00Z")
        ));
        assert!(lockout_rule(0x200, lt, 0, ts("2030-01-01T00:00:00Z")));
        // lockoutTime 0 and trust accounts are never locked.
        assert!(!lockout_rule(0x200, 0, THIRTY_MIN, locked_at));
        assert!(!lockout_rule(0x1000, lt, THIRTY_MIN, locked_at));
    }

    #[test]
    fn computed_bit_wins_over_lockout_time() {
        let dir = directory();
        let policy = EffectivePolicy::for_user(&dir, &user("a"));
        let mut u = user("a");
        u.lockout_time = to_filetime(ts("2026-11-24T08:00:00Z"));
        u.uac_computed = Some(0);
        let s = AccountState::at(&u, &policy, ts("2026-11-24T08:01:00Z"), true);
        assert!(!s.locked_out);
        assert_eq!(s.lockout_basis, LockoutBasis::Computed);
        // Evaluating another instant than the capture: the rule, not the captured bit.
        let s = AccountState::at(&u, &policy, ts("2026-11-24T08:01:00Z"), false);
        assert!(s.locked_out);
        assert_eq!(s.lockout_basis, LockoutBasis::LockoutRule);
        u.uac_computed = None;
        let s = AccountState::at(&u, &policy, ts("2026-11-24T08:01:00Z"), true);
        assert!(s.locked_out);
        assert_eq!(s.lockout_basis, LockoutBasis::LockoutRule);
        assert_eq!(
            s.lockout_ends,
            Some(ts("2026-11-24T08:00:00Z") + Duration::minutes(30))
        );
    }

    #[test]
    fn flags_and_password_state() {
        let dir = directory();
        let policy = EffectivePolicy::for_user(&dir, &user("a"));
        let mut u = user("a");
        u.user_account_control = 0x202;
        u.pwd_last_set = Some(0);
        let s = AccountState::at(&u, &policy, ts("2026-11-24T08:00:00Z"), true);
        assert!(!s.enabled);
        assert!(s.must_change_password);
        assert_eq!(s.pwd_last_set_instant(), None);
        u.user_account_control = 0x10200;
        let s = AccountState::at(&u, &policy, ts("2026-11-24T08:00:00Z"), true);
        assert!(s.enabled && s.password_never_expires && !s.must_change_password);
        assert_eq!(to_interval(Duration::minutes(30)), THIRTY_MIN);
    }
}
