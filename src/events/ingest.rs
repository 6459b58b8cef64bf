//! Reading EVTX files (or directories of them) into normalized events, fast and without ever
//! failing as a whole. Files are split into 64 KiB chunks; `threads` workers take chunks from a
//! shared counter across all files, each reading into one reused buffer with positional reads,
//! so memory stays bounded by the threads and the events of interest, however large the input.
//! Each chunk goes through the fast template walker (`fast`); what it does not understand is read
//! by the evtx crate (`fallback`). Damage becomes an `IngestProblem` naming file, chunk and offset;
//! the rest of the file and the other files go on.

mod fallback;
mod fast;
mod recycle;

use std::collections::HashSet;
use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use evtx::{EvtxChunkHeader, EvtxFileHeader};

use super::catalog;
use super::model::Event;
use super::normalize::normalize_into;

const FILE_HEADER_SIZE: u64 = 4096;
const CHUNK_SIZE: usize = 65536;
const CHUNK_HEADER_SIZE: usize = 512;
/// Chunk header flag: the file carries no CRC32s (format 3.2).
const CHUNK_NO_CRC32: u32 = 0x4;

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestOptions {
    /// Only these event IDs (any provider). `None`: the catalog's events.
    pub ids: Option<Vec<u32>>,
    /// Worker threads (at least one is used).
    pub threads: usize,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            ids: None,
            threads: std::thread::available_parallelism().map_or(1, usize::from),
        }
    }
}

/// How far ingestion is, reported after every chunk (from worker threads).
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    pub file: &'a Path,
    pub file_bytes_done: u64,
    pub file_bytes: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub records_read: u64,
}

/// Something wrong with the input, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestProblem {
    pub kind: ProblemKind,
    pub file: PathBuf,
    /// The chunk's number in the file.
    pub chunk: Option<u64>,
    /// Offset from the start of the file.
    pub offset: Option<u64>,
    pub message: String,
}

/// What went wrong, so callers decide by kind and tests match kinds, not wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file or directory could not be opened, listed or read.
    Unreadable,
    /// The file is not EVTX (its header does not parse).
    NotEvtx,
    /// The file holds no chunk: zero bytes, or only its header.
    Empty,
    /// The file ends early: a cut header, a cut last chunk, or bytes after the last whole chunk.
    Truncated,
    /// A chunk could not be read and was skipped whole.
    ChunkSkipped,
    /// A chunk header's CRC32 does not match: its records are read anyway.
    HeaderChecksumMismatch,
    /// A chunk's records do not match their CRC32: they may be damaged.
    DataChecksumMismatch,
    /// One record could not be decoded and was skipped.
    RecordSkipped,
}

impl IngestProblem {
    fn in_file(file: &Path, kind: ProblemKind, message: impl Into<String>) -> IngestProblem {
        IngestProblem {
            kind,
            file: file.to_path_buf(),
            chunk: None,
            offset: None,
            message: message.into(),
        }
    }

    fn at_chunk(file: &Path, chunk: u64, kind: ProblemKind, message: impl Into<String>) -> IngestProblem {
        IngestProblem {
            kind,
            file: file.to_path_buf(),
            chunk: Some(chunk),
            offset: Some(chunk_file_offset(chunk)),
            message: message.into(),
        }
    }
}

impl fmt::Display for IngestProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.file.display())?;
        match (self.chunk, self.offset) {
            (Some(c), Some(o)) => write!(f, "chunk {c} at offset {o:#x}: ")?,
            (Some(c), None) => write!(f, "chunk {c}: ")?,
            (None, Some(o)) => write!(f, "offset {o:#x}: ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)
    }
}

/// What one file gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    pub path: PathBuf,
    pub records_read: u64,
    /// Records the readers saw but could not decode.
    pub records_skipped: u64,
    /// Chunks the fast reader handed to the evtx crate (damaged or of a layout it does not know).
    pub chunks_fallback: u64,
    pub problems: Vec<IngestProblem>,
}

/// Everything read.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestReport {
    /// Sorted by time, then record ID.
    pub events: Vec<Event>,
    pub files: Vec<FileSummary>,
}

impl IngestReport {
    pub fn problems(&self) -> impl Iterator<Item = &IngestProblem> {
        self.files.iter().flat_map(|f| f.problems.iter())
    }
}

/// What a reader gathers from the events of its chunks (the events themselves, or lines
/// rendered from them) before handing it over in one piece.
pub trait Gather: Default + Send {
    /// How many events it holds: a reader hands its batch over past `BATCH_EVENTS`.
    fn events(&self) -> usize;

    /// The empty batch that follows this one on the same reader (sized after it, say).
    fn next(&self) -> Self {
        Self::default()
    }
}

impl Gather for Vec<Event> {
    fn events(&self) -> usize {
        self.len()
    }
}

/// Which records are worth decoding: a cheap ID test first, then the provider.
pub(crate) struct Interest {
    explicit: Option<HashSet<u32>>,
    /// Bit per 16-bit ID, for the test every record gets.
    ids: Vec<u64>,
}

impl Interest {
    pub(crate) fn new(ids: Option<&[u32]>) -> Interest {
        let explicit: Option<HashSet<u32>> = ids.map(|i| i.iter().copied().collect());
        let mut bits = vec![0u64; 1024];
        let mut set = |id: u32| {
            if let Some(word) = bits.get_mut(id as usize / 64) {
                *word |= 1 << (id % 64);
            }
        };
        match &explicit {
            Some(ids) => ids.iter().for_each(|&id| set(id)),
            None => catalog::entries()
                .iter()
                .filter(|e| e.collected_by_default())
                .for_each(|e| set(e.id)),
        }
        Interest { explicit, ids: bits }
    }

    pub(crate) fn wants_id(&self, id: u32) -> bool {
        match self.ids.get(id as usize / 64) {
            Some(word) => word & (1 << (id % 64)) != 0,
            None => self.explicit.as_ref().is_some_and(|e| e.contains(&id)),
        }
    }

    /// With explicit IDs any provider will do; else the provider must be the catalog's.
    pub(crate) fn wants(&self, provider: &str, id: u32) -> bool {
        match &self.explicit {
            Some(ids) => ids.contains(&id),
            None => catalog::lookup(provider, id).is_some_and(|e| e.collected_by_default()),
        }
    }
}

fn chunk_file_offset(chunk: u64) -> u64 {
    FILE_HEADER_SIZE + chunk * CHUNK_SIZE as u64
}

/// The .evtx files under `paths`: files as given, directories searched recursively (sorted).
/// Paths that cannot be read come back as summaries with a problem.
fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<FileSummary>) {
    let mut files = Vec::new();
    let mut failed = Vec::new();
    let mut pending: Vec<PathBuf> = paths.to_vec();
    pending.reverse();
    while let Some(path) = pending.pop() {
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                failed.push(summary_with(&path, format!("cannot read: {e}")));
                continue;
            }
        };
        if !meta.is_dir() {
            files.push(path);
            continue;
        }
        let entries = match std::fs::read_dir(&path) {
            Ok(entries) => entries,
            Err(e) => {
                failed.push(summary_with(&path, format!("cannot list directory: {e}")));
                continue;
            }
        };
        let mut found: Vec<PathBuf> = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => {
                    let p = entry.path();
                    let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                    let is_evtx = p.extension().is_some_and(|e| e.eq_ignore_ascii_case("evtx"));
                    if is_dir || is_evtx {
                        found.push(p);
                    }
                }
                Err(e) => failed.push(summary_with(&path, format!("cannot list directory: {e}"))),
            }
        }
        found.sort();
        found.reverse();
        pending.extend(found);
    }
    (files, failed)
}

fn summary_with(path: &Path, message: String) -> FileSummary {
    FileSummary {
        path: path.to_path_buf(),
        records_read: 0,
        records_skipped: 0,
        chunks_fallback: 0,
        problems: vec![IngestProblem::in_file(path, ProblemKind::Unreadable, message)],
    }
}

/// Fills `buf` from `offset` as far as the file goes; returns how many bytes were read.
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        let Some(rest) = buf.get_mut(done..) else {
            break;
        };
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(file, rest, offset + done as u64);
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(file, rest, offset + done as u64);
        match n {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// A file that passed the header checks, ready for its chunks to be read.
struct OpenFile {
    path: PathBuf,
    name: Arc<str>,
    file: File,
    size: u64,
    /// Chunks to read, the last possibly cut short by truncation.
    chunks: u64,
    done_bytes: AtomicU64,
}

/// Opens a file and checks its header; problems found here are the file's.
fn open(path: &Path, problems: &mut Vec<IngestProblem>) -> Option<OpenFile> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            problems.push(IngestProblem::in_file(
                path,
                ProblemKind::Unreadable,
                format!("cannot open: {e}"),
            ));
            return None;
        }
    };
    let size = match file.metadata() {
        Ok(m) => m.len(),
        Err(e) => {
            problems.push(IngestProblem::in_file(
                path,
                ProblemKind::Unreadable,
                format!("cannot read: {e}"),
            ));
            return None;
        }
    };
    if size == 0 {
        problems.push(IngestProblem::in_file(
            path,
            ProblemKind::Empty,
            "empty file (0 bytes)",
        ));
        return None;
    }
    let mut header = vec![0u8; FILE_HEADER_SIZE as usize];
    let read = match read_at(&file, &mut header, 0) {
        Ok(n) => n,
        Err(e) => {
            problems.push(IngestProblem::in_file(
                path,
                ProblemKind::Unreadable,
                format!("cannot read: {e}"),
            ));
            return None;
        }
    };
    if let Err(e) = EvtxFileHeader::from_bytes(header.get(..read).unwrap_or_default()) {
        problems.push(IngestProblem::in_file(
            path,
            ProblemKind::NotEvtx,
            format!("not an EVTX file: {e}"),
        ));
        return None;
    }
    if size <= FILE_HEADER_SIZE {
        let (kind, message) = if size < FILE_HEADER_SIZE {
            (
                ProblemKind::Truncated,
                format!("truncated: the file header block is cut at {size} of {FILE_HEADER_SIZE} bytes; no records"),
            )
        } else {
            (
                ProblemKind::Empty,
                "the file holds only its header: no chunks, no records".to_owned(),
            )
        };
        problems.push(IngestProblem::in_file(path, kind, message));
        return None;
    }
    let body = size - FILE_HEADER_SIZE;
    let full = body / CHUNK_SIZE as u64;
    let tail = body % CHUNK_SIZE as u64;
    let mut chunks = full;
    if tail > 0 {
        let chunk = full;
        let message = if tail as usize >= CHUNK_HEADER_SIZE {
            chunks += 1;
            format!("truncated: the last chunk has only {tail} of {CHUNK_SIZE} bytes; records up to the cut are read")
        } else {
            format!("truncated: {tail} bytes after the last complete chunk are ignored")
        };
        problems.push(IngestProblem {
            kind: ProblemKind::Truncated,
            file: path.to_path_buf(),
            chunk: Some(chunk),
            offset: Some(chunk_file_offset(chunk)),
            message,
        });
    }
    Some(OpenFile {
        name: Arc::from(path.display().to_string()),
        path: path.to_path_buf(),
        file,
        size,
        chunks,
        done_bytes: AtomicU64::new(0),
    })
}

/// What one chunk gave besides its events (those go straight into the worker's batch).
struct ChunkResult {
    file: usize,
    chunk: u64,
    records: u64,
    skipped: u64,
    fallback: bool,
    problems: Vec<IngestProblem>,
}

/// One worker's reusable state.
struct Worker<'a> {
    buf: Vec<u8>,
    fast: fast::FastReader,
    /// A chunk's events between normalization and `gather`.
    events: Vec<Event>,
    interest: &'a Interest,
    settings: Arc<evtx::ParserSettings>,
}

impl Worker<'_> {
    /// Reads one chunk and hands its events, in record order, to `gather`.
    fn read_chunk<B>(
        &mut self,
        f: &OpenFile,
        file: usize,
        chunk: u64,
        gather: &(dyn Fn(&Event, &mut B) + Sync),
        gathered: &mut B,
    ) -> ChunkResult {
        let mut result = ChunkResult {
            file,
            chunk,
            records: 0,
            skipped: 0,
            fallback: false,
            problems: Vec::new(),
        };
        self.buf.resize(CHUNK_SIZE, 0);
        let read = match read_at(&f.file, &mut self.buf, chunk_file_offset(chunk)) {
            Ok(n) => n,
            Err(e) => {
                result.problems.push(IngestProblem::at_chunk(
                    &f.path,
                    chunk,
                    ProblemKind::Unreadable,
                    format!("read error: {e}"),
                ));
                return result;
            }
        };
        // A chunk cut by truncation is read up to the cut: zeros end its records.
        if let Some(rest) = self.buf.get_mut(read..) {
            rest.fill(0);
        }
        let header = match EvtxChunkHeader::from_bytes(&self.buf) {
            Ok(h) => h,
            Err(_) if self.buf.iter().all(|b| *b == 0) => return result,
            Err(e) => {
                result.problems.push(IngestProblem::at_chunk(
                    &f.path,
                    chunk,
                    ProblemKind::ChunkSkipped,
                    format!("chunk skipped: {e}"),
                ));
                return result;
            }
        };
        // A cut chunk's CRC cannot match; the truncation is reported already.
        let whole = read == CHUNK_SIZE;
        let buf = &self.buf;
        let check = |which, problems: &mut Vec<IngestProblem>| {
            if whole {
                check_crc(which, buf, &header, &f.path, chunk, problems);
            }
        };
        check(ChunkCrc::Header, &mut result.problems);
        let hits = match self.fast.scan_chunk(&self.buf, read, &header, self.interest) {
            Ok(scan) => {
                // The data CRC costs a pass over the chunk; it matters only where records are
                // kept, so a chunk that gave no hits is not checked.
                if !scan.hits.is_empty() {
                    check(ChunkCrc::Data, &mut result.problems);
                }
                result.records = scan.records;
                scan.hits
            }
            Err(_) => {
                check(ChunkCrc::Data, &mut result.problems);
                let data = self.buf.clone();
                // Damaged chunks are where a parser is most likely to trip; one that panics costs
                // this chunk, not the run.
                let read = crate::panics::contained(|| {
                    fallback::read_chunk(data, chunk, &f.path, self.interest, &self.settings)
                });
                let Ok((scan, skipped, problems)) = read else {
                    result.fallback = true;
                    result.problems.push(IngestProblem::at_chunk(
                        &f.path,
                        chunk,
                        ProblemKind::ChunkSkipped,
                        "chunk skipped: the evtx crate failed on it",
                    ));
                    return result;
                };
                result.records = scan.records;
                result.skipped = skipped;
                result.fallback = true;
                result.problems.extend(problems);
                scan.hits
            }
        };
        // Normalized and gathered here, in the workers, rather than on the collecting thread;
        // what the events held goes back to the fast reader for the next records.
        for hit in hits {
            let data = normalize_into(hit, &f.name, &mut self.events);
            self.fast.texts.recycle_data(data);
            for event in self.events.drain(..) {
                gather(&event, gathered);
                self.fast.texts.recycle(event);
            }
        }
        result
    }
}

/// The two CRC32s a chunk carries.
#[derive(Debug, Clone, Copy)]
enum ChunkCrc {
    /// Over the header block but its CRC fields: on a mismatch the records are still read, and
    /// those that parse are kept.
    Header,
    /// Over the records: on a mismatch the records read from the chunk may be damaged.
    Data,
}

/// Reports a mismatch of one of the chunk's CRC32s (a chunk flagged NO_CRC32 carries none).
fn check_crc(
    which: ChunkCrc,
    data: &[u8],
    header: &EvtxChunkHeader,
    file: &Path,
    chunk: u64,
    problems: &mut Vec<IngestProblem>,
) {
    if header.flags.bits() & CHUNK_NO_CRC32 != 0 {
        return;
    }
    let (stored, computed, what) = match which {
        ChunkCrc::Header => {
            let mut h = crc32fast::Hasher::new();
            h.update(data.get(..120).unwrap_or_default());
            h.update(data.get(128..CHUNK_HEADER_SIZE).unwrap_or_default());
            let found = Some(h.finalize());
            (header.header_chunk_checksum, found, "chunk header CRC32 mismatch")
        }
        ChunkCrc::Data => {
            let records = data.get(CHUNK_HEADER_SIZE..header.free_space_offset as usize);
            let found = records.map(crc32fast::hash);
            (header.events_checksum, found, "chunk data CRC32 mismatch")
        }
    };
    if computed == Some(stored) {
        return;
    }
    let computed = computed.map_or("the records' end is past the chunk".to_owned(), |c| {
        format!("computed {c:#010x}")
    });
    let (kind, consequence) = match which {
        ChunkCrc::Header => (ProblemKind::HeaderChecksumMismatch, "records read anyway"),
        ChunkCrc::Data => (ProblemKind::DataChecksumMismatch, "its records may be damaged"),
    };
    problems.push(IngestProblem::at_chunk(
        file,
        chunk,
        kind,
        format!("{what} (stored {stored:#010x}, {computed}); {consequence}"),
    ));
}

/// Files open at once: directories of WEF exports can hold thousands, more than the default
/// limit on open files.
const FILES_PER_BATCH: usize = 256;

/// Totals shared by the workers for progress reports.
struct Totals {
    bytes_done: AtomicU64,
    bytes_total: u64,
    records_read: AtomicU64,
}

/// Reads `paths` (files or directories) with the fast reader. Never fails as a whole: what
/// cannot be read is in the summaries' problems. Holds every event of interest, sorted: for
/// callers that need them all (one user's diagnosis); the CLI streams with `ingest_each`.
pub fn ingest(paths: &[PathBuf], opts: &IngestOptions, progress: &(dyn Fn(Progress) + Sync)) -> IngestReport {
    let mut events: Vec<Event> = Vec::new();
    let keep = |e: &Event, batch: &mut Vec<Event>| batch.push(e.clone());
    let files = ingest_each(paths, opts, progress, &keep, &mut |batch| events.extend(batch));
    sort_events(&mut events);
    IngestReport { events, files }
}

/// Reads `paths` like `ingest`, but streams: each event goes to `gather` on the worker that
/// read it (filtering and rendering there run in parallel) into that worker's batch, and
/// batches are handed to `sink` on the calling thread (a batch holds whole chunks, each chunk's
/// events in record order, chunks in no particular order). Returns the per-file summaries.
pub fn ingest_each<B: Gather>(
    paths: &[PathBuf],
    opts: &IngestOptions,
    progress: &(dyn Fn(Progress) + Sync),
    gather: &(dyn Fn(&Event, &mut B) + Sync),
    sink: &mut dyn FnMut(B),
) -> Vec<FileSummary> {
    let interest = Interest::new(opts.ids.as_deref());
    let (found, mut files) = discover(paths);
    let totals = Totals {
        bytes_done: AtomicU64::new(0),
        bytes_total: found
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum(),
        records_read: AtomicU64::new(0),
    };
    for batch in found.chunks(FILES_PER_BATCH) {
        files.extend(read_batch(
            batch,
            opts.threads,
            &interest,
            &totals,
            progress,
            gather,
            sink,
        ));
    }
    files
}

/// Batches of chunk results waiting for the collecting thread, per worker: bounds what is held
/// when the sink is slower than the readers.
const BATCHES_IN_FLIGHT_PER_WORKER: usize = 2;
/// A worker hands its results over in batches of this many events (or chunks, below): one
/// hand-over per chunk costs more in thread wake-ups than reading the chunk.
const BATCH_EVENTS: usize = 2048;
const BATCH_CHUNKS: usize = 512;

/// One hand-over from a worker: what it gathered from all its chunks in one piece, since
/// memory a worker allocated and the collecting thread frees costs a lock on the worker's
/// malloc arena (a vector per chunk made the threads wait on each other hundreds of times a run).
#[derive(Default)]
struct Batch<B> {
    chunks: Vec<ChunkResult>,
    gathered: B,
}

/// Opens `paths` and reads their chunks on `threads` workers sharing one chunk counter; the
/// calling thread collects the workers' batches and hands what they gathered to `sink`.
fn read_batch<B: Gather>(
    paths: &[PathBuf],
    threads: usize,
    interest: &Interest,
    totals: &Totals,
    progress: &(dyn Fn(Progress) + Sync),
    gather: &(dyn Fn(&Event, &mut B) + Sync),
    sink: &mut dyn FnMut(B),
) -> Vec<FileSummary> {
    let mut summaries: Vec<FileSummary> = Vec::with_capacity(paths.len());
    // Each opened file with the index of its summary.
    let mut opened: Vec<(OpenFile, usize)> = Vec::new();
    for path in paths {
        let mut problems = Vec::new();
        match open(path, &mut problems) {
            Some(f) => opened.push((f, summaries.len())),
            // Counted as done, so progress still reaches the total.
            None => {
                let size = std::fs::metadata(path).map_or(0, |m| m.len());
                totals.bytes_done.fetch_add(size, Ordering::Relaxed);
            }
        }
        summaries.push(FileSummary {
            path: path.clone(),
            records_read: 0,
            records_skipped: 0,
            chunks_fallback: 0,
            problems,
        });
    }

    // Chunk units across the batch's files, handed out through one counter.
    let starts: Vec<u64> = opened
        .iter()
        .scan(0u64, |acc, (f, _)| {
            let start = *acc;
            *acc += f.chunks;
            Some(start)
        })
        .collect();
    let total_units: u64 = opened.iter().map(|(f, _)| f.chunks).sum();
    let next = AtomicUsize::new(0);
    let threads = threads.max(1).min(total_units.max(1) as usize);
    // Chunk problems arrive out of order; they are put back in chunk order per file.
    let mut chunk_problems: Vec<(usize, u64, Vec<IngestProblem>)> = Vec::new();

    std::thread::scope(|scope| {
        let (send, receive) =
            std::sync::mpsc::sync_channel::<Batch<B>>(threads * BATCHES_IN_FLIGHT_PER_WORKER);
        for _ in 0..threads {
            let send = send.clone();
            let (next, starts, opened) = (&next, &starts, &opened);
            scope.spawn(move || {
                let mut worker = Worker {
                    buf: vec![0; CHUNK_SIZE],
                    fast: fast::FastReader::default(),
                    events: Vec::new(),
                    interest,
                    settings: fallback::settings(),
                };
                let mut batch = Batch::<B>::default();
                loop {
                    let unit = next.fetch_add(1, Ordering::Relaxed) as u64;
                    if unit >= total_units {
                        break;
                    }
                    let file = starts.partition_point(|s| *s <= unit).saturating_sub(1);
                    let Some((f, _)) = opened.get(file) else {
                        break;
                    };
                    let chunk = unit - starts.get(file).copied().unwrap_or(0);
                    let result = worker.read_chunk(f, file, chunk, gather, &mut batch.gathered);
                    // The file header's bytes count with the first chunk, so the total adds up.
                    let start = if chunk == 0 { 0 } else { chunk_file_offset(chunk) };
                    let step = (chunk_file_offset(chunk) + CHUNK_SIZE as u64).min(f.size) - start;
                    let file_done = f.done_bytes.fetch_add(step, Ordering::Relaxed) + step;
                    let done = totals.bytes_done.fetch_add(step, Ordering::Relaxed) + step;
                    let records =
                        totals.records_read.fetch_add(result.records, Ordering::Relaxed) + result.records;
                    progress(Progress {
                        file: &f.path,
                        file_bytes_done: file_done,
                        file_bytes: f.size,
                        bytes_done: done,
                        bytes_total: totals.bytes_total,
                        records_read: records,
                    });
                    batch.chunks.push(result);
                    let full = batch.gathered.events() >= BATCH_EVENTS || batch.chunks.len() >= BATCH_CHUNKS;
                    if full {
                        let next = Batch {
                            chunks: Vec::new(),
                            gathered: batch.gathered.next(),
                        };
                        if send.send(std::mem::replace(&mut batch, next)).is_err() {
                            return;
                        }
                    }
                }
                if !batch.chunks.is_empty() {
                    let _ = send.send(batch);
                }
            });
        }
        drop(send);
        for batch in receive {
            for r in batch.chunks {
                let summary = opened.get(r.file).and_then(|(_, i)| summaries.get_mut(*i));
                if let Some(s) = summary {
                    s.records_read += r.records;
                    s.records_skipped += r.skipped;
                    s.chunks_fallback += u64::from(r.fallback);
                }
                if !r.problems.is_empty() {
                    chunk_problems.push((r.file, r.chunk, r.problems));
                }
            }
            sink(batch.gathered);
        }
    });

    chunk_problems.sort_by_key(|(file, chunk, _)| (*file, *chunk));
    for (file, _, problems) in chunk_problems {
        if let Some(s) = opened.get(file).and_then(|(_, i)| summaries.get_mut(*i)) {
            s.problems.extend(problems);
        }
    }
    summaries
}

/// Oldest first; the sort is stable so a batch's lines keep their order.
fn sort_events(events: &mut [Event]) {
    events.sort_by(|a, b| {
        (a.time, a.origin.record_id, &a.origin.file).cmp(&(b.time, b.origin.record_id, &b.origin.file))
    });
}

/// Reads `paths` with the evtx crate only (`EvtxParser`, one file after the other): slower, the
/// reference the fast reader is checked against (tests only, hence the test kit's feature).
#[cfg(any(test, feature = "testkit"))]
pub fn ingest_reference(paths: &[PathBuf], opts: &IngestOptions) -> IngestReport {
    let interest = Interest::new(opts.ids.as_deref());
    let (found, mut summaries) = discover(paths);
    let mut events = Vec::new();
    for path in found {
        let mut problems = Vec::new();
        let mut summary = FileSummary {
            path: path.clone(),
            records_read: 0,
            records_skipped: 0,
            chunks_fallback: 0,
            problems: Vec::new(),
        };
        if open(&path, &mut problems).is_some() {
            match fallback::read_file(&path, &interest) {
                Ok(read) => {
                    let name: Arc<str> = Arc::from(path.display().to_string());
                    summary.records_read = read.records;
                    summary.records_skipped = read.skipped;
                    problems.extend(read.problems);
                    for hit in read.hits {
                        normalize_into(hit, &name, &mut events);
                    }
                }
                Err(p) => problems.push(p),
            }
        }
        summary.problems = problems;
        summaries.push(summary);
    }
    sort_events(&mut events);
    IngestReport {
        events,
        files: summaries,
    }
}
