//! The report for a terminal: verdict first, then the facts behind it, the findings with their
//! evidence and fix, and the events. Colour only when asked (the command decides: a terminal and
//! no NO_COLOR); symbols carry the meaning either way.

use std::io::{self, Write};

use super::{cloud_sync_rights, right_outcome, severity_symbol};
use crate::diagnosis::model::{Diagnosis, Severity};
use crate::diagnosis::rules::when;
use crate::events::Event;
use crate::sanitize::line;

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(self, s: &str) -> String {
        self.paint("1", s)
    }
    fn dim(self, s: &str) -> String {
        self.paint("2", s)
    }
    fn ok(self, s: &str) -> String {
        self.paint("32", s)
    }
    fn severity(self, sev: Severity, s: &str) -> String {
        let code = match sev {
            Severity::Blocker => "1;31",
            Severity::Warning => "33",
            Severity::Info => "36",
        };
        self.paint(code, s)
    }
}

pub fn render(d: &Diagnosis, style: Style, out: &mut impl Write) -> io::Result<()> {
    let s = style;
    let who = d.user.display_name.as_deref().unwrap_or(&d.user.sam_account_name);
    writeln!(
        out,
        "{} {} ({})",
        s.bold("Password writeback for"),
        s.bold(&line(who)),
        line(&d.user.sam_account_name)
    )?;
    writeln!(out, "  {}", line(&d.user.dn))?;
    writeln!(out)?;
    let verdict = if d.verdict.writeback_can_succeed {
        s.ok("✓ writeback can succeed")
    } else {
        s.severity(Severity::Blocker, "✗ writeback will fail")
    };
    match &d.verdict.primary_cause {
        Some(c) => writeln!(out, "{verdict}  (primary cause: {})", c)?,
        None => writeln!(out, "{verdict}")?,
    }
    writeln!(out, "  {}", line(&d.verdict.summary))?;
    writeln!(
        out,
        "  {}",
        s.dim(&format!(
            "evaluated at {} ({})",
            when(d.evaluated_at),
            d.evaluated_at_source.describe()
        ))
    )?;
    writeln!(out)?;

    let a = &d.account;
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    writeln!(out, "{}", s.bold("Account"))?;
    writeln!(
        out,
        "  enabled {}   locked out {}   must change password {}   password never expires {}   adminCount {}",
        yes_no(a.enabled),
        yes_no(a.locked_out),
        yes_no(a.must_change_password),
        yes_no(a.password_never_expires),
        a.admin_count.map_or("-".to_string(), |c| c.to_string())
    )?;
    writeln!(
        out,
        "  pwdLastSet {}   lockoutTime {}",
        a.pwd_last_set_instant().map_or("-".to_string(), when),
        a.lockout_time.map_or("-".to_string(), when)
    )?;
    writeln!(
        out,
        "  inheritance {}",
        match &d.inheritance.blocked_at {
            Some(at) => format!("blocked at {}", line(at)),
            None => "from the domain root".to_string(),
        }
    )?;
    writeln!(
        out,
        "  policy: minimum password age {} s, history {}{} ({})",
        d.policy.min_pwd_age().num_seconds(),
        d.policy.pwd_history_length,
        d.policy.length_and_complexity(),
        line(&d.policy.source.label())
    )?;
    writeln!(out)?;

    writeln!(
        out,
        "{} {}{}",
        s.bold("Connector"),
        line(&d.connector.account),
        d.connector
            .sid
            .as_deref()
            .map_or(String::new(), |sid| format!(" ({})", line(sid)))
    )?;
    if d.connector.sid.is_none() {
        writeln!(out, "  {}", s.dim("rights not evaluated: no connector account"))?;
    }
    for (name, check) in d.rights.rows().into_iter().filter(|_| d.connector.sid.is_some()) {
        let mark = if check.allowed {
            s.ok("✓")
        } else {
            s.severity(Severity::Blocker, "✗")
        };
        writeln!(out, "  {mark} {name:<32} {}", right_outcome(check))?;
        if let Some(ace) = &check.deciding_ace {
            writeln!(
                out,
                "      {}",
                s.dim(&format!(
                    "ACE #{} {} {} ({})",
                    ace.index,
                    line(&ace.sddl),
                    line(&ace.trustee),
                    if ace.inherited { "inherited" } else { "explicit" }
                ))
            )?;
        }
    }
    if let Some(cs) = &d.cloud_sync {
        writeln!(
            out,
            "{} {} ({}) {}",
            s.bold("Cloud Sync"),
            line(&cs.account),
            line(&cs.sid),
            cloud_sync_rights(cs)
        )?;
        writeln!(out, "  {}", s.dim(&cs.evidence))?;
    }
    writeln!(out)?;

    writeln!(out, "{} ({})", s.bold("Findings"), d.findings.len())?;
    if d.findings.is_empty() {
        writeln!(out, "  {}", s.ok("✓ none"))?;
    }
    for f in &d.findings {
        let head = format!(
            "{} {} {}",
            severity_symbol(f.severity),
            f.severity.as_str(),
            f.code.as_str()
        );
        writeln!(
            out,
            "  {}  {}",
            s.severity(f.severity, &head),
            s.bold(&line(&f.title))
        )?;
        if !f.detail.is_empty() {
            writeln!(out, "      {}", line(&f.detail))?;
        }
        for e in &f.evidence {
            writeln!(out, "      - {}", line(e))?;
        }
        if !f.remediation.is_empty() {
            writeln!(
                out,
                "      {}",
                s.dim("fix (for an administrator to run; resetlens changes nothing):")
            )?;
            for r in &f.remediation {
                match r.strip_prefix("# ") {
                    Some(note) => writeln!(out, "        {}", line(note))?,
                    None => writeln!(out, "        > {}", line(r))?,
                }
            }
        }
    }
    writeln!(out)?;

    writeln!(out, "{} ({})", s.bold("Events"), d.events.len())?;
    for e in d.events.iter().map(Event::view) {
        writeln!(
            out,
            "  {}  {}  {} {}{}  {}",
            e.time,
            line(&e.machine),
            e.event_id,
            line(e.name),
            e.tracking_id
                .as_deref()
                .map_or(String::new(), |t| format!(" [{}]", line(t))),
            line(&e.summary)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::contoso::{blocked_diagnosis, healthy_diagnosis};

    fn rendered(d: &Diagnosis, color: bool) -> String {
        let mut out = Vec::new();
        render(d, Style { color }, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn blocked_user_snapshot() {
        insta::assert_snapshot!(rendered(&blocked_diagnosis(), false));
    }

    #[test]
    fn healthy_user_snapshot() {
        insta::assert_snapshot!(rendered(&healthy_diagnosis(), false));
    }

    #[test]
    fn missing_connector_says_rights_were_not_evaluated() {
        use crate::directory::ConnectorLookup;
        use crate::testkit::contoso::{directory, facts, ts};
        let mut dir = directory();
        dir.connector = ConnectorLookup::NotFound {
            wanted: "MSOL_*".into(),
        };
        let d = crate::diagnosis::report(
            &facts(&dir, &[], "2026-11-24T08:00:00Z"),
            ts("2026-11-25T12:00:00Z"),
        );
        let out = rendered(&d, false);
        assert!(
            out.contains("rights not evaluated: no connector account"),
            "{out}"
        );
        assert!(!out.contains("Reset Password"), "{out}");
        assert_eq!(
            d.verdict.primary_cause,
            Some(crate::diagnosis::FindingCode::ConnectorNotFound)
        );
    }

    #[test]
    fn colour_only_when_asked_and_hostile_escapes_never_pass() {
        let plain = rendered(&blocked_diagnosis(), false);
        assert!(!plain.contains('\x1b'), "no escape sequences without colour");
        let coloured = rendered(&blocked_diagnosis(), true);
        assert!(coloured.contains("\x1b[1;31m"));
        // The display name's own ESC is shown inert in both.
        assert!(coloured.contains("Alice \\x1b[31mSmith"));
        // Symbols carry the meaning without colour.
        assert!(plain.contains("✗ writeback will fail"));
    }
}
