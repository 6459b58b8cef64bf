//! Putting rendered timeline lines in time order with bounded memory. Events arrive from the
//! readers in batches in no set order; each becomes one output line keyed by (time, record ID,
//! file, arrival), rendered by the reader into its batch's one buffer. Lines are held up to a
//! byte budget; past it they are sorted and spilled as a run to a temporary file, and at the
//! end the runs are merged. Memory is therefore the budget plus one read buffer per run,
//! however many events match.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use super::ingest::Gather;
use super::model::Event;

/// Default byte budget for held lines.
pub const DEFAULT_BUDGET: usize = 16 << 20;

/// Read buffer per run during the merge.
const RUN_READ_BUFFER: usize = 32 << 10;

/// Write buffer of a spill: a run is the whole budget (16 MB), and with the default 8 KB buffer
/// writing it took 2,000 system calls while the readers waited on this thread.
const RUN_WRITE_BUFFER: usize = 1 << 20;

/// Sort key: oldest first, then record ID, file name, and arrival (so one record's lines keep
/// their order). The file is a number in a table of names (a batch's, then the sorter's): a
/// name per line, cloned on the readers and dropped on the sorter's thread, made the threads
/// contend for its reference count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    secs: i64,
    nanos: u32,
    record: u64,
    file: u32,
    seq: u64,
}

/// A key in the order lines are written, with its file as the rank of the file's name.
type Order = (i64, u32, u64, u32, u64);

impl Key {
    /// `seq` is the sorter's to set.
    fn of(event: &Event, file: u32) -> Key {
        Key {
            secs: event.time.timestamp(),
            nanos: event.time.timestamp_subsec_nanos(),
            record: event.origin.record_id,
            file,
            seq: 0,
        }
    }

    /// `ranks[file]` is where the file's name sorts among the names.
    fn order(&self, ranks: &[u32]) -> Order {
        let rank = ranks.get(self.file as usize).copied().unwrap_or(u32::MAX);
        (self.secs, self.nanos, self.record, rank, self.seq)
    }
}

/// A line held in memory: its bytes are `text[start..end]` of held batch `batch`.
#[derive(Debug)]
struct Held {
    key: Key,
    batch: usize,
    start: usize,
    end: usize,
}

/// A run spilled to disk, removed when dropped.
struct Run {
    path: PathBuf,
}

impl Drop for Run {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The lines one reader rendered, in one buffer (newlines included), each with its event's
/// place in the timeline. Memory allocated on a reader's thread and freed on the sorter's costs
/// a lock on the reader's malloc arena: one buffer per batch pays that once, not per line.
#[derive(Debug, Default)]
pub struct LineBatch {
    text: Vec<u8>,
    /// (key, start, end) in `text`; the key's file indexes `files`.
    lines: Vec<(Key, usize, usize)>,
    /// The files of the batch's events, each once.
    files: Vec<Arc<str>>,
    /// The first line that could not be rendered; the sorter reports it.
    failed: Option<io::Error>,
}

impl LineBatch {
    /// Adds `event`'s line, which `render` appends to the buffer it is given.
    pub fn push(&mut self, event: &Event, render: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) {
        let start = self.text.len();
        match render(&mut self.text) {
            Ok(()) => {
                let file = &event.origin.file;
                // A batch holds whole chunks: its events come from one file or a few.
                let index = match self.files.iter().rposition(|f| Arc::ptr_eq(f, file)) {
                    Some(i) => i,
                    None => {
                        self.files.push(Arc::clone(file));
                        self.files.len() - 1
                    }
                };
                let key = Key::of(event, index as u32);
                self.lines.push((key, start, self.text.len()));
            }
            Err(e) => {
                self.text.truncate(start);
                self.failed.get_or_insert(e);
            }
        }
    }
}

impl Gather for LineBatch {
    fn events(&self) -> usize {
        self.lines.len()
    }

    /// A reader's next batch is usually about the size of its last: reserving that spares the
    /// buffer's growth (a copy of all it holds, into memory not touched yet, at each doubling),
    /// and holds less spare capacity against the sorter's budget than doubling leaves.
    fn next(&self) -> LineBatch {
        LineBatch {
            text: Vec::with_capacity(self.text.len() + self.text.len() / 8),
            lines: Vec::with_capacity(self.lines.len() + self.lines.len() / 8),
            files: Vec::new(),
            failed: None,
        }
    }
}

/// Collects lines and writes them out in time order.
pub struct TimelineSorter {
    budget: usize,
    /// Every file a line came from, numbered in arrival order, and the rank of each name.
    files: Vec<Arc<str>>,
    file_numbers: HashMap<Arc<str>, u32>,
    ranks: Vec<u32>,
    /// The texts of the batches whose lines are held.
    texts: Vec<Vec<u8>>,
    /// Their capacities: a grown vector holds up to twice its text.
    text_bytes: usize,
    held: Vec<Held>,
    runs: Vec<Run>,
    seq: u64,
}

impl TimelineSorter {
    pub fn new(budget: usize) -> TimelineSorter {
        TimelineSorter {
            budget,
            files: Vec::new(),
            file_numbers: HashMap::new(),
            ranks: Vec::new(),
            texts: Vec::new(),
            text_bytes: 0,
            held: Vec::new(),
            runs: Vec::new(),
            seq: 0,
        }
    }

    /// How many runs went to disk so far.
    pub fn runs_spilled(&self) -> usize {
        self.runs.len()
    }

    /// Adds a batch's lines; lines of equal keys keep the order they were pushed in. A line
    /// the batch could not render is an error.
    pub fn push(&mut self, batch: LineBatch) -> io::Result<()> {
        let LineBatch {
            text,
            lines,
            files,
            failed,
        } = batch;
        if let Some(e) = failed {
            return Err(e);
        }
        if lines.is_empty() {
            return Ok(());
        }
        let numbers: Vec<u32> = files.into_iter().map(|f| self.file_number(f)).collect();
        let index = self.texts.len();
        self.text_bytes += text.capacity();
        for (mut key, start, end) in lines {
            key.file = numbers.get(key.file as usize).copied().unwrap_or(u32::MAX);
            key.seq = self.seq;
            self.seq += 1;
            self.held.push(Held {
                key,
                batch: index,
                start,
                end,
            });
        }
        self.texts.push(text);
        if self.held_bytes() > self.budget {
            self.spill()?;
        }
        Ok(())
    }

    /// The sorter's number for a file, given on its first line.
    fn file_number(&mut self, file: Arc<str>) -> u32 {
        if let Some(n) = self.file_numbers.get(&file) {
            return *n;
        }
        let n = self.files.len() as u32;
        self.files.push(Arc::clone(&file));
        self.file_numbers.insert(file, n);
        let mut by_name: Vec<u32> = (0..=n).collect();
        by_name.sort_by(|a, b| self.files[*a as usize].cmp(&self.files[*b as usize]));
        self.ranks = vec![0; by_name.len()];
        for (rank, file) in by_name.into_iter().enumerate() {
            self.ranks[file as usize] = rank as u32;
        }
        n
    }

    /// Memory the held lines take: their batches' buffers and the entries, capacities counted.
    fn held_bytes(&self) -> usize {
        self.text_bytes + self.held.capacity() * std::mem::size_of::<Held>()
    }

    /// The held lines, sorted, with their bytes.
    fn sorted_held(&mut self) -> impl Iterator<Item = (&Key, &[u8])> {
        let ranks = &self.ranks;
        self.held.sort_unstable_by_key(|h| h.key.order(ranks));
        let texts = &self.texts;
        self.held.iter().map(move |h| {
            let line = texts
                .get(h.batch)
                .and_then(|t| t.get(h.start..h.end))
                .unwrap_or_default();
            (&h.key, line)
        })
    }

    fn spill(&mut self) -> io::Result<()> {
        let (file, path) = temp_file(self.runs.len())?;
        // Registered before writing, so a failed write still removes the file.
        self.runs.push(Run { path });
        let mut w = BufWriter::with_capacity(RUN_WRITE_BUFFER, file);
        for (key, line) in self.sorted_held() {
            write_entry(&mut w, key, line)?;
        }
        w.flush()?;
        // Given back rather than cleared: a kept capacity would count against the budget.
        self.held = Vec::new();
        self.texts.clear();
        self.text_bytes = 0;
        Ok(())
    }

    /// Writes every line, oldest first.
    pub fn finish(mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.runs.is_empty() {
            for (_, line) in self.sorted_held() {
                out.write_all(line)?;
            }
            return Ok(());
        }
        // The lines still held become one more run, so the merge reads runs only.
        if !self.held.is_empty() {
            self.spill()?;
        }
        // Each run's current line sits in its own buffer, reused for the run's next line.
        let mut readers: Vec<(BufReader<File>, Vec<u8>)> = Vec::with_capacity(self.runs.len());
        for run in &self.runs {
            let file = File::open(&run.path)?;
            readers.push((BufReader::with_capacity(RUN_READ_BUFFER, file), Vec::new()));
        }
        let ranks = &self.ranks;
        let mut heap: BinaryHeap<Reverse<(Order, usize)>> = BinaryHeap::new();
        for (i, (r, line)) in readers.iter_mut().enumerate() {
            if let Some(key) = read_entry(r, line)? {
                heap.push(Reverse((key.order(ranks), i)));
            }
        }
        while let Some(Reverse((_, source))) = heap.pop() {
            let Some((r, line)) = readers.get_mut(source) else {
                continue;
            };
            out.write_all(line)?;
            if let Some(key) = read_entry(r, line)? {
                heap.push(Reverse((key.order(ranks), source)));
            }
        }
        Ok(())
    }
}

fn temp_file(n: usize) -> io::Result<(File, PathBuf)> {
    let dir = std::env::temp_dir();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let path = dir.join(format!(
        "resetlens-timeline-{}-{stamp}-{n}.run",
        std::process::id()
    ));
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "cannot create a temporary file in {} ({e}); TMPDIR chooses the directory",
                    dir.display()
                ),
            )
        })?;
    Ok((file, path))
}

fn write_entry(w: &mut impl Write, k: &Key, line: &[u8]) -> io::Result<()> {
    let len = u32::try_from(line.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "line too long"))?;
    w.write_all(&k.secs.to_le_bytes())?;
    w.write_all(&k.nanos.to_le_bytes())?;
    w.write_all(&k.record.to_le_bytes())?;
    w.write_all(&k.file.to_le_bytes())?;
    w.write_all(&k.seq.to_le_bytes())?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(line)
}

/// The next entry of a run, its line into `line`; `None` at the run's end. Runs are our own
/// files: damage is an error.
fn read_entry(r: &mut impl Read, line: &mut Vec<u8>) -> io::Result<Option<Key>> {
    let mut head = [0u8; 36];
    match r.read_exact(&mut head[..8]) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    r.read_exact(&mut head[8..])?;
    let field = |at: usize, n: usize| {
        let mut b = [0u8; 8];
        b[..n].copy_from_slice(&head[at..at + n]);
        u64::from_le_bytes(b)
    };
    let key = Key {
        secs: field(0, 8) as i64,
        nanos: field(8, 4) as u32,
        record: field(12, 8),
        file: field(20, 4) as u32,
        seq: field(24, 8),
    };
    line.clear();
    line.resize(field(32, 4) as usize, 0);
    r.read_exact(line)?;
    Ok(Some(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::model::EventKind;
    use crate::testkit::EventBuilder;
    use chrono::DateTime;

    fn event(secs: i64, record_id: u64, file: &str) -> Event {
        let time = DateTime::from_timestamp(1_764_000_000 + secs, 0).unwrap_or_default();
        EventBuilder::new(4724, EventKind::Other, time)
            .machine("DC01")
            .channel("Security")
            .provider("p")
            .record(file, record_id)
            .build()
    }

    fn batch(lines: &[(i64, u64, &str, &str)]) -> LineBatch {
        let mut batch = LineBatch::default();
        for &(secs, record, file, text) in lines {
            batch.push(&event(secs, record, file), |out| writeln!(out, "{text}"));
        }
        batch
    }

    /// Arrival order unlike time order, ties on time broken by record then file, and two lines
    /// of one record (a 656 batch) that must keep their order; `per_batch` lines a batch, a run
    /// spilled after every `spill_every` batches, and `budget` for the sorter.
    fn lines_in(budget: usize, per_batch: usize, spill_every: Option<usize>) -> (String, usize) {
        let input = [
            (30, 3, "b", "t30 r3 b"),
            (10, 9, "a", "t10 r9 a"),
            (20, 5, "b", "t20 r5 b"),
            (20, 5, "a", "t20 r5 a first"),
            (20, 5, "a", "t20 r5 a second"),
            (20, 4, "z", "t20 r4 z"),
            (5, 1, "a", "t5 r1 a"),
        ];
        let mut sorter = TimelineSorter::new(budget);
        for (i, lines) in input.chunks(per_batch).enumerate() {
            sorter.push(batch(lines)).unwrap();
            if spill_every.is_some_and(|n| (i + 1) % n == 0) {
                sorter.spill().unwrap();
            }
        }
        let runs = sorter.runs_spilled();
        let mut out = Vec::new();
        sorter.finish(&mut out).unwrap();
        (String::from_utf8(out).unwrap(), runs)
    }

    const EXPECTED: &str =
        "t5 r1 a\nt10 r9 a\nt20 r4 z\nt20 r5 a first\nt20 r5 a second\nt20 r5 b\nt30 r3 b\n";

    #[test]
    fn in_memory_lines_come_out_oldest_first() {
        for per_batch in [1, 3, 7] {
            let (out, runs) = lines_in(DEFAULT_BUDGET, per_batch, None);
            assert_eq!(runs, 0);
            assert_eq!(out, EXPECTED, "{per_batch} a batch");
        }
    }

    #[test]
    fn spilled_runs_merge_to_the_same_order() {
        // Several runs on disk, with and without lines still held at the end.
        for (per_batch, every) in [(1, 2), (2, 1), (1, 3), (3, 1)] {
            let (out, runs) = lines_in(DEFAULT_BUDGET, per_batch, Some(every));
            assert!(runs >= 2, "runs: {runs}");
            assert_eq!(out, EXPECTED, "{per_batch} a batch, spilled every {every}");
        }
    }

    #[test]
    fn a_batch_over_the_budget_is_spilled() {
        let (out, runs) = lines_in(1, 2, None);
        assert_eq!(runs, 4, "every batch (of 7 lines, 2 a batch) went to disk");
        assert_eq!(out, EXPECTED);
        let (_, runs) = lines_in(100_000, 1, None);
        assert_eq!(runs, 0, "7 short lines are far under 100 kB");
    }

    #[test]
    fn a_line_that_cannot_be_rendered_makes_its_batch_an_error() {
        let mut b = batch(&[(1, 1, "a", "kept")]);
        b.push(&event(2, 2, "a"), |out| {
            out.extend_from_slice(b"half a li");
            Err(io::Error::other("cannot render"))
        });
        b.push(&event(3, 3, "a"), |out| writeln!(out, "also kept"));
        assert_eq!(b.events(), 2);
        assert_eq!(b.text, b"kept\nalso kept\n", "the failed line's bytes are gone");
        let mut sorter = TimelineSorter::new(DEFAULT_BUDGET);
        let err = sorter.push(b).err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("cannot render"));
    }

    #[test]
    fn spilled_runs_are_removed() {
        let mut sorter = TimelineSorter::new(1);
        sorter.push(batch(&[(1, 1, "a", "x")])).unwrap();
        let paths: Vec<PathBuf> = sorter.runs.iter().map(|r| r.path.clone()).collect();
        assert_eq!(paths.len(), 1);
        assert!(paths[0].exists());
        sorter.finish(&mut Vec::new()).unwrap();
        assert!(!paths[0].exists());
    }
}
