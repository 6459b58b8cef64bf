//! The evtx crate's own reading, used where the fast reader gives up (damaged chunks, layouts it
//! does not know) and as the reference the fast reader is checked against. Settings are explicit:
//! one thread (we parallelise ourselves; no nested rayon pools), checksums not enforced (a bad
//! CRC does not throw away records that still parse), attributes separated, no indentation.
//! Records are rendered to JSON, read into a `RawRecord`, and kept only if they are of interest.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use evtx::err::EvtxError;
use evtx::{EvtxChunkData, ParserSettings, SerializedEvtxRecord};
use serde_json::Value;

use super::{chunk_file_offset, fast::ChunkScan, IngestProblem, Interest, ProblemKind};
use crate::events::normalize::{DataValue, RawRecord};

/// The settings every crate reading uses.
pub(super) fn settings() -> Arc<ParserSettings> {
    Arc::new(
        ParserSettings::new()
            .num_threads(1)
            .validate_checksums(false)
            .separate_json_attributes(true)
            .indent(false),
    )
}

/// Reads one chunk (`data` is the whole chunk) with the crate.
pub(super) fn read_chunk(
    data: Vec<u8>,
    number: u64,
    file: &Path,
    interest: &Interest,
    settings: &Arc<ParserSettings>,
) -> (ChunkScan, u64, Vec<IngestProblem>) {
    let mut scan = ChunkScan::default();
    let mut skipped = 0;
    let mut problems = Vec::new();
    let mut chunk_data = match EvtxChunkData::new(data, false) {
        Ok(c) => c,
        Err(e) => {
            problems.push(IngestProblem::at_chunk(
                file,
                number,
                ProblemKind::ChunkSkipped,
                error_text(&e),
            ));
            return (scan, skipped, problems);
        }
    };
    chunk_data.number = Some(number);
    let mut chunk = match chunk_data.parse(Arc::clone(settings)) {
        Ok(c) => c,
        Err(e) => {
            problems.push(IngestProblem::at_chunk(
                file,
                number,
                ProblemKind::ChunkSkipped,
                error_text(&e),
            ));
            return (scan, skipped, problems);
        }
    };
    for record in chunk.iter() {
        let rendered = record.and_then(|r| r.into_json_value());
        match rendered {
            Ok(r) => {
                scan.records += 1;
                if let Some(raw) = raw_record(&r, interest) {
                    scan.hits.push(raw);
                }
            }
            Err(e) => {
                skipped += 1;
                problems.push(problem_from(file, Some(number), &e));
            }
        }
    }
    (scan, skipped, problems)
}

/// What reading a whole file with the crate gave.
#[cfg(any(test, feature = "testkit"))]
pub(super) struct FileRead {
    pub hits: Vec<RawRecord>,
    pub records: u64,
    pub skipped: u64,
    pub problems: Vec<IngestProblem>,
}

/// Reads a whole file with `EvtxParser` (the reference path).
#[cfg(any(test, feature = "testkit"))]
pub(super) fn read_file(path: &Path, interest: &Interest) -> Result<FileRead, IngestProblem> {
    let parser = evtx::EvtxParser::from_path(path)
        .map_err(|e| IngestProblem::in_file(path, ProblemKind::Unreadable, error_text(&e)))?;
    let mut parser = parser.with_configuration((*settings()).clone());
    let mut read = FileRead {
        hits: Vec::new(),
        records: 0,
        skipped: 0,
        problems: Vec::new(),
    };
    for record in parser.records_json_value() {
        match record {
            Ok(r) => {
                read.records += 1;
                if let Some(raw) = raw_record(&r, interest) {
                    read.hits.push(raw);
                }
            }
            Err(e) => {
                // Whole chunks that fail count as problems, not as skipped records: how many
                // records they held is unknown.
                if !matches!(e, EvtxError::FailedToParseChunk { .. }) {
                    read.skipped += 1;
                }
                read.problems.push(problem_from(path, None, &e));
            }
        }
    }
    Ok(read)
}

/// The error and its causes on one line.
pub(super) fn error_text(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Places a crate error in the file: chunk number and file offset where the error says them.
fn problem_from(file: &Path, chunk: Option<u64>, e: &EvtxError) -> IngestProblem {
    let (kind, chunk, offset) = match e {
        EvtxError::FailedToReadRecordAt { chunk: c, offset, .. } => {
            let c = c.or(chunk);
            (
                ProblemKind::RecordSkipped,
                c,
                c.map(|c| chunk_file_offset(c) + offset),
            )
        }
        EvtxError::FailedToParseChunk { chunk_id, .. } => (
            ProblemKind::ChunkSkipped,
            Some(*chunk_id),
            Some(chunk_file_offset(*chunk_id)),
        ),
        _ => (ProblemKind::RecordSkipped, chunk, chunk.map(chunk_file_offset)),
    };
    IngestProblem {
        kind,
        file: file.to_path_buf(),
        chunk,
        offset,
        message: error_text(e),
    }
}

/// Reads the System values and EventData of a rendered record; `None` if it is not of interest.
fn raw_record(r: &SerializedEvtxRecord<Value>, interest: &Interest) -> Option<RawRecord> {
    let event = r.data.get("Event")?;
    let system = event.get("System")?;
    let event_id = system.get("EventID").and_then(number)?;
    let event_id = u32::try_from(event_id).ok()?;
    if !interest.wants_id(event_id) {
        return None;
    }
    let provider = system
        .get("Provider_attributes")
        .and_then(|p| p.get("Name"))
        .and_then(text)
        .unwrap_or_default();
    if !interest.wants(&provider, event_id) {
        return None;
    }
    let header_time = DateTime::<Utc>::from_timestamp_nanos(i64::try_from(r.timestamp.as_nanosecond()).ok()?);
    let time = system
        .get("TimeCreated_attributes")
        .and_then(|t| t.get("SystemTime"))
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map_or(header_time, |t| t.with_timezone(&Utc));
    Some(RawRecord {
        record_id: system
            .get("EventRecordID")
            .and_then(number)
            .unwrap_or(r.event_record_id),
        position: r.event_record_id,
        activity_id: system
            .get("Correlation_attributes")
            .and_then(|c| c.get("ActivityID"))
            .and_then(Value::as_str)
            .and_then(|g| g.trim_matches(['{', '}']).parse().ok()),
        time,
        provider,
        event_id,
        machine: system.get("Computer").and_then(text).unwrap_or_default(),
        channel: system.get("Channel").and_then(text).unwrap_or_default(),
        level: system
            .get("Level")
            .and_then(number)
            .and_then(|l| u8::try_from(l).ok())
            .unwrap_or(0),
        keywords: system.get("Keywords").and_then(number),
        data: event_data(event.get("EventData")),
    })
}

/// A number rendered as a JSON number, a decimal string or a `0x` hex string.
fn number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => match s.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => s.parse().ok(),
        },
        Value::Object(o) => o.get("#text").and_then(number),
        _ => None,
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        Value::Object(o) => o.get("#text").and_then(text),
        other => Some(other.to_string()),
    }
}

/// Every text of a value: arrays give one per item.
fn texts(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().filter_map(text).collect(),
        Value::Object(o) => o.get("#text").map(texts).unwrap_or_default(),
        other => text(other).into_iter().collect(),
    }
}

/// `{"Data": ...}` of classic sources (unnamed insertion strings; `Binary` beside it is raw
/// data, not a message), or `{"Name": value, ...}` of manifest events.
fn event_data(v: Option<&Value>) -> Vec<DataValue> {
    let Some(Value::Object(map)) = v else {
        return Vec::new();
    };
    if let Some(data) = map.get("Data") {
        return texts(data)
            .into_iter()
            .map(|value| DataValue {
                name: None,
                value: value.into(),
            })
            .collect();
    }
    map.iter()
        .filter(|(k, _)| !k.ends_with("_attributes"))
        .flat_map(|(k, v)| {
            texts(v).into_iter().map(move |value| DataValue {
                name: Some(Cow::Owned(k.clone())),
                value: value.into(),
            })
        })
        .collect()
}
