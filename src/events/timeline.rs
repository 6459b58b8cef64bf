//! Putting rendered timeline lines in time order with bounded memory. Events arrive from the
//! readers chunk by chunk in no set order; each becomes one output line keyed by (time, record
//! ID, file, arrival). Lines are held up to a byte budget; past it they are sorted and spilled
//! as a run to a temporary file, and at the end the runs are merged. Memory is therefore the
//! budget plus one read buffer per run, however many events match.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use super::model::Event;

/// Default byte budget for held lines.
pub const DEFAULT_BUDGET: usize = 16 << 20;

/// What each held line costs beyond its bytes (key, vectors, the Arc).
const ENTRY_OVERHEAD: usize = 64;

/// Read buffer per run during the merge.
const RUN_READ_BUFFER: usize = 32 << 10;

/// Write buffer of a spill: a run is the whole budget (16 MB), and with the default 8 KB buffer
/// writing it took 2,000 system calls while the readers waited on this thread.
const RUN_WRITE_BUFFER: usize = 1 << 20;

/// Sort key: oldest first, then record ID, file name, and arrival (so one record's lines keep
/// their order).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    secs: i64,
    nanos: u32,
    record: u64,
    file: Arc<str>,
    seq: u64,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    key: Key,
    line: Vec<u8>,
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

/// One event's rendered line (newline included) with the event's place in the timeline. Built
/// where the line is rendered (on the readers' threads), pushed in whatever order they finish.
#[derive(Debug)]
pub struct TimelineLine {
    /// `seq` is the sorter's to set, on push.
    key: Key,
    bytes: Vec<u8>,
}

impl TimelineLine {
    pub fn new(event: &Event, bytes: Vec<u8>) -> TimelineLine {
        TimelineLine {
            key: Key {
                secs: event.time.timestamp(),
                nanos: event.time.timestamp_subsec_nanos(),
                record: event.origin.record_id,
                file: Arc::clone(&event.origin.file),
                seq: 0,
            },
            bytes,
        }
    }
}

/// Collects lines and writes them out in time order.
pub struct TimelineSorter {
    budget: usize,
    held: Vec<Entry>,
    held_bytes: usize,
    runs: Vec<Run>,
    seq: u64,
}

impl TimelineSorter {
    pub fn new(budget: usize) -> TimelineSorter {
        TimelineSorter {
            budget,
            held: Vec::new(),
            held_bytes: 0,
            runs: Vec::new(),
            seq: 0,
        }
    }

    /// How many runs went to disk so far.
    pub fn runs_spilled(&self) -> usize {
        self.runs.len()
    }

    /// Adds a rendered line; lines of equal keys keep the order they were pushed in.
    pub fn push(&mut self, line: TimelineLine) -> io::Result<()> {
        let TimelineLine { mut key, bytes } = line;
        key.seq = self.seq;
        self.seq += 1;
        self.held_bytes += bytes.len() + ENTRY_OVERHEAD;
        self.held.push(Entry { key, line: bytes });
        if self.held_bytes > self.budget {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> io::Result<()> {
        self.held.sort_unstable();
        let (file, path) = temp_file(self.runs.len())?;
        // Registered before writing, so a failed write still removes the file.
        self.runs.push(Run { path });
        let mut w = BufWriter::with_capacity(RUN_WRITE_BUFFER, file);
        for e in self.held.drain(..) {
            write_entry(&mut w, &e)?;
        }
        w.flush()?;
        self.held_bytes = 0;
        Ok(())
    }

    /// Writes every line, oldest first.
    pub fn finish(mut self, out: &mut dyn Write) -> io::Result<()> {
        self.held.sort_unstable();
        if self.runs.is_empty() {
            for e in &self.held {
                out.write_all(&e.line)?;
            }
            return Ok(());
        }
        let mut readers: Vec<BufReader<File>> = Vec::with_capacity(self.runs.len());
        for run in &self.runs {
            readers.push(BufReader::with_capacity(RUN_READ_BUFFER, File::open(&run.path)?));
        }
        // The lines still held take part as one more sorted source, read from memory.
        let mut held = std::mem::take(&mut self.held).into_iter();
        let memory_source = readers.len();
        let mut heap: BinaryHeap<Reverse<(Entry, usize)>> = BinaryHeap::new();
        for (i, r) in readers.iter_mut().enumerate() {
            if let Some(e) = read_entry(r)? {
                heap.push(Reverse((e, i)));
            }
        }
        if let Some(e) = held.next() {
            heap.push(Reverse((e, memory_source)));
        }
        while let Some(Reverse((e, source))) = heap.pop() {
            out.write_all(&e.line)?;
            let next = match readers.get_mut(source) {
                Some(r) => read_entry(r)?,
                None => held.next(),
            };
            if let Some(n) = next {
                heap.push(Reverse((n, source)));
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
        .open(&path)?;
    Ok((file, path))
}

fn write_entry(w: &mut impl Write, e: &Entry) -> io::Result<()> {
    let k = &e.key;
    w.write_all(&k.secs.to_le_bytes())?;
    w.write_all(&k.nanos.to_le_bytes())?;
    w.write_all(&k.record.to_le_bytes())?;
    w.write_all(&k.seq.to_le_bytes())?;
    write_bytes(w, k.file.as_bytes())?;
    write_bytes(w, &e.line)
}

fn write_bytes(w: &mut impl Write, b: &[u8]) -> io::Result<()> {
    let len =
        u32::try_from(b.len()).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "line too long"))?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(b)
}

/// The next entry of a run, `None` at its end. Runs are our own files: damage is an error.
fn read_entry(r: &mut impl Read) -> io::Result<Option<Entry>> {
    let mut secs = [0u8; 8];
    match r.read_exact(&mut secs) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let mut nanos = [0u8; 4];
    let mut record = [0u8; 8];
    let mut seq = [0u8; 8];
    r.read_exact(&mut nanos)?;
    r.read_exact(&mut record)?;
    r.read_exact(&mut seq)?;
    let file =
        String::from_utf8(read_bytes(r)?).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let line = read_bytes(r)?;
    Ok(Some(Entry {
        key: Key {
            secs: i64::from_le_bytes(secs),
            nanos: u32::from_le_bytes(nanos),
            record: u64::from_le_bytes(record),
            file: Arc::from(file),
            seq: u64::from_le_bytes(seq),
        },
        line,
    }))
}

fn read_bytes(r: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let mut b = vec![0u8; u32::from_le_bytes(len) as usize];
    r.read_exact(&mut b)?;
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::model::{EventFields, EventKind, EventOrigin};
    use chrono::DateTime;

    fn event(secs: i64, record_id: u64, file: &str) -> Event {
        Event {
            time: DateTime::from_timestamp(1_764_000_000 + secs, 0).unwrap_or_default(),
            machine: "DC01".into(),
            channel: "Security".into(),
            provider: "p".into(),
            event_id: 4724,
            level: 4,
            audit: None,
            origin: EventOrigin {
                file: Arc::from(file),
                record_id,
            },
            kind: EventKind::Other,
            message: String::new(),
            fields: EventFields::default(),
        }
    }

    /// Arrival order unlike time order, ties on time broken by record then file, and two lines
    /// of one record (a 656 batch) that must keep their order.
    fn lines_in(budget: usize) -> (String, usize) {
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
        for (secs, record, file, text) in input {
            sorter
                .push(TimelineLine::new(
                    &event(secs, record, file),
                    format!("{text}\n").into_bytes(),
                ))
                .unwrap();
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
        let (out, runs) = lines_in(DEFAULT_BUDGET);
        assert_eq!(runs, 0);
        assert_eq!(out, EXPECTED);
    }

    #[test]
    fn spilled_runs_merge_to_the_same_order() {
        // About two lines per run: several runs on disk plus lines still held.
        let (out, runs) = lines_in(2 * (ENTRY_OVERHEAD + 16));
        assert!(runs >= 2, "runs: {runs}");
        assert_eq!(out, EXPECTED);
    }

    #[test]
    fn spilled_runs_are_removed() {
        let mut sorter = TimelineSorter::new(1);
        sorter
            .push(TimelineLine::new(&event(1, 1, "a"), b"x\n".to_vec()))
            .unwrap();
        let paths: Vec<PathBuf> = sorter.runs.iter().map(|r| r.path.clone()).collect();
        assert_eq!(paths.len(), 1);
        assert!(paths[0].exists());
        sorter.finish(&mut Vec::new()).unwrap();
        assert!(!paths[0].exists());
    }
}
