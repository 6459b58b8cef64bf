//! One LDAP entry with its values as bytes, whichever map ldap3 put them in (a binary value that
//! happens to be valid UTF-8 lands in `attrs`, the rest in `bin_attrs`), and typed readers that
//! name the DN and attribute when a value is malformed.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use ldap3::SearchEntry;

use crate::directory::DirectoryError;
use crate::security::{Guid, Sid};

#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub dn: String,
    /// Lower-case attribute name -> values.
    values: HashMap<String, Vec<Vec<u8>>>,
}

impl From<SearchEntry> for Entry {
    fn from(e: SearchEntry) -> Entry {
        let mut values: HashMap<String, Vec<Vec<u8>>> = HashMap::new();
        for (k, vs) in e.attrs {
            values
                .entry(k.to_ascii_lowercase())
                .or_default()
                .extend(vs.into_iter().map(String::into_bytes));
        }
        for (k, vs) in e.bin_attrs {
            values.entry(k.to_ascii_lowercase()).or_default().extend(vs);
        }
        Entry { dn: e.dn, values }
    }
}

impl Entry {
    #[cfg(test)]
    pub fn with(dn: &str, values: &[(&str, &[u8])]) -> Entry {
        let mut e = Entry {
            dn: dn.to_string(),
            values: HashMap::new(),
        };
        for (k, v) in values {
            e.values
                .entry(k.to_ascii_lowercase())
                .or_default()
                .push(v.to_vec());
        }
        e
    }

    pub fn all(&self, attr: &str) -> &[Vec<u8>] {
        self.values
            .get(&attr.to_ascii_lowercase())
            .map_or(&[], Vec::as_slice)
    }

    pub fn first(&self, attr: &str) -> Option<&[u8]> {
        self.all(attr).first().map(Vec::as_slice)
    }

    pub fn string(&self, attr: &str) -> Option<String> {
        self.first(attr).map(|v| String::from_utf8_lossy(v).into_owned())
    }

    pub fn strings(&self, attr: &str) -> Vec<String> {
        self.all(attr)
            .iter()
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .collect()
    }

    fn bad(&self, attr: &'static str, reason: impl Into<String>) -> DirectoryError {
        DirectoryError::BadValue {
            dn: self.dn.clone(),
            attr,
            reason: reason.into(),
        }
    }

    /// An INTEGER attribute (AD sends decimal text).
    pub fn int<T: std::str::FromStr>(&self, attr: &'static str) -> Result<Option<T>, DirectoryError> {
        let Some(raw) = self.first(attr) else {
            return Ok(None);
        };
        let text = std::str::from_utf8(raw).map_err(|_| self.bad(attr, "not text"))?;
        text.trim()
            .parse()
            .map(Some)
            .map_err(|_| self.bad(attr, format!("'{}' is not a number", text.trim())))
    }

    /// userAccountControl and friends: AD sends them signed (0x80000000 comes as a negative number).
    pub fn flags(&self, attr: &'static str) -> Result<Option<u32>, DirectoryError> {
        Ok(self.int::<i64>(attr)?.map(|v| v as u32))
    }

    /// An LDAP Boolean (`TRUE` / `FALSE`, RFC 4517).
    pub fn boolean(&self, attr: &'static str) -> Result<Option<bool>, DirectoryError> {
        let Some(text) = self.string(attr) else {
            return Ok(None);
        };
        match text.trim() {
            t if t.eq_ignore_ascii_case("TRUE") => Ok(Some(true)),
            t if t.eq_ignore_ascii_case("FALSE") => Ok(Some(false)),
            t => Err(self.bad(attr, format!("'{t}' is not TRUE or FALSE"))),
        }
    }

    pub fn sid(&self, attr: &'static str) -> Result<Option<Sid>, DirectoryError> {
        self.first(attr)
            .map(|b| {
                Sid::from_bytes(b)
                    .map(|(s, _)| s)
                    .map_err(|e| self.bad(attr, e.to_string()))
            })
            .transpose()
    }

    pub fn sids(&self, attr: &'static str) -> Result<Vec<Sid>, DirectoryError> {
        self.all(attr)
            .iter()
            .map(|b| {
                Sid::from_bytes(b)
                    .map(|(s, _)| s)
                    .map_err(|e| self.bad(attr, e.to_string()))
            })
            .collect()
    }

    pub fn guid(&self, attr: &'static str) -> Result<Option<Guid>, DirectoryError> {
        self.first(attr)
            .map(|b| Guid::from_bytes(b).map_err(|e| self.bad(attr, e.to_string())))
            .transpose()
    }

    /// GeneralizedTime as AD writes it: `YYYYMMDDHHMMSS.0Z`.
    pub fn generalized_time(&self, attr: &'static str) -> Result<Option<DateTime<Utc>>, DirectoryError> {
        let Some(text) = self.string(attr) else {
            return Ok(None);
        };
        let digits = text.trim_end_matches('Z');
        let digits = digits.split(['.', ',']).next().unwrap_or("");
        NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M%S")
            .map(|t| Some(t.and_utc()))
            .map_err(|_| self.bad(attr, format!("'{text}' is not a GeneralizedTime")))
    }

    pub fn descriptor(&self) -> Option<Arc<[u8]>> {
        self.first("nTSecurityDescriptor").map(Arc::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_from_both_maps_merge_case_insensitively() {
        let mut se = SearchEntry {
            dn: "CN=x".into(),
            attrs: HashMap::new(),
            bin_attrs: HashMap::new(),
        };
        se.attrs.insert("objectSid".into(), vec!["a".into()]);
        se.bin_attrs.insert("OBJECTSID".into(), vec![vec![0xff]]);
        let e = Entry::from(se);
        assert_eq!(e.all("objectsid").len(), 2);
        assert!(e.all("mail").is_empty());
    }

    #[test]
    fn typed_readers_name_the_bad_value() {
        let e = Entry::with(
            "CN=x,DC=y",
            &[
                ("userAccountControl", b"-2147483136"),
                ("pwdLastSet", b"soon"),
                ("whenChanged", b"20261125093717.0Z"),
                ("objectSid", &[1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]),
            ],
        );
        assert_eq!(e.flags("userAccountControl").unwrap(), Some(0x8000_0200));
        let err = e.int::<i64>("pwdLastSet").unwrap_err().to_string();
        assert!(err.contains("CN=x,DC=y") && err.contains("pwdLastSet"), "{err}");
        assert_eq!(
            e.generalized_time("whenChanged").unwrap().unwrap().to_rfc3339(),
            "2026-11-25T09:37:17+00:00"
        );
        assert_eq!(e.sid("objectSid").unwrap().unwrap().to_string(), "S-1-5-18");
        assert_eq!(e.int::<u32>("badPwdCount").unwrap(), None);
    }
}
