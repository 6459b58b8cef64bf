//! Remediation commands with this user's and this connector's real names and DNs. resetlens only
//! prints them; an administrator runs them. PowerShell strings are single-quoted ('' escapes a
//! quote), dsacls arguments double-quoted for cmd.exe.

use super::facts::Facts;
use crate::ad::dn;

/// The names a command needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    pub user_dn: String,
    pub domain_dn: String,
    /// `contoso.test`, from the domain DN's DC= components.
    pub domain_fqdn: String,
    /// `CONTOSO`, or the FQDN when the NetBIOS name is unknown.
    pub domain_short: String,
    /// The connector's sAMAccountName, or a placeholder when it was not found.
    pub connector_sam: String,
}

impl Names {
    pub fn of(f: &Facts) -> Names {
        let domain_dn = f.directory.domain.dn.clone();
        let domain_fqdn = fqdn(&domain_dn);
        Names {
            user_dn: f.user.dn.clone(),
            domain_short: f
                .directory
                .domain
                .netbios_name
                .clone()
                .unwrap_or_else(|| domain_fqdn.clone()),
            domain_fqdn,
            domain_dn,
            connector_sam: f
                .connector()
                .map_or_else(|| "<MSOL_account>".to_string(), |c| c.sam_account_name.clone()),
        }
    }

    /// `CONTOSO\MSOL_abc123`, as dsacls wants the grantee.
    pub fn connector_principal(&self) -> String {
        format!("{}\\{}", self.domain_short, self.connector_sam)
    }

    /// Entra Connect's own cmdlet, optionally scoped to one object or OU.
    pub fn set_writeback_permissions(&self, scope_dn: Option<&str>) -> String {
        let mut cmd = format!(
            "Set-ADSyncPasswordWritebackPermissions -ADConnectorAccountName {} -ADConnectorAccountDomain {}",
            ps(&self.connector_sam),
            ps(&self.domain_fqdn)
        );
        if let Some(dn) = scope_dn {
            cmd.push_str(&format!(" -ADobjectDN {}", ps(dn)));
        }
        cmd
    }

    /// `dsacls` granting `perm` (e.g. `CA;Reset Password;user`) on `object_dn`, inherited to users.
    pub fn dsacls_grant(&self, object_dn: &str, perm: &str, inherit_to_children: bool) -> String {
        format!(
            "dsacls {} /G {}{}",
            cmd_quote(object_dn),
            cmd_quote(&format!("{}:{perm}", self.connector_principal())),
            if inherit_to_children { " /I:S" } else { "" }
        )
    }

    /// Re-enables inheritance on `object_dn`, keeping its explicit ACEs.
    pub fn enable_inheritance(object_dn: &str) -> String {
        format!(
            "$acl = Get-Acl -Path {p}; $acl.SetAccessRuleProtection($false, $true); Set-Acl -Path {p} -AclObject $acl",
            p = ps(&format!("AD:\\{object_dn}"))
        )
    }

    /// Shows who may do what on `object_dn` (read-only), for checking before and after a change.
    pub fn show_acl(object_dn: &str) -> String {
        format!("dsacls {}", cmd_quote(object_dn))
    }
}

/// A PowerShell single-quoted string literal. PowerShell also ends a single-quoted string at the typographic quotes U+2018..U+201B, so a
/// hostile name with one of them would break out of the literal; each is doubled like '.
pub fn ps(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if matches!(c, '\'' | '\u{2018}'..='\u{201b}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// A cmd.exe double-quoted DN (or grantee) argument. cmd.exe has no escape for '"' inside quotes
/// (even `\"` ends the quoting, and a following `&` runs a command) and expands %VAR% there, so a
/// quote or percent sign, escaped in the DN or not, is written as its RFC 4514 hex escape (`\22`,
/// `\25`), which names the same object. An escaped or trailing backslash becomes `\5c` so none
/// stands before the closing quote, where the program's argument parser would read `\"` as a quote.
pub fn cmd_quote(s: &str) -> String {
    let hex = |c: char| match c {
        '"' => Some("\\22"),
        '%' => Some("\\25"),
        _ => None,
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if let Some(h) = hex(c) {
            out.push_str(h);
        } else if c == '\\' {
            match chars.next() {
                Some('\\') | None => out.push_str("\\5c"),
                Some(next) => match hex(next) {
                    Some(h) => out.push_str(h),
                    None => {
                        out.push(c);
                        out.push(next);
                    }
                },
            }
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// `DC=contoso,DC=test` -> `contoso.test`.
pub fn fqdn(domain_dn: &str) -> String {
    dn::rdns(domain_dn)
        .iter()
        .filter(|r| dn::rdn_is(r, "DC"))
        .map(|r| dn::rdn_value(r))
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_fqdn() {
        assert_eq!(fqdn("DC=contoso,DC=test"), "contoso.test");
        assert_eq!(fqdn("aa\u{e9}=x,dc=contoso,DC=,OU=a,DC=test"), "contoso.test");
        assert_eq!(ps("O'Brien"), "'O''Brien'");
        assert_eq!(
            ps("a\u{2019}; calc; \u{2018}"),
            "'a\u{2019}\u{2019}; calc; \u{2018}\u{2018}'"
        );
        // A quote, escaped in the DN or bare, must not end cmd's quoting; %VAR% must not expand.
        assert_eq!(cmd_quote(r#"CN=a\"&calc&\"b"#), r#""CN=a\22&calc&\22b""#);
        assert_eq!(cmd_quote(r#"CN=a"b%PATH%"#), r#""CN=a\22b\25PATH\25""#);
        assert_eq!(cmd_quote(r"CN=a\,b\\,OU=x\"), r#""CN=a\,b\5c,OU=x\5c""#);
        let n = Names {
            user_dn: "CN=Bob,OU=Staff,DC=contoso,DC=test".into(),
            domain_dn: "DC=contoso,DC=test".into(),
            domain_fqdn: "contoso.test".into(),
            domain_short: "CONTOSO".into(),
            connector_sam: "MSOL_abc123".into(),
        };
        assert_eq!(
            n.set_writeback_permissions(Some("OU=Staff,DC=contoso,DC=test")),
            "Set-ADSyncPasswordWritebackPermissions -ADConnectorAccountName 'MSOL_abc123' \
             -ADConnectorAccountDomain 'contoso.test' -ADobjectDN 'OU=Staff,DC=contoso,DC=test'"
        );
        assert_eq!(
            n.dsacls_grant("DC=contoso,DC=test", "CA;Reset Password;user", true),
            "dsacls \"DC=contoso,DC=test\" /G \"CONTOSO\\MSOL_abc123:CA;Reset Password;user\" /I:S"
        );
    }
}
