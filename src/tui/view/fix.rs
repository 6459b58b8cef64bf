//! The Fix tab: every finding, blockers first, with its detail, evidence and the remediation
//! commands (shown, never run; `y` copies the whole ticket summary).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use crate::diagnosis::{Diagnosis, Severity};
use crate::sanitize::line as clean;
use crate::tui::state::State;
use crate::tui::theme::Tone;
use crate::tui::widgets::text::wrap_hanging;

fn tone(s: Severity) -> Tone {
    match s {
        Severity::Blocker => Tone::Bad,
        Severity::Warning => Tone::Warn,
        Severity::Info => Tone::Neutral,
    }
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, diag: Option<&Diagnosis>, state: &State) {
    let Some(d) = diag else {
        super::chrome::diagnosis_pending(frame, area, block(), state);
        return;
    };
    let scroll = state.user.as_ref().map_or(0, |u| u.fix_scroll);
    frame.render_widget(paragraph(d, state, area).scroll((scroll, 0)), area);
}

fn block() -> Block<'static> {
    Block::bordered().title(" Findings and fix ")
}

/// The findings in `area`, unscrolled and wrapped to its width with hanging indents (`update`
/// measures them to bound the scroll).
pub fn paragraph(d: &Diagnosis, state: &State, area: Rect) -> Paragraph<'static> {
    let theme = state.settings.theme;
    let mut findings: Vec<_> = d.findings.iter().collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    // Each line with the column its wrapped rows continue at: under the text, and for commands
    // deeper than the command itself, so a wrapped command is not taken for the next one.
    let mut lines: Vec<(Line<'static>, usize)> = Vec::new();
    if findings.is_empty() {
        lines.push((
            Line::from("No findings: nothing in the directory or the event logs blocks writeback."),
            0,
        ));
    }
    for f in findings {
        let t = tone(f.severity);
        lines.push((
            Line::from(vec![
                Span::styled(format!("{} {} ", t.symbol(), f.severity.as_str()), theme.tone(t)),
                Span::styled(clean(&f.title), theme.title()),
                Span::styled(format!("  [{}]", f.code), theme.dim()),
            ]),
            2,
        ));
        if !f.detail.is_empty() {
            lines.push((Line::from(format!("  {}", clean(&f.detail))), 2));
        }
        for e in &f.evidence {
            lines.push((Line::styled(format!("  · {}", clean(e)), theme.dim()), 4));
        }
        for r in &f.remediation {
            for cmd in crate::sanitize::sanitize(r, true).lines() {
                lines.push((Line::styled(format!("    {cmd}"), theme.key()), 8));
            }
        }
        lines.push((Line::from(""), 0));
    }
    let width = usize::from(block().inner(area).width);
    let rows: Vec<Line<'static>> = lines
        .into_iter()
        .flat_map(|(line, indent)| wrap_hanging(line, indent, width))
        .collect();
    Paragraph::new(rows).block(block())
}
