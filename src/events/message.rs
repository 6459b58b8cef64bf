//! Parsers for the message texts of classic-source events (PasswordResetService, ADSync,
//! Directory Synchronization): the `Key: value` tokens Microsoft's texts carry, in every spacing
//! seen in the wild (`Key: v`, `Key : v`, `Key=v`). Pure functions on `&str` that never panic,
//! so they are fuzzed directly (fuzz target `event_message`). A field that is missing or does not
//! have the expected shape comes back as `None`.

use std::str::FromStr;

use base64::Engine as _;

use super::model::EventFields;
use crate::security::Guid;

/// Which separators may follow a key.
#[derive(Clone, Copy)]
enum Sep {
    Colon,
    Equals,
    Either,
    /// `UserPrincipalName <upn>` without a colon occurs in 31010 texts.
    ColonOrSpace,
}

/// Where the value of the first occurrence of `key` starts (after the separator and spaces).
/// The key must start a word (`cloudAnchor` is not `Anchor`) and is matched ignoring ASCII case.
fn value_start<'a>(text: &'a str, key: &str, sep: Sep) -> Option<&'a str> {
    let bytes = text.as_bytes();
    let key = key.as_bytes();
    let mut from = 0;
    while let Some(hit) = find_ascii_ci(bytes.get(from..)?, key) {
        let at = from + hit;
        from = at + 1;
        let starts_word = at == 0
            || bytes
                .get(at - 1)
                .is_some_and(|b| !b.is_ascii_alphanumeric() && *b != b'_');
        if !starts_word {
            continue;
        }
        let mut pos = at + key.len();
        let spaces_before = skip_spaces(bytes, &mut pos);
        let found_sep = matches!(
            (bytes.get(pos), sep),
            (Some(b':'), Sep::Colon | Sep::Either | Sep::ColonOrSpace)
                | (Some(b'='), Sep::Equals | Sep::Either)
        );
        if found_sep {
            pos += 1;
        } else if !(matches!(sep, Sep::ColonOrSpace) && spaces_before > 0) {
            continue;
        }
        skip_spaces(bytes, &mut pos);
        // `pos` follows ASCII bytes only, so it is a char boundary.
        return text.get(pos..);
    }
    None
}

fn skip_spaces(bytes: &[u8], pos: &mut usize) -> usize {
    let start = *pos;
    while matches!(bytes.get(*pos), Some(b' ' | b'\t')) {
        *pos += 1;
    }
    *pos - start
}

fn find_ascii_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// A value that ends at a comma, semicolon or whitespace (identifiers, UPNs, anchors, booleans).
fn token(rest: &str) -> Option<&str> {
    let end = rest
        .find(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .unwrap_or(rest.len());
    let value = rest.get(..end)?.trim_end_matches('.');
    (!value.is_empty()).then_some(value)
}

/// A value that ends at a comma or the end of the line (free text such as `Result:`).
fn phrase(rest: &str) -> Option<&str> {
    let end = rest.find([',', '\r', '\n']).unwrap_or(rest.len());
    let value = rest.get(..end)?.trim().trim_end_matches('.').trim_end();
    (!value.is_empty()).then_some(value)
}

/// A distinguished name: it contains commas itself, so it ends at a `, ` that is not escaped,
/// or at the end of the line.
fn distinguished_name(rest: &str) -> Option<&str> {
    let bytes = rest.as_bytes();
    let mut end = bytes.len();
    let mut backslashes = 0usize;
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'\r' | b'\n' => {
                end = i;
                break;
            }
            b',' if backslashes % 2 == 0 && matches!(bytes.get(i + 1), Some(b' ') | None) => {
                end = i;
                break;
            }
            _ => {}
        }
        backslashes = if *b == b'\\' { backslashes + 1 } else { 0 };
    }
    let value = rest.get(..end)?.trim();
    (!value.is_empty()).then_some(value)
}

fn owned(value: Option<&str>) -> Option<String> {
    value.map(str::to_owned)
}

/// `TrackingId: <id>` (PasswordResetService) or `Tracking ID: <guid>` (652).
pub fn tracking_id(text: &str) -> Option<String> {
    owned(
        value_start(text, "TrackingId", Sep::Colon)
            .or_else(|| value_start(text, "Tracking ID", Sep::Colon))
            .and_then(token),
    )
}

/// The user's UPN: `UserPrincipalName: <upn>` (also without the colon), else `Details: <upn>`
/// when what follows `Details:` is a UPN and not a nested `Context:` or an exception.
pub fn user_principal_name(text: &str) -> Option<String> {
    let explicit = value_start(text, "UserPrincipalName", Sep::ColonOrSpace)
        .and_then(token)
        .filter(|v| looks_like_upn(v));
    let details = || {
        value_start(text, "Details", Sep::Colon)
            .and_then(token)
            .filter(|v| looks_like_upn(v))
    };
    owned(explicit.or_else(details))
}

fn looks_like_upn(value: &str) -> bool {
    match value.split_once('@') {
        Some((user, domain)) => !user.is_empty() && !domain.is_empty() && !domain.contains('@'),
        None => false,
    }
}

/// `AdminUpn: <upn>` of an admin-initiated reset.
pub fn admin_upn(text: &str) -> Option<String> {
    owned(value_start(text, "AdminUpn", Sep::Colon).and_then(token))
}

/// `cloudAnchor: <User_ID>` (also `cloudAnchor:<User_ID>`), or a 6329's `AAD anchor = User_...`,
/// which some builds glue to the build line (`User_<guid>Azure AD Sync 2.1.20.0`).
pub fn cloud_anchor(text: &str) -> Option<String> {
    if let Some(v) = value_start(text, "cloudAnchor", Sep::Colon).and_then(token) {
        return Some(v.to_owned());
    }
    let glued = value_start(text, "AAD anchor", Sep::Equals).and_then(token)?;
    let guid_len = "User_".len() + 36;
    let anchor = match glued.get(..guid_len) {
        Some(head) if head.starts_with("User_") && Guid::from_str(&head[5..]).is_ok() => head,
        _ => glued.split("Azure").next().unwrap_or(glued),
    };
    (!anchor.is_empty()).then(|| anchor.to_owned())
}

/// The operation word after the TrackingId (`PasswordResetRequestStart`,
/// `ResetUserPasswordByAdminSuccess`); none in the failure layout, where `Reason:` follows.
pub fn operation(text: &str) -> Option<String> {
    let rest = value_start(text, "TrackingId", Sep::Colon)?;
    let (_, after) = rest.split_once(',')?;
    let word = after.trim_start();
    let end = word
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(word.len());
    let (name, tail) = word.split_at(end);
    let keyed = tail.trim_start().starts_with(':');
    (name.len() > 2 && !keyed && name.starts_with(|c: char| c.is_ascii_uppercase())).then(|| name.to_owned())
}

/// `unblockUser: True` of a 31002.
pub fn unblock_user(text: &str) -> Option<bool> {
    boolean(value_start(text, "unblockUser", Sep::Colon).and_then(token)?)
}

fn boolean(value: &str) -> Option<bool> {
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The step of a sync-engine error (6329) that failed, and the codes it names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncCause {
    pub line: String,
    pub hresult: Option<u32>,
    pub win32: Option<u32>,
}

/// Win32 errors by the symbolic names the sync engine writes.
const WIN32_SYMBOLS: &[(&str, u32)] = &[
    ("ERROR_ACCESS_DENIED", 5),
    ("ERROR_LOGON_FAILURE", 1326),
    ("ERROR_NO_SUCH_DOMAIN", 1355),
    ("ERROR_DS_OBJ_NOT_FOUND", 8333),
    ("RPC_S_SERVER_UNAVAILABLE", 1722),
];

/// The cause of a 6329, read from its `ERR_:` / `BAIL:` lines: the line that names the user or
/// the export (`Failed to acquire user information: ...`, then `ExportPasswordSet failed with
/// ...`), else the last `BAIL`/`ERR_` line with an HRESULT, else a line with a symbolic
/// `ERROR_...`. Never the first HRESULT of the chain: a long 6329 can open with unrelated ones
/// (registry reads). Works on the whole rendered text and on the quoted block alone.
pub fn sync_cause(text: &str) -> Option<SyncCause> {
    let lines: Vec<&str> = text
        .lines()
        .flat_map(split_markers)
        .map(|l| l.trim().trim_matches('"').trim())
        .filter(|l| !l.is_empty())
        .collect();
    let has = |l: &&str, what: &str| find_ascii_ci(l.as_bytes(), what.as_bytes()).is_some();
    let chosen = lines
        .iter()
        .find(|l| has(l, "Failed to acquire user information"))
        .or_else(|| lines.iter().find(|l| has(l, "ExportPasswordSet failed with")))
        .or_else(|| {
            lines
                .iter()
                .rev()
                .find(|l| (l.starts_with("BAIL") || l.starts_with("ERR_")) && hresult(l).is_some())
        })
        .or_else(|| lines.iter().find(|l| symbolic_win32(l).is_some()))?;
    let win32 = symbolic_win32(chosen).or_else(|| short_win32(chosen));
    let hresult = hresult(chosen).or_else(|| win32.map(|w| 0x8007_0000 | (w & 0xffff)));
    Some(SyncCause {
        line: chosen.to_string(),
        hresult,
        win32: win32.or_else(|| hresult.filter(|h| h >> 16 == 0x8007).map(|h| h & 0xffff)),
    })
}

/// Splits a line before each `ERR_:` / `BAIL:` marker (a quoted block can arrive on one line).
fn split_markers(line: &str) -> Vec<&str> {
    let mut cuts: Vec<usize> = ["ERR_:", "BAIL:"]
        .iter()
        .flat_map(|m| line.match_indices(m).map(|(i, _)| i))
        .filter(|i| *i > 0)
        .collect();
    cuts.sort_unstable();
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for at in cuts {
        out.push(line.get(from..at).unwrap_or(""));
        from = at;
    }
    out.push(line.get(from..).unwrap_or(""));
    out
}

fn symbolic_win32(line: &str) -> Option<u32> {
    WIN32_SYMBOLS
        .iter()
        .find(|(name, _)| line.contains(name))
        .map(|(_, code)| *code)
}

/// A short hex Win32 code after a colon (`information: 0x6ba`); eight digits are an HRESULT.
fn short_win32(line: &str) -> Option<u32> {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(hit) = find_ascii_ci(bytes.get(from..)?, b"0x") {
        let at = from + hit;
        from = at + 2;
        let digits = hex_prefix(line.get(at + 2..)?);
        if (1..=4).contains(&digits.len()) {
            return u32::from_str_radix(digits, 16).ok();
        }
    }
    None
}

/// 611: `... failed for domain: <d>, domain controller hostname: <h>, domain controller IP
/// address: <ip>.` then `Details:` with the exception chain and an `RPC Error N`.
fn phs_failure(text: &str, f: &mut EventFields) {
    f.domain = owned(value_start(text, "failed for domain", Sep::Colon).and_then(phrase));
    f.dc_host = owned(value_start(text, "domain controller hostname", Sep::Colon).and_then(token));
    f.dc_ip = owned(value_start(text, "domain controller IP address", Sep::Colon).and_then(token));
    f.exception = owned(value_start(text, "Details", Sep::Colon).and_then(line_text));
    f.win32_error = value_start(text, "RPC Error", Sep::ColonOrSpace).and_then(|rest| {
        let digits = rest.trim_start();
        let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
        digits.get(..end)?.parse().ok()
    });
}

/// 405: `Call sync ldap_bind for DomainName=<d>, UserName=<account>.`
fn connector_bind(text: &str, f: &mut EventFields) {
    f.domain = owned(value_start(text, "DomainName", Sep::Equals).and_then(token));
    f.bind_user = owned(value_start(text, "UserName", Sep::Equals).and_then(token));
}

/// 657's `<partition-name>DOMAIN.COM</partition-name>` in its `<forest-info>` block.
fn partition_name(text: &str) -> Option<String> {
    let (_, rest) = text.split_once("<partition-name>")?;
    let (name, _) = rest.split_once("</partition-name>")?;
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// The rest of the line.
fn line_text(rest: &str) -> Option<&str> {
    let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
    let value = rest.get(..end)?.trim();
    (!value.is_empty()).then_some(value)
}

/// The base64 source anchor: `SourceAnchorValue: <b64>` (writeback) or `Anchor: <b64>` (PHS).
pub fn source_anchor_b64(text: &str) -> Option<String> {
    owned(
        value_start(text, "SourceAnchorValue", Sep::Colon)
            .or_else(|| value_start(text, "Anchor", Sep::Colon))
            .and_then(token),
    )
}

/// Decodes a base64 anchor into the GUID it holds (objectGUID or mS-DS-ConsistencyGuid bytes,
/// AD byte order). Anything but 16 bytes is not a GUID.
pub fn decode_anchor(b64: &str) -> Option<Guid> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    if bytes.len() != 16 {
        return None;
    }
    Guid::from_bytes(&bytes).ok()
}

/// `Dn: <dn>`, `Dn : <dn>` or `DN = <dn>`.
pub fn dn(text: &str) -> Option<String> {
    owned(value_start(text, "Dn", Sep::Either).and_then(distinguished_name))
}

/// `Result: Success.` -> `Success`; `Result : failed, Extended Error: ...` -> `failed`.
pub fn result(text: &str) -> Option<String> {
    owned(value_start(text, "Result", Sep::Colon).and_then(phrase))
}

/// The HRESULT: `hr=XXXXXXXX`, else the first `0x8xxxxxxx` (eight hex digits) in the text.
pub fn hresult(text: &str) -> Option<u32> {
    if let Some(rest) = value_start(text, "hr", Sep::Equals) {
        let rest = rest
            .strip_prefix("0x")
            .or_else(|| rest.strip_prefix("0X"))
            .unwrap_or(rest);
        let digits = hex_prefix(rest);
        if (1..=8).contains(&digits.len()) {
            return u32::from_str_radix(digits, 16).ok();
        }
    }
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(hit) = find_ascii_ci(bytes.get(from..)?, b"0x") {
        let at = from + hit;
        from = at + 2;
        if at > 0 && bytes.get(at - 1).is_some_and(u8::is_ascii_alphanumeric) {
            continue;
        }
        let digits = hex_prefix(text.get(at + 2..)?);
        if digits.len() == 8 {
            if let Ok(value) = u32::from_str_radix(digits, 16) {
                if value & 0x8000_0000 != 0 {
                    return Some(value);
                }
            }
        }
    }
    None
}

fn hex_prefix(text: &str) -> &str {
    let end = text.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(text.len());
    text.get(..end).unwrap_or("")
}

/// The `message=` text of a sync-engine error. It may hold commas itself ("... insecure setting
/// of passwords, or a 128 bit TLS ..."), so it ends at the line end or at a `, Key:` that starts
/// the next field.
pub fn error_message(text: &str) -> Option<String> {
    owned(value_start(text, "message", Sep::Equals).and_then(until_next_key))
}

fn until_next_key(rest: &str) -> Option<&str> {
    let line = rest.get(..rest.find(['\r', '\n']).unwrap_or(rest.len()))?;
    let bytes = line.as_bytes();
    let mut end = line.len();
    for (i, _) in line.match_indices(", ") {
        let word = &bytes[i + 2..];
        let len = word.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        let mut after = i + 2 + len;
        while bytes.get(after) == Some(&b' ') {
            after += 1;
        }
        if len > 0 && bytes.get(after) == Some(&b':') {
            end = i;
            break;
        }
    }
    let value = line.get(..end)?.trim().trim_end_matches('.').trim_end();
    (!value.is_empty()).then_some(value)
}

/// `ForcePasswordChange: True` (31010) or `PwdChangeOnLogon=False` (657).
pub fn force_password_change(text: &str) -> Option<bool> {
    let value = value_start(text, "ForcePasswordChange", Sep::Either)
        .or_else(|| value_start(text, "PwdChangeOnLogon", Sep::Either))
        .and_then(token)?;
    boolean(value)
}

/// Every field of one message (or one line of a batch).
pub fn fields(text: &str) -> EventFields {
    let source_anchor_b64 = source_anchor_b64(text);
    let cause = sync_cause(text);
    let details = value_start(text, "Details", Sep::Colon)
        .and_then(line_text)
        .filter(|d| d.contains("Exception"));
    EventFields {
        tracking_id: tracking_id(text),
        user_principal_name: user_principal_name(text),
        admin_upn: admin_upn(text),
        cloud_anchor: cloud_anchor(text),
        source_anchor: source_anchor_b64.as_deref().and_then(decode_anchor),
        source_anchor_b64,
        dn: dn(text),
        result: result(text),
        // A sync-engine text's HRESULT is its cause's; another text's is its `hr=`.
        hresult: cause.as_ref().and_then(|c| c.hresult).or_else(|| hresult(text)),
        error_message: error_message(text),
        force_password_change: force_password_change(text),
        operation: operation(text),
        unblock_user: unblock_user(text),
        win32_error: cause.as_ref().and_then(|c| c.win32),
        cause: cause.map(|c| c.line),
        exception: owned(details),
        ..EventFields::default()
    }
}

/// Parses a classic-source message into one field set, or, for a 656/657 batch, one per user
/// line (a line with an `Anchor` or a `Dn`). Never empty.
pub fn parse(event_id: u32, text: &str) -> Vec<EventFields> {
    if matches!(event_id, 656 | 657) {
        let partition = partition_name(text);
        let per_user: Vec<EventFields> = text
            .lines()
            .filter(|line| {
                value_start(line, "Anchor", Sep::Colon).is_some()
                    || value_start(line, "Dn", Sep::Either).is_some()
            })
            .map(|line| EventFields {
                domain: partition.clone(),
                ..fields(line)
            })
            .collect();
        if !per_user.is_empty() {
            return per_user;
        }
    }
    let mut f = fields(text);
    match event_id {
        611 => phs_failure(text, &mut f),
        405 => connector_bind(text, &mut f),
        _ => {}
    }
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::*;

    // The 16-byte anchor of Microsoft's 657 example (its 656 example is not valid base64).
    const ANCHOR: &str = "B0H+OD3LM0GEnYODwdPhpg==";

    fn anchor_guid() -> Guid {
        decode_anchor(ANCHOR).expect("16-byte anchor")
    }

    #[test]
    fn writeback_start_with_details_upn() {
        let t = "TrackingId: 7b0c4f3e-1111-4a2b-9c3d-0123456789ab, ResetUserPasswordByAdminStart, Details: alice@contoso.example";
        let f = fields(t);
        assert_eq!(
            f.tracking_id.as_deref(),
            Some("7b0c4f3e-1111-4a2b-9c3d-0123456789ab")
        );
        assert_eq!(f.user_principal_name.as_deref(), Some("alice@contoso.example"));
        assert_eq!(f.hresult, None);
        assert_eq!(f.dn, None);
    }

    #[test]
    fn admin_reset_success_context() {
        let t = format!(
            "TrackingId: abc-1, ResetUserPasswordByAdminSuccess, Details: Context: cloudAnchor: User_0f1e2d3c, \
             SourceAnchorValue: {ANCHOR}, AdminUpn: admin@contoso.example, UserPrincipalName bob@contoso.example, \
             ForcePasswordChange: True"
        );
        let f = fields(&t);
        assert_eq!(f.tracking_id.as_deref(), Some("abc-1"));
        assert_eq!(f.cloud_anchor.as_deref(), Some("User_0f1e2d3c"));
        assert_eq!(f.source_anchor_b64.as_deref(), Some(ANCHOR));
        assert_eq!(f.source_anchor, Some(anchor_guid()));
        assert_eq!(f.admin_upn.as_deref(), Some("admin@contoso.example"));
        assert_eq!(f.user_principal_name.as_deref(), Some("bob@contoso.example"));
        assert_eq!(f.force_password_change, Some(true));
    }

    #[test]
    fn policy_failure_with_hr_and_message() {
        let t = "TrackingId: t-9, ADPasswordPolicyError, UserPrincipalName: erin@contoso.example, Details: \
                 Microsoft.CredentialManagement.OnPremisesPasswordReset.Shared.PasswordResetException: Synchronization \
                 Engine returned an error hr=80230619, message=A restriction prevents the password from being changed \
                 to the current one specified., Context: x";
        let f = fields(t);
        assert_eq!(f.user_principal_name.as_deref(), Some("erin@contoso.example"));
        assert_eq!(f.hresult, Some(0x8023_0619));
        assert_eq!(
            f.error_message.as_deref(),
            Some("A restriction prevents the password from being changed to the current one specified")
        );
    }

    #[test]
    fn sync_engine_6329_shapes() {
        let bail = "BAIL: MMS(4924) 0x80230619: \"A restriction prevents the password from being changed to the current one specified.\"";
        assert_eq!(hresult(bail), Some(0x8023_0619));
        let forest = "... 0x8023061f (The operation failed because password synchronization is not enabled on this Management Agent)";
        assert_eq!(hresult(forest), Some(0x8023_061f));
        let control =
            "MMS(3040): admaexport.cpp(2837): The server doesn't contain the LDAP password policy control.";
        assert_eq!(hresult(control), None);
        let dup = "Synchronization Engine returned an error hr=80230402, message=An attempt to get an object failed because there are duplicated entries with the same anchor.";
        assert_eq!(hresult(dup), Some(0x8023_0402));
        assert_eq!(
            hresult("hr=800700CE, message=The filename or extension is too long"),
            Some(0x8007_00ce)
        );
        // Keywords-like 16-digit values and lowercase words are not HRESULTs.
        assert_eq!(hresult("Keywords 0x8020000000000000"), None);
        assert_eq!(hresult("value 0x00000005"), None);
    }

    #[test]
    fn phs_656_both_spacings() {
        let new = format!(
            "Password Change Request - Anchor: {ANCHOR}, Dn: CN=Viola Hanson,OU=Cloud Objects,DC=contoso,DC=local, Change Date: 05/01/2013 16:34:08"
        );
        let old = new
            .replace("Anchor:", "Anchor :")
            .replace("Dn:", "Dn :")
            .replace("Date:", "Date :");
        for t in [new, old] {
            let v = parse(656, &t);
            assert_eq!(v.len(), 1);
            assert_eq!(
                v[0].dn.as_deref(),
                Some("CN=Viola Hanson,OU=Cloud Objects,DC=contoso,DC=local")
            );
            assert_eq!(v[0].source_anchor, Some(anchor_guid()));
            assert_eq!(v[0].result, None);
        }
    }

    #[test]
    fn phs_657_batch_gives_one_entry_per_user_line() {
        let t = format!(
            "Password Change Result - Anchor : {ANCHOR}, Dn : CN=a,OU=x,DC=c,DC=com, PwdChangeOnLogon=False, Result : Success.\r\n\
             Password Change Result - Anchor: AAAAAAAAAAAAAAAAAAAAAA==, Result: failed, Extended Error: boom\r\n\
             Password Change Result - Anchor: AAAA, Dn: CN=b\\, c,OU=x,DC=c,DC=com, Result: Failed.\r\n\
             <forest-info><partition-name>C.COM</partition-name><connector-id>x</connector-id></forest-info>"
        );
        let v = parse(657, &t);
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].dn.as_deref(), Some("CN=a,OU=x,DC=c,DC=com"));
        assert_eq!(v[0].result.as_deref(), Some("Success"));
        assert_eq!(v[0].force_password_change, Some(false));
        assert_eq!(v[0].source_anchor, Some(anchor_guid()));
        assert_eq!(v[1].dn, None, "657 line without Dn");
        assert_eq!(v[1].result.as_deref(), Some("failed"));
        assert!(v[1].source_anchor.is_some());
        assert_eq!(
            v[2].dn.as_deref(),
            Some("CN=b\\, c,OU=x,DC=c,DC=com"),
            "escaped comma kept"
        );
        assert_eq!(v[2].source_anchor_b64.as_deref(), Some("AAAA"));
        assert_eq!(v[2].source_anchor, None, "3 bytes are not a GUID");
    }

    #[test]
    fn anchor_decodes_in_ad_byte_order() {
        assert_eq!(anchor_guid().to_string(), "38fe4107-cb3d-4133-849d-8383c1d3e1a6");
    }

    #[test]
    fn retry_event_0_dn_with_equals() {
        let t = "The following password changes failed to synchronized and have scheduled for retry. DN = CN=x,DC=c";
        assert_eq!(dn(t).as_deref(), Some("CN=x,DC=c"));
    }

    #[test]
    fn tracking_id_of_652() {
        let t = "Failed credential provisioning batch. Error: ... Error Code: 90 ... Tracking ID: 1f2e3d4c-0000-1111-2222-333344445555 Server Name: X";
        assert_eq!(
            tracking_id(t).as_deref(),
            Some("1f2e3d4c-0000-1111-2222-333344445555")
        );
    }

    #[test]
    fn words_containing_keys_do_not_match() {
        let t = "cloudAnchor: User_1, SourceAnchorValue: , NotDn: q, Results: r, xhr=80230619";
        assert_eq!(source_anchor_b64("cloudAnchor: User_1"), None);
        assert_eq!(dn(t), None);
        assert_eq!(result(t), None);
        assert_eq!(hresult(t), None);
        assert_eq!(user_principal_name("Details: Context: cloudAnchor: x"), None);
        assert_eq!(user_principal_name("UserPrincipalName: not-a-upn"), None);
    }

    #[test]
    fn missing_fields_are_none() {
        let f = fields("Provision credentials ping start.");
        assert_eq!(f, EventFields::default());
        assert_eq!(parse(656, "no users here"), vec![EventFields::default()]);
        assert_eq!(force_password_change("ForcePasswordChange: maybe"), None);
        assert_eq!(decode_anchor("!!!not base64"), None);
    }

    // The texts of field-causes.md section 2, as posted.
    const START_AS_LOGGED: &str = "TrackingId: e9654057-f2df-452c-8f69-132a882798d9, PasswordResetRequestStart, Details: amercer@davidbielascomcast.onmicrosoft.com";
    const SUCCESS_AS_LOGGED: &str = "TrackingId: e9654057-f2df-452c-8f69-132a882798d9, PasswordResetSuccess, Details: Context: cloudAnchor: User_a5a99e6f-dc5b-4d63-8092-acdf79965131, SourceAnchorValue: jYCmV0xpzky2gk+pHsGVng==, UserPrincipalName: amercer@davidbielascomcast.onmicrosoft.com, unblockUser: True";
    const FAILURE_AS_LOGGED: &str = "TrackingId: 7344da2c-ab9d-42ef-adea-4a17d07fdeb9, Reason: Synchronization Engine returned an error hr=80230626, message=The password could not be updated because the management agent credentials were denied access., Context: cloudAnchor: User_9b83f544-ba22-4ffb-bff5-c1c2374d654c, SourceAnchorValue: F39SWQrM2EidaboN8UC8Ww==, UserPrincipalName: ethan@contoso.co.uk, Details: Microsoft.CredentialManagement.OnPremisesPasswordReset.Shared.PasswordResetException: Synchronization Engine returned an error hr=80230626, message=The password could not be updated because the management agent credentials were denied access.\r\n   at AADPasswordReset.SynchronizationEngineManagedHandle.ThrowSyncEngineError(Int32 hr)\r\n   at AADPasswordReset.SynchronizationEngineManagedHandle.ChangePassword(String cloudAnchor, String sourceAnchor, String oldPassword, String newPassword)\r\n   at Microsoft.CredentialManagement.OnPremisesPasswordReset.PasswordResetCredentialManager.ChangePassword(String encryptedChangePasswordRequestString, String publicKeyEncryptedSymmetricKey, String publicKeyEncryptedSymmetricIV)";
    const SYNC_6329_DENIED: &str = "An unexpected error has occurred during a password set operation.\r\n\"BAIL: MMS(5716): ..\\server.cpp(11139): 0x80230626 (The password could not be updated because the management agent credentials were denied access.)\r\nAzure AD Sync 1.0.8641.0\"";
    const SYNC_6329_NOT_IN_SCOPE: &str = "An unexpected error has occurred during a password set operation.\r\n \"ERR_: MMS(7720): ..\\ObjectSearcher.cpp(461): AD Object is not present.\r\nBAIL: MMS(7720): ..\\ObjectSearcher.cpp(491): 0x80230405 (The operation failed because the object cannot be found):\r\nNo password writeback targets found.\r\nMake sure that the source object exists and is connected to the target objects via MV and the target object is in scope of password sync rule.\r\nAAD anchor = User_a5a99e6f-dc5b-4d63-8092-acdf79965131Azure AD Sync 2.1.20.0\"";
    const SYNC_6329_REMOTE_SAM: &str = "ERR_: MMS(4480): admaexport.cpp(2944): Failed to acquire user information: Contoso\\MSOL_0123456789ab. Error Code: ERROR_ACCESS_DENIED";

    fn anchor_of(b64: &str) -> String {
        decode_anchor(b64).map(|g| g.to_string()).unwrap_or_default()
    }

    #[test]
    fn start_as_logged_names_the_operation_and_the_cloud_upn() {
        let f = fields(START_AS_LOGGED);
        assert_eq!(
            f.tracking_id.as_deref(),
            Some("e9654057-f2df-452c-8f69-132a882798d9")
        );
        assert_eq!(f.operation.as_deref(), Some("PasswordResetRequestStart"));
        assert_eq!(
            f.user_principal_name.as_deref(),
            Some("amercer@davidbielascomcast.onmicrosoft.com")
        );
        assert_eq!(f.hresult, None);
    }

    #[test]
    fn success_as_logged_has_anchors_and_unblock_user() {
        let f = fields(SUCCESS_AS_LOGGED);
        assert_eq!(f.operation.as_deref(), Some("PasswordResetSuccess"));
        assert_eq!(
            f.cloud_anchor.as_deref(),
            Some("User_a5a99e6f-dc5b-4d63-8092-acdf79965131")
        );
        assert_eq!(f.source_anchor_b64.as_deref(), Some("jYCmV0xpzky2gk+pHsGVng=="));
        assert_eq!(f.source_anchor, decode_anchor("jYCmV0xpzky2gk+pHsGVng=="));
        assert!(f.source_anchor.is_some());
        assert_eq!(
            f.user_principal_name.as_deref(),
            Some("amercer@davidbielascomcast.onmicrosoft.com")
        );
        assert_eq!(f.unblock_user, Some(true));
        // The variants: no space after `cloudAnchor:`, no comma before `UserPrincipalName:`.
        let variant = SUCCESS_AS_LOGGED
            .replace("cloudAnchor: ", "cloudAnchor:")
            .replace("Vng==, UserPrincipalName", "Vng== UserPrincipalName");
        let v = fields(&variant);
        assert_eq!(v.cloud_anchor, f.cloud_anchor);
        assert_eq!(v.source_anchor, f.source_anchor);
        assert_eq!(v.user_principal_name, f.user_principal_name);
    }

    #[test]
    fn failure_as_logged_reason_context_details_and_stack() {
        let check = |t: &str| {
            let f = fields(t);
            assert_eq!(
                f.tracking_id.as_deref(),
                Some("7344da2c-ab9d-42ef-adea-4a17d07fdeb9")
            );
            assert_eq!(f.operation, None, "the failure layout has no operation word");
            assert_eq!(f.hresult, Some(0x8023_0626));
            assert_eq!(
                f.error_message.as_deref(),
                Some("The password could not be updated because the management agent credentials were denied access")
            );
            assert_eq!(
                f.cloud_anchor.as_deref(),
                Some("User_9b83f544-ba22-4ffb-bff5-c1c2374d654c")
            );
            assert_eq!(
                anchor_of("F39SWQrM2EidaboN8UC8Ww=="),
                f.source_anchor.map(|g| g.to_string()).unwrap_or_default()
            );
            assert_eq!(f.user_principal_name.as_deref(), Some("ethan@contoso.co.uk"));
            assert!(f.exception.as_deref().is_some_and(|e| e.starts_with(
                "Microsoft.CredentialManagement.OnPremisesPasswordReset.Shared.PasswordResetException"
            )));
        };
        check(FAILURE_AS_LOGGED);
        // An admin's parser saw the order UserPrincipalName, Details, Context.
        let reordered = "TrackingId: 7344da2c-ab9d-42ef-adea-4a17d07fdeb9, ADPasswordPolicyError, UserPrincipalName: ethan@contoso.co.uk, Details: Microsoft.CredentialManagement.OnPremisesPasswordReset.Shared.PasswordResetException: Synchronization Engine returned an error hr=80230626, message=The password could not be updated because the management agent credentials were denied access., Context: cloudAnchor: User_9b83f544-ba22-4ffb-bff5-c1c2374d654c, SourceAnchorValue: F39SWQrM2EidaboN8UC8Ww==";
        let f = fields(reordered);
        assert_eq!(f.hresult, Some(0x8023_0626));
        assert_eq!(f.user_principal_name.as_deref(), Some("ethan@contoso.co.uk"));
        assert!(f.source_anchor.is_some());
        // A message with commas of its own (C5) is kept whole.
        let sealed = "TrackingId: t, Reason: Synchronization Engine returned an error hr=8023062C, message=the server is not configured for insecure setting of passwords, or a 128 bit TLS or SSL connection is required., Context: cloudAnchor: User_1";
        let f = fields(sealed);
        assert_eq!(f.hresult, Some(0x8023_062C));
        assert_eq!(
            f.error_message.as_deref(),
            Some("the server is not configured for insecure setting of passwords, or a 128 bit TLS or SSL connection is required")
        );
    }

    #[test]
    fn sync_engine_cause_is_the_line_that_names_the_step_not_the_first_hresult() {
        for text in [
            SYNC_6329_DENIED.to_string(),
            SYNC_6329_DENIED.replace("\r\n", " "),
        ] {
            let f = fields(&text);
            assert_eq!(f.hresult, Some(0x8023_0626), "{text}");
            assert!(f
                .cause
                .as_deref()
                .is_some_and(|c| c.starts_with("BAIL: MMS(5716)")));
        }
        // The whole rendered text and the quoted block alone give the same cause.
        let block = SYNC_6329_NOT_IN_SCOPE
            .split_once('"')
            .map(|(_, b)| b.trim_end_matches('"'))
            .unwrap_or_default();
        for text in [SYNC_6329_NOT_IN_SCOPE, block] {
            let f = fields(text);
            assert_eq!(f.hresult, Some(0x8023_0405));
            assert!(f
                .cause
                .as_deref()
                .is_some_and(|c| c.contains("ObjectSearcher.cpp(491)")));
            assert_eq!(
                f.cloud_anchor.as_deref(),
                Some("User_a5a99e6f-dc5b-4d63-8092-acdf79965131"),
                "the anchor glued to the build line"
            );
        }
        let f = fields(SYNC_6329_REMOTE_SAM);
        assert_eq!(f.win32_error, Some(5));
        assert_eq!(f.hresult, Some(0x8007_0005));
        assert!(f
            .cause
            .as_deref()
            .is_some_and(|c| c.contains("Failed to acquire user information: Contoso\\MSOL_0123456789ab")));
        // Registry noise first, the RPC failure later, the export's generic HRESULT last (C3).
        let rpc = "An unexpected error has occurred during a password set operation.\r\n\"ERR_: MMS(3412): ..\\regkey.cpp(112): 0x80070002 (The system cannot find the file specified.)\r\nERR_: MMS(3412): admaexport.cpp(2944): Failed to acquire user information: 0x6ba\r\nBAIL: MMS(3412): admaexport.cpp(3011): ExportPasswordSet failed with 0x80004005 (Unspecified error)\r\nAzure AD Sync 2.1.20.0\"";
        let f = fields(rpc);
        assert_eq!(f.win32_error, Some(0x6ba));
        assert_eq!(f.hresult, Some(0x8007_06BA));
        assert!(f
            .cause
            .as_deref()
            .is_some_and(|c| c.ends_with("Failed to acquire user information: 0x6ba")));
        // Without a user line, the export's line; with neither, the last BAIL.
        let export = "ERR_: MMS(1): a.cpp(1): 0x80070002 (noise)\nBAIL: MMS(1): admaexport.cpp(9): ExportPasswordSet failed with 0x8023062C (sealing)";
        assert_eq!(fields(export).hresult, Some(0x8023_062C));
        let last = "BAIL: MMS(1): a.cpp(1): 0x80070002 (noise)\nBAIL: MMS(1): b.cpp(2): 0x80230818 (no DC)";
        assert_eq!(fields(last).hresult, Some(0x8023_0818));
    }

    #[test]
    fn phs_611_names_domain_dc_ip_rpc_error_and_chain() {
        let t = "Password hash synchronization failed for domain: contoso.com, domain controller hostname: server1.contoso.com, domain controller IP address: 192.168.0.0.\r\nDetails:       Microsoft.Online.PasswordSynchronization.SynchronizationManagerException: Recovery task failed. ---> Microsoft.Online.PasswordSynchronization.DirectoryReplicationServices.DrsException:  RPC Error 8333 : Directory object not found. There was an error calling _IDL_DRSGetNCChanges.";
        let v = parse(611, t);
        let f = &v[0];
        assert_eq!(f.domain.as_deref(), Some("contoso.com"));
        assert_eq!(f.dc_host.as_deref(), Some("server1.contoso.com"));
        assert_eq!(f.dc_ip.as_deref(), Some("192.168.0.0"));
        assert_eq!(f.win32_error, Some(8333));
        assert!(f.exception.as_deref().is_some_and(|e| e
            .starts_with("Microsoft.Online.PasswordSynchronization.SynchronizationManagerException")
            && e.contains(" ---> ")));
        let old = "Password synchronization failed for domain: Contoso.com.\r\nDetails: Microsoft...DrsException: RPC Error 1722: The RPC server is unavailable.";
        let f = &parse(611, old)[0];
        assert_eq!(f.domain.as_deref(), Some("Contoso.com"));
        assert_eq!(f.win32_error, Some(1722));
    }

    #[test]
    fn phs_657_forest_info_and_adsync_405_bind() {
        let t = format!(
            "Password Change Result - Anchor : {ANCHOR}, Dn : CN=user,OU=OUName,DC=domain,DC=com, PwdChangeOnLogon=False, Result : Success.\r\n\r\n<forest-info>\r\n  <partition-name>DOMAIN.COM</partition-name>\r\n  <connector-id>Connector GUID</connector-id>\r\n</forest-info>"
        );
        let v = parse(657, &t);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].domain.as_deref(), Some("DOMAIN.COM"));
        assert_eq!(v[0].result.as_deref(), Some("Success"));
        let bind = &parse(
            405,
            "Call sync ldap_bind for DomainName=contoso.com, UserName=MSOL_0123456789ab.",
        )[0];
        assert_eq!(bind.domain.as_deref(), Some("contoso.com"));
        assert_eq!(bind.bind_user.as_deref(), Some("MSOL_0123456789ab"));
    }

    #[test]
    fn garbage_never_panics() {
        let samples = [
            "",
            ":",
            "=",
            "Dn",
            "Dn:",
            "Dn :",
            "hr=",
            "hr=zz",
            "0x",
            "0x8",
            "Anchor: ====",
            "Result:.",
            "TrackingId:",
            "UserPrincipalName",
            "Details: @",
            "ü€Dn: ü,ö",
            "\u{0}\u{1b}[2J Dn: \u{202e}",
            "message=",
            "Dn: \\",
            "Dn: a\\,",
            "PwdChangeOnLogon=",
        ];
        for s in samples {
            let _ = parse(657, s);
            let _ = parse(31001, s);
        }
        let mut long = String::new();
        for i in 0..2000 {
            long.push(char::from_u32(i * 37 % 0x2fff).unwrap_or('x'));
        }
        let _ = parse(656, &long);
    }
}
