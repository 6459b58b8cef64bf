//! Parsers for the message texts of classic-source events (PasswordResetService, ADSync,
//! Directory Synchronization): the `Key: value` tokens Microsoft's texts carry, in every spacing
//! seen in the wild (`Key: v`, `Key : v`, `Key=v`). Pure functions on `&str` that never panic,
//! so they are fuzzed directly (fuzz target `event_message`). A field that is missing or does not
//! have the expected shape comes back as `None`.

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

/// `cloudAnchor: <User_ID>`.
pub fn cloud_anchor(text: &str) -> Option<String> {
    owned(value_start(text, "cloudAnchor", Sep::Colon).and_then(token))
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

/// The `message=` text of a sync-engine error.
pub fn error_message(text: &str) -> Option<String> {
    owned(value_start(text, "message", Sep::Equals).and_then(phrase))
}

/// `ForcePasswordChange: True` (31010) or `PwdChangeOnLogon=False` (657).
pub fn force_password_change(text: &str) -> Option<bool> {
    let value = value_start(text, "ForcePasswordChange", Sep::Either)
        .or_else(|| value_start(text, "PwdChangeOnLogon", Sep::Either))
        .and_then(token)?;
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Every field of one message (or one line of a batch).
pub fn fields(text: &str) -> EventFields {
    let source_anchor_b64 = source_anchor_b64(text);
    EventFields {
        tracking_id: tracking_id(text),
        user_principal_name: user_principal_name(text),
        admin_upn: admin_upn(text),
        cloud_anchor: cloud_anchor(text),
        source_anchor: source_anchor_b64.as_deref().and_then(decode_anchor),
        source_anchor_b64,
        dn: dn(text),
        result: result(text),
        hresult: hresult(text),
        error_message: error_message(text),
        force_password_change: force_password_change(text),
        ..EventFields::default()
    }
}

/// Parses a classic-source message into one field set, or, for a 656/657 batch, one per user
/// line (a line with an `Anchor` or a `Dn`). Never empty.
pub fn parse(event_id: u32, text: &str) -> Vec<EventFields> {
    if matches!(event_id, 656 | 657) {
        let per_user: Vec<EventFields> = text
            .lines()
            .filter(|line| {
                value_start(line, "Anchor", Sep::Colon).is_some()
                    || value_start(line, "Dn", Sep::Either).is_some()
            })
            .map(fields)
            .collect();
        if !per_user.is_empty() {
            return per_user;
        }
    }
    vec![fields(text)]
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
