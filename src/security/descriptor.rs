//! Self-relative security descriptors (the binary `nTSecurityDescriptor` value): parsing every
//! field the access check and the evidence need, and writing the same layout back. Untrusted bytes
//! never panic the parser and never make it allocate more than the input could describe.

use super::{Guid, SdError, Sid};

pub const SE_OWNER_DEFAULTED: u16 = 0x0001;
pub const SE_GROUP_DEFAULTED: u16 = 0x0002;
pub const SE_DACL_PRESENT: u16 = 0x0004;
pub const SE_DACL_DEFAULTED: u16 = 0x0008;
pub const SE_SACL_PRESENT: u16 = 0x0010;
pub const SE_SACL_DEFAULTED: u16 = 0x0020;
pub const SE_DACL_AUTO_INHERIT_REQ: u16 = 0x0100;
pub const SE_SACL_AUTO_INHERIT_REQ: u16 = 0x0200;
pub const SE_DACL_AUTO_INHERITED: u16 = 0x0400;
pub const SE_SACL_AUTO_INHERITED: u16 = 0x0800;
pub const SE_DACL_PROTECTED: u16 = 0x1000;
pub const SE_SACL_PROTECTED: u16 = 0x2000;
pub const SE_RM_CONTROL_VALID: u16 = 0x4000;
pub const SE_SELF_RELATIVE: u16 = 0x8000;

pub const OBJECT_INHERIT_ACE: u8 = 0x01;
pub const CONTAINER_INHERIT_ACE: u8 = 0x02;
pub const NO_PROPAGATE_INHERIT_ACE: u8 = 0x04;
pub const INHERIT_ONLY_ACE: u8 = 0x08;
pub const INHERITED_ACE: u8 = 0x10;
pub const SUCCESSFUL_ACCESS_ACE_FLAG: u8 = 0x40;
pub const FAILED_ACCESS_ACE_FLAG: u8 = 0x80;

/// ACL revision for ACLs holding only non-object ACEs.
pub const ACL_REVISION: u8 = 2;
/// ACL revision required once an ACL holds object ACEs (the usual one in AD).
pub const ACL_REVISION_DS: u8 = 4;

const SD_HEADER_LEN: usize = 20;
const ACL_HEADER_LEN: usize = 8;
const ACE_HEADER_LEN: usize = 4;
const ACE_OBJECT_TYPE_PRESENT: u32 = 0x1;
const ACE_INHERITED_OBJECT_TYPE_PRESENT: u32 = 0x2;

/// A security descriptor. `dacl == None` with SE_DACL_PRESENT set is a NULL DACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityDescriptor {
    pub revision: u8,
    pub control: u16,
    pub owner: Option<Sid>,
    pub group: Option<Sid>,
    pub sacl: Option<Acl>,
    pub dacl: Option<Acl>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acl {
    pub revision: u8,
    pub aces: Vec<Ace>,
}

/// One ACE. For the types in [`AceType`] other than `Other`, the fields hold everything and `raw`
/// is empty; for `Other` types, `raw` holds the body after the 4-byte header verbatim (so it is
/// written back unchanged) and `mask`/`sid`/object types are filled in where the layout is known,
/// for display only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ace {
    pub ace_type: AceType,
    pub flags: u8,
    pub mask: u32,
    pub object_type: Option<Guid>,
    pub inherited_object_type: Option<Guid>,
    pub sid: Option<Sid>,
    pub raw: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AceType {
    AccessAllowed,
    AccessDenied,
    AccessAllowedObject,
    AccessDeniedObject,
    SystemAudit,
    SystemAuditObject,
    Other(u8),
}

/// How an ACE body is laid out after its header; decided by the type code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AceLayout {
    /// mask, SID (and, for callback and resource ACEs, trailing application data)
    Simple,
    /// mask, object flags, optional ObjectType and InheritedObjectType GUIDs, SID
    Object,
    /// compound ACEs and codes Windows does not define
    Opaque,
}

impl AceType {
    pub fn from_code(code: u8) -> AceType {
        match code {
            0x00 => AceType::AccessAllowed,
            0x01 => AceType::AccessDenied,
            0x02 => AceType::SystemAudit,
            0x05 => AceType::AccessAllowedObject,
            0x06 => AceType::AccessDeniedObject,
            0x07 => AceType::SystemAuditObject,
            other => AceType::Other(other),
        }
    }

    pub fn code(self) -> u8 {
        match self {
            AceType::AccessAllowed => 0x00,
            AceType::AccessDenied => 0x01,
            AceType::SystemAudit => 0x02,
            AceType::AccessAllowedObject => 0x05,
            AceType::AccessDeniedObject => 0x06,
            AceType::SystemAuditObject => 0x07,
            AceType::Other(code) => code,
        }
    }

    pub(crate) fn layout(self) -> AceLayout {
        match self.code() {
            // allowed, denied, audit, alarm, the callback variants, mandatory label,
            // resource attribute, scoped policy id
            0x00..=0x03 | 0x09 | 0x0A | 0x0D | 0x0E | 0x11..=0x13 => AceLayout::Simple,
            0x05..=0x08 | 0x0B | 0x0C | 0x0F | 0x10 => AceLayout::Object,
            _ => AceLayout::Opaque,
        }
    }
}

impl Ace {
    pub fn is_inherited(&self) -> bool {
        self.flags & INHERITED_ACE != 0
    }

    pub fn is_inherit_only(&self) -> bool {
        self.flags & INHERIT_ONLY_ACE != 0
    }

    /// Parses the ACE starting at `at`; `bytes` ends where the enclosing ACL ends.
    /// Returns the ACE and the size its header claims (validated against the ACL).
    fn parse(bytes: &[u8], at: usize) -> Result<(Ace, usize), SdError> {
        let mut header = Reader::new(bytes, at, "ACE header");
        let ace_type = AceType::from_code(header.u8()?);
        let flags = header.u8()?;
        let size = usize::from(header.u16()?);
        if size < ACE_HEADER_LEN {
            return Err(malformed(at + 2, "ACE size smaller than its header"));
        }
        let body = bytes
            .get(at + ACE_HEADER_LEN..at + size)
            .ok_or_else(|| malformed(at + 2, "ACE size runs past the end of its ACL"))?;
        let body_at = at + ACE_HEADER_LEN;
        let mut ace = Ace {
            ace_type,
            flags,
            mask: 0,
            object_type: None,
            inherited_object_type: None,
            sid: None,
            raw: Vec::new(),
        };
        if let AceType::Other(_) = ace_type {
            // Shown, never evaluated: a body we cannot decode is kept as is, not rejected.
            if ace.decode_body(body, body_at).is_err() {
                ace.object_type = None;
                ace.inherited_object_type = None;
                ace.sid = None;
            }
            ace.raw = body.to_vec();
        } else {
            ace.decode_body(body, body_at)?;
        }
        Ok((ace, size))
    }

    fn decode_body(&mut self, body: &[u8], body_at: usize) -> Result<(), SdError> {
        let mut r = Reader::new(body, 0, "ACE body");
        self.mask = r.u32().map_err(|e| e.shifted(body_at))?;
        let layout = self.ace_type.layout();
        if layout == AceLayout::Opaque {
            return Ok(());
        }
        if layout == AceLayout::Object {
            let object_flags = r.u32().map_err(|e| e.shifted(body_at))?;
            if object_flags & ACE_OBJECT_TYPE_PRESENT != 0 {
                self.object_type = Some(r.guid().map_err(|e| e.shifted(body_at))?);
            }
            if object_flags & ACE_INHERITED_OBJECT_TYPE_PRESENT != 0 {
                self.inherited_object_type = Some(r.guid().map_err(|e| e.shifted(body_at))?);
            }
        }
        self.sid = Some(r.sid().map_err(|e| e.shifted(body_at))?);
        Ok(())
    }

    /// The body after the header: `raw` for types kept verbatim, otherwise encoded from the fields.
    fn body_bytes(&self) -> Vec<u8> {
        if let AceType::Other(_) = self.ace_type {
            return self.raw.clone();
        }
        self.encode_fields()
    }

    /// Encodes mask, object types and SID in the layout of this ACE's type.
    pub(crate) fn encode_fields(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(56);
        out.extend_from_slice(&self.mask.to_le_bytes());
        if self.ace_type.layout() == AceLayout::Object {
            let mut object_flags = 0u32;
            if self.object_type.is_some() {
                object_flags |= ACE_OBJECT_TYPE_PRESENT;
            }
            if self.inherited_object_type.is_some() {
                object_flags |= ACE_INHERITED_OBJECT_TYPE_PRESENT;
            }
            out.extend_from_slice(&object_flags.to_le_bytes());
            for guid in [&self.object_type, &self.inherited_object_type]
                .into_iter()
                .flatten()
            {
                out.extend_from_slice(&guid.to_bytes());
            }
        }
        if let Some(sid) = &self.sid {
            out.extend_from_slice(&sid.to_bytes());
        }
        out
    }

    fn write(&self, out: &mut Vec<u8>) {
        let body = self.body_bytes();
        out.push(self.ace_type.code());
        out.push(self.flags);
        out.extend_from_slice(&encoded_u16(ACE_HEADER_LEN + body.len()).to_le_bytes());
        out.extend_from_slice(&body);
    }

    fn encoded_len(&self) -> usize {
        ACE_HEADER_LEN + self.body_bytes().len()
    }
}

impl Acl {
    /// Parses the ACL at `offset` of the whole descriptor.
    fn parse(bytes: &[u8], offset: usize) -> Result<(Acl, usize), SdError> {
        let mut r = Reader::new(bytes, offset, "ACL header");
        let revision = r.u8()?;
        let _sbz1 = r.u8()?;
        let size = usize::from(r.u16()?);
        let count = usize::from(r.u16()?);
        let _sbz2 = r.u16()?;
        if !(ACL_REVISION..=ACL_REVISION_DS).contains(&revision) {
            return Err(malformed(offset, "unknown ACL revision"));
        }
        if size < ACL_HEADER_LEN {
            return Err(malformed(offset + 2, "ACL size smaller than its header"));
        }
        let acl_bytes = bytes
            .get(..offset + size)
            .ok_or_else(|| malformed(offset + 2, "ACL size runs past the end of the descriptor"))?;
        // Every ACE takes at least its header, so the count cannot exceed what the size allows;
        // checking first keeps a lying count from driving the loop or the allocation.
        if count > (size - ACL_HEADER_LEN) / ACE_HEADER_LEN {
            return Err(malformed(offset + 4, "ACE count larger than the ACL can hold"));
        }
        let mut aces = Vec::with_capacity(count);
        let mut at = offset + ACL_HEADER_LEN;
        for _ in 0..count {
            let (ace, len) = Ace::parse(acl_bytes, at)?;
            aces.push(ace);
            at += len;
        }
        Ok((Acl { revision, aces }, size))
    }

    /// The encoded size. ACLs come from `parse` or `from_sddl`, which both keep it within 64 KiB.
    pub fn encoded_len(&self) -> usize {
        ACL_HEADER_LEN + self.aces.iter().map(Ace::encoded_len).sum::<usize>()
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.push(self.revision);
        out.push(0);
        out.extend_from_slice(&encoded_u16(self.encoded_len()).to_le_bytes());
        out.extend_from_slice(&encoded_u16(self.aces.len()).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        for ace in &self.aces {
            ace.write(out);
        }
    }
}

impl SecurityDescriptor {
    /// Parses a self-relative security descriptor. Components are read wherever their offsets
    /// point (the control flags say whether a DACL/SACL counts; see [`Self::access_dacl`]), and
    /// offsets into the header or components that overlap are rejected.
    pub fn parse(bytes: &[u8]) -> Result<Self, SdError> {
        let mut r = Reader::new(bytes, 0, "security descriptor header");
        let revision = r.u8()?;
        let _sbz1 = r.u8()?;
        let control = r.u16()?;
        let owner_at = r.offset()?;
        let group_at = r.offset()?;
        let sacl_at = r.offset()?;
        let dacl_at = r.offset()?;
        if revision != 1 {
            return Err(malformed(0, "security descriptor revision is not 1"));
        }
        let mut regions = Regions::default();
        let owner = parse_sid_component(bytes, owner_at, &mut regions)?;
        let group = parse_sid_component(bytes, group_at, &mut regions)?;
        let sacl = parse_acl_component(bytes, sacl_at, &mut regions)?;
        let dacl = parse_acl_component(bytes, dacl_at, &mut regions)?;
        Ok(SecurityDescriptor {
            revision,
            control,
            owner,
            group,
            sacl,
            dacl,
        })
    }

    /// The self-relative encoding: header, SACL, DACL, owner, group (the order Windows uses).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut body = Vec::new();
        let mut place = |write: &dyn Fn(&mut Vec<u8>)| -> u32 {
            let offset = SD_HEADER_LEN + body.len();
            write(&mut body);
            u32::try_from(offset).unwrap_or(u32::MAX)
        };
        let sacl_at = self.sacl.as_ref().map_or(0, |a| place(&|o| a.write(o)));
        let dacl_at = self.dacl.as_ref().map_or(0, |a| place(&|o| a.write(o)));
        let owner_at = self
            .owner
            .as_ref()
            .map_or(0, |s| place(&|o| o.extend_from_slice(&s.to_bytes())));
        let group_at = self
            .group
            .as_ref()
            .map_or(0, |s| place(&|o| o.extend_from_slice(&s.to_bytes())));
        let mut out = Vec::with_capacity(SD_HEADER_LEN + body.len());
        out.push(self.revision);
        out.push(0);
        out.extend_from_slice(&self.control.to_le_bytes());
        for offset in [owner_at, group_at, sacl_at, dacl_at] {
            out.extend_from_slice(&offset.to_le_bytes());
        }
        out.extend_from_slice(&body);
        out
    }

    /// Inheritance from parents is blocked (SE_DACL_PROTECTED).
    pub fn dacl_protected(&self) -> bool {
        self.control & SE_DACL_PROTECTED != 0
    }

    /// The DACL the access check walks. `None` means the descriptor has no DACL (SE_DACL_PRESENT
    /// clear) or a NULL DACL: both grant every access to everyone.
    pub fn access_dacl(&self) -> Option<&Acl> {
        if self.control & SE_DACL_PRESENT == 0 {
            return None;
        }
        self.dacl.as_ref()
    }
}

fn parse_sid_component(bytes: &[u8], offset: usize, regions: &mut Regions) -> Result<Option<Sid>, SdError> {
    if offset == 0 {
        return Ok(None);
    }
    let rest = bytes
        .get(offset..)
        .ok_or_else(|| malformed(offset, "offset past the end of the descriptor"))?;
    let (sid, len) = Sid::from_bytes(rest).map_err(|e| e.shifted(offset))?;
    regions.claim(offset, len)?;
    Ok(Some(sid))
}

fn parse_acl_component(bytes: &[u8], offset: usize, regions: &mut Regions) -> Result<Option<Acl>, SdError> {
    if offset == 0 {
        return Ok(None);
    }
    if offset >= bytes.len() {
        return Err(malformed(offset, "offset past the end of the descriptor"));
    }
    let (acl, size) = Acl::parse(bytes, offset)?;
    regions.claim(offset, size)?;
    Ok(Some(acl))
}

/// The byte ranges already taken by owner, group, SACL and DACL, so that a component pointing
/// into the header or into another component is reported instead of silently read twice.
#[derive(Default)]
struct Regions(Vec<(usize, usize)>);

impl Regions {
    fn claim(&mut self, start: usize, len: usize) -> Result<(), SdError> {
        let end = start + len;
        if start < SD_HEADER_LEN {
            return Err(malformed(start, "component overlaps the descriptor header"));
        }
        if self.0.iter().any(|&(s, e)| start < e && s < end) {
            return Err(malformed(start, "components overlap"));
        }
        self.0.push((start, end));
        Ok(())
    }
}

/// Little-endian reads that report the absolute offset of the first byte that is missing.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], pos: usize, what: &'static str) -> Self {
        Reader { bytes, pos, what }
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], SdError> {
        let chunk = self
            .bytes
            .get(self.pos..self.pos + N)
            .and_then(|s| <[u8; N]>::try_from(s).ok())
            .ok_or(SdError::Truncated {
                what: self.what,
                offset: self.pos,
            })?;
        self.pos += N;
        Ok(chunk)
    }

    fn u8(&mut self) -> Result<u8, SdError> {
        Ok(self.take::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, SdError> {
        Ok(u16::from_le_bytes(self.take()?))
    }

    fn u32(&mut self) -> Result<u32, SdError> {
        Ok(u32::from_le_bytes(self.take()?))
    }

    fn offset(&mut self) -> Result<usize, SdError> {
        Ok(self.u32()? as usize)
    }

    fn guid(&mut self) -> Result<Guid, SdError> {
        let at = self.pos;
        Guid::from_bytes(&self.take::<16>()?).map_err(|e| e.shifted(at))
    }

    fn sid(&mut self) -> Result<Sid, SdError> {
        let at = self.pos;
        let rest = self.bytes.get(at..).unwrap_or_default();
        let (sid, len) = Sid::from_bytes(rest).map_err(|e| e.shifted(at))?;
        self.pos += len;
        Ok(sid)
    }
}

fn malformed(offset: usize, reason: &str) -> SdError {
    SdError::Malformed {
        offset,
        reason: reason.to_string(),
    }
}

/// Sizes and counts in the encoding are 16-bit; the constructors keep ACLs within that, so
/// saturating only matters for descriptors assembled by hand beyond what Windows allows.
fn encoded_u16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sid(s: &str) -> Sid {
        s.parse().unwrap()
    }

    fn allow(mask: u32, who: &str) -> Ace {
        Ace {
            ace_type: AceType::AccessAllowed,
            flags: 0,
            mask,
            object_type: None,
            inherited_object_type: None,
            sid: Some(sid(who)),
            raw: Vec::new(),
        }
    }

    fn sample() -> SecurityDescriptor {
        let reset: Guid = "00299570-246d-11d0-a768-00aa006e0529".parse().unwrap();
        let user: Guid = "bf967aba-0de6-11d0-a285-00aa003049e2".parse().unwrap();
        let object_ace = Ace {
            ace_type: AceType::AccessAllowedObject,
            flags: CONTAINER_INHERIT_ACE | INHERITED_ACE,
            mask: 0x100,
            object_type: Some(reset),
            inherited_object_type: Some(user),
            sid: Some(sid("S-1-5-21-1-2-3-1105")),
            raw: Vec::new(),
        };
        let label = Ace {
            ace_type: AceType::Other(0x11),
            flags: 0,
            mask: 1,
            object_type: None,
            inherited_object_type: None,
            sid: Some(sid("S-1-16-4096")),
            raw: [&1u32.to_le_bytes()[..], &sid("S-1-16-4096").to_bytes()].concat(),
        };
        SecurityDescriptor {
            revision: 1,
            control: SE_SELF_RELATIVE | SE_DACL_PRESENT | SE_SACL_PRESENT | SE_DACL_PROTECTED,
            owner: Some(sid("S-1-5-21-1-2-3-512")),
            group: Some(sid("S-1-5-21-1-2-3-513")),
            sacl: Some(Acl {
                revision: ACL_REVISION,
                aces: vec![label],
            }),
            dacl: Some(Acl {
                revision: ACL_REVISION_DS,
                aces: vec![allow(0xF01FF, "S-1-5-18"), object_ace],
            }),
        }
    }

    #[test]
    fn round_trips_through_bytes() {
        let sd = sample();
        let bytes = sd.to_bytes();
        assert_eq!(SecurityDescriptor::parse(&bytes).unwrap(), sd);
        assert!(sd.dacl_protected());
        let dacl = sd.access_dacl().unwrap();
        assert!(dacl.aces[1].is_inherited());
        assert!(!dacl.aces[1].is_inherit_only());
    }

    #[test]
    fn reads_known_windows_bytes() {
        // O:BAG:SYD:(A;;GA;;;WD) as Windows encodes it (header, DACL, owner, group).
        let bytes: Vec<u8> = vec![
            1, 0, 0x04, 0x80, // revision, sbz, control = SELF_RELATIVE | DACL_PRESENT
            48, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, // owner, group, sacl, dacl
            2, 0, 28, 0, 1, 0, 0, 0, // ACL: rev 2, size 28, 1 ACE
            0, 0, 20, 0, 0, 0, 0, 0x10, // ACCESS_ALLOWED, size 20, GENERIC_ALL
            1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, // S-1-1-0
            1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0, // S-1-5-32-544
            1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0, // S-1-5-18
        ];
        let sd = SecurityDescriptor::parse(&bytes).unwrap();
        assert_eq!(sd.owner, Some(sid("S-1-5-32-544")));
        assert_eq!(sd.group, Some(sid("S-1-5-18")));
        let ace = &sd.dacl.as_ref().unwrap().aces[0];
        assert_eq!(ace.mask, 0x1000_0000);
        assert_eq!(ace.sid, Some(sid("S-1-1-0")));
        assert_eq!(SecurityDescriptor::parse(&sd.to_bytes()).unwrap(), sd);
    }

    #[test]
    fn missing_dacl_and_null_dacl_mean_no_access_control() {
        let mut sd = sample();
        sd.dacl = None;
        assert!(sd.access_dacl().is_none());
        let back = SecurityDescriptor::parse(&sd.to_bytes()).unwrap();
        assert_eq!(back, sd);
        let mut absent = sample();
        absent.control &= !SE_DACL_PRESENT;
        assert!(absent.access_dacl().is_none());
    }

    #[test]
    fn unknown_ace_types_keep_their_bytes() {
        let sd = sample();
        let back = SecurityDescriptor::parse(&sd.to_bytes()).unwrap();
        let label = &back.sacl.as_ref().unwrap().aces[0];
        assert_eq!(label.ace_type, AceType::Other(0x11));
        assert_eq!(label.sid, Some(sid("S-1-16-4096")));
        // An undecodable body of an unknown type is shown, not rejected.
        let mut odd = sd.clone();
        odd.sacl.as_mut().unwrap().aces[0].raw = vec![1, 2, 3];
        let back = SecurityDescriptor::parse(&odd.to_bytes()).unwrap();
        assert_eq!(back.sacl.unwrap().aces[0].raw, vec![1, 2, 3]);
    }

    fn error_offset(bytes: &[u8]) -> usize {
        match SecurityDescriptor::parse(bytes).unwrap_err() {
            SdError::Truncated { offset, .. }
            | SdError::BadSid { offset, .. }
            | SdError::Malformed { offset, .. } => offset,
            other => panic!("unexpected error {other:?}"),
        }
    }

    /// Byte layout of `sample().to_bytes()`: SACL at 20, DACL after it.
    fn dacl_at(bytes: &[u8]) -> usize {
        u32::from_le_bytes(bytes[16..20].try_into().unwrap()) as usize
    }

    #[test]
    fn rejects_truncation_everywhere() {
        let bytes = sample().to_bytes();
        for len in 0..bytes.len() {
            assert!(
                SecurityDescriptor::parse(&bytes[..len]).is_err(),
                "accepted {len} of {} bytes",
                bytes.len()
            );
        }
    }

    #[test]
    fn rejects_offsets_out_of_range_or_into_the_header() {
        let mut bytes = sample().to_bytes();
        bytes[4..8].copy_from_slice(&10_000u32.to_le_bytes());
        assert_eq!(error_offset(&bytes), 10_000);
        bytes[4..8].copy_from_slice(&4u32.to_le_bytes());
        assert!(SecurityDescriptor::parse(&bytes).is_err());
    }

    #[test]
    fn rejects_overlapping_components() {
        let mut bytes = sample().to_bytes();
        let group = bytes[8..12].to_vec();
        bytes[4..8].copy_from_slice(&group);
        let at = u32::from_le_bytes(group.try_into().unwrap()) as usize;
        assert_eq!(error_offset(&bytes), at);
    }

    #[test]
    fn rejects_lying_ace_count_and_sizes() {
        let good = sample().to_bytes();
        let dacl = dacl_at(&good);

        let mut count = good.clone();
        count[dacl + 4..dacl + 6].copy_from_slice(&u16::MAX.to_le_bytes());
        assert_eq!(error_offset(&count), dacl + 4);

        // One more ACE than present: the ACL size no longer covers it.
        let mut one_more = good.clone();
        one_more[dacl + 4] += 1;
        assert!(SecurityDescriptor::parse(&one_more).is_err());

        let mut acl_too_small = good.clone();
        acl_too_small[dacl + 2..dacl + 4].copy_from_slice(&12u16.to_le_bytes());
        assert!(SecurityDescriptor::parse(&acl_too_small).is_err());

        let first_ace = dacl + 8;
        let mut ace_too_big = good.clone();
        ace_too_big[first_ace + 2..first_ace + 4].copy_from_slice(&400u16.to_le_bytes());
        assert_eq!(error_offset(&ace_too_big), first_ace + 2);

        let mut ace_too_small = good.clone();
        ace_too_small[first_ace + 2..first_ace + 4].copy_from_slice(&10u16.to_le_bytes());
        assert!(SecurityDescriptor::parse(&ace_too_small).is_err());

        let mut ace_smaller_than_header = good;
        ace_smaller_than_header[first_ace + 2..first_ace + 4].copy_from_slice(&2u16.to_le_bytes());
        assert_eq!(error_offset(&ace_smaller_than_header), first_ace + 2);
    }

    #[test]
    fn rejects_bad_revisions() {
        let mut bytes = sample().to_bytes();
        bytes[0] = 2;
        assert_eq!(error_offset(&bytes), 0);
        let mut bytes = sample().to_bytes();
        let dacl = dacl_at(&bytes);
        bytes[dacl] = 9;
        assert_eq!(error_offset(&bytes), dacl);
    }
}
