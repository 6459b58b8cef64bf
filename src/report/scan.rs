//! Scan output, streamed: one row per user as soon as it is evaluated, then totals grouped by
//! cause. Only a row (not the Diagnosis) and per-cause counters with a few example names are kept,
//! so memory stays bounded however many users are scanned.
//!
//! text: users that would fail, one line each, then "by cause" with counts and examples.
//! markdown: a table of the users that would fail, then the totals by cause as a table (for a
//!       ticket or a wiki page; values escaped by the diagnosis report's helpers).
//! json: JSON Lines; one object per user, then one `{"totals": ...}` object.
//! csv:  a header, one row per user; totals go to the text summary on stderr by the command.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::markdown::code;
use crate::diagnosis::model::{Diagnosis, Severity};
use crate::diagnosis::FindingCode;
use crate::sanitize::{json_inert, line};

/// How many example users each cause lists in the text totals.
const EXAMPLES_PER_CAUSE: usize = 5;

/// What a scan keeps of one user's diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanRow {
    pub dn: String,
    pub sam_account_name: String,
    pub user_principal_name: Option<String>,
    pub writeback_can_succeed: bool,
    pub primary_cause: Option<FindingCode>,
    pub blockers: Vec<FindingCode>,
    pub warnings: Vec<FindingCode>,
    pub summary: String,
}

impl ScanRow {
    pub fn of(d: &Diagnosis) -> ScanRow {
        let codes = |sev| {
            d.findings
                .iter()
                .filter(|f| f.severity == sev)
                .map(|f| f.code)
                .collect()
        };
        ScanRow {
            dn: d.user.dn.clone(),
            sam_account_name: d.user.sam_account_name.clone(),
            user_principal_name: d.user.user_principal_name.clone(),
            writeback_can_succeed: d.verdict.writeback_can_succeed,
            primary_cause: d.verdict.primary_cause,
            blockers: codes(Severity::Blocker),
            warnings: codes(Severity::Warning),
            summary: d.verdict.summary.clone(),
        }
    }
}

impl ScanRow {
    /// The primary cause as the totals and tables name it.
    fn cause(&self) -> &'static str {
        self.primary_cause.map_or("unknown", FindingCode::as_str)
    }
}

/// Codes as one field; they are the contract's fixed spellings, so nothing needs escaping.
fn joined(codes: &[FindingCode], sep: &str) -> String {
    codes.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(sep)
}

/// Per-cause counts of the users that would fail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanTotals {
    pub users: usize,
    pub would_fail: usize,
    pub with_warnings: usize,
    pub by_cause: BTreeMap<String, usize>,
    #[serde(skip)]
    examples: BTreeMap<String, Vec<String>>,
}

impl ScanTotals {
    pub fn add(&mut self, row: &ScanRow) {
        self.users += 1;
        if !row.warnings.is_empty() {
            self.with_warnings += 1;
        }
        if row.writeback_can_succeed {
            return;
        }
        self.would_fail += 1;
        let cause = row.cause().to_string();
        let examples = self.examples.entry(cause.clone()).or_default();
        if examples.len() < EXAMPLES_PER_CAUSE {
            examples.push(row.sam_account_name.clone());
        }
        *self.by_cause.entry(cause).or_default() += 1;
    }

    /// Causes, most users first.
    fn ranked(&self) -> Vec<(&String, &usize)> {
        let mut v: Vec<_> = self.by_cause.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v
    }

    /// The examples of `cause` and how many more users it has.
    fn examples_of(&self, cause: &str, count: usize) -> (&[String], usize) {
        let ex = self.examples.get(cause).map_or(&[][..], |v| v.as_slice());
        (ex, count.saturating_sub(ex.len()))
    }

    /// The totals as Markdown: the counts, then one table row per cause.
    pub fn render_markdown(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(out, "### By cause")?;
        writeln!(out)?;
        writeln!(
            out,
            "{} users scanned: {} would fail writeback, {} have warnings.",
            self.users, self.would_fail, self.with_warnings,
        )?;
        if self.by_cause.is_empty() {
            return Ok(());
        }
        writeln!(out)?;
        writeln!(out, "| Cause | Users | Examples |")?;
        writeln!(out, "|---|---:|---|")?;
        for (cause, count) in self.ranked() {
            let (ex, more) = self.examples_of(cause, *count);
            let mut examples = ex.iter().map(|e| code(e)).collect::<Vec<_>>().join(", ");
            if more > 0 {
                examples.push_str(&format!(" and {more} more"));
            }
            writeln!(out, "| {} | {count} | {examples} |", code(cause))?;
        }
        Ok(())
    }

    /// The grouped-by-cause summary a person reads.
    pub fn render_text(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(
            out,
            "{} users scanned: {} would fail writeback, {} have warnings",
            self.users, self.would_fail, self.with_warnings,
        )?;
        if self.by_cause.is_empty() {
            return Ok(());
        }
        writeln!(out, "by cause:")?;
        for (cause, count) in self.ranked() {
            let (ex, more) = self.examples_of(cause, *count);
            writeln!(
                out,
                "  {count:>7}  {}  e.g. {}{}",
                line(cause),
                ex.iter().map(|e| line(e)).collect::<Vec<_>>().join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            )?;
        }
        Ok(())
    }
}

/// The scan's output formats (the module doc says what each writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScanFormat {
    #[default]
    Text,
    Markdown,
    Json,
    Csv,
}

/// Writes rows as they come and the totals at the end.
pub struct ScanWriter<W: Write> {
    out: W,
    format: ScanFormat,
    pub totals: ScanTotals,
    /// Markdown: whether the table of failing users has begun (it starts at the first one).
    table_open: bool,
}

impl<W: Write> ScanWriter<W> {
    pub fn new(mut out: W, format: ScanFormat) -> io::Result<ScanWriter<W>> {
        match format {
            ScanFormat::Csv => writeln!(
                out,
                "dn,sam_account_name,user_principal_name,writeback_can_succeed,primary_cause,blockers,warnings,summary"
            )?,
            ScanFormat::Markdown => {
                writeln!(out, "## Password writeback scan")?;
                writeln!(out)?;
            }
            ScanFormat::Text | ScanFormat::Json => {}
        }
        Ok(ScanWriter {
            out,
            format,
            totals: ScanTotals::default(),
            table_open: false,
        })
    }

    pub fn row(&mut self, row: &ScanRow) -> io::Result<()> {
        self.totals.add(row);
        match self.format {
            ScanFormat::Json => {
                writeln!(self.out, "{}", json_inert(serde_json::to_string(row)?))
            }
            ScanFormat::Csv => writeln!(
                self.out,
                "{},{},{},{},{},{},{},{}",
                csv(&row.dn),
                csv(&row.sam_account_name),
                csv(row.user_principal_name.as_deref().unwrap_or("")),
                row.writeback_can_succeed,
                row.primary_cause.map_or("", FindingCode::as_str),
                joined(&row.blockers, " "),
                joined(&row.warnings, " "),
                csv(&row.summary)
            ),
            ScanFormat::Text | ScanFormat::Markdown if row.writeback_can_succeed => Ok(()),
            ScanFormat::Markdown => {
                if !self.table_open {
                    self.table_open = true;
                    writeln!(self.out, "| User | Primary cause | Blockers | DN |")?;
                    writeln!(self.out, "|---|---|---|---|")?;
                }
                writeln!(
                    self.out,
                    "| {} | {} | {} | {} |",
                    code(&row.sam_account_name),
                    code(row.cause()),
                    joined(&row.blockers, ", "),
                    code(&row.dn)
                )
            }
            ScanFormat::Text => writeln!(
                self.out,
                "✗ {:<24} {:<28} {}",
                line(&row.sam_account_name),
                row.cause(),
                line(&row.dn)
            ),
        }
    }

    /// Writes the totals (text and JSON) and hands them back.
    pub fn finish(mut self) -> io::Result<ScanTotals> {
        match self.format {
            ScanFormat::Text => {
                writeln!(self.out)?;
                self.totals.render_text(&mut self.out)?;
            }
            ScanFormat::Markdown => {
                if self.table_open {
                    writeln!(self.out)?;
                }
                self.totals.render_markdown(&mut self.out)?;
            }
            ScanFormat::Json => {
                serde_json::to_writer(&mut self.out, &serde_json::json!({ "totals": &self.totals }))?;
                writeln!(self.out)?;
            }
            ScanFormat::Csv => {}
        }
        self.out.flush()?;
        Ok(self.totals)
    }
}

/// One CSV field (RFC 4180), sanitized, and with a leading quote before text a spreadsheet would
/// run as a formula.
fn csv(s: &str) -> String {
    let mut s = line(s);
    if s.starts_with(['=', '+', '-', '@']) {
        s.insert(0, '\'');
    }
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(sam: &str, cause: Option<FindingCode>) -> ScanRow {
        ScanRow {
            dn: format!("CN={sam},OU=Staff,DC=contoso,DC=test"),
            sam_account_name: sam.into(),
            user_principal_name: None,
            writeback_can_succeed: cause.is_none(),
            primary_cause: cause,
            blockers: cause.into_iter().collect(),
            warnings: vec![],
            summary: "s".into(),
        }
    }

    #[test]
    fn text_groups_failures_by_cause_with_counts() {
        let mut w = ScanWriter::new(Vec::new(), ScanFormat::Text).unwrap();
        for r in [
            row("a", Some(FindingCode::InheritanceDisabled)),
            row("b", None),
            row("c", Some(FindingCode::InheritanceDisabled)),
            row("d", Some(FindingCode::AccountDisabled)),
        ] {
            w.row(&r).unwrap();
        }
        let out = String::from_utf8(w.out.clone()).unwrap();
        let totals = w.finish().unwrap();
        assert_eq!(totals.users, 4);
        assert_eq!(totals.would_fail, 3);
        assert_eq!(totals.by_cause.get("inheritance-disabled"), Some(&2));
        assert!(!out.contains("CN=b,"));
        let mut s = Vec::new();
        totals.render_text(&mut s).unwrap();
        let s = String::from_utf8(s).unwrap();
        assert!(s.contains("      2  inheritance-disabled  e.g. a, c"), "{s}");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv("CN=a,OU=b"), "\"CN=a,OU=b\"");
        assert_eq!(csv("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(csv("say \"hi\""), "\"say \"\"hi\"\"\"");
        let mut w = ScanWriter::new(Vec::new(), ScanFormat::Csv).unwrap();
        w.row(&row("a", Some(FindingCode::AccountDisabled))).unwrap();
        let out = String::from_utf8(w.out).unwrap();
        assert_eq!(out.lines().count(), 2);
        assert!(out
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("\"CN=a,OU=Staff,DC=contoso,DC=test\",a,,false,account-disabled"));
    }

    #[test]
    fn markdown_tables_the_failing_users_and_the_causes_escaped() {
        let mut buf = Vec::new();
        let mut w = ScanWriter::new(&mut buf, ScanFormat::Markdown).unwrap();
        let mut hostile = row("e|vil`\x1b[31m", Some(FindingCode::InheritanceDisabled));
        hostile.dn = "CN=e|vil\n# heading,OU=Staff,DC=contoso,DC=test".into();
        for r in [
            row("a", Some(FindingCode::InheritanceDisabled)),
            row("b", None),
            hostile,
            row("d", Some(FindingCode::AccountDisabled)),
        ] {
            w.row(&r).unwrap();
        }
        w.finish().unwrap();
        insta::assert_snapshot!(String::from_utf8(buf).unwrap());
    }

    #[test]
    fn markdown_without_failures_has_no_user_table() {
        let mut buf = Vec::new();
        let mut w = ScanWriter::new(&mut buf, ScanFormat::Markdown).unwrap();
        w.row(&row("b", None)).unwrap();
        w.finish().unwrap();
        let out = String::from_utf8(buf).unwrap();
        assert!(!out.contains("| User |"), "{out}");
        assert!(out.contains("1 users scanned: 0 would fail writeback"), "{out}");
    }

    #[test]
    fn json_lines_end_with_totals() {
        let mut buf = Vec::new();
        let mut w = ScanWriter::new(&mut buf, ScanFormat::Json).unwrap();
        w.row(&row("a", Some(FindingCode::AccountDisabled))).unwrap();
        w.finish().unwrap();
        let lines: Vec<serde_json::Value> = String::from_utf8(buf)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["primary_cause"], "account-disabled");
        assert_eq!(lines[1]["totals"]["by_cause"]["account-disabled"], 1);
    }
}
