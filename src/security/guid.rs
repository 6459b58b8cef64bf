//! GUIDs as AD stores them (objectGUID, ACE object types): the first three fields little-endian.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::SdError;

/// A GUID held as its canonical fields so that equality and display never depend on byte order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid {
    pub data1: u32,
    pub data2: u16,
    pub data3: u16,
    pub data4: [u8; 8],
}

impl Guid {
    /// Reads the 16-byte AD (little-endian fields) encoding.
    pub fn from_bytes(bytes: &[u8]) -> Result<Guid, SdError> {
        let b: &[u8; 16] = bytes
            .get(..16)
            .and_then(|s| s.try_into().ok())
            .ok_or(SdError::Truncated {
                what: "GUID",
                offset: 0,
            })?;
        Ok(Guid {
            data1: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            data2: u16::from_le_bytes([b[4], b[5]]),
            data3: u16::from_le_bytes([b[6], b[7]]),
            data4: [b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]],
        })
    }

    /// The 16-byte AD encoding.
    pub fn to_bytes(&self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..4].copy_from_slice(&self.data1.to_le_bytes());
        out[4..6].copy_from_slice(&self.data2.to_le_bytes());
        out[6..8].copy_from_slice(&self.data3.to_le_bytes());
        out[8..].copy_from_slice(&self.data4);
        out
    }

    /// A compile-time constant from its canonical string; panics at compile time if malformed.
    pub const fn from_str_const(s: &str) -> Guid {
        const fn hex(c: u8) -> u8 {
            match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => panic!("bad hex digit in GUID constant"),
            }
        }
        let b = s.as_bytes();
        assert!(b.len() == 36, "GUID constant must be 36 characters");
        let mut raw = [0u8; 16];
        let mut i = 0;
        let mut n = 0;
        while i < 36 {
            if b[i] == b'-' {
                i += 1;
                continue;
            }
            raw[n] = hex(b[i]) << 4 | hex(b[i + 1]);
            n += 1;
            i += 2;
        }
        Guid {
            data1: u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]),
            data2: u16::from_be_bytes([raw[4], raw[5]]),
            data3: u16::from_be_bytes([raw[6], raw[7]]),
            data4: [
                raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15],
            ],
        }
    }
}

impl fmt::Display for Guid {
    /// Lower-case canonical form. Hand-rolled because SDDL evidence renders GUIDs for every
    /// deciding ACE, and an eleven-argument `write!` dominated that cost.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut canonical = [0u8; 16];
        canonical[..4].copy_from_slice(&self.data1.to_be_bytes());
        canonical[4..6].copy_from_slice(&self.data2.to_be_bytes());
        canonical[6..8].copy_from_slice(&self.data3.to_be_bytes());
        canonical[8..].copy_from_slice(&self.data4);
        let mut text = [b'-'; 36];
        let mut pos = 0;
        for (i, byte) in canonical.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                pos += 1;
            }
            text[pos] = HEX[usize::from(byte >> 4)];
            text[pos + 1] = HEX[usize::from(byte & 0xf)];
            pos += 2;
        }
        f.pad(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Guid {
    type Err = SdError;
    fn from_str(s: &str) -> Result<Guid, SdError> {
        let t = s.trim().trim_start_matches('{').trim_end_matches('}');
        let bad = || SdError::BadGuidString(s.chars().take(80).collect());
        let groups: Vec<&str> = t.split('-').collect();
        if groups.len() != 5 || [8, 4, 4, 4, 12].iter().zip(&groups).any(|(n, g)| g.len() != *n) {
            return Err(bad());
        }
        if !t.bytes().all(|c| c == b'-' || c.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok(Guid::from_str_const(&t.to_ascii_lowercase()))
    }
}

impl Serialize for Guid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Guid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Guid, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ad_byte_order() {
        // objectGUID bytes as AD returns them for 00299570-246d-11d0-a768-00aa006e0529.
        let bytes = [
            0x70, 0x95, 0x29, 0x00, 0x6d, 0x24, 0xd0, 0x11, 0xa7, 0x68, 0x00, 0xaa, 0x00, 0x6e, 0x05, 0x29,
        ];
        let g = Guid::from_bytes(&bytes).unwrap();
        assert_eq!(g.to_string(), "00299570-246d-11d0-a768-00aa006e0529");
        assert_eq!(g.to_bytes(), bytes);
        assert_eq!(
            "{00299570-246D-11D0-A768-00AA006E0529}".parse::<Guid>().unwrap(),
            g
        );
        assert!("00299570-246d-11d0-a768".parse::<Guid>().is_err());
        assert!(Guid::from_bytes(&bytes[..15]).is_err());
    }
}
