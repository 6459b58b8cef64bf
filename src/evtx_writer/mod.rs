//! Writes Windows EVTX files (the format `wevtutil epl` exports) from plain event records, so the
//! demo tenant and the benchmarks ship real event logs that the evtx crate and python-evtx read.
//! Owns the file header, the 64 KiB chunks with their CRCs, and the event record frame; the binary
//! XML is in [`binxml`], the Windows template layouts in [`layout`].
//!
//! Output is a pure function of the records pushed: no clocks, no randomness. Chunks are written
//! as they fill, so memory stays at one chunk however large the file.

mod binxml;
mod layout;

use std::io::{Seek, SeekFrom, Write};

use chrono::{DateTime, Utc};

use crate::ad::time::to_filetime;
use crate::security::{Guid, Sid};
use binxml::{Definitions, Sink};

pub const FILE_HEADER_SIZE: usize = 4096;
pub const CHUNK_SIZE: usize = 65536;
pub const CHUNK_HEADER_SIZE: usize = 512;
const RECORD_MAGIC: [u8; 4] = [0x2a, 0x2a, 0x00, 0x00];

/// Keywords of events written through the classic EventLog API (`EventLogClassic`).
pub const KEYWORDS_CLASSIC: u64 = 0x0080_0000_0000_0000;
/// Security audit keywords.
pub const KEYWORDS_AUDIT_SUCCESS: u64 = 0x8020_0000_0000_0000;
pub const KEYWORDS_AUDIT_FAILURE: u64 = 0x8010_0000_0000_0000;

/// Who wrote the event, which decides the System layout.
#[derive(Debug, Clone, PartialEq)]
pub enum Provider {
    /// A classic event source (`EventLog.WriteEntry`): the name is literal text in the template,
    /// EventID carries `Qualifiers`, no GUID.
    Classic { name: String },
    /// A manifest provider such as Microsoft-Windows-Security-Auditing.
    Manifest { name: String, guid: Guid },
}

/// A typed `<Data Name=..>` value of a manifest event.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    String(String),
    Sid(Sid),
    Guid(Guid),
    UInt32(u32),
    HexInt32(u32),
    HexInt64(u64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum EventData {
    /// Insertion strings of a classic source: one `<Data>` per string, no names.
    ClassicStrings(Vec<String>),
    /// Named, typed fields of a manifest event, in template order.
    Named(Vec<(String, Value)>),
}

/// One event as it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// EventRecordID; must increase from one pushed record to the next.
    pub record_id: u64,
    pub time: DateTime<Utc>,
    pub computer: String,
    pub channel: String,
    pub provider: Provider,
    pub event_id: u16,
    /// 0 LogAlways (audit), 2 error, 3 warning, 4 information.
    pub level: u8,
    pub task: u16,
    pub keywords: u64,
    pub process_id: u32,
    pub thread_id: u32,
    /// System/Correlation ActivityID: Password Protection's DC agent writes a rejection and the
    /// event naming its reason under one.
    pub activity_id: Option<Guid>,
    pub data: EventData,
}

/// Microsoft-Windows-Security-Auditing, the provider of the Security log's audit events.
const SECURITY_AUDITING: Guid = Guid::from_str_const("54849625-5478-4994-a5ba-3e3b0328c30d");

impl Record {
    /// A classic event source's record in the Application log (`EventLog.WriteEntry`): one
    /// insertion string, no task, process or thread. Record id 0: the caller numbers it.
    pub fn classic(
        computer: String,
        time: DateTime<Utc>,
        source: &str,
        event_id: u16,
        level: u8,
        text: String,
    ) -> Record {
        Record {
            record_id: 0,
            time,
            computer,
            channel: "Application".into(),
            provider: Provider::Classic { name: source.into() },
            event_id,
            level,
            task: 0,
            keywords: KEYWORDS_CLASSIC,
            process_id: 0,
            thread_id: 0,
            activity_id: None,
            data: EventData::ClassicStrings(vec![text]),
        }
    }

    /// A Security-log audit record of Microsoft-Windows-Security-Auditing (level 0, named
    /// EventData), written by `process_id` (lsass). Thread 0 and record id 0: the caller sets them.
    pub fn security_audit(
        computer: String,
        time: DateTime<Utc>,
        event_id: u16,
        task: u16,
        keywords: u64,
        process_id: u32,
        data: Vec<(String, Value)>,
    ) -> Record {
        Record {
            record_id: 0,
            time,
            computer,
            channel: "Security".into(),
            provider: Provider::Manifest {
                name: "Microsoft-Windows-Security-Auditing".into(),
                guid: SECURITY_AUDITING,
            },
            event_id,
            level: 0,
            task,
            keywords,
            process_id,
            thread_id: 0,
            activity_id: None,
            data: EventData::Named(data),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EvtxWriteError {
    #[error("writing EVTX output: {0}")]
    Io(#[from] std::io::Error),
    #[error("record {record_id} needs {size} bytes but a chunk holds at most {max}")]
    RecordTooLarge { record_id: u64, size: usize, max: usize },
    #[error("record id {record_id} does not follow {previous}: record ids must increase")]
    OutOfOrder { record_id: u64, previous: u64 },
    #[error("record id 0 is not valid in EVTX")]
    ZeroRecordId,
    #[error("the file would exceed {max} chunks")]
    TooManyChunks { max: usize },
}

/// What the current chunk holds so far.
struct OpenChunk {
    /// The whole chunk: 512 header bytes (filled on close), then the records.
    buf: Vec<u8>,
    defined: Definitions,
    first_id: Option<u64>,
    last_id: u64,
    last_record_offset: u32,
}

impl OpenChunk {
    fn new() -> OpenChunk {
        let mut buf = Vec::with_capacity(CHUNK_SIZE);
        buf.resize(CHUNK_HEADER_SIZE, 0);
        OpenChunk {
            buf,
            defined: Definitions::new(),
            first_id: None,
            last_id: 0,
            last_record_offset: 0,
        }
    }

    /// Appends `record` under header number `header_id`; `false` (and the chunk unchanged) if it
    /// does not fit.
    fn try_push(&mut self, record: &Record, header_id: u64) -> bool {
        let start = self.buf.len();
        let defined_before = self.defined.len();
        encode_record(&mut self.buf, &mut self.defined, record, header_id);
        if self.buf.len() > CHUNK_SIZE {
            self.buf.truncate(start);
            if self.defined.len() != defined_before {
                let limit = start as u32;
                self.defined.retain(|_, at| *at < limit);
            }
            return false;
        }
        self.first_id.get_or_insert(header_id);
        self.last_id = header_id;
        self.last_record_offset = start as u32;
        true
    }

    /// The finished 64 KiB chunk with header fields and both CRCs.
    fn close(mut self) -> Vec<u8> {
        let free_space = self.buf.len() as u32;
        let first = self.first_id.unwrap_or(0);
        let last = self.last_id;
        self.buf.resize(CHUNK_SIZE, 0);
        let h = &mut self.buf;
        h[0..8].copy_from_slice(b"ElfChnk\0");
        // Chunk headers count record header numbers (the record ids, unless renumbered).
        h[8..16].copy_from_slice(&first.to_le_bytes());
        h[16..24].copy_from_slice(&last.to_le_bytes());
        h[24..32].copy_from_slice(&first.to_le_bytes());
        h[32..40].copy_from_slice(&last.to_le_bytes());
        h[40..44].copy_from_slice(&128u32.to_le_bytes());
        h[44..48].copy_from_slice(&self.last_record_offset.to_le_bytes());
        h[48..52].copy_from_slice(&free_space.to_le_bytes());
        let data_crc = crc32fast::hash(&h[CHUNK_HEADER_SIZE..free_space as usize]);
        h[52..56].copy_from_slice(&data_crc.to_le_bytes());
        let mut header_crc = crc32fast::Hasher::new();
        header_crc.update(&h[..120]);
        header_crc.update(&h[128..CHUNK_HEADER_SIZE]);
        h[124..128].copy_from_slice(&header_crc.finalize().to_le_bytes());
        self.buf
    }
}

/// Record frame: magic, size, header number, written time, BinXML, zero padding to 8 bytes, size
/// again.
fn encode_record(buf: &mut Vec<u8>, defined: &mut Definitions, record: &Record, header_id: u64) {
    let start = buf.len();
    buf.extend_from_slice(&RECORD_MAGIC);
    buf.extend_from_slice(&0u32.to_le_bytes());
    buf.extend_from_slice(&header_id.to_le_bytes());
    let written = u64::try_from(to_filetime(record.time)).unwrap_or(0);
    buf.extend_from_slice(&written.to_le_bytes());
    let instance = layout::record_instance(record);
    binxml::write_fragment(&mut Sink { buf, base: 0 }, &instance, defined);
    while (buf.len() - start + 4) % 8 != 0 {
        buf.push(0);
    }
    let size = (buf.len() - start + 4) as u32;
    buf.extend_from_slice(&size.to_le_bytes());
    if let Some(slot) = buf.get_mut(start + 4..start + 8) {
        slot.copy_from_slice(&size.to_le_bytes());
    }
}

/// Streams records into an EVTX file: a placeholder header, then each chunk as it fills; the
/// real header (chunk count, next record id, CRC) is written by [`EvtxWriter::finish`].
pub struct EvtxWriter<W: Write + Seek> {
    out: W,
    chunk: OpenChunk,
    chunks_written: usize,
    last_id: Option<u64>,
    /// Set for a re-saved export: headers numbered 1, 2, ... whatever the EventRecordIDs.
    renumbered: bool,
    headers: u64,
}

impl<W: Write + Seek> EvtxWriter<W> {
    pub fn new(mut out: W) -> Result<EvtxWriter<W>, EvtxWriteError> {
        out.write_all(&[0u8; FILE_HEADER_SIZE])?;
        Ok(EvtxWriter {
            out,
            chunk: OpenChunk::new(),
            chunks_written: 0,
            last_id: None,
            renumbered: false,
            headers: 0,
        })
    }

    /// A writer that numbers record headers from 1, as Event Viewer's "Save filtered log" and
    /// re-saved exports do, while each record's System/EventRecordID keeps its `record_id`.
    pub fn renumbering(out: W) -> Result<EvtxWriter<W>, EvtxWriteError> {
        let mut w = EvtxWriter::new(out)?;
        w.renumbered = true;
        Ok(w)
    }

    pub fn push(&mut self, record: &Record) -> Result<(), EvtxWriteError> {
        if record.record_id == 0 {
            return Err(EvtxWriteError::ZeroRecordId);
        }
        if let Some(previous) = self.last_id.filter(|p| record.record_id <= *p) {
            return Err(EvtxWriteError::OutOfOrder {
                record_id: record.record_id,
                previous,
            });
        }
        let header_id = if self.renumbered {
            self.headers + 1
        } else {
            record.record_id
        };
        if !self.chunk.try_push(record, header_id) {
            if self.chunk.first_id.is_none() {
                return Err(too_large(record));
            }
            self.flush_chunk()?;
            if !self.chunk.try_push(record, header_id) {
                return Err(too_large(record));
            }
        }
        self.headers = header_id;
        self.last_id = Some(record.record_id);
        Ok(())
    }

    /// Writes the last chunk and the file header; returns the output.
    pub fn finish(mut self) -> Result<W, EvtxWriteError> {
        if self.chunk.first_id.is_some() {
            self.flush_chunk()?;
        }
        let next = if self.renumbered {
            self.headers + 1
        } else {
            self.last_id.map_or(1, |id| id + 1)
        };
        let header = file_header(self.chunks_written, next);
        self.out.seek(SeekFrom::Start(0))?;
        self.out.write_all(&header)?;
        self.out.seek(SeekFrom::End(0))?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn flush_chunk(&mut self) -> Result<(), EvtxWriteError> {
        if self.chunks_written >= usize::from(u16::MAX) {
            return Err(EvtxWriteError::TooManyChunks {
                max: usize::from(u16::MAX),
            });
        }
        let chunk = std::mem::replace(&mut self.chunk, OpenChunk::new());
        self.out.write_all(&chunk.close())?;
        self.chunks_written += 1;
        Ok(())
    }
}

fn too_large(record: &Record) -> EvtxWriteError {
    let mut probe = vec![0u8; CHUNK_HEADER_SIZE];
    encode_record(&mut probe, &mut Definitions::new(), record, record.record_id);
    EvtxWriteError::RecordTooLarge {
        record_id: record.record_id,
        size: probe.len() - CHUNK_HEADER_SIZE,
        max: CHUNK_SIZE - CHUNK_HEADER_SIZE,
    }
}

fn file_header(chunks: usize, next_record_id: u64) -> Vec<u8> {
    let mut h = vec![0u8; FILE_HEADER_SIZE];
    h[0..8].copy_from_slice(b"ElfFile\0");
    h[8..16].copy_from_slice(&0u64.to_le_bytes());
    h[16..24].copy_from_slice(&(chunks.saturating_sub(1) as u64).to_le_bytes());
    h[24..32].copy_from_slice(&next_record_id.to_le_bytes());
    h[32..36].copy_from_slice(&128u32.to_le_bytes());
    h[36..38].copy_from_slice(&1u16.to_le_bytes());
    h[38..40].copy_from_slice(&3u16.to_le_bytes());
    h[40..42].copy_from_slice(&(FILE_HEADER_SIZE as u16).to_le_bytes());
    h[42..44].copy_from_slice(&(chunks as u16).to_le_bytes());
    let crc = crc32fast::hash(&h[..120]);
    h[124..128].copy_from_slice(&crc.to_le_bytes());
    h
}

/// Writes `records` to an in-memory EVTX file (for small logs and tests).
pub fn to_bytes<'a>(records: impl IntoIterator<Item = &'a Record>) -> Result<Vec<u8>, EvtxWriteError> {
    let mut w = EvtxWriter::new(std::io::Cursor::new(Vec::new()))?;
    for r in records {
        w.push(r)?;
    }
    Ok(w.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn record(id: u64, text: &str) -> Record {
        let time = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
        Record {
            record_id: id,
            ..Record::classic(
                "AADC01.contoso.example".into(),
                time,
                "PasswordResetService",
                31001,
                4,
                text.into(),
            )
        }
    }

    #[test]
    fn file_and_chunk_headers_carry_valid_crcs() {
        let bytes = to_bytes(&[record(1, "a"), record(2, "b")]).unwrap();
        assert_eq!(bytes.len(), FILE_HEADER_SIZE + CHUNK_SIZE);
        assert_eq!(&bytes[..8], b"ElfFile\0");
        let stored = u32::from_le_bytes(bytes[124..128].try_into().unwrap());
        assert_eq!(stored, crc32fast::hash(&bytes[..120]));
        assert_eq!(u64::from_le_bytes(bytes[24..32].try_into().unwrap()), 3);
        let chunk = &bytes[FILE_HEADER_SIZE..];
        let free = u32::from_le_bytes(chunk[48..52].try_into().unwrap()) as usize;
        let data_crc = u32::from_le_bytes(chunk[52..56].try_into().unwrap());
        assert_eq!(data_crc, crc32fast::hash(&chunk[512..free]));
    }

    #[test]
    fn records_are_eight_byte_aligned_and_framed_by_their_size() {
        let bytes = to_bytes(&[record(1, "abc")]).unwrap();
        let rec = &bytes[FILE_HEADER_SIZE + CHUNK_HEADER_SIZE..];
        let size = u32::from_le_bytes(rec[4..8].try_into().unwrap()) as usize;
        assert_eq!(size % 8, 0);
        assert_eq!(&rec[size - 4..size], &(size as u32).to_le_bytes());
    }

    #[test]
    fn out_of_order_and_oversized_records_are_refused() {
        let mut w = EvtxWriter::new(std::io::Cursor::new(Vec::new())).unwrap();
        w.push(&record(5, "a")).unwrap();
        assert!(matches!(
            w.push(&record(5, "b")),
            Err(EvtxWriteError::OutOfOrder { .. })
        ));
        let huge = "x".repeat(40_000);
        assert!(matches!(
            w.push(&record(6, &huge)),
            Err(EvtxWriteError::RecordTooLarge { .. })
        ));
        assert!(matches!(
            w.push(&record(0, "c")),
            Err(EvtxWriteError::ZeroRecordId)
        ));
    }

    #[test]
    fn a_full_chunk_spills_into_the_next() {
        let text = "y".repeat(2000);
        let records: Vec<Record> = (1..=100).map(|i| record(i, &text)).collect();
        let bytes = to_bytes(&records).unwrap();
        let chunks = (bytes.len() - FILE_HEADER_SIZE) / CHUNK_SIZE;
        assert!(chunks >= 3);
        assert_eq!(u16::from_le_bytes([bytes[42], bytes[43]]) as usize, chunks);
        for c in 0..chunks {
            let chunk = &bytes[FILE_HEADER_SIZE + c * CHUNK_SIZE..][..CHUNK_SIZE];
            assert_eq!(&chunk[..8], b"ElfChnk\0");
        }
    }

    #[test]
    fn output_is_deterministic() {
        let records: Vec<Record> = (1..=50).map(|i| record(i, "same")).collect();
        assert_eq!(to_bytes(&records).unwrap(), to_bytes(&records).unwrap());
    }
}
