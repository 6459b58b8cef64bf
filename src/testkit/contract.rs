//! Key lists of the fixed CLI/JSON contract (shared/contracts/cli-and-report.md), for the tests
//! that hold the renderers to it.

/// The keys every EVENT object has, in the contract's order.
pub const EVENT_KEYS: [&str; 10] = [
    "time",
    "machine",
    "channel",
    "provider",
    "event_id",
    "record_id",
    "file",
    "name",
    "tracking_id",
    "summary",
];

/// The `account` section's keys, in the contract's order.
pub const ACCOUNT_KEYS: [&str; 7] = [
    "enabled",
    "locked_out",
    "lockout_time",
    "pwd_last_set",
    "must_change_password",
    "password_never_expires",
    "admin_count",
];
