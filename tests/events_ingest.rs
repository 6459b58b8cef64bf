//! EVTX ingestion on real files (tests/data/evtx, from the evtx crate's samples) and on damaged
//! files made here: what is read, what is reported, and that the fast reader agrees with the
//! evtx crate's own rendering.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use resetlens::events::ingest::{ingest, ingest_reference, IngestOptions, IngestReport, ProblemKind};
use resetlens::events::{AuditOutcome, EventKind};

/// The real samples, each with the reason it is here.
#[derive(Clone, Copy, Debug)]
enum Sample {
    /// A workgroup host's Security log: 1x4723, 1x4724, 10x4738; intact (header flag DIRTY).
    Security,
    /// The same log with chunk 0's header CRC (string cache) damaged: every record still reads.
    SecurityBadStringCache,
    /// Garbage file-header flags: the header must not be trusted for anything but its magic.
    PostSecurity,
    /// Format 3.2 with NO_CRC32: the CRC fields are absent, not wrong.
    ApplicationNoCrc32,
    /// Two chunks with a bad magic and three with a bad data CRC.
    BadChunkMagic,
    /// A record whose size field is 0.
    ZeroDataSize,
}

impl Sample {
    const ALL: [Sample; 6] = [
        Sample::Security,
        Sample::SecurityBadStringCache,
        Sample::PostSecurity,
        Sample::ApplicationNoCrc32,
        Sample::BadChunkMagic,
        Sample::ZeroDataSize,
    ];

    fn path(self) -> PathBuf {
        let name = match self {
            Sample::Security => "security.evtx",
            Sample::SecurityBadStringCache => "security_bad_string_cache.evtx",
            Sample::PostSecurity => "post-Security.evtx",
            Sample::ApplicationNoCrc32 => "Application_no_crc32.evtx",
            Sample::BadChunkMagic => "sample_with_a_bad_chunk_magic.evtx",
            Sample::ZeroDataSize => "sample-with-zero-data-size-event.evtx",
        };
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/evtx")
            .join(name)
    }
}

fn read(paths: &[PathBuf], ids: Option<Vec<u32>>, threads: usize) -> IngestReport {
    ingest(paths, &IngestOptions { ids, threads }, &|_| {})
}

fn count(report: &IngestReport, id: u32) -> usize {
    report.events.iter().filter(|e| e.event_id == id).count()
}

#[test]
fn security_sample_yields_the_password_events_with_their_fields() {
    let r = read(&[Sample::Security.path()], None, 2);
    assert_eq!(count(&r, 4723), 1);
    assert_eq!(count(&r, 4724), 1);
    assert_eq!(count(&r, 4738), 10);
    assert_eq!(r.events.len(), 12, "only catalog events by default");
    assert_eq!(r.files[0].records_read, 2261);
    assert_eq!(r.files[0].records_skipped, 0);
    assert!(r.files[0].problems.is_empty(), "{:?}", r.files[0].problems);

    let reset = r.events.iter().find(|e| e.event_id == 4724).expect("4724");
    assert_eq!(reset.kind, EventKind::DcReset);
    assert_eq!(reset.provider, "Microsoft-Windows-Security-Auditing");
    assert_eq!(reset.channel, "Security");
    assert_eq!(reset.machine, "WIN-03DLIIOFRRA");
    assert_eq!(reset.origin.record_id, 57);
    assert_eq!(reset.time.to_rfc3339(), "2016-07-08T18:15:23.429226300+00:00");
    assert_eq!(reset.audit, Some(AuditOutcome::Success));
    let f = &reset.fields;
    assert_eq!(f.target_user.as_deref(), Some("fsir"));
    assert_eq!(f.target_domain.as_deref(), Some("WIN-03DLIIOFRRA"));
    assert_eq!(
        f.target_sid.as_ref().map(ToString::to_string).as_deref(),
        Some("S-1-5-21-2603537626-3982775912-406486804-1000")
    );
    assert_eq!(f.subject_user.as_deref(), Some("WIN-03DLIIOFRRA$"));
    assert_eq!(f.subject_domain.as_deref(), Some("WORKGROUP"));
    assert_eq!(
        f.subject_sid.as_ref().map(ToString::to_string).as_deref(),
        Some("S-1-5-18")
    );

    let change = r.events.iter().find(|e| e.event_id == 4723).expect("4723");
    assert_eq!(change.kind, EventKind::DcChange);
    assert_eq!(change.fields.subject_user.as_deref(), Some("fsir"));
    assert_eq!(change.fields.target_user.as_deref(), Some("fsir"));

    // 4738 with the password set and the UAC change (0x15 -> 0x14: PASSWD_NOTREQD kept, disabled cleared).
    let changed = r
        .events
        .iter()
        .find(|e| e.event_id == 4738 && e.origin.record_id == 53)
        .expect("4738 #53");
    assert_eq!(changed.kind, EventKind::DcUserChanged);
    assert_eq!(changed.fields.password_last_set.as_deref(), Some("%%1794"));
    assert_eq!(changed.fields.old_uac.as_deref(), Some("0x15"));
    assert_eq!(changed.fields.new_uac.as_deref(), Some("0x14"));
    let set = r
        .events
        .iter()
        .find(|e| e.event_id == 4738 && e.origin.record_id == 56)
        .expect("4738 #56");
    assert_eq!(
        set.fields.password_last_set.as_deref(),
        Some("7/8/2016 11:15:23 AM")
    );
    // Unchanged values ("-") are None.
    let unchanged = r
        .events
        .iter()
        .find(|e| e.event_id == 4738 && e.origin.record_id == 186)
        .expect("4738 #186");
    assert_eq!(unchanged.fields.password_last_set, None);
    assert_eq!(unchanged.fields.old_uac, None);

    // Oldest first, then by record id.
    assert!(r
        .events
        .windows(2)
        .all(|w| (w[0].time, w[0].origin.record_id) <= (w[1].time, w[1].origin.record_id)));
}

#[test]
fn id_filter_selects_any_provider() {
    let r = read(&[Sample::Security.path()], Some(vec![4724, 4672]), 1);
    assert_eq!(count(&r, 4724), 1);
    assert!(
        count(&r, 4672) > 0,
        "4672 is not in the catalog but was asked for"
    );
    assert!(r.events.iter().all(|e| e.event_id == 4724 || e.event_id == 4672));
    let other = r.events.iter().find(|e| e.event_id == 4672).expect("4672");
    assert_eq!(other.kind, EventKind::Other);
}

#[test]
fn corrupt_samples_keep_their_records_and_name_the_damage() {
    for sample in [
        Sample::BadChunkMagic,
        Sample::ZeroDataSize,
        Sample::SecurityBadStringCache,
    ] {
        let r = read(&[sample.path()], Some((0..=u16::MAX as u32).collect()), 2);
        let file = &r.files[0];
        assert!(
            file.records_read > 100,
            "{sample:?}: records kept ({})",
            file.records_read
        );
        assert!(!file.problems.is_empty(), "{sample:?}: damage reported");
        for p in &file.problems {
            let text = p.to_string();
            assert!(p.chunk.is_some() && p.offset.is_some(), "{sample:?}: {text}");
            assert!(text.starts_with(&sample.path().display().to_string()), "{text}");
            assert!(
                text.contains(&format!("chunk {} at offset 0x", p.chunk.unwrap_or(0))),
                "{text}"
            );
        }
    }
    let magic = read(
        &[Sample::BadChunkMagic.path()],
        Some((0..=u16::MAX as u32).collect()),
        2,
    );
    let f = &magic.files[0];
    assert_eq!(f.records_read, 301);
    assert_eq!(f.records_skipped, 1);
    let bad_magic: BTreeSet<u64> = f
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::ChunkSkipped)
        .filter_map(|p| p.chunk)
        .collect();
    assert_eq!(bad_magic, BTreeSet::from([6, 10]));
    assert_eq!(
        f.problems
            .iter()
            .filter(|p| p.kind == ProblemKind::DataChecksumMismatch)
            .count(),
        3,
        "three chunks with a bad data CRC: {:?}",
        f.problems
    );

    let zero = read(&[Sample::ZeroDataSize.path()], None, 1);
    let p = zero.files[0]
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::RecordSkipped)
        .expect("the zero-size record is named");
    assert_eq!((p.chunk, p.offset), (Some(0), Some(0x1820)));
    assert_eq!(zero.files[0].records_read, 449);
}

#[test]
fn intact_oddities_read_cleanly() {
    for sample in [Sample::PostSecurity, Sample::ApplicationNoCrc32] {
        let r = read(&[sample.path()], Some((0..=u16::MAX as u32).collect()), 2);
        assert!(
            r.files[0].problems.is_empty(),
            "{sample:?}: {:?}",
            r.files[0].problems
        );
        assert_eq!(
            r.files[0].chunks_fallback, 0,
            "{sample:?}: fast reader understood it"
        );
    }
    let post = read(&[Sample::PostSecurity.path()], None, 1);
    assert_eq!((count(&post, 4724), count(&post, 4738)), (1, 8));
}

#[test]
fn fast_reader_agrees_with_the_evtx_crate_on_every_sample() {
    let all: Vec<PathBuf> = Sample::ALL.iter().map(|s| s.path()).collect();
    // Every ID, so classic Application events and Security events of all shapes are compared.
    let every = IngestOptions {
        ids: Some((0..=u16::MAX as u32).collect()),
        threads: 2,
    };
    let fast = ingest(&all, &every, &|_| {});
    let reference = ingest_reference(&all, &every);
    assert_eq!(fast.events.len(), reference.events.len());
    assert!(fast.events.len() > 5000);
    for (a, b) in fast.events.iter().zip(&reference.events) {
        assert_eq!(a, b);
    }
    for (a, b) in fast.files.iter().zip(&reference.files) {
        assert_eq!(a.path, b.path);
        assert_eq!(a.records_read, b.records_read, "{}", a.path.display());
        assert_eq!(a.records_skipped, b.records_skipped, "{}", a.path.display());
    }
    // The comparison means something only if the fast reader did the work on intact files.
    for f in &fast.files {
        let damaged = f.path.ends_with("sample_with_a_bad_chunk_magic.evtx")
            || f.path.ends_with("sample-with-zero-data-size-event.evtx");
        assert_eq!(f.chunks_fallback == 0, !damaged, "{}", f.path.display());
    }
    // And with the default selection (the catalog).
    let fast = ingest(
        &all,
        &IngestOptions {
            ids: None,
            threads: 1,
        },
        &|_| {},
    );
    let reference = ingest_reference(
        &all,
        &IngestOptions {
            ids: None,
            threads: 1,
        },
    );
    assert_eq!(fast.events, reference.events);
}

#[test]
fn thread_count_does_not_change_the_result() {
    let all: Vec<PathBuf> = Sample::ALL.iter().map(|s| s.path()).collect();
    let one = read(&all, None, 1);
    let four = read(&all, None, 4);
    assert_eq!(one, four);
}

#[test]
fn directories_are_searched_recursively_and_progress_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let nested = dir.path().join("dc01/exports");
    std::fs::create_dir_all(&nested).expect("mkdir");
    std::fs::copy(Sample::Security.path(), nested.join("Security.EVTX")).expect("copy");
    std::fs::copy(Sample::PostSecurity.path(), dir.path().join("post.evtx")).expect("copy");
    std::fs::write(dir.path().join("notes.txt"), "not a log").expect("write");
    let bytes = AtomicU64::new(0);
    let calls = AtomicU64::new(0);
    let r = ingest(
        &[dir.path().to_path_buf()],
        &IngestOptions {
            ids: None,
            threads: 2,
        },
        &|p| {
            bytes.fetch_max(p.bytes_done, Ordering::Relaxed);
            calls.fetch_add(1, Ordering::Relaxed);
            assert!(p.file_bytes_done <= p.file_bytes);
            assert!(p.bytes_done <= p.bytes_total);
        },
    );
    assert_eq!(r.files.len(), 2, "only .evtx files, case-insensitively");
    assert_eq!(count(&r, 4724), 2);
    let total: u64 = [Sample::Security, Sample::PostSecurity]
        .iter()
        .map(|s| std::fs::metadata(s.path()).map(|m| m.len()).unwrap_or(0))
        .sum();
    assert_eq!(bytes.load(Ordering::Relaxed), total);
    assert!(calls.load(Ordering::Relaxed) > 2);
}

/// Writes `bytes` as `name` in `dir` and returns its path.
fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

#[test]
fn broken_files_are_reported_and_the_rest_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = std::fs::read(Sample::Security.path()).expect("sample");
    // Cut inside chunk 3: the records before the cut are kept.
    let cut = 4096 + 3 * 65536 + 20_000;
    let truncated = write(dir.path(), "truncated.evtx", &good[..cut]);
    let three_chunks = write(dir.path(), "three-chunks.evtx", &good[..4096 + 3 * 65536]);
    let empty = write(dir.path(), "empty.evtx", &[]);
    let header_only = write(dir.path(), "header-only.evtx", &good[..4096]);
    let short_header = write(dir.path(), "short-header.evtx", &good[..1000]);
    // A fixed pseudo-random sequence (xorshift), so failures are reproducible.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let noise: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let random = write(dir.path(), "random.evtx", &noise);
    let mut not_elf = good.clone();
    not_elf[..8].copy_from_slice(b"NotAFile");
    let not_elf = write(dir.path(), "not-elffile.evtx", &not_elf);
    let missing = dir.path().join("missing.evtx");

    let inputs = vec![
        truncated.clone(),
        empty.clone(),
        header_only.clone(),
        short_header.clone(),
        random.clone(),
        not_elf.clone(),
        missing.clone(),
        Sample::PostSecurity.path(),
    ];
    let r = read(&inputs, None, 2);
    let summary = |p: &Path| {
        r.files
            .iter()
            .find(|f| f.path == p)
            .unwrap_or_else(|| panic!("summary for {}", p.display()))
    };
    let has = |p: &Path, kind: ProblemKind| {
        let s = summary(p);
        assert!(
            s.problems.iter().any(|x| x.kind == kind),
            "{}: expected {kind:?} in {:?}",
            p.display(),
            s.problems
        );
    };
    has(&truncated, ProblemKind::Truncated);
    let whole_chunks = read(&[three_chunks], None, 1).files[0].records_read;
    assert!(
        summary(&truncated).records_read > whole_chunks,
        "records before the cut are kept"
    );
    assert_eq!(
        summary(&truncated)
            .problems
            .iter()
            .find(|p| p.kind == ProblemKind::Truncated)
            .and_then(|p| p.chunk),
        Some(3)
    );
    has(&empty, ProblemKind::Empty);
    has(&header_only, ProblemKind::Empty);
    has(&short_header, ProblemKind::Truncated);
    has(&random, ProblemKind::NotEvtx);
    has(&not_elf, ProblemKind::NotEvtx);
    has(&missing, ProblemKind::Unreadable);
    for p in [&empty, &header_only, &short_header, &random, &not_elf, &missing] {
        assert_eq!(summary(p).records_read, 0);
    }
    // The good file after them was read.
    assert_eq!(summary(&Sample::PostSecurity.path()).records_read, 126);
    assert_eq!(
        count(&r, 4724),
        2,
        "one from the truncated copy's first chunks, one from post-Security"
    );
}

#[test]
fn random_bytes_inside_a_valid_chunk_never_panic() {
    let good = std::fs::read(Sample::Security.path()).expect("sample");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut x: u64 = 0x1234_5678_9abc_def1;
    for round in 0..12 {
        let mut bytes = good.clone();
        // Scribble over 64 spots in the first chunks (headers, templates and values alike).
        for _ in 0..64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let at = 4096 + (x as usize % (3 * 65536));
            bytes[at] = (x >> 32) as u8;
        }
        let p = write(dir.path(), &format!("scribbled-{round}.evtx"), &bytes);
        let r = read(&[p], Some((0..=u16::MAX as u32).collect()), 2);
        assert!(
            r.files[0].records_read > 1000,
            "round {round}: most records survive"
        );
    }
}

#[test]
fn many_files_are_read_in_batches() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = Sample::ApplicationNoCrc32.path();
    // More files than one batch keeps open.
    for i in 0..300 {
        std::fs::copy(&source, dir.path().join(format!("wef-{i:03}.evtx"))).expect("copy");
    }
    let r = read(
        &[dir.path().to_path_buf()],
        Some((0..=u16::MAX as u32).collect()),
        2,
    );
    assert_eq!(r.files.len(), 300);
    assert!(r
        .files
        .iter()
        .all(|f| f.records_read == 17 && f.problems.is_empty()));
    assert_eq!(r.events.len(), 300 * 17);
}
