//! The event-log side of the evidence: reading EVTX files fast, the catalog of events that matter
//! for writeback, parsing their messages, and correlating them to a user and to attempts.

pub mod catalog;
pub mod message;
pub mod model;

pub use catalog::{lookup, CatalogEntry, Provider};
pub use model::{AuditOutcome, Event, EventFields, EventKind, EventOrigin};
