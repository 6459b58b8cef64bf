//! Binary XML encoding: template definitions (element trees with inline names and substitution
//! slots) and the typed substitution values of a template instance. Positions written into the
//! stream (name offsets, definition offsets) are chunk-relative, so everything is appended to a
//! [`Sink`] that knows where its bytes will sit in the chunk.

use crate::security::{Guid, Sid};

const TOKEN_EOF: u8 = 0x00;
const TOKEN_OPEN_START: u8 = 0x01;
const TOKEN_CLOSE_START: u8 = 0x02;
const TOKEN_CLOSE_EMPTY: u8 = 0x03;
const TOKEN_END_ELEMENT: u8 = 0x04;
const TOKEN_VALUE: u8 = 0x05;
const TOKEN_ATTRIBUTE: u8 = 0x06;
const TOKEN_TEMPLATE_INSTANCE: u8 = 0x0C;
const TOKEN_OPTIONAL_SUBSTITUTION: u8 = 0x0E;
const TOKEN_NORMAL_SUBSTITUTION: u8 = 0x0D;
/// "More data follows": on an element it means "has attributes", on an attribute "another follows".
const FLAG_MORE: u8 = 0x40;
const FRAGMENT_HEADER: [u8; 4] = [0x0F, 0x01, 0x01, 0x00];
/// Dependency id meaning "this element is always rendered".
const NO_DEPENDENCY: u16 = 0xFFFF;

/// BinXML value type codes used by the layouts (MS-EVEN6 2.2.12 / libyal "Value types").
pub mod value_type {
    pub const NULL: u8 = 0x00;
    pub const STRING: u8 = 0x01;
    pub const UINT8: u8 = 0x04;
    pub const UINT16: u8 = 0x06;
    pub const UINT32: u8 = 0x08;
    pub const UINT64: u8 = 0x0A;
    pub const BINARY: u8 = 0x0E;
    pub const GUID: u8 = 0x0F;
    pub const FILETIME: u8 = 0x11;
    pub const SID: u8 = 0x13;
    pub const HEX_INT32: u8 = 0x14;
    pub const HEX_INT64: u8 = 0x15;
    pub const BINXML: u8 = 0x21;
    pub const STRING_ARRAY: u8 = 0x81;
}

/// The content of an element or attribute inside a template definition.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// Literal text stored in the definition.
    Text(String),
    /// Substitution slot `index` of type `value_type`; optional slots vanish when their value is NULL.
    Slot {
        index: u16,
        value_type: u8,
        optional: bool,
    },
}

/// An element of a template definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub name: &'static str,
    pub attributes: Vec<(&'static str, Content)>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Element(Element),
    Content(Content),
}

impl Element {
    pub fn new(name: &'static str) -> Element {
        Element {
            name,
            attributes: Vec::new(),
            children: Vec::new(),
        }
    }

    pub fn attr(mut self, name: &'static str, content: Content) -> Element {
        self.attributes.push((name, content));
        self
    }

    pub fn child(mut self, element: Element) -> Element {
        self.children.push(Node::Element(element));
        self
    }

    pub fn content(mut self, content: Content) -> Element {
        self.children.push(Node::Content(content));
        self
    }
}

/// An optional substitution slot (what Windows uses in the System part).
pub fn opt(index: u16, value_type: u8) -> Content {
    Content::Slot {
        index,
        value_type,
        optional: true,
    }
}

/// A normal substitution slot (what manifests use for `<Data Name=..>` values).
pub fn sub(index: u16, value_type: u8) -> Content {
    Content::Slot {
        index,
        value_type,
        optional: false,
    }
}

pub fn text(s: &str) -> Content {
    Content::Text(s.to_string())
}

/// One substitution value of a template instance.
#[derive(Debug, Clone, PartialEq)]
pub enum SubValue {
    Null,
    String(String),
    UInt8(u8),
    UInt16(u16),
    UInt32(u32),
    UInt64(u64),
    HexInt32(u32),
    HexInt64(u64),
    FileTime(u64),
    Guid(Guid),
    Sid(Sid),
    /// Each item NUL-terminated, back to back (type 0x81).
    StringArray(Vec<String>),
    /// A nested fragment (type 0x21), e.g. the EventData of every Windows record. Encoded at its
    /// final position because its template offsets are chunk-relative too.
    Fragment(Box<Instance>),
}

impl SubValue {
    fn value_type(&self) -> u8 {
        use value_type as t;
        match self {
            SubValue::Null => t::NULL,
            SubValue::String(_) => t::STRING,
            SubValue::UInt8(_) => t::UINT8,
            SubValue::UInt16(_) => t::UINT16,
            SubValue::UInt32(_) => t::UINT32,
            SubValue::UInt64(_) => t::UINT64,
            SubValue::HexInt32(_) => t::HEX_INT32,
            SubValue::HexInt64(_) => t::HEX_INT64,
            SubValue::FileTime(_) => t::FILETIME,
            SubValue::Guid(_) => t::GUID,
            SubValue::Sid(_) => t::SID,
            SubValue::StringArray(_) => t::STRING_ARRAY,
            SubValue::Fragment(_) => t::BINXML,
        }
    }

    /// The value's bytes when they start at chunk-relative `at`.
    fn encode(&self, at: u32, defined: &mut Definitions) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            SubValue::Null => {}
            SubValue::String(s) => put_utf16(&mut out, s),
            SubValue::UInt8(v) => out.push(*v),
            SubValue::UInt16(v) => out.extend_from_slice(&v.to_le_bytes()),
            SubValue::UInt32(v) | SubValue::HexInt32(v) => out.extend_from_slice(&v.to_le_bytes()),
            SubValue::UInt64(v) | SubValue::HexInt64(v) | SubValue::FileTime(v) => {
                out.extend_from_slice(&v.to_le_bytes())
            }
            SubValue::Guid(g) => out.extend_from_slice(&g.to_bytes()),
            SubValue::Sid(s) => out.extend_from_slice(&s.to_bytes()),
            SubValue::StringArray(items) => {
                for item in items {
                    put_utf16(&mut out, item);
                    out.extend_from_slice(&[0, 0]);
                }
            }
            SubValue::Fragment(instance) => {
                let mut sink = Sink {
                    buf: &mut out,
                    base: at,
                };
                write_fragment(&mut sink, instance, defined);
            }
        }
        out
    }
}

/// A template: its identity (GUID, from which the instance's template id is taken) and its tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub guid: [u8; 16],
    pub root: Element,
}

/// A template with the values of one record.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub template: Template,
    pub values: Vec<SubValue>,
}

/// The templates already defined in the current chunk: GUID -> chunk-relative definition offset.
pub type Definitions = std::collections::HashMap<[u8; 16], u32>;

/// Bytes being appended at a known chunk-relative position.
pub struct Sink<'a> {
    pub buf: &'a mut Vec<u8>,
    /// Chunk-relative offset of `buf[0]`.
    pub base: u32,
}

impl Sink<'_> {
    fn pos(&self) -> u32 {
        self.base + self.buf.len() as u32
    }
}

/// Appends fragment header + template instance + values + EOF: the BinXML of a record or of a
/// nested fragment value. The definition is written inline the first time a template appears in
/// the chunk (recorded in `defined`) and referenced by offset afterwards.
pub fn write_fragment(sink: &mut Sink, instance: &Instance, defined: &mut Definitions) {
    let template = &instance.template;
    sink.buf.extend_from_slice(&FRAGMENT_HEADER);
    sink.buf.push(TOKEN_TEMPLATE_INSTANCE);
    sink.buf.push(0x01);
    sink.buf.extend_from_slice(&template.guid[..4]);
    match defined.get(&template.guid) {
        Some(&offset) => put_u32(sink.buf, offset),
        None => {
            let offset = sink.pos() + 4;
            put_u32(sink.buf, offset);
            write_definition(sink, template);
            defined.insert(template.guid, offset);
        }
    }
    let count = instance.values.len() as u32;
    put_u32(sink.buf, count);
    let mut at = sink.pos() + 4 * count;
    let mut encoded = Vec::with_capacity(instance.values.len());
    for v in &instance.values {
        let bytes = v.encode(at, defined);
        at += bytes.len() as u32;
        encoded.push(bytes);
    }
    for (v, bytes) in instance.values.iter().zip(&encoded) {
        sink.buf.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
        sink.buf.push(v.value_type());
        sink.buf.push(0);
    }
    for bytes in &encoded {
        sink.buf.extend_from_slice(bytes);
    }
    sink.buf.push(TOKEN_EOF);
}

fn write_definition(sink: &mut Sink, template: &Template) {
    put_u32(sink.buf, 0); // next definition in the hash bucket: none
    sink.buf.extend_from_slice(&template.guid);
    let size_at = sink.buf.len();
    put_u32(sink.buf, 0);
    let start = sink.buf.len();
    sink.buf.extend_from_slice(&FRAGMENT_HEADER);
    write_element(sink, &template.root);
    sink.buf.push(TOKEN_EOF);
    let size = (sink.buf.len() - start) as u32;
    patch_u32(sink.buf, size_at, size);
}

fn write_element(sink: &mut Sink, e: &Element) {
    let flags = if e.attributes.is_empty() { 0 } else { FLAG_MORE };
    sink.buf.push(TOKEN_OPEN_START | flags);
    sink.buf.extend_from_slice(&NO_DEPENDENCY.to_le_bytes());
    let size_at = sink.buf.len();
    put_u32(sink.buf, 0);
    let start = sink.buf.len();
    write_inline_name(sink, e.name);
    if !e.attributes.is_empty() {
        let list_at = sink.buf.len();
        put_u32(sink.buf, 0);
        let list_start = sink.buf.len();
        for (i, (name, content)) in e.attributes.iter().enumerate() {
            let more = if i + 1 < e.attributes.len() { FLAG_MORE } else { 0 };
            sink.buf.push(TOKEN_ATTRIBUTE | more);
            write_inline_name(sink, name);
            write_content(sink, content);
        }
        let size = (sink.buf.len() - list_start) as u32;
        patch_u32(sink.buf, list_at, size);
    }
    if e.children.is_empty() {
        sink.buf.push(TOKEN_CLOSE_EMPTY);
    } else {
        sink.buf.push(TOKEN_CLOSE_START);
        for child in &e.children {
            match child {
                Node::Element(c) => write_element(sink, c),
                Node::Content(c) => write_content(sink, c),
            }
        }
        sink.buf.push(TOKEN_END_ELEMENT);
    }
    let size = (sink.buf.len() - start) as u32;
    patch_u32(sink.buf, size_at, size);
}

fn write_content(sink: &mut Sink, content: &Content) {
    match content {
        Content::Text(s) => {
            sink.buf.push(TOKEN_VALUE);
            sink.buf.push(value_type::STRING);
            sink.buf
                .extend_from_slice(&(s.encode_utf16().count() as u16).to_le_bytes());
            put_utf16(sink.buf, s);
        }
        Content::Slot {
            index,
            value_type,
            optional,
        } => {
            sink.buf.push(if *optional {
                TOKEN_OPTIONAL_SUBSTITUTION
            } else {
                TOKEN_NORMAL_SUBSTITUTION
            });
            sink.buf.extend_from_slice(&index.to_le_bytes());
            sink.buf.push(*value_type);
        }
    }
}

/// A name offset pointing just past itself, followed by the name structure: the parsers read it
/// inline and cache it by offset.
fn write_inline_name(sink: &mut Sink, name: &str) {
    let at = sink.pos() + 4;
    put_u32(sink.buf, at);
    put_u32(sink.buf, 0);
    sink.buf.extend_from_slice(&name_hash(name).to_le_bytes());
    sink.buf
        .extend_from_slice(&(name.encode_utf16().count() as u16).to_le_bytes());
    put_utf16(sink.buf, name);
    sink.buf.extend_from_slice(&[0, 0]);
}

/// MS-EVEN6 NameHash: h = h * 65599 + c over the UTF-16 code units, low 16 bits kept.
pub fn name_hash(name: &str) -> u16 {
    let h = name
        .encode_utf16()
        .fold(0u32, |h, c| h.wrapping_mul(65599).wrapping_add(u32::from(c)));
    h as u16
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn patch_u32(out: &mut [u8], at: usize, v: u32) {
    if let Some(slot) = out.get_mut(at..at + 4) {
        slot.copy_from_slice(&v.to_le_bytes());
    }
}

fn put_utf16(out: &mut Vec<u8>, s: &str) {
    for unit in s.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_hash_matches_the_ms_even6_definition() {
        let mut h: u64 = 0;
        for c in "Data".encode_utf16() {
            h = (h * 65599 + u64::from(c)) % (1 << 32);
        }
        assert_eq!(name_hash("Data"), (h & 0xFFFF) as u16);
        assert_ne!(name_hash("Data"), name_hash("Date"));
    }

    #[test]
    fn inline_names_point_just_past_their_offset_field() {
        let mut buf = Vec::new();
        write_inline_name(
            &mut Sink {
                buf: &mut buf,
                base: 600,
            },
            "Event",
        );
        assert_eq!(u32::from_le_bytes(buf[0..4].try_into().unwrap()), 604);
        assert_eq!(u16::from_le_bytes([buf[10], buf[11]]), 5);
        assert_eq!(buf.len(), 4 + 8 + 10 + 2);
    }

    fn one_string(s: &str) -> Instance {
        Instance {
            template: Template {
                guid: [7; 16],
                root: Element::new("EventData")
                    .child(Element::new("Data").content(sub(0, value_type::STRING))),
            },
            values: vec![SubValue::String(s.into())],
        }
    }

    #[test]
    fn the_second_instance_in_a_chunk_references_the_first_definition() {
        let mut defined = Definitions::new();
        let mut first = Vec::new();
        write_fragment(
            &mut Sink {
                buf: &mut first,
                base: 536,
            },
            &one_string("a"),
            &mut defined,
        );
        assert_eq!(defined.get(&[7; 16]), Some(&(536 + 14)));
        let mut second = Vec::new();
        write_fragment(
            &mut Sink {
                buf: &mut second,
                base: 2000,
            },
            &one_string("a"),
            &mut defined,
        );
        // fragment header, 0C 01, id, offset, count, one descriptor, "a", EOF
        assert_eq!(second.len(), 4 + 2 + 4 + 4 + 4 + 4 + 2 + 1);
        assert_eq!(u32::from_le_bytes(second[10..14].try_into().unwrap()), 536 + 14);
        assert!(first.len() > second.len());
    }

    #[test]
    fn a_nested_fragment_is_encoded_at_its_final_position() {
        let mut defined = Definitions::new();
        let outer = Instance {
            template: Template {
                guid: [1; 16],
                root: Element::new("Event").content(opt(0, value_type::BINXML)),
            },
            values: vec![SubValue::Fragment(Box::new(one_string("x")))],
        };
        let mut buf = Vec::new();
        write_fragment(
            &mut Sink {
                buf: &mut buf,
                base: 536,
            },
            &outer,
            &mut defined,
        );
        let nested_at = *defined.get(&[7; 16]).unwrap() as usize - 536;
        // The nested definition offset points at a definition whose GUID follows its next-def field.
        assert_eq!(&buf[nested_at + 4..nested_at + 20], &[7; 16]);
    }
}
