//! Distinguished names: splitting into RDNs with RFC 4514 escapes honoured (an OU may be named
//! `R&D, Paris`), parents, and comparison the way AD compares them (case-insensitive).

/// The RDNs of `dn`, leaf first, each as written (escapes kept), whitespace around commas trimmed.
pub fn rdns(dn: &str) -> Vec<&str> {
    Rdns::of(dn).collect()
}

/// `rdns` one at a time, so comparing two DNs allocates nothing (the diagnosis compares a user's
/// ancestors with every container, for every user of a scan).
struct Rdns<'a> {
    dn: &'a str,
    start: usize,
    any: bool,
    done: bool,
}

impl<'a> Rdns<'a> {
    fn of(dn: &'a str) -> Rdns<'a> {
        Rdns {
            dn,
            start: 0,
            any: false,
            done: false,
        }
    }
}

impl<'a> Iterator for Rdns<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.done {
            return None;
        }
        let bytes = self.dn.as_bytes();
        let mut i = self.start;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b',' | b';' => {
                    let rdn = self.dn.get(self.start..i).unwrap_or("").trim();
                    self.start = i + 1;
                    self.any = true;
                    return Some(rdn);
                }
                _ => i += 1,
            }
        }
        self.done = true;
        let last = self.dn.get(self.start..).unwrap_or("").trim();
        (!last.is_empty() || self.any).then_some(last)
    }
}

/// The parent of `dn`, or `None` at the top.
pub fn parent(dn: &str) -> Option<&str> {
    let first = rdns(dn).into_iter().next()?;
    let rest = dn.get(dn.find(first)? + first.len()..)?;
    let rest = rest.trim_start().strip_prefix([',', ';'])?.trim_start();
    (!rest.is_empty()).then_some(rest)
}

/// `dn` and every ancestor up to (and including) `base`, leaf first. Stops at the top if `base` is
/// not an ancestor.
pub fn chain<'a>(dn: &'a str, base: &str) -> Vec<&'a str> {
    let mut out = vec![dn];
    let mut cur = dn;
    while !same(cur, base) {
        match parent(cur) {
            Some(p) => {
                out.push(p);
                cur = p;
            }
            None => break,
        }
    }
    out
}

/// AD compares DNs case-insensitively; spaces after commas do not matter.
pub fn same(a: &str, b: &str) -> bool {
    let (mut ra, mut rb) = (Rdns::of(a), Rdns::of(b));
    loop {
        match (ra.next(), rb.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if eq_ignore_case(x, y) => {}
            _ => return false,
        }
    }
}

/// AD matches names and DNs without regard to case in any script, not only ASCII: a helpdesk
/// typing `JÖRG` means `jörg`. ASCII pairs, nearly all of them, take the cheap comparison.
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
        || (!(a.is_ascii() && b.is_ascii())
            && a.chars()
                .flat_map(char::to_lowercase)
                .eq(b.chars().flat_map(char::to_lowercase)))
}

/// `s` folded the way `eq_ignore_case` compares, for use as a map key: equal under
/// `eq_ignore_case` means equal here.
pub fn fold_case(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars().flat_map(char::to_lowercase).collect()
}

/// `dn` as a map key: equal under `same` means equal here (RDNs case-folded, spaces around
/// commas dropped).
pub fn normalize(dn: &str) -> String {
    rdns(dn)
        .iter()
        .map(|r| fold_case(r))
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether `rdn` is `<attr>=<non-empty value>`. Splits instead of slicing a byte prefix, because a
/// DN from a snapshot or an event can put a multi-byte character where the `=` would be.
pub fn rdn_is(rdn: &str, attr: &str) -> bool {
    rdn.split_once('=')
        .is_some_and(|(a, v)| !v.is_empty() && a.eq_ignore_ascii_case(attr))
}

/// The attribute value of an RDN with escapes removed (`OU=R\2CD` -> `R,D`, `OU=R\,D` -> `R,D`).
pub fn rdn_value(rdn: &str) -> String {
    let raw = rdn.split_once('=').map_or(rdn, |(_, v)| v);
    let mut out = Vec::with_capacity(raw.len());
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            let hex = raw.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(v) => {
                    out.push(v);
                    i += 3;
                }
                None => {
                    out.push(b[i + 1]);
                    i += 2;
                }
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_is_equal_exactly_when_same_says_so() {
        let pairs = [
            (
                "OU=Staff, DC=contoso,DC=test",
                "ou=STAFF,dc=Contoso, dc=TEST",
                true,
            ),
            ("OU=JÖRG,DC=x", "ou=jörg,dc=X", true),
            ("OU=R\\, D,DC=x", "OU=r\\, d,DC=x", true),
            ("OU=Staff,DC=x", "OU=Staff2,DC=x", false),
            ("OU=a,OU=b,DC=x", "OU=a\\,OU=b,DC=x", false),
        ];
        for (a, b, same_dn) in pairs {
            assert_eq!(same(a, b), same_dn, "{a} vs {b}");
            assert_eq!(normalize(a) == normalize(b), same_dn, "{a} vs {b}");
        }
        assert_eq!(fold_case("\u{212A}elvin"), fold_case("KELVIN"));
    }

    #[test]
    fn splits_with_escapes() {
        let dn = r"CN=Mallory M,OU=R\, D,OU=Staff,DC=contoso,DC=example";
        assert_eq!(
            rdns(dn),
            vec![
                "CN=Mallory M",
                r"OU=R\, D",
                "OU=Staff",
                "DC=contoso",
                "DC=example"
            ]
        );
        assert_eq!(parent(dn), Some(r"OU=R\, D,OU=Staff,DC=contoso,DC=example"));
        assert_eq!(rdn_value(r"OU=R\, D"), "R, D");
        assert_eq!(rdn_value(r"OU=R\2CD"), "R,D");
        assert_eq!(parent("DC=example"), None);
    }

    #[test]
    fn chain_to_base() {
        let c = chain("CN=Bob,OU=Staff,DC=contoso,DC=example", "dc=CONTOSO, dc=example");
        assert_eq!(
            c,
            vec![
                "CN=Bob,OU=Staff,DC=contoso,DC=example",
                "OU=Staff,DC=contoso,DC=example",
                "DC=contoso,DC=example"
            ]
        );
        assert!(same("CN=a, DC=x", "cn=A,dc=X"));
        assert!(same("CN=Jörg Müller,DC=x", "cn=JÖRG MÜLLER,dc=X"));
        assert!(eq_ignore_case("Ærøskøbing", "ÆRØSKØBING"));
        assert!(!eq_ignore_case("jörg", "jorg"));
    }

    #[test]
    fn rdn_type_check_is_exact_and_never_splits_a_character() {
        assert!(rdn_is("ou=Staff", "OU"));
        assert!(!rdn_is("OU=", "OU"));
        assert!(!rdn_is("OUX=Staff", "OU"));
        assert!(!rdn_is("aa\u{e9}=x", "OU"));
        assert!(!rdn_is("Staff", "OU"));
    }
}
