//! The process-level helpers of the integration tests, the one module each test binary declares
//! (`mod support;`): the real binary (`run`), and, with the `lab` feature only, python-evtx
//! (`python_evtx`), the lab's Samba AD DC (`lab`) and the users the live diagnose and scan tests
//! make in it (`live`). Fixtures that are values (directories, events, builders, console states)
//! are the library's test kit, `resetlens::testkit`.

#![allow(dead_code)] // each test binary uses part of it

#[cfg(feature = "lab")]
pub mod lab;
#[cfg(feature = "lab")]
pub mod live;
#[cfg(feature = "lab")]
pub mod python_evtx;
pub mod run;
