//! The report for a ticket: verdict, an evidence table, the findings with their fix in code
//! blocks, and the events. Directory and event text is sanitized and escaped so a hostile value can
//! neither break the table nor inject markup.

use std::io::{self, Write};

use super::{cloud_sync_rights, right_outcome, severity_symbol};
use crate::diagnosis::model::Diagnosis;
use crate::diagnosis::rules::when;
use crate::events::Event;
use crate::sanitize::line;

/// Plain text in a paragraph or table cell: markup characters escaped.
pub(super) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in line(s).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A literal (DN, SDDL) as a code span; '|' stays escaped because GFM splits cells on it even in
/// code spans, and the fence outgrows any backtick run inside.
pub(super) fn code(s: &str) -> String {
    let s = line(s).replace('|', "\\|");
    let fence = "`".repeat(longest_run(&s, '`') + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        cur = if c == ch { cur + 1 } else { 0 };
        best = best.max(cur);
    }
    best
}

pub fn render(d: &Diagnosis, out: &mut impl Write) -> io::Result<()> {
    let who = d.user.display_name.as_deref().unwrap_or(&d.user.sam_account_name);
    writeln!(
        out,
        "## Password writeback: {} ({})",
        text(who),
        code(&d.user.sam_account_name)
    )?;
    writeln!(out)?;
    let verdict = if d.verdict.writeback_can_succeed {
        "✅ Writeback can succeed"
    } else {
        "❌ Writeback will fail"
    };
    match &d.verdict.primary_cause {
        Some(c) => writeln!(out, "**Verdict:** {verdict}. Primary cause: {}", code(c.as_str()))?,
        None => writeln!(out, "**Verdict:** {verdict}.")?,
    }
    writeln!(out)?;
    writeln!(out, "> {}", text(&d.verdict.summary))?;
    writeln!(out)?;
    writeln!(
        out,
        "Evaluated at {} ({}).",
        when(d.evaluated_at),
        d.evaluated_at_source.describe()
    )?;
    writeln!(out)?;

    writeln!(out, "### Evidence")?;
    writeln!(out)?;
    writeln!(out, "| Check | Value | Detail |")?;
    writeln!(out, "|---|---|---|")?;
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let a = &d.account;
    writeln!(
        out,
        "| User | {} | {} |",
        code(&d.user.dn),
        d.user.object_sid.as_deref().map_or(String::new(), code)
    )?;
    writeln!(out, "| Account enabled | {} | |", yes_no(a.enabled))?;
    writeln!(
        out,
        "| Locked out | {} | lockoutTime {} |",
        yes_no(a.locked_out),
        a.lockout_time.map_or("-".to_string(), when)
    )?;
    writeln!(
        out,
        "| Password last set | {} | must change at next logon: {} |",
        a.pwd_last_set_instant().map_or("-".to_string(), when),
        yes_no(a.must_change_password)
    )?;
    writeln!(
        out,
        "| adminCount | {} | |",
        a.admin_count.map_or("-".to_string(), |c| c.to_string())
    )?;
    writeln!(
        out,
        "| Inheritance | {} | {} |",
        if d.inheritance.blocked_at.is_some() {
            "blocked"
        } else {
            "from the domain root"
        },
        d.inheritance.blocked_at.as_deref().map_or(String::new(), code)
    )?;
    writeln!(
        out,
        "| Password policy | min age {} s, history {}{} | {} |",
        d.policy.min_pwd_age().num_seconds(),
        d.policy.pwd_history_length,
        d.policy.length_and_complexity(),
        code(&d.policy.source.label())
    )?;
    writeln!(
        out,
        "| Connector account | {} | {} |",
        code(&d.connector.account),
        d.connector.sid.as_deref().map_or(String::new(), code)
    )?;
    if d.connector.sid.is_none() {
        writeln!(out, "| Connector rights | not evaluated | no connector account |")?;
    }
    for (name, check) in d.rights.rows().into_iter().filter(|_| d.connector.sid.is_some()) {
        let mark = if check.allowed { "✅" } else { "❌" };
        let ace = check
            .deciding_ace
            .as_ref()
            .map_or("no ACE matched".to_string(), |ace| {
                format!(
                    "ACE #{} {} for {} ({})",
                    ace.index,
                    code(&ace.sddl),
                    text(&ace.trustee),
                    if ace.inherited { "inherited" } else { "explicit" }
                )
            });
        writeln!(out, "| {name} | {mark} {} | {ace} |", right_outcome(check))?;
    }
    if let Some(cs) = &d.cloud_sync {
        writeln!(
            out,
            "| Cloud Sync account | {} {} | {} |",
            code(&cs.account),
            cloud_sync_rights(cs),
            text(&cs.evidence)
        )?;
    }
    writeln!(out)?;

    writeln!(out, "### Findings")?;
    writeln!(out)?;
    if d.findings.is_empty() {
        writeln!(out, "None.")?;
        writeln!(out)?;
    }
    for f in &d.findings {
        writeln!(
            out,
            "#### {} {} {}: {}",
            severity_symbol(f.severity),
            f.severity.as_str(),
            code(f.code.as_str()),
            text(&f.title)
        )?;
        writeln!(out)?;
        if !f.detail.is_empty() {
            writeln!(out, "{}", text(&f.detail))?;
            writeln!(out)?;
        }
        for e in &f.evidence {
            writeln!(out, "- {}", text(e))?;
        }
        if !f.evidence.is_empty() {
            writeln!(out)?;
        }
        if !f.remediation.is_empty() {
            writeln!(out, "Fix (for an administrator; resetlens changes nothing):")?;
            writeln!(out)?;
            let body: Vec<String> = f.remediation.iter().map(|r| line(r)).collect();
            let fence = "`".repeat(body.iter().map(|b| longest_run(b, '`')).max().unwrap_or(0).max(2) + 1);
            writeln!(out, "{fence}powershell")?;
            for b in &body {
                writeln!(out, "{b}")?;
            }
            writeln!(out, "{fence}")?;
            writeln!(out)?;
        }
    }

    writeln!(out, "### Events")?;
    writeln!(out)?;
    if d.events.is_empty() {
        writeln!(out, "No events for this user in the logs provided.")?;
        return Ok(());
    }
    writeln!(out, "| Time | Machine | Event | TrackingId | Summary |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    for e in d.events.iter().map(Event::view) {
        writeln!(
            out,
            "| {} | {} | {} {} | {} | {} |",
            e.time,
            text(&e.machine),
            e.event_id,
            text(e.name),
            e.tracking_id.as_deref().map_or(String::new(), code),
            text(&e.summary)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_values_cannot_break_the_table_or_inject_markup() {
        assert_eq!(text("a|b<script>"), "a\\|b\\<script\\>");
        assert_eq!(code("CN=x|y"), "`CN=x\\|y`");
        assert_eq!(code("a`b"), "``a`b``");
        assert!(!text("x\x1b[31my\nz").contains('\x1b'));
        assert!(!code("x\ny").contains('\n'));
    }
}

#[cfg(test)]
mod snapshot_tests {
    use super::*;
    use crate::testkit::contoso::{blocked_diagnosis, healthy_diagnosis};

    fn rendered(d: &Diagnosis) -> String {
        let mut out = Vec::new();
        render(d, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn blocked_user_snapshot() {
        insta::assert_snapshot!(rendered(&blocked_diagnosis()));
    }

    #[test]
    fn healthy_user_snapshot() {
        insta::assert_snapshot!(rendered(&healthy_diagnosis()));
    }
}
