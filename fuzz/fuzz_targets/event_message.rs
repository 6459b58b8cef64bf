//! Arbitrary text as a classic-source event message (PasswordResetService, ADSync, Directory
//! Synchronization): the parsers must never panic, a batch must give at least one entry, every
//! decoded anchor must be what its base64 decodes to, the one-line summary must carry no
//! control characters, and the timeline's JSON line must be the bytes serde_json makes of the view
//! (raw fuzzed text included, which the view would have sanitized).

#![no_main]

use libfuzzer_sys::fuzz_target;
use resetlens::events::message::{decode_anchor, parse};
use resetlens::events::EventKind;
use resetlens::testkit::EventBuilder;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for id in [31001, 33008, 6329, 656, 657] {
        let entries = parse(id, &text);
        assert!(!entries.is_empty(), "parse gives at least one entry");
        for fields in entries {
            assert_eq!(
                fields.source_anchor,
                fields.source_anchor_b64.as_deref().and_then(decode_anchor),
                "anchor is the decoded base64"
            );
            let event = EventBuilder::new(id, EventKind::WritebackFailure, Default::default())
                .machine(text.to_string())
                .channel("Application")
                .provider("PasswordResetService")
                .level(2)
                .record("fuzz.evtx", 1)
                .message(text.to_string())
                .fields(fields)
                .build();
            let view = event.view();
            assert!(
                !view.summary.chars().any(char::is_control),
                "summary is sanitized"
            );
            assert!(
                !view.machine.chars().any(char::is_control),
                "machine is sanitized"
            );
            let mut raw = view.clone();
            raw.summary = text.to_string().into();
            for v in [&view, &raw] {
                let mut line = Vec::new();
                assert!(v.write_json_line(&mut line).is_ok());
                let mut expected = serde_json::to_vec(v).unwrap_or_default();
                expected.push(b'\n');
                assert_eq!(line, expected, "JSON line is serde_json's");
            }
        }
    }
});
