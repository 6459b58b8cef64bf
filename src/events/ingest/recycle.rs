//! The texts of events a reader is done with, reused for the next records it decodes. A broad
//! timeline (`events --id 4624`: nearly every record of a DC's Security log) decodes hundreds of
//! thousands of events on each reader; allocating and freeing every event's provider, machine,
//! channel and EventData texts was most of what such an event cost.

use crate::events::model::Event;
use crate::events::normalize::{DataText, DataValue};

/// Spare texts kept at most. A chunk's records are all decoded before its events are gathered
/// and give their texts back, so the pool must cover a chunk: up to about 200 records of
/// interest, a handful of texts each.
const KEPT: usize = 2048;
/// Spare data vectors kept at most, one per record of a chunk.
const KEPT_DATA: usize = 256;
/// A text grown past this (a long message) is freed rather than kept.
const KEPT_CAPACITY: usize = 1024;

/// One reader's spare buffers.
#[derive(Debug, Default)]
pub(super) struct TextPool {
    texts: Vec<String>,
    data: Vec<Vec<DataValue>>,
}

impl TextPool {
    /// An empty text, with the capacity a previous one left.
    pub(super) fn text(&mut self) -> String {
        let mut text = self.texts.pop().unwrap_or_default();
        text.clear();
        text
    }

    /// An empty data vector, with the capacity a previous record's left.
    pub(super) fn data(&mut self) -> Vec<DataValue> {
        self.data.pop().unwrap_or_else(|| Vec::with_capacity(8))
    }

    fn keep(&mut self, text: String) {
        if (1..=KEPT_CAPACITY).contains(&text.capacity()) && self.texts.len() < KEPT {
            self.texts.push(text);
        }
    }

    /// Takes back what normalization left of a record's data.
    pub(super) fn recycle_data(&mut self, mut data: Vec<DataValue>) {
        for d in data.drain(..) {
            if let DataText::Text(t) = d.value {
                self.keep(t);
            }
        }
        if data.capacity() <= 64 && self.data.len() < KEPT_DATA {
            self.data.push(data);
        }
    }

    /// Takes back an event's texts: the record's own and the EventData fields the Security
    /// log fills (other fields are rare and simply freed).
    pub(super) fn recycle(&mut self, event: Event) {
        let Event {
            machine,
            channel,
            provider,
            message,
            fields: f,
            ..
        } = event;
        for text in [machine, channel, provider, message] {
            self.keep(text);
        }
        let fields = [
            f.user_principal_name,
            f.target_user,
            f.target_domain,
            f.subject_user,
            f.subject_domain,
            f.caller_computer,
            f.password_last_set,
            f.old_uac,
            f.new_uac,
        ];
        for text in fields.into_iter().flatten() {
            self.keep(text);
        }
    }
}
