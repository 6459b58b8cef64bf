//! SDDL text for security descriptors and single ACEs, written the way Windows writes it (section
//! order O G D S, SID aliases, rights and flags in bit order, unknown bits as one hex number), and
//! read back, so tests and the demo-data generator can build descriptors from readable strings.
//!
//! Not supported: conditional expressions and resource attributes (a seventh ACE field), and the
//! file/registry rights aliases (FA, KA, ...) that mean nothing on directory objects.

use super::descriptor::{
    Ace, AceLayout, AceType, Acl, SecurityDescriptor, ACL_REVISION, ACL_REVISION_DS, SE_DACL_AUTO_INHERITED,
    SE_DACL_AUTO_INHERIT_REQ, SE_DACL_PRESENT, SE_DACL_PROTECTED, SE_SACL_AUTO_INHERITED,
    SE_SACL_AUTO_INHERIT_REQ, SE_SACL_PRESENT, SE_SACL_PROTECTED, SE_SELF_RELATIVE,
};
use super::{names, Guid, SdError, Sid};

const ACE_TYPES: &[(&str, u8)] = &[
    ("A", 0x00),
    ("D", 0x01),
    ("AU", 0x02),
    ("AL", 0x03),
    ("OA", 0x05),
    ("OD", 0x06),
    ("OU", 0x07),
    ("OL", 0x08),
    ("XA", 0x09),
    ("XD", 0x0A),
    ("ZA", 0x0B),
    ("XU", 0x0D),
    ("ML", 0x11),
    ("RA", 0x12),
    ("SP", 0x13),
];

const ACE_FLAGS: &[(&str, u8)] = &[
    ("OI", 0x01),
    ("CI", 0x02),
    ("NP", 0x04),
    ("IO", 0x08),
    ("ID", 0x10),
    ("SA", 0x40),
    ("FA", 0x80),
];

/// Directory-service rights in bit order, which is the order Windows concatenates them in.
const RIGHTS: &[(&str, u32)] = &[
    ("CC", 0x0000_0001),
    ("DC", 0x0000_0002),
    ("LC", 0x0000_0004),
    ("SW", 0x0000_0008),
    ("RP", 0x0000_0010),
    ("WP", 0x0000_0020),
    ("DT", 0x0000_0040),
    ("LO", 0x0000_0080),
    ("CR", 0x0000_0100),
    ("SD", 0x0001_0000),
    ("RC", 0x0002_0000),
    ("WD", 0x0004_0000),
    ("WO", 0x0008_0000),
    ("GA", 0x1000_0000),
    ("GX", 0x2000_0000),
    ("GW", 0x4000_0000),
    ("GR", 0x8000_0000),
];

/// ACL flags: name, DACL control bit, SACL control bit.
const ACL_FLAGS: &[(&str, u16, u16)] = &[
    ("P", SE_DACL_PROTECTED, SE_SACL_PROTECTED),
    ("AR", SE_DACL_AUTO_INHERIT_REQ, SE_SACL_AUTO_INHERIT_REQ),
    ("AI", SE_DACL_AUTO_INHERITED, SE_SACL_AUTO_INHERITED),
];

const NO_ACCESS_CONTROL: &str = "NO_ACCESS_CONTROL";

#[derive(Clone, Copy, PartialEq, Eq)]
enum AclKind {
    Dacl,
    Sacl,
}

impl AclKind {
    fn present_bit(self) -> u16 {
        match self {
            AclKind::Dacl => SE_DACL_PRESENT,
            AclKind::Sacl => SE_SACL_PRESENT,
        }
    }

    fn flag_bit(self, flag: &(&str, u16, u16)) -> u16 {
        match self {
            AclKind::Dacl => flag.1,
            AclKind::Sacl => flag.2,
        }
    }
}

impl SecurityDescriptor {
    /// SDDL as Windows writes it. `domain` turns domain-relative SIDs into DA, DU, EA, ...
    pub fn to_sddl(&self, domain: Option<&Sid>) -> String {
        let mut out = String::new();
        for (tag, sid) in [("O:", &self.owner), ("G:", &self.group)] {
            if let Some(sid) = sid {
                out.push_str(tag);
                write_sid(&mut out, sid, domain);
            }
        }
        for (tag, kind, acl) in [
            ("D:", AclKind::Dacl, &self.dacl),
            ("S:", AclKind::Sacl, &self.sacl),
        ] {
            if self.control & kind.present_bit() != 0 {
                out.push_str(tag);
                self.write_acl_sddl(&mut out, kind, acl.as_ref(), domain);
            }
        }
        out
    }

    fn write_acl_sddl(&self, out: &mut String, kind: AclKind, acl: Option<&Acl>, domain: Option<&Sid>) {
        for flag in ACL_FLAGS {
            if self.control & kind.flag_bit(flag) != 0 {
                out.push_str(flag.0);
            }
        }
        match acl {
            None => out.push_str(NO_ACCESS_CONTROL),
            Some(acl) => acl.aces.iter().for_each(|ace| out.push_str(&ace.to_sddl(domain))),
        }
    }

    /// SDDL as the binary descriptor a directory holds (and a snapshot stores), ready to share
    /// between the objects that carry it.
    pub fn sddl_to_bytes(sddl: &str, domain: &Sid) -> Result<std::sync::Arc<[u8]>, SdError> {
        Ok(SecurityDescriptor::from_sddl(sddl, Some(domain))?
            .to_bytes()
            .into())
    }

    /// Builds a self-relative descriptor from SDDL. Domain-relative aliases need `domain`.
    pub fn from_sddl(sddl: &str, domain: Option<&Sid>) -> Result<Self, SdError> {
        let mut sd = SecurityDescriptor {
            revision: 1,
            control: SE_SELF_RELATIVE,
            owner: None,
            group: None,
            sacl: None,
            dacl: None,
        };
        let mut seen = Vec::new();
        for section in split_sections(sddl)? {
            if seen.contains(&section.tag) {
                return Err(bad(section.offset, "section appears twice"));
            }
            seen.push(section.tag);
            match section.tag {
                b'O' => sd.owner = Some(parse_sid(section.value, section.offset, domain)?),
                b'G' => sd.group = Some(parse_sid(section.value, section.offset, domain)?),
                b'D' => sd.dacl = parse_acl(&section, AclKind::Dacl, &mut sd.control, domain)?,
                _ => sd.sacl = parse_acl(&section, AclKind::Sacl, &mut sd.control, domain)?,
            }
        }
        Ok(sd)
    }
}

impl Ace {
    /// The ACE in SDDL, parentheses included: `(OA;CIID;CR;00299570-...;bf967aba-...;S-1-5-...)`.
    pub fn to_sddl(&self, domain: Option<&Sid>) -> String {
        let mut out = String::with_capacity(128);
        out.push('(');
        let code = self.ace_type.code();
        match ACE_TYPES.iter().find(|(_, c)| *c == code) {
            Some((name, _)) => out.push_str(name),
            None => push_fmt(&mut out, format_args!("0x{code:x}")),
        }
        out.push(';');
        write_flags(&mut out, self.flags);
        out.push(';');
        write_rights(&mut out, self.mask);
        for guid in [&self.object_type, &self.inherited_object_type] {
            out.push(';');
            if let Some(guid) = guid {
                push_fmt(&mut out, format_args!("{guid}"));
            }
        }
        out.push(';');
        if let Some(sid) = &self.sid {
            write_sid(&mut out, sid, domain);
        }
        out.push(')');
        out
    }
}

/// A SID as SDDL writes it: the alias when it has one, otherwise `S-1-...`.
pub fn sid_to_sddl(sid: &Sid, domain: Option<&Sid>) -> String {
    let mut out = String::new();
    write_sid(&mut out, sid, domain);
    out
}

fn write_sid(out: &mut String, sid: &Sid, domain: Option<&Sid>) {
    match names::well_known(sid, domain).and_then(|w| w.alias) {
        Some(alias) => out.push_str(alias),
        None => push_fmt(out, format_args!("{sid}")),
    }
}

/// An access mask as SDDL writes it: concatenated names in bit order, or the whole mask in hex
/// when any bit has no name (that is what Windows does).
pub fn rights_to_sddl(mask: u32) -> String {
    let mut out = String::new();
    write_rights(&mut out, mask);
    out
}

fn write_rights(out: &mut String, mask: u32) {
    let named = RIGHTS.iter().fold(0, |acc, (_, bit)| acc | bit);
    if mask & !named != 0 {
        return push_fmt(out, format_args!("0x{mask:x}"));
    }
    RIGHTS
        .iter()
        .filter(|(_, bit)| mask & bit != 0)
        .for_each(|(name, _)| out.push_str(name));
}

fn write_flags(out: &mut String, flags: u8) {
    ACE_FLAGS
        .iter()
        .filter(|(_, bit)| flags & bit != 0)
        .for_each(|(name, _)| out.push_str(name));
    let unnamed = flags & !ACE_FLAGS.iter().fold(0, |acc, (_, bit)| acc | bit);
    if unnamed != 0 {
        push_fmt(out, format_args!("0x{unnamed:x}"));
    }
}

/// Formats straight into the buffer; writing to a `String` cannot fail.
fn push_fmt(out: &mut String, args: std::fmt::Arguments<'_>) {
    let _ = std::fmt::Write::write_fmt(out, args);
}

struct Section<'a> {
    tag: u8,
    /// Character offset of the value, for error messages.
    offset: usize,
    value: &'a str,
}

/// Splits `O:...G:...D:...S:...` at the tags outside parentheses.
fn split_sections(sddl: &str) -> Result<Vec<Section<'_>>, SdError> {
    let bytes = sddl.as_bytes();
    let mut tags = Vec::new();
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => depth = depth.checked_sub(1).ok_or_else(|| bad(i, "unbalanced ')'"))?,
            b':' if depth == 0 => match i.checked_sub(1).and_then(|t| bytes.get(t)) {
                Some(&tag @ (b'O' | b'G' | b'D' | b'S')) => tags.push((tag, i - 1)),
                _ => return Err(bad(i, "':' without a section tag (O, G, D, S) before it")),
            },
            _ => {}
        }
    }
    if !sddl.is_empty() && tags.first().map(|t| t.1) != Some(0) {
        return Err(bad(0, "SDDL must start with O:, G:, D: or S:"));
    }
    let ends = tags.iter().skip(1).map(|t| t.1).chain([sddl.len()]);
    Ok(tags
        .iter()
        .zip(ends)
        .map(|(&(tag, at), end)| Section {
            tag,
            offset: at + 2,
            value: sddl.get(at + 2..end).unwrap_or_default(),
        })
        .collect())
}

fn parse_sid(text: &str, offset: usize, domain: Option<&Sid>) -> Result<Sid, SdError> {
    if text.starts_with("S-") || text.starts_with("s-") {
        return text.parse().map_err(|_| bad(offset, "not a SID"));
    }
    let known =
        names::by_alias(text).ok_or_else(|| bad(offset, &format!("unknown SID alias '{}'", clip(text))))?;
    known
        .sid(domain)
        .ok_or_else(|| bad(offset, &format!("SID alias {text} needs the domain SID")))
}

/// Reads ACL flags, then either NO_ACCESS_CONTROL (a NULL ACL) or a run of `(ace)`.
fn parse_acl(
    section: &Section<'_>,
    kind: AclKind,
    control: &mut u16,
    domain: Option<&Sid>,
) -> Result<Option<Acl>, SdError> {
    *control |= kind.present_bit();
    let mut rest = section.value;
    let at = |rest: &str| section.offset + section.value.len() - rest.len();
    let mut null_acl = false;
    while !rest.is_empty() && !rest.starts_with('(') {
        if let Some(after) = rest.strip_prefix(NO_ACCESS_CONTROL) {
            null_acl = true;
            rest = after;
            continue;
        }
        let flag = ACL_FLAGS
            .iter()
            .find(|f| rest.starts_with(f.0))
            .ok_or_else(|| bad(at(rest), "unknown ACL flag"))?;
        *control |= kind.flag_bit(flag);
        rest = &rest[flag.0.len()..];
    }
    let mut aces = Vec::new();
    while let Some(body) = rest.strip_prefix('(') {
        let close = body.find(')').ok_or_else(|| bad(at(rest), "ACE without ')'"))?;
        aces.push(parse_ace(&body[..close], at(body), domain)?);
        rest = &body[close + 1..];
    }
    if !rest.is_empty() {
        return Err(bad(at(rest), "expected '(' to start an ACE"));
    }
    if null_acl {
        if !aces.is_empty() {
            return Err(bad(section.offset, "NO_ACCESS_CONTROL together with ACEs"));
        }
        return Ok(None);
    }
    let has_object_aces = aces.iter().any(|a| a.ace_type.layout() == AceLayout::Object);
    let acl = Acl {
        revision: if has_object_aces {
            ACL_REVISION_DS
        } else {
            ACL_REVISION
        },
        aces,
    };
    if acl.encoded_len() > usize::from(u16::MAX) {
        return Err(bad(section.offset, "ACL larger than 64 KiB"));
    }
    Ok(Some(acl))
}

/// Parses the six `;`-separated fields of one ACE (without its parentheses).
fn parse_ace(text: &str, offset: usize, domain: Option<&Sid>) -> Result<Ace, SdError> {
    let mut fields = Vec::with_capacity(6);
    let mut start = 0;
    for part in text.split(';') {
        fields.push((offset + start, part));
        start += part.len() + 1;
    }
    let [ty, flags, rights, object, inherited, sid] = fields[..] else {
        return Err(bad(
            offset,
            "an ACE has six fields (conditional ACEs and resource attributes are not supported)",
        ));
    };
    let ace_type = parse_ace_type(ty)?;
    let layout = ace_type.layout();
    if layout == AceLayout::Opaque {
        return Err(bad(ty.0, "this ACE type cannot be written from SDDL"));
    }
    let mut ace = Ace {
        ace_type,
        flags: parse_flags(flags)?,
        mask: parse_rights(rights)?,
        object_type: parse_guid(object, layout)?,
        inherited_object_type: parse_guid(inherited, layout)?,
        sid: Some(parse_sid(sid.1, sid.0, domain)?),
        raw: Vec::new(),
    };
    if let AceType::Other(_) = ace.ace_type {
        ace.raw = ace.encode_fields();
    }
    Ok(ace)
}

fn parse_ace_type((at, text): (usize, &str)) -> Result<AceType, SdError> {
    if let Some((_, code)) = ACE_TYPES.iter().find(|(name, _)| *name == text) {
        return Ok(AceType::from_code(*code));
    }
    parse_hex(text)
        .and_then(|n| u8::try_from(n).ok())
        .map(AceType::from_code)
        .ok_or_else(|| bad(at, &format!("unknown ACE type '{}'", clip(text))))
}

fn parse_flags((at, text): (usize, &str)) -> Result<u8, SdError> {
    let table: Vec<(&str, u32)> = ACE_FLAGS.iter().map(|(n, b)| (*n, u32::from(*b))).collect();
    let flags = parse_names(text, at, &table, "ACE flag")?;
    u8::try_from(flags).map_err(|_| bad(at, "ACE flags do not fit in a byte"))
}

fn parse_rights((at, text): (usize, &str)) -> Result<u32, SdError> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map_err(|_| bad(at, "access mask out of range"));
    }
    parse_names(text, at, RIGHTS, "right")
}

/// Concatenated two-letter names from `table`, optionally ending in one `0x` hex number.
fn parse_names(text: &str, at: usize, table: &[(&str, u32)], what: &str) -> Result<u32, SdError> {
    let mut value = 0u32;
    let mut rest = text;
    while !rest.is_empty() {
        let pos = at + text.len() - rest.len();
        if rest.starts_with("0x") || rest.starts_with("0X") {
            return parse_hex(rest)
                .map(|n| value | n)
                .ok_or_else(|| bad(pos, &format!("bad hex {what}")));
        }
        let token = rest.get(..2).unwrap_or(rest);
        let (_, bit) = table
            .iter()
            .find(|(name, _)| *name == token)
            .ok_or_else(|| bad(pos, &format!("unknown {what} '{}'", clip(token))))?;
        value |= bit;
        rest = &rest[token.len()..];
    }
    Ok(value)
}

fn parse_hex(text: &str) -> Option<u32> {
    let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X"))?;
    u32::from_str_radix(digits, 16).ok()
}

fn parse_guid((at, text): (usize, &str), layout: AceLayout) -> Result<Option<Guid>, SdError> {
    if text.is_empty() {
        return Ok(None);
    }
    if layout != AceLayout::Object {
        return Err(bad(at, "object GUID on an ACE type that has none"));
    }
    text.parse()
        .map(Some)
        .map_err(|_| bad(at, &format!("not a GUID: '{}'", clip(text))))
}

fn clip(text: &str) -> String {
    text.chars().take(40).collect()
}

fn bad(offset: usize, reason: &str) -> SdError {
    SdError::BadSddl {
        offset,
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOMAIN: &str = "S-1-5-21-1004336348-1177238915-682003330";

    fn domain() -> Sid {
        DOMAIN.parse().unwrap()
    }

    /// Parses, renders back identically, and survives the binary round trip.
    fn round_trip(sddl: &str) -> SecurityDescriptor {
        let dom = domain();
        let sd = SecurityDescriptor::from_sddl(sddl, Some(&dom)).unwrap();
        assert_eq!(sd.to_sddl(Some(&dom)), sddl);
        let back = SecurityDescriptor::parse(&sd.to_bytes()).unwrap();
        assert_eq!(back, sd);
        sd
    }

    #[test]
    fn windows_user_descriptor_round_trips() {
        let sddl = "O:DAG:DUD:PAI(OA;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;WD)\
            (OA;CIID;CR;00299570-246d-11d0-a768-00aa006e0529;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-1004336348-1177238915-682003330-1105)\
            (OA;CIIOID;WP;28630ebf-41d5-11d1-a9c1-0000f80367c1;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-1004336348-1177238915-682003330-1105)\
            (A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;DA)(A;;LCRPLORC;;;AU)(A;CIID;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;EA)\
            (OA;CIID;RP;4c164200-20c0-11d0-a768-00aa006e0529;4828cc14-1437-45bc-9b07-ad6f015e5f28;RU)\
            S:AI(OU;CIIOIDSA;WP;f30e3bbe-9ff0-11d1-b603-0000f80367c1;bf967aa5-0de6-11d0-a285-00aa003049e2;WD)";
        let sd = round_trip(sddl);
        let dom = domain();
        assert_eq!(sd.owner, Some(dom.with_rid(512)));
        assert!(sd.dacl_protected());
        let dacl = sd.dacl.as_ref().unwrap();
        assert_eq!(dacl.revision, ACL_REVISION_DS);
        assert_eq!(dacl.aces.len(), 7);
        assert_eq!(dacl.aces[3].mask, 0xF01FF);
        assert_eq!(dacl.aces[2].flags, 0x02 | 0x08 | 0x10);
        assert_eq!(
            sd.sacl.as_ref().unwrap().aces[0].ace_type,
            AceType::SystemAuditObject
        );
    }

    #[test]
    fn ace_renders_like_the_contract_example() {
        let dom = domain();
        let sd = SecurityDescriptor::from_sddl(
            "D:(OA;CIID;CR;00299570-246d-11d0-a768-00aa006e0529;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-1-2-3-1105)",
            Some(&dom),
        )
        .unwrap();
        assert_eq!(
            sd.dacl.unwrap().aces[0].to_sddl(Some(&dom)),
            "(OA;CIID;CR;00299570-246d-11d0-a768-00aa006e0529;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-1-2-3-1105)"
        );
    }

    #[test]
    fn rights_use_names_or_hex_like_windows() {
        assert_eq!(rights_to_sddl(0), "");
        assert_eq!(rights_to_sddl(0x100), "CR");
        assert_eq!(rights_to_sddl(0x20094), "LCRPLORC");
        assert_eq!(rights_to_sddl(0x1000_0000), "GA");
        // A bit with no SDDL name makes Windows print the whole mask in hex.
        assert_eq!(rights_to_sddl(0x1200a9), "0x1200a9");
        assert_eq!(parse_rights((0, "0x1200a9")).unwrap(), 0x1200a9);
        assert_eq!(parse_rights((0, "256")).unwrap(), 0x100);
        assert_eq!(parse_rights((0, "RPWP")).unwrap(), 0x30);
        round_trip("D:(A;;0x1200a9;;;WD)");
    }

    #[test]
    fn domain_aliases_need_the_domain() {
        let sd = SecurityDescriptor::from_sddl("O:SYG:SY", None).unwrap();
        assert_eq!(sd.to_sddl(None), "O:SYG:SY");
        assert!(matches!(
            SecurityDescriptor::from_sddl("O:DA", None),
            Err(SdError::BadSddl { offset: 2, .. })
        ));
        let dom = domain();
        let sd = SecurityDescriptor::from_sddl("O:DA", Some(&dom)).unwrap();
        // Without the domain the SID is written out.
        assert_eq!(sd.to_sddl(None), format!("O:{DOMAIN}-512"));
        assert_eq!(sid_to_sddl(&dom.with_rid(519), Some(&dom)), "EA");
        for alias in [
            "DA", "DU", "DG", "EA", "SA", "BA", "SY", "AU", "WD", "PS", "CO", "ED", "RU", "AO", "BO", "PO",
            "SO", "RE",
        ] {
            round_trip(&format!("O:{alias}"));
        }
    }

    #[test]
    fn null_and_empty_dacls_are_distinct() {
        let null = round_trip("D:NO_ACCESS_CONTROL");
        assert!(null.control & SE_DACL_PRESENT != 0 && null.dacl.is_none());
        let empty = round_trip("D:P");
        assert_eq!(empty.dacl.unwrap().aces.len(), 0);
        let absent = round_trip("O:SY");
        assert_eq!(absent.control & SE_DACL_PRESENT, 0);
        round_trip("D:PARAI(A;;RC;;;WD)");
        round_trip("S:PNO_ACCESS_CONTROL");
    }

    #[test]
    fn other_ace_types_and_unknown_flags_round_trip() {
        round_trip("S:(ML;;CC;;;LW)");
        round_trip("D:(A;CI0x20;RC;;;WD)");
        let sd = SecurityDescriptor::from_sddl("S:(ML;;CC;;;LW)", None).unwrap();
        let ace = &sd.sacl.unwrap().aces[0];
        assert_eq!(ace.ace_type, AceType::Other(0x11));
        assert_eq!(ace.raw, ace.encode_fields());
    }

    #[test]
    fn rejects_malformed_sddl_with_positions() {
        let cases: &[(&str, usize)] = &[
            ("X:SY", 1),
            ("SY", 0),
            ("O:XX", 2),
            ("O:S-1-x", 2),
            ("D:(A;;RC;;;WD", 2),
            ("D:(A;;RC;;WD)", 3),
            ("D:(Q;;RC;;;WD)", 3),
            ("D:(A;ZZ;RC;;;WD)", 5),
            ("D:(A;;RCZZ;;;WD)", 8),
            ("D:(A;;RC;00299570-246d-11d0-a768-00aa006e0529;;WD)", 9),
            ("D:(OA;;CR;not-a-guid;;WD)", 10),
            ("D:(A;;RC;;;WD)x", 14),
            ("D:Q(A;;RC;;;WD)", 2),
            ("D:NO_ACCESS_CONTROL(A;;RC;;;WD)", 2),
            ("O:SYO:SY", 6),
            ("D:(A;;RC;;;WD))", 14),
            ("D:(XA;;RC;;;WD;(Member_of {SID(BA)}))", 3),
        ];
        for (sddl, offset) in cases {
            match SecurityDescriptor::from_sddl(sddl, None) {
                Err(SdError::BadSddl { offset: got, .. }) => {
                    assert_eq!(got, *offset, "{sddl}")
                }
                other => panic!("{sddl}: {other:?}"),
            }
        }
    }
}
