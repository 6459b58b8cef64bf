//! How Windows lays out an event as templates: the System part (classic event-log sources with a
//! literal provider name; manifest providers with name and GUID as substitutions) and the EventData
//! part (one string array for classic sources, `<Data Name=..>` typed values for manifests).
//! Value indexes and types mirror real records (evtx-notes.md section 4), so parsers see the same
//! structure as in a log exported from Windows.

use super::binxml::{opt, sub, text, value_type as t, Element, Instance, SubValue, Template};
use super::{EventData, Provider, Record, Value};
use crate::ad::time::to_filetime;

const EVENT_NS: &str = "http://schemas.microsoft.com/win/2004/08/events/event";

/// The whole record as a template instance with its nested EventData fragment.
pub fn record_instance(r: &Record) -> Instance {
    let event_data = Box::new(event_data_instance(&r.data));
    let filetime = u64::try_from(to_filetime(r.time)).unwrap_or(0);
    let mut values = vec![
        SubValue::UInt8(r.level),
        SubValue::UInt8(0), // opcode
        SubValue::UInt16(r.task),
        SubValue::UInt16(r.event_id),
        SubValue::Null, // qualifiers (set below for classic sources)
        SubValue::HexInt64(r.keywords),
        SubValue::FileTime(filetime),
        r.activity_id.map_or(SubValue::Null, SubValue::Guid),
        SubValue::UInt32(r.process_id),
        SubValue::UInt32(r.thread_id),
        SubValue::UInt64(r.record_id),
        SubValue::UInt8(0), // version
        SubValue::Null,     // security user id
    ];
    match &r.provider {
        Provider::Classic { name } => {
            values[4] = SubValue::UInt16(0);
            // Windows leaves 13..=18 empty for classic sources and puts the related activity at 18.
            values.extend(std::iter::repeat(SubValue::Null).take(6));
            values.push(SubValue::Fragment(event_data));
            Instance {
                template: system_template(SystemKind::Classic { provider: name }, &r.channel, &r.computer),
                values,
            }
        }
        Provider::Manifest { name, guid } => {
            values.push(SubValue::Null); // related activity id
            values.push(SubValue::String(name.clone()));
            values.push(SubValue::Guid(*guid));
            values.push(SubValue::String(r.channel.clone()));
            values.push(SubValue::Fragment(event_data));
            Instance {
                template: system_template(SystemKind::Manifest, &r.channel, &r.computer),
                values,
            }
        }
    }
}

enum SystemKind<'a> {
    Classic { provider: &'a str },
    Manifest,
}

fn system_template(kind: SystemKind, channel: &str, computer: &str) -> Template {
    let (provider, related_activity, channel_content, event_data, key) = match kind {
        SystemKind::Classic { provider } => (
            Element::new("Provider").attr("Name", text(provider)),
            18,
            text(channel),
            19,
            format!("classic-system\0{provider}\0{channel}\0{computer}"),
        ),
        SystemKind::Manifest => (
            Element::new("Provider")
                .attr("Name", opt(14, t::STRING))
                .attr("Guid", opt(15, t::GUID)),
            13,
            opt(16, t::STRING),
            17,
            format!("manifest-system\0{computer}"),
        ),
    };
    let system = Element::new("System")
        .child(provider)
        .child(
            Element::new("EventID")
                .attr("Qualifiers", opt(4, t::UINT16))
                .content(opt(3, t::UINT16)),
        )
        .child(Element::new("Version").content(opt(11, t::UINT8)))
        .child(Element::new("Level").content(opt(0, t::UINT8)))
        .child(Element::new("Task").content(opt(2, t::UINT16)))
        .child(Element::new("Opcode").content(opt(1, t::UINT8)))
        .child(Element::new("Keywords").content(opt(5, t::HEX_INT64)))
        .child(Element::new("TimeCreated").attr("SystemTime", opt(6, t::FILETIME)))
        .child(Element::new("EventRecordID").content(opt(10, t::UINT64)))
        .child(
            Element::new("Correlation")
                .attr("ActivityID", opt(7, t::GUID))
                .attr("RelatedActivityID", opt(related_activity, t::GUID)),
        )
        .child(
            Element::new("Execution")
                .attr("ProcessID", opt(8, t::UINT32))
                .attr("ThreadID", opt(9, t::UINT32)),
        )
        .child(Element::new("Channel").content(channel_content))
        .child(Element::new("Computer").content(text(computer)))
        .child(Element::new("Security").attr("UserID", opt(12, t::SID)));
    Template {
        guid: template_guid(&key),
        root: Element::new("Event")
            .attr("xmlns", text(EVENT_NS))
            .child(system)
            .content(opt(event_data, t::BINXML)),
    }
}

fn event_data_instance(data: &EventData) -> Instance {
    match data {
        EventData::ClassicStrings(strings) => Instance {
            template: Template {
                guid: template_guid("classic-eventdata"),
                root: Element::new("EventData")
                    .child(Element::new("Data").content(opt(0, t::STRING_ARRAY)))
                    .child(Element::new("Binary").content(opt(2, t::BINARY))),
            },
            values: vec![
                SubValue::StringArray(strings.clone()),
                SubValue::UInt32(0),
                SubValue::Null,
            ],
        },
        EventData::Named(fields) => {
            let mut key = String::from("named-eventdata");
            let mut root = Element::new("EventData");
            let mut values = Vec::with_capacity(fields.len());
            for (i, (name, value)) in fields.iter().enumerate() {
                let v = sub_value(value);
                let ty = type_of(value);
                key.push('\0');
                key.push_str(name);
                key.push_str(&format!(":{ty:02x}"));
                root = root.child(
                    Element::new("Data")
                        .attr("Name", text(name))
                        .content(sub(i as u16, ty)),
                );
                values.push(v);
            }
            Instance {
                template: Template {
                    guid: template_guid(&key),
                    root,
                },
                values,
            }
        }
    }
}

fn sub_value(v: &Value) -> SubValue {
    match v {
        Value::String(s) => SubValue::String(s.clone()),
        Value::Sid(s) => SubValue::Sid(s.clone()),
        Value::Guid(g) => SubValue::Guid(*g),
        Value::UInt32(n) => SubValue::UInt32(*n),
        Value::HexInt32(n) => SubValue::HexInt32(*n),
        Value::HexInt64(n) => SubValue::HexInt64(*n),
    }
}

fn type_of(v: &Value) -> u8 {
    match v {
        Value::String(_) => t::STRING,
        Value::Sid(_) => t::SID,
        Value::Guid(_) => t::GUID,
        Value::UInt32(_) => t::UINT32,
        Value::HexInt32(_) => t::HEX_INT32,
        Value::HexInt64(_) => t::HEX_INT64,
    }
}

/// A stable GUID per template shape: four CRC32s of the key with different seeds. Windows takes
/// the template id from the GUID's first four bytes, so distinct shapes get distinct ids.
fn template_guid(key: &str) -> [u8; 16] {
    let mut guid = [0u8; 16];
    for (seed, part) in guid.chunks_exact_mut(4).enumerate() {
        let mut h = crc32fast::Hasher::new_with_initial(seed as u32 + 1);
        h.update(key.as_bytes());
        part.copy_from_slice(&h.finalize().to_le_bytes());
    }
    guid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_guids_differ_by_shape_and_are_stable() {
        assert_eq!(template_guid("a"), template_guid("a"));
        assert_ne!(template_guid("a"), template_guid("b"));
    }

    #[test]
    fn named_data_templates_depend_on_names_and_types() {
        let a = event_data_instance(&EventData::Named(vec![("X".into(), Value::String("1".into()))]));
        let b = event_data_instance(&EventData::Named(vec![("X".into(), Value::UInt32(1))]));
        let c = event_data_instance(&EventData::Named(vec![("Y".into(), Value::String("1".into()))]));
        assert_ne!(a.template.guid, b.template.guid);
        assert_ne!(a.template.guid, c.template.guid);
    }
}
