//! The contract's JSON report (`resetlens.diagnosis/1`): the `Diagnosis` serialized as is. JSON
//! escapes control characters itself, so no sanitizing is needed (or wanted: values stay exact).

use std::io::{self, Write};

use crate::diagnosis::Diagnosis;

pub fn render(d: &Diagnosis, out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, d)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::testing::blocked_diagnosis;

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
}
