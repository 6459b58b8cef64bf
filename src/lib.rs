//! resetlens: why did this user's Entra ID password writeback fail to reach Active Directory?
//!
//! Data flows one way: sources (`directory`, `events`) fill the model, `diagnosis` turns the model
//! into findings and a verdict, and the views (`report`, `tui`) render them. See ARCHITECTURE.md.

pub mod ad;
pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo_tenant;
pub mod diagnosis;
pub mod directory;
pub mod events;
pub mod evtx_writer;
pub mod panics;
pub mod report;
pub mod sanitize;
pub mod security;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod tui;
