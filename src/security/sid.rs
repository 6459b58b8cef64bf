//! Security identifiers: the binary form AD stores (objectSid, tokenGroups, inside ACEs) and the
//! `S-1-...` string form people read.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::SdError;

/// A SID. Both parsers refuse more than 15 sub-authorities, the format's limit.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sid {
    pub revision: u8,
    pub authority: u64,
    pub sub_authorities: Vec<u32>,
}

impl Sid {
    /// Parses a binary SID at the start of `bytes`; returns it and the number of bytes it used.
    pub fn from_bytes(bytes: &[u8]) -> Result<(Sid, usize), SdError> {
        let header = bytes.get(..8).ok_or(SdError::Truncated {
            what: "SID header",
            offset: 0,
        })?;
        let count = header[1] as usize;
        if count > 15 {
            return Err(SdError::BadSid {
                offset: 0,
                reason: "more than 15 sub-authorities",
            });
        }
        let len = 8 + 4 * count;
        let body = bytes.get(8..len).ok_or(SdError::Truncated {
            what: "SID sub-authorities",
            offset: 8,
        })?;
        let authority = header[2..8]
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let sub_authorities = body
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok((
            Sid {
                revision: header[0],
                authority,
                sub_authorities,
            },
            len,
        ))
    }

    /// The binary encoding (what `from_bytes` reads).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 4 * self.sub_authorities.len());
        out.push(self.revision);
        out.push(self.sub_authorities.len() as u8);
        out.extend_from_slice(&self.authority.to_be_bytes()[2..8]);
        for s in &self.sub_authorities {
            out.extend_from_slice(&s.to_le_bytes());
        }
        out
    }

    /// The relative identifier: the last sub-authority.
    pub fn rid(&self) -> Option<u32> {
        self.sub_authorities.last().copied()
    }

    /// The domain part of an account SID (all but the RID).
    pub fn domain_part(&self) -> Option<Sid> {
        let (_, head) = self.sub_authorities.split_last()?;
        Some(Sid {
            revision: self.revision,
            authority: self.authority,
            sub_authorities: head.to_vec(),
        })
    }

    /// `domain` + `rid`, e.g. Domain Admins = domain SID + 512.
    pub fn with_rid(&self, rid: u32) -> Sid {
        let mut s = self.clone();
        s.sub_authorities.push(rid);
        s
    }

    pub fn everyone() -> Sid {
        "S-1-1-0".parse().expect("constant SID")
    }
    pub fn authenticated_users() -> Sid {
        "S-1-5-11".parse().expect("constant SID")
    }
    pub fn principal_self() -> Sid {
        "S-1-5-10".parse().expect("constant SID")
    }
    /// BUILTIN\Pre-Windows 2000 Compatible Access.
    pub fn pre_windows_2000_compatible_access() -> Sid {
        "S-1-5-32-554".parse().expect("constant SID")
    }
}

/// The longest SID text: `S-255-0xFFFFFFFFFFFF` and fifteen `-4294967295`.
const SID_TEXT_MAX: usize = 20 + 15 * 11;

impl fmt::Display for Sid {
    /// Built in a stack buffer and written at once: SIDs are rendered for every ACE shown and
    /// every event, and a write per part (or `write!` per number) was most of that cost.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = SidText {
            buf: [0; SID_TEXT_MAX],
            len: 0,
        };
        text.push(b"S-");
        text.push_decimal(u64::from(self.revision));
        text.push(b"-");
        // Windows prints authorities that do not fit 32 bits in hex.
        if self.authority >> 32 == 0 {
            text.push_decimal(self.authority);
        } else {
            text.push(b"0x");
            for shift in (0..12).rev() {
                text.push(&[b"0123456789ABCDEF"[(self.authority >> (4 * shift)) as usize & 0xf]]);
            }
        }
        for s in &self.sub_authorities {
            text.push(b"-");
            text.push_decimal(u64::from(*s));
        }
        let bytes = text.buf.get(..text.len).unwrap_or_default();
        f.write_str(std::str::from_utf8(bytes).map_err(|_| fmt::Error)?)
    }
}

struct SidText {
    buf: [u8; SID_TEXT_MAX],
    len: usize,
}

impl SidText {
    /// Never overflows for a valid SID (at most fifteen sub-authorities); past the end, bytes
    /// are dropped rather than panicking.
    fn push(&mut self, bytes: &[u8]) {
        for b in bytes {
            if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = *b;
                self.len += 1;
            }
        }
    }

    fn push_decimal(&mut self, mut n: u64) {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.push(digits.get(start..).unwrap_or_default());
    }
}

impl fmt::Debug for Sid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Sid {
    type Err = SdError;
    fn from_str(s: &str) -> Result<Sid, SdError> {
        let bad = || SdError::BadSidString(s.chars().take(80).collect());
        let rest = s
            .strip_prefix("S-")
            .or_else(|| s.strip_prefix("s-"))
            .ok_or_else(bad)?;
        let mut parts = rest.split('-');
        let revision: u8 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let auth = parts.next().ok_or_else(bad)?;
        let authority = match auth.strip_prefix("0x").or_else(|| auth.strip_prefix("0X")) {
            Some(hex) => u64::from_str_radix(hex, 16).map_err(|_| bad())?,
            None => auth.parse().map_err(|_| bad())?,
        };
        if authority >> 48 != 0 {
            return Err(bad());
        }
        let sub_authorities = parts
            .map(|p| p.parse::<u32>().map_err(|_| bad()))
            .collect::<Result<Vec<_>, _>>()?;
        if sub_authorities.len() > 15 {
            return Err(bad());
        }
        Ok(Sid {
            revision,
            authority,
            sub_authorities,
        })
    }
}

impl Serialize for Sid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Sid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Sid, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_binary_and_string() {
        let sid: Sid = "S-1-5-21-1004336348-1177238915-682003330-512".parse().unwrap();
        let bytes = sid.to_bytes();
        let (back, used) = Sid::from_bytes(&bytes).unwrap();
        assert_eq!(used, bytes.len());
        assert_eq!(back, sid);
        assert_eq!(back.to_string(), "S-1-5-21-1004336348-1177238915-682003330-512");
        assert_eq!(back.rid(), Some(512));
        let big = Sid {
            revision: 1,
            authority: 0x1_0000_0000,
            sub_authorities: vec![0, u32::MAX],
        };
        assert_eq!(big.to_string(), "S-1-0x000100000000-0-4294967295");
        assert_eq!(big.to_string().parse::<Sid>().unwrap(), big);
    }

    #[test]
    fn rejects_truncated_and_oversized() {
        let sid: Sid = "S-1-5-21-1-2-3".parse().unwrap();
        let bytes = sid.to_bytes();
        assert!(Sid::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(Sid::from_bytes(&[1, 16, 0, 0, 0, 0, 0, 5]).is_err());
        assert!("S-1-x".parse::<Sid>().is_err());
        assert!("X-1-5".parse::<Sid>().is_err());
    }
}
