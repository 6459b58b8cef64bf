//! The contract's JSON report (`resetlens.diagnosis/1`): the `Diagnosis` serialized as is. Values
//! stay exact; `sanitize::json_inert` only escapes what serde_json leaves raw (C1 and bidi controls)
//! so the report is safe to print to a terminal.

use std::io::{self, Write};

use crate::diagnosis::Diagnosis;
use crate::sanitize::json_inert;

pub fn render(d: &Diagnosis, out: &mut impl Write) -> io::Result<()> {
    let json = serde_json::to_string_pretty(d)?;
    writeln!(out, "{}", json_inert(json))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::contoso::blocked_diagnosis;

    #[test]
    fn hostile_directory_text_is_exact_in_the_json_but_inert_on_a_terminal() {
        let mut d = blocked_diagnosis();
        let hostile = "Eve\u{9b}2J\u{202e}gpj.exe";
        d.user.display_name = Some(hostile.into());
        let mut out = Vec::new();
        render(&d, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\u{9b}') && !text.contains('\u{202e}'));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["user"]["display_name"], hostile);
    }

    #[test]
    fn contract_shape() {
        let mut out = Vec::new();
        render(&blocked_diagnosis(), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["schema"], "resetlens.diagnosis/1");
        for key in [
            "generated_at",
            "evaluated_at",
            "user",
            "account",
            "inheritance",
            "connector",
            "rights",
            "policy",
            "events",
            "findings",
            "verdict",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        assert_eq!(v["inheritance"]["blocked_at"], "OU=Staff,DC=contoso,DC=test");
        assert_eq!(v["rights"]["reset_password"]["allowed"], false);
        assert!(v["rights"]["reset_password"]["deciding_ace"].is_null());
        assert_eq!(
            v["rights"]["unexpire_password"]["deciding_ace"]["effect"],
            "allow"
        );
        assert_eq!(v["rights"]["unexpire_password"]["deciding_ace"]["index"], 20);
        assert_eq!(v["policy"]["source"], "domain");
        assert_eq!(v["policy"]["min_pwd_age_seconds"], 86400);
        assert_eq!(v["account"]["lockout_time"], serde_json::Value::Null);
        assert_eq!(v["connector"]["account"], "CONTOSO\\MSOL_abc123");
        assert_eq!(v["events"][1]["event_id"], 33004);
        assert_eq!(
            v["events"][1]["tracking_id"],
            "3f1c9d2e-0000-4000-8000-000000000001"
        );
        let f = &v["findings"][0];
        for key in ["code", "severity", "title", "detail", "evidence", "remediation"] {
            assert!(f.get(key).is_some(), "finding lacks {key}");
        }
        assert_eq!(v["verdict"]["writeback_can_succeed"], false);
        assert_eq!(v["verdict"]["primary_cause"], "inheritance-disabled");
        assert!(v["verdict"]["summary"].as_str().unwrap().len() > 20);
    }

    /// The account is the decoded state and the events are kept as read: both must still
    /// serialize as the contract's sections, keys in its order, event texts sanitized.
    #[test]
    fn account_and_events_are_the_contracts_sections_in_its_order() {
        use crate::testkit::contract::{ACCOUNT_KEYS, EVENT_KEYS};
        let mut d = blocked_diagnosis();
        d.events[0].machine = "AADC01\x1b[2J".into();
        let mut out = Vec::new();
        render(&d, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        // Each section's first object, as written (serde_json's Value would sort its keys).
        let object = |key: &str| {
            let start = text.find(&format!("\"{key}\":")).expect(key);
            let open = start + text[start..].find('{').expect("an object");
            let close = open + text[open..].find('}').expect("flat");
            &text[open..=close]
        };
        let keys_in = |o: &str| -> Vec<String> {
            o.split('\n')
                .filter_map(|l| {
                    l.trim()
                        .strip_prefix('"')?
                        .split_once("\":")
                        .map(|(k, _)| k.to_string())
                })
                .collect()
        };
        assert_eq!(keys_in(object("account")), ACCOUNT_KEYS);
        let event = keys_in(object("events"));
        // The contract's keys in its order; the additive ones (`position`, `kind`, ...) between.
        let contract: Vec<&String> = event
            .iter()
            .filter(|k| EVENT_KEYS.contains(&k.as_str()))
            .collect();
        assert_eq!(contract, EVENT_KEYS, "{event:?}");
        assert!(
            !event.iter().any(|k| k == "message"),
            "the raw message is not in the report"
        );
        let first = object("events");
        assert!(
            first.contains(r#""machine": "AADC01\\x1b[2J""#) && !first.contains("u001b"),
            "the machine name is sanitized: {first}"
        );
    }
}
