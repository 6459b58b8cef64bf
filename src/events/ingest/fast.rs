//! The fast reader of one chunk: walks the records with the evtx crate's public record-header
//! API and reads each record's template instance itself. Per chunk it learns, once per template
//! definition, which substitution holds the EventID, the provider, the time and the other System
//! values and where the EventData lives; then a record costs a few reads until its EventID says
//! it is of interest. Only those records have their values decoded.
//!
//! Anything it does not understand (a record that is not one template instance, a damaged
//! header, a value type it does not read) is reported as `NotUnderstood`, and the caller reads
//! that chunk with the evtx crate instead. All reads are bounds-checked: bad bytes never panic.

use std::borrow::Cow;
use std::rc::Rc;

use evtx::EvtxChunkHeader;

use super::recycle::TextPool;
use super::Interest;
use crate::ad::time::FileTime;
use crate::events::normalize::{DataText, DataValue, RawRecord, NAMED_FIELDS};
use crate::security::{Guid, Sid};

const CHUNK_HEADER_SIZE: usize = 512;
const RECORD_HEADER_SIZE: usize = 24;
const TEMPLATE_HEADER_SIZE: usize = 24;

/// A record's header (magic `**\0\0`, size, record ID, FILETIME). Read here rather than with the
/// crate's `EvtxRecordHeader`, which converts the time of every record; only hits need it.
struct RecordHeader {
    /// Where the record starts in its chunk.
    offset: usize,
    size: u32,
    id: u64,
    filetime: u64,
}

impl RecordHeader {
    fn at(chunk: &[u8], offset: usize) -> Option<RecordHeader> {
        if chunk.get(offset..offset.checked_add(4)?)? != b"**\0\0" {
            return None;
        }
        Some(RecordHeader {
            offset,
            size: u32_at(chunk, offset + 4)?,
            id: u64_at(chunk, offset + 8)?,
            filetime: u64_at(chunk, offset + 16)?,
        })
    }
}

/// Why the fast reader handed a chunk over to the crate (kept for debugging; not a problem
/// of the file by itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NotUnderstood {
    pub offset: usize,
    pub reason: &'static str,
}

type Fast<T> = Result<T, NotUnderstood>;

fn nope<T>(offset: usize, reason: &'static str) -> Fast<T> {
    Err(NotUnderstood { offset, reason })
}

/// What one chunk gave.
#[derive(Debug, Default)]
pub(super) struct ChunkScan {
    pub records: u64,
    pub hits: Vec<RawRecord>,
}

/// UTF-16 text inside the chunk (offset, units): decoded only for records that are hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Text {
    offset: usize,
    units: usize,
}

impl Text {
    fn decode(self, chunk: &[u8], pool: &mut TextPool) -> Option<String> {
        utf16(pool.text(), chunk, self.offset, self.units)
    }
}

/// Where a System value comes from: literal text in the template, or a substitution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Literal(Text),
    Substitution(usize),
}

/// An EventData value whose content is substitution `index`: `<Data Name="...">` with a name
/// normalization reads (`NAMED_FIELDS`), or an unnamed `<Data>`. Other named values are left
/// out of the layout, so they are never decoded (a 4625 has twenty of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DataSlot {
    name: Option<&'static str>,
    index: usize,
}

/// The literal `Name` of a `<Data>` element, resolved once per template definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DataName {
    Field(&'static str),
    Ignored,
}

/// What a template definition says about its substitutions.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Layout {
    event_id: Option<usize>,
    /// System/EventRecordID, which re-saved exports keep while they renumber record headers.
    record_id: Option<usize>,
    /// System/Correlation's ActivityID.
    activity_id: Option<usize>,
    provider: Option<Source>,
    computer: Option<Source>,
    channel: Option<Source>,
    level: Option<usize>,
    keywords: Option<usize>,
    time: Option<usize>,
    data: Vec<DataSlot>,
    /// A BinXml substitution outside System: the nested EventData of classic and manifest events.
    nested: Option<usize>,
}

/// Reused across chunks by one worker: the per-chunk template cache (a chunk holds a handful of
/// templates, so a short list beats a map), the value tables, and the texts hits are decoded into.
#[derive(Default)]
pub(super) struct FastReader {
    layouts: Vec<(u32, Rc<Layout>)>,
    values: Vec<ValueRef>,
    nested_values: Vec<ValueRef>,
    stack: Vec<Frame>,
    /// Filled back by the worker with what its gathered events no longer need.
    pub(super) texts: TextPool,
}

#[derive(Debug, Clone, Copy)]
struct ValueRef {
    offset: usize,
    size: usize,
    kind: u8,
}

fn u8_at(b: &[u8], at: usize) -> Option<u8> {
    b.get(at).copied()
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// The UTF-16LE text at `at`, decoded into `text`'s buffer (which it replaces).
fn utf16(text: String, b: &[u8], at: usize, units: usize) -> Option<String> {
    let bytes = b.get(at..at.checked_add(units.checked_mul(2)?)?)?;
    // Event text is nearly always ASCII: then every other byte is the text. Both passes are
    // written without early exits so they vectorize (`step_by` pushed byte by byte).
    let ascii = bytes
        .chunks_exact(2)
        .fold(true, |ascii, c| ascii & (c[0] < 0x80) & (c[1] == 0));
    let mut text = if ascii {
        let mut buf = text.into_bytes();
        buf.clear();
        buf.extend(bytes.chunks_exact(2).map(|c| c[0]));
        String::from_utf8(buf).ok()?
    } else {
        let mut text = text;
        text.clear();
        let units = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
        text.extend(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
        text
    };
    while text.ends_with('\0') {
        text.pop();
    }
    Some(text)
}

/// A name in the chunk's string table (next-link u32, hash u16, length u16, UTF-16 text),
/// compared with the ASCII names the layout needs without decoding it.
fn name_at(chunk: &[u8], offset: usize) -> Option<Name> {
    let len = usize::from(u16_at(chunk, offset.checked_add(6)?)?);
    let text = chunk.get(offset + 8..offset + 8 + 2 * len)?;
    // The length test first: most names are told apart by it, without a call.
    Some(
        Name::ALL
            .into_iter()
            .find(|n| n.as_str().len() == len && utf16_is(text, n.as_str()))
            .unwrap_or(Name::Other),
    )
}

/// Whether UTF-16LE `text` is `ascii`, ignoring ASCII case.
fn utf16_is(text: &[u8], ascii: &str) -> bool {
    text.len() == 2 * ascii.len()
        && text
            .chunks_exact(2)
            .zip(ascii.bytes())
            .all(|(u, a)| u[0].eq_ignore_ascii_case(&a) && u[1] == 0)
}

/// The element and attribute names the layout looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    System,
    Provider,
    EventId,
    EventRecordId,
    Correlation,
    ActivityId,
    Level,
    Keywords,
    TimeCreated,
    Computer,
    Channel,
    Data,
    /// The `Name` attribute of `<Provider>` and `<Data>`.
    Named,
    SystemTime,
    Other,
}

impl Name {
    const ALL: [Name; 14] = [
        Name::System,
        Name::Provider,
        Name::EventId,
        Name::EventRecordId,
        Name::Correlation,
        Name::ActivityId,
        Name::Level,
        Name::Keywords,
        Name::TimeCreated,
        Name::Computer,
        Name::Channel,
        Name::Data,
        Name::Named,
        Name::SystemTime,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Name::System => "System",
            Name::Provider => "Provider",
            Name::EventId => "EventID",
            Name::EventRecordId => "EventRecordID",
            Name::Correlation => "Correlation",
            Name::ActivityId => "ActivityID",
            Name::Level => "Level",
            Name::Keywords => "Keywords",
            Name::TimeCreated => "TimeCreated",
            Name::Computer => "Computer",
            Name::Channel => "Channel",
            Name::Data => "Data",
            Name::Named => "Name",
            Name::SystemTime => "SystemTime",
            Name::Other => "",
        }
    }
}

impl FastReader {
    /// Reads every record of a chunk (`chunk` holds the whole chunk, header first; only its
    /// first `available` bytes came from the file when it was truncated).
    pub(super) fn scan_chunk(
        &mut self,
        chunk: &[u8],
        available: usize,
        header: &EvtxChunkHeader,
        interest: &Interest,
    ) -> Fast<ChunkScan> {
        self.layouts.clear();
        let mut scan = ChunkScan::default();
        let live_end = (header.free_space_offset as usize).min(chunk.len());
        let mut offset = CHUNK_HEADER_SIZE;
        while offset < live_end {
            let Some(record) = RecordHeader::at(chunk, offset) else {
                return nope(offset, "record header");
            };
            let size = record.size as usize;
            let end = offset.saturating_add(size);
            if end > available {
                // The file ends inside this record; the truncation is already reported.
                break;
            }
            if size < RECORD_HEADER_SIZE + 4 || end > live_end {
                return nope(offset, "record size");
            }
            if u32_at(chunk, end - 4) != Some(record.size) {
                return nope(offset, "record size copy");
            }
            scan.records += 1;
            if let Some(hit) =
                self.scan_record(chunk, offset + RECORD_HEADER_SIZE, end - 4, &record, interest)?
            {
                scan.hits.push(hit);
            }
            if record.id == header.last_event_record_id {
                break;
            }
            offset = end;
        }
        Ok(scan)
    }

    /// The layout of the template instance at `pos` and the offset of its value count.
    fn instance(&mut self, chunk: &[u8], mut pos: usize, end: usize) -> Fast<(Rc<Layout>, usize)> {
        if u8_at(chunk, pos) == Some(0x0f) {
            pos += 4;
        }
        if u8_at(chunk, pos) != Some(0x0c) {
            return nope(pos, "not a template instance");
        }
        let def = u32_at(chunk, pos + 6).ok_or(NotUnderstood {
            offset: pos,
            reason: "truncated instance",
        })?;
        pos += 10;
        if def as usize == pos {
            let Some(size) = u32_at(chunk, pos + 20) else {
                return nope(pos, "truncated template header");
            };
            pos = pos
                .saturating_add(TEMPLATE_HEADER_SIZE)
                .saturating_add(size as usize);
        }
        if pos > end {
            return nope(pos, "template past the record");
        }
        let layout = match self.layouts.iter().find(|(d, _)| *d == def) {
            Some((_, layout)) => Rc::clone(layout),
            None => {
                let layout = Rc::new(analyze(chunk, def as usize, &mut self.stack)?);
                self.layouts.push((def, Rc::clone(&layout)));
                layout
            }
        };
        Ok((layout, pos))
    }

    fn scan_record(
        &mut self,
        chunk: &[u8],
        start: usize,
        end: usize,
        record: &RecordHeader,
        interest: &Interest,
    ) -> Fast<Option<RawRecord>> {
        let (layout, pos) = self.instance(chunk, start, end)?;
        // Most records are not of interest: find the EventID without reading the whole table.
        let Some(event_id) = event_id_of(chunk, &layout, pos, end) else {
            return nope(pos, "EventID is not a u16 substitution");
        };
        if !interest.wants_id(event_id) {
            return Ok(None);
        }
        let mut values = std::mem::take(&mut self.values);
        let after = value_table(chunk, pos, end, &mut values);
        let result = after.and_then(|after| {
            if !matches!(chunk.get(after..end), Some([] | [0, ..])) {
                return nope(after, "more than one template instance");
            }
            self.decode_hit(chunk, &layout, &values, event_id, record, interest)
        });
        self.values = values;
        result
    }

    fn decode_hit(
        &mut self,
        chunk: &[u8],
        layout: &Layout,
        values: &[ValueRef],
        event_id: u32,
        record: &RecordHeader,
        interest: &Interest,
    ) -> Fast<Option<RawRecord>> {
        let pool = &mut self.texts;
        let provider = source_text(chunk, layout.provider.as_ref(), values, pool)?.unwrap_or_default();
        if !interest.wants(&provider, event_id) {
            return Ok(None);
        }
        let instant = |ft: u64| {
            i64::try_from(ft)
                .ok()
                .and_then(|ft| FileTime::from_raw(ft).instant())
        };
        let system_time = match layout.time.and_then(|i| values.get(i)) {
            Some(v) if v.kind == 0x11 => u64_at(chunk, v.offset).and_then(instant),
            _ => None,
        };
        let Some(time) = system_time.or_else(|| instant(record.filetime)) else {
            return nope(record.offset, "record time");
        };
        let number = |index: Option<usize>| -> Option<u64> {
            let v = values.get(index?)?;
            match (v.kind, v.size) {
                (0x04, 1) => u8_at(chunk, v.offset).map(u64::from),
                (0x06, 2) => u16_at(chunk, v.offset).map(u64::from),
                (0x08 | 0x14, 4) => u32_at(chunk, v.offset).map(u64::from),
                (0x0a | 0x15, 8) => u64_at(chunk, v.offset),
                _ => None,
            }
        };
        let mut data = pool.data();
        data.reserve(layout.data.len());
        collect_data(chunk, &layout.data, values, &mut data, pool)?;
        if let Some(nested) = layout.nested.and_then(|i| values.get(i)) {
            if nested.kind == 0x21 && nested.size > 0 {
                self.nested_data(chunk, nested.offset, nested.offset + nested.size, &mut data)?;
            }
        }
        Ok(Some(RawRecord {
            record_id: number(layout.record_id).unwrap_or(record.id),
            position: record.id,
            activity_id: match layout.activity_id.and_then(|i| values.get(i)) {
                Some(v) if v.kind == 0x0f && v.size == 16 => chunk
                    .get(v.offset..v.offset + 16)
                    .and_then(|b| Guid::from_bytes(b).ok()),
                _ => None,
            },
            time,
            provider,
            event_id,
            machine: source_text(chunk, layout.computer.as_ref(), values, &mut self.texts)?
                .unwrap_or_default(),
            channel: source_text(chunk, layout.channel.as_ref(), values, &mut self.texts)?
                .unwrap_or_default(),
            level: number(layout.level)
                .and_then(|l| u8::try_from(l).ok())
                .unwrap_or(0),
            keywords: number(layout.keywords),
            data,
        }))
    }

    fn nested_data(&mut self, chunk: &[u8], start: usize, end: usize, out: &mut Vec<DataValue>) -> Fast<()> {
        let (layout, pos) = self.instance(chunk, start, end)?;
        let mut values = std::mem::take(&mut self.nested_values);
        let result = value_table(chunk, pos, end, &mut values)
            .and_then(|_| collect_data(chunk, &layout.data, &values, out, &mut self.texts));
        self.nested_values = values;
        result
    }
}

/// The EventID of a template instance whose value count is at `pos`, from the descriptors before
/// it: no other value is looked at.
fn event_id_of(chunk: &[u8], layout: &Layout, pos: usize, end: usize) -> Option<u32> {
    let index = layout.event_id?;
    let count = u32_at(chunk, pos)? as usize;
    if index >= count {
        return None;
    }
    let descriptors = pos + 4;
    let mut offset = descriptors.checked_add(count.checked_mul(4)?)?;
    for i in 0..index {
        offset += usize::from(u16_at(chunk, descriptors + 4 * i)?);
    }
    let at = descriptors + 4 * index;
    let (size, kind) = (u16_at(chunk, at)?, u8_at(chunk, at + 2)?);
    if offset + usize::from(size) > end {
        return None;
    }
    match (kind, size) {
        (0x06, 2) => u16_at(chunk, offset).map(u32::from),
        (0x08, 4) => u32_at(chunk, offset),
        _ => None,
    }
}

/// Reads the value count and descriptors at `pos`; returns where the values end.
fn value_table(chunk: &[u8], pos: usize, end: usize, out: &mut Vec<ValueRef>) -> Fast<usize> {
    out.clear();
    let Some(count) = u32_at(chunk, pos) else {
        return nope(pos, "truncated value count");
    };
    let count = count as usize;
    let descriptors = pos + 4;
    let mut value = count
        .checked_mul(4)
        .and_then(|n| descriptors.checked_add(n))
        .filter(|v| *v <= end)
        .ok_or(NotUnderstood {
            offset: pos,
            reason: "value table past the record",
        })?;
    for i in 0..count {
        let at = descriptors + 4 * i;
        let (Some(size), Some(kind)) = (u16_at(chunk, at), u8_at(chunk, at + 2)) else {
            return nope(at, "truncated descriptor");
        };
        out.push(ValueRef {
            offset: value,
            size: usize::from(size),
            kind,
        });
        value += usize::from(size);
    }
    if value > end {
        return nope(pos, "values past the record");
    }
    Ok(value)
}

fn source_text(
    chunk: &[u8],
    source: Option<&Source>,
    values: &[ValueRef],
    pool: &mut TextPool,
) -> Fast<Option<String>> {
    match source {
        None => Ok(None),
        Some(Source::Literal(text)) => Ok(text.decode(chunk, pool)),
        Some(Source::Substitution(i)) => match values.get(*i) {
            Some(v) => Ok(decode(chunk, *v, pool)?.first()),
            None => Ok(None),
        },
    }
}

fn collect_data(
    chunk: &[u8],
    slots: &[DataSlot],
    values: &[ValueRef],
    out: &mut Vec<DataValue>,
    pool: &mut TextPool,
) -> Fast<()> {
    for DataSlot { name, index } in slots {
        let Some(v) = values.get(*index) else {
            continue;
        };
        let name = name.map(Cow::Borrowed);
        // Named SIDs stay binary-decoded: normalization wants the SID, not its text.
        if v.kind == 0x13 && name.is_some() {
            let bytes = chunk.get(v.offset..v.offset + v.size).unwrap_or_default();
            let Ok((sid, _)) = Sid::from_bytes(bytes) else {
                return nope(v.offset, "value bytes");
            };
            out.push(DataValue {
                name,
                value: DataText::Sid(sid),
            });
            continue;
        }
        match decode(chunk, *v, pool)? {
            Decoded::Null => {}
            Decoded::One(value) => out.push(DataValue {
                name,
                value: value.into(),
            }),
            Decoded::Many(items) => out.extend(items.into_iter().map(|value| DataValue {
                name: name.clone(),
                value: value.into(),
            })),
        }
    }
    Ok(())
}

/// A decoded substitution value: NULL, one text, or one per array item.
enum Decoded {
    Null,
    One(String),
    Many(Vec<String>),
}

impl Decoded {
    fn first(self) -> Option<String> {
        match self {
            Decoded::Null => None,
            Decoded::One(s) => Some(s),
            Decoded::Many(items) => items.into_iter().next(),
        }
    }
}

/// Decodes a substitution value to the text the evtx crate would render (strings, the usual
/// value, into a text from `pool`).
fn decode(chunk: &[u8], v: ValueRef, pool: &mut TextPool) -> Fast<Decoded> {
    let bad = NotUnderstood {
        offset: v.offset,
        reason: "value bytes",
    };
    let bytes = chunk.get(v.offset..v.offset + v.size).ok_or(bad.clone())?;
    let int = |n: usize| -> Fast<u64> {
        let b = bytes.get(..n).ok_or(bad.clone())?;
        let mut buf = [0u8; 8];
        buf[..n].copy_from_slice(b);
        Ok(u64::from_le_bytes(buf))
    };
    let one = |s: String| Ok(Decoded::One(s));
    match v.kind {
        0x00 => Ok(Decoded::Null),
        0x01 => one(utf16(pool.text(), bytes, 0, bytes.len() / 2).ok_or(bad.clone())?),
        0x02 => one(bytes
            .iter()
            .map(|b| char::from(*b))
            .collect::<String>()
            .trim_end_matches('\0')
            .to_owned()),
        0x03 => one((int(1)? as u8 as i8).to_string()),
        0x04 => one(int(1)?.to_string()),
        0x05 => one((int(2)? as u16 as i16).to_string()),
        0x06 => one(int(2)?.to_string()),
        0x07 => one((int(4)? as u32 as i32).to_string()),
        0x08 => one(int(4)?.to_string()),
        0x09 => one((int(8)? as i64).to_string()),
        0x0a => one(int(8)?.to_string()),
        0x0d => one((int(4)? != 0).to_string()),
        0x0e => one(bytes.iter().map(|b| format!("{b:02X}")).collect()),
        0x0f => {
            let guid = Guid::from_bytes(bytes).map_err(|_| bad.clone())?;
            one(format!("{{{guid}}}"))
        }
        0x10 if v.size == 8 => one(format!("0x{:016x}", int(8)?)),
        0x10 if v.size == 4 => one(format!("0x{:08x}", int(4)?)),
        0x11 => {
            let t = FileTime::from_raw(int(8)? as i64).instant().ok_or(bad.clone())?;
            one(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        }
        0x13 => {
            let (sid, _) = Sid::from_bytes(bytes).map_err(|_| bad.clone())?;
            one(sid.to_string())
        }
        0x14 => one(format!("0x{:x}", int(4)?)),
        0x15 => one(format!("0x{:x}", int(8)?)),
        0x81 => {
            let mut units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            // Each item is NUL-terminated: the last NUL ends the array, not an empty item.
            if units.last() == Some(&0) {
                units.pop();
            }
            Ok(Decoded::Many(
                units.split(|u| *u == 0).map(String::from_utf16_lossy).collect(),
            ))
        }
        _ => nope(v.offset, "value type the fast reader does not decode"),
    }
}

/// One open element while walking a template definition.
struct Frame {
    name: Name,
    /// The literal `Name` attribute of a `<Data>` element.
    data_name: Option<DataName>,
    in_system: bool,
}

/// Walks a template definition's token stream once and records where each value of interest is.
fn analyze(chunk: &[u8], def: usize, stack: &mut Vec<Frame>) -> Fast<Layout> {
    let Some(size) = u32_at(chunk, def + 20) else {
        return nope(def, "template header");
    };
    let mut pos = def + TEMPLATE_HEADER_SIZE;
    let end = pos.saturating_add(size as usize).min(chunk.len());
    let mut layout = Layout::default();
    stack.clear();
    // The attribute whose value comes next, if any.
    let mut attribute: Option<Name> = None;
    let truncated = |at: usize| NotUnderstood {
        offset: at,
        reason: "truncated template",
    };
    while pos < end {
        let token = u8_at(chunk, pos).ok_or(truncated(pos))?;
        pos += 1;
        match token {
            0x00 => break,
            0x0f => pos += 3,
            0x01 | 0x41 => {
                // dependency id u16, data size u32, name offset u32
                let name_offset = u32_at(chunk, pos + 6).ok_or(truncated(pos))? as usize;
                pos += 10;
                if name_offset == pos {
                    let len = u16_at(chunk, pos + 6).ok_or(truncated(pos))?;
                    pos += 8 + 2 * usize::from(len) + 2;
                }
                if token == 0x41 {
                    pos += 4;
                }
                let name = name_at(chunk, name_offset).ok_or(truncated(name_offset))?;
                let in_system = stack
                    .last()
                    .is_some_and(|f| f.in_system || f.name == Name::System);
                stack.push(Frame {
                    name,
                    data_name: None,
                    in_system,
                });
                attribute = None;
            }
            0x02 => attribute = None,
            0x03 | 0x04 => {
                stack.pop();
                attribute = None;
            }
            0x06 | 0x46 => {
                let name_offset = u32_at(chunk, pos).ok_or(truncated(pos))? as usize;
                pos += 4;
                if name_offset == pos {
                    let len = u16_at(chunk, pos + 6).ok_or(truncated(pos))?;
                    pos += 8 + 2 * usize::from(len) + 2;
                }
                attribute = Some(name_at(chunk, name_offset).ok_or(truncated(name_offset))?);
            }
            0x05 | 0x45 => {
                if u8_at(chunk, pos) != Some(0x01) {
                    return nope(pos, "literal value that is not a string");
                }
                let units = usize::from(u16_at(chunk, pos + 1).ok_or(truncated(pos))?);
                let text = Text {
                    offset: pos + 3,
                    units,
                };
                pos += 3 + 2 * units;
                if pos > end {
                    return Err(truncated(pos));
                }
                literal(chunk, &mut layout, stack.last_mut(), attribute, text);
            }
            0x0d | 0x0e => {
                let index = usize::from(u16_at(chunk, pos).ok_or(truncated(pos))?);
                let kind = u8_at(chunk, pos + 2).ok_or(truncated(pos))?;
                pos += 3;
                substitution(&mut layout, stack.last(), attribute, index, kind)?;
            }
            0x08 | 0x48 => pos += 2,
            0x07 | 0x47 | 0x0b => {
                let len = usize::from(u16_at(chunk, pos).ok_or(truncated(pos))?);
                pos += 2 + 2 * len;
            }
            _ => return nope(pos - 1, "template token the fast reader does not read"),
        }
    }
    Ok(layout)
}

fn literal(
    chunk: &[u8],
    layout: &mut Layout,
    frame: Option<&mut Frame>,
    attribute: Option<Name>,
    text: Text,
) {
    let Some(frame) = frame else {
        return;
    };
    match (frame.name, attribute) {
        (Name::Provider, Some(Name::Named)) if frame.in_system => {
            layout.provider = Some(Source::Literal(text))
        }
        (Name::Data, Some(Name::Named)) => {
            let bytes = chunk
                .get(text.offset..text.offset + 2 * text.units)
                .unwrap_or_default();
            frame.data_name = Some(
                NAMED_FIELDS
                    .into_iter()
                    .find(|f| f.len() == text.units && utf16_is(bytes, f))
                    .map_or(DataName::Ignored, DataName::Field),
            );
        }
        (Name::Computer, None) if frame.in_system => layout.computer = Some(Source::Literal(text)),
        (Name::Channel, None) if frame.in_system => layout.channel = Some(Source::Literal(text)),
        _ => {}
    }
}

fn substitution(
    layout: &mut Layout,
    frame: Option<&Frame>,
    attribute: Option<Name>,
    index: usize,
    kind: u8,
) -> Fast<()> {
    let Some(frame) = frame else {
        return Ok(());
    };
    let sub = Source::Substitution(index);
    if frame.in_system {
        match (frame.name, attribute) {
            (Name::Provider, Some(Name::Named)) => layout.provider = Some(sub),
            (Name::TimeCreated, Some(Name::SystemTime)) => layout.time = Some(index),
            (Name::EventId, None) => layout.event_id = Some(index),
            (Name::EventRecordId, None) => layout.record_id = Some(index),
            (Name::Correlation, Some(Name::ActivityId)) => layout.activity_id = Some(index),
            (Name::Level, None) => layout.level = Some(index),
            (Name::Keywords, None) => layout.keywords = Some(index),
            (Name::Computer, None) => layout.computer = Some(sub),
            (Name::Channel, None) => layout.channel = Some(sub),
            _ => {}
        }
        return Ok(());
    }
    match (frame.name, attribute) {
        (Name::Data, Some(Name::Named)) => nope(0, "Data name from a substitution"),
        (Name::Data, None) => {
            let name = match frame.data_name {
                None => None,
                Some(DataName::Field(f)) => Some(f),
                Some(DataName::Ignored) => return Ok(()),
            };
            layout.data.push(DataSlot { name, index });
            Ok(())
        }
        (_, None) if kind == 0x21 && layout.nested.is_none() => {
            layout.nested = Some(index);
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECURITY: &[u8] = include_bytes!("../../../tests/data/evtx/security.evtx");

    fn first_chunk() -> Vec<u8> {
        SECURITY
            .get(4096..4096 + 65536)
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    }

    fn header(chunk: &[u8]) -> EvtxChunkHeader {
        EvtxChunkHeader::from_bytes(chunk).unwrap_or_else(|e| panic!("chunk header: {e}"))
    }

    #[test]
    fn reads_every_record_and_decodes_only_hits() {
        let chunk = first_chunk();
        let h = header(&chunk);
        let mut reader = FastReader::default();
        let scan = reader
            .scan_chunk(&chunk, chunk.len(), &h, &Interest::new(Some(&[4724])))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(scan.records, h.last_event_record_id - h.first_event_record_id + 1);
        assert_eq!(scan.hits.len(), 1);
        let hit = &scan.hits[0];
        assert_eq!((hit.event_id, hit.record_id), (4724, 57));
        assert_eq!(hit.provider, "Microsoft-Windows-Security-Auditing");
        assert_eq!(hit.keywords, Some(0x8020_0000_0000_0000));
        // Only the names normalization reads are decoded (SubjectLogonId is not).
        let names: Vec<&str> = hit.data.iter().filter_map(|d| d.name.as_deref()).collect();
        assert!(
            names.contains(&"TargetSid") && !names.contains(&"SubjectLogonId"),
            "{names:?}"
        );
        assert!(reader.layouts.len() > 1, "templates are cached per chunk");
    }

    #[test]
    fn a_record_that_is_not_a_template_instance_is_handed_over() {
        let mut chunk = first_chunk();
        // The first record's BinXML: fragment header, then the template instance token.
        let token = 512 + RECORD_HEADER_SIZE + 4;
        assert_eq!(chunk[token], 0x0c);
        chunk[token] = 0x01;
        let h = header(&chunk);
        let err = FastReader::default()
            .scan_chunk(&chunk, chunk.len(), &h, &Interest::new(None))
            .err();
        assert_eq!(
            err,
            Some(NotUnderstood {
                offset: token,
                reason: "not a template instance"
            })
        );
    }

    #[test]
    fn a_damaged_record_size_is_handed_over() {
        let mut chunk = first_chunk();
        chunk[512 + 4..512 + 8].copy_from_slice(&7u32.to_le_bytes());
        let h = header(&chunk);
        let err = FastReader::default()
            .scan_chunk(&chunk, chunk.len(), &h, &Interest::new(None))
            .err();
        assert_eq!(err.map(|e| (e.offset, e.reason)), Some((512, "record size")));
    }

    #[test]
    fn string_arrays_give_one_text_per_item() {
        let mut bytes = Vec::new();
        for s in ["first", "", "third"] {
            bytes.extend(s.encode_utf16().chain([0]).flat_map(u16::to_le_bytes));
        }
        let v = ValueRef {
            offset: 0,
            size: bytes.len(),
            kind: 0x81,
        };
        match decode(&bytes, v, &mut TextPool::default()) {
            Ok(Decoded::Many(items)) => assert_eq!(items, vec!["first", "", "third"]),
            _ => panic!("an array"),
        }
        let sid = ValueRef {
            offset: 0,
            size: 3,
            kind: 0x13,
        };
        assert!(
            decode(&[1, 5, 0], sid, &mut TextPool::default()).is_err(),
            "a cut SID is not understood"
        );
    }
}
