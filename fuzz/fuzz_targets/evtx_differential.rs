//! Arbitrary bytes as a whole EVTX file, read twice: by resetlens's reader (the hand-written
//! template walker per chunk, the evtx crate for chunks it declines) and by the evtx crate alone.
//! The reader must never panic; on any input both read without a problem, they must give the same
//! events, fields included, and the same record counts, whichever path each chunk took.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use resetlens::events::ingest::{ingest, ingest_reference, IngestOptions};

fn every_id() -> &'static IngestOptions {
    static OPTS: OnceLock<IngestOptions> = OnceLock::new();
    OPTS.get_or_init(|| IngestOptions {
        // Every ID, so every record reaches normalization, not only the catalog's.
        ids: Some((0..=u32::from(u16::MAX)).collect()),
        threads: 1,
    })
}

fuzz_target!(|data: &[u8]| {
    // The readers take paths: one file per fuzzing process, rewritten for each input.
    let path = std::env::temp_dir().join(format!("resetlens-fuzz-{}.evtx", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let paths: Vec<PathBuf> = vec![path];
    let fast = ingest(&paths, every_id(), &|_| {});
    // A panic of the evtx crate itself is not resetlens's to fix: no reference, no comparison.
    let Ok(reference) = std::panic::catch_unwind(|| ingest_reference(&paths, every_id())) else {
        return;
    };
    if fast.problems().next().is_some() || reference.problems().next().is_some() {
        return;
    }
    assert_eq!(fast.events.len(), reference.events.len(), "event count");
    for (a, b) in fast.events.iter().zip(&reference.events) {
        assert_eq!(a, b, "event");
    }
    for (a, b) in fast.files.iter().zip(&reference.files) {
        assert_eq!(a.records_read, b.records_read, "records read");
        assert_eq!(a.records_skipped, b.records_skipped, "records skipped");
    }
});
