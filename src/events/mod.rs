//! The event-log side of the evidence: reading EVTX files fast, the catalog of events that matter
//! for writeback, parsing their messages, and correlating them to a user and to attempts.

pub mod catalog;
pub mod correlate;
pub mod ingest;
pub mod message;
pub mod model;
pub(crate) mod normalize;
pub mod raw;
pub mod timeline;
pub mod view;

pub use catalog::{lookup, CatalogEntry, Provider};
pub use ingest::{
    ingest, ingest_each, FileSummary, Gather, IngestOptions, IngestProblem, IngestReport, ProblemKind,
    Progress,
};
pub use model::{AuditOutcome, Event, EventFields, EventKind, EventOrigin};
pub use view::{EventView, ViewTexts};
