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
