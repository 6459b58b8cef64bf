//! One record's raw XML, read on demand: `Event` keeps no XML (it would multiply the memory of a
//! large log), so the console's event detail asks for it by file and position (the record
//! header's number) when it opens. Chunk headers carry the first and last header numbers, so only
//! the chunk holding the record is parsed and only that record rendered.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use evtx::{EvtxParser, ParserSettings};

#[derive(Debug, thiserror::Error)]
pub enum RawRecordError {
    #[error("cannot open {file} as EVTX: {message}")]
    Open { file: PathBuf, message: String },
    #[error("{file}: record #{position} could not be rendered: {message}")]
    Render {
        file: PathBuf,
        position: u64,
        message: String,
    },
    #[error("{file}: no record #{position} (the file may have changed since it was read)")]
    NotFound { file: PathBuf, position: u64 },
}

/// One thread, checksums not enforced (as when ingesting: a bad CRC must not hide a record that
/// was read), indented for reading.
fn settings() -> ParserSettings {
    ParserSettings::new()
        .num_threads(1)
        .validate_checksums(false)
        .indent(true)
}

/// The XML of the record whose header number is `position` in `file`, as the evtx crate renders
/// it. Untrusted text: the caller sanitizes it before drawing.
pub fn record_xml(file: &Path, position: u64) -> Result<String, RawRecordError> {
    let open_error = |e: &dyn std::fmt::Display| RawRecordError::Open {
        file: file.to_path_buf(),
        message: e.to_string(),
    };
    let render_error = |e: &dyn std::fmt::Display| RawRecordError::Render {
        file: file.to_path_buf(),
        position,
        message: e.to_string(),
    };
    let mut parser = EvtxParser::from_path(file)
        .map_err(|e| open_error(&e))?
        .with_configuration(settings());
    let settings = Arc::new(settings());
    for chunk in parser.chunks() {
        // A damaged chunk elsewhere in the file does not stop the search.
        let Ok(mut chunk) = chunk else { continue };
        let h = &chunk.header;
        if !(h.first_event_record_id..=h.last_event_record_id).contains(&position) {
            continue;
        }
        // A damaged chunk is where the evtx crate may panic: that is this record's failure, told
        // as such, not a bug of resetlens (nor an answer that never comes).
        let found = crate::panics::contained(|| {
            let mut parsed = chunk.parse(Arc::clone(&settings)).map_err(|e| render_error(&e))?;
            for record in parsed.iter() {
                let Ok(record) = record else { continue };
                if record.event_record_id == position {
                    return record
                        .into_xml()
                        .map(|r| Some(r.data))
                        .map_err(|e| render_error(&e));
                }
            }
            Ok(None)
        })
        .unwrap_or_else(|_| Err(render_error(&"the evtx crate failed on its chunk")))?;
        if let Some(xml) = found {
            return Ok(xml);
        }
    }
    Err(RawRecordError::NotFound {
        file: file.to_path_buf(),
        position,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn security() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs/DC01-Security.evtx")
    }

    #[test]
    fn finds_a_record_by_id_and_renders_its_xml() {
        let file = security();
        let mut parser = EvtxParser::from_path(&file).unwrap();
        let ids: Vec<u64> = parser
            .records()
            .filter_map(Result::ok)
            .map(|r| r.event_record_id)
            .collect();
        let last = *ids.last().unwrap();
        let xml = record_xml(&file, last).unwrap();
        assert!(xml.contains("<Event"), "{xml}");
        assert!(
            xml.contains(&format!("<EventRecordID>{last}</EventRecordID>")),
            "{xml}"
        );
    }

    #[test]
    fn a_missing_record_or_file_is_an_error() {
        assert!(matches!(
            record_xml(&security(), u64::MAX),
            Err(RawRecordError::NotFound { .. })
        ));
        let dir = tempfile::tempdir().unwrap();
        let bogus = dir.path().join("x.evtx");
        std::fs::write(&bogus, b"not an evtx file").unwrap();
        assert!(matches!(record_xml(&bogus, 1), Err(RawRecordError::Open { .. })));
        assert!(matches!(
            record_xml(&dir.path().join("absent.evtx"), 1),
            Err(RawRecordError::Open { .. })
        ));
    }
}
