//! The Fix tab: every finding, blockers first, with its detail, evidence and the remediation
//! commands (shown, never run; `y` copies the whole ticket summary).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use crate::diagnosis::{Diagnosis, Severity};
use crate::sanitize::line as clean;
use crate::tui::state::State;
use crate::tui::theme::Tone;

fn tone(s: Severity) -> Tone {
    match s {
        Severity::Blocker => Tone::Bad,
        Severity::Warning => Tone::Warn,
        Severity::Info => Tone::Neutral,
    }
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, diag: Option<&Diagnosis>, state: &State) {
    let theme = state.settings.theme;
    let block = Block::bordered().title(" Findings and fix ");
    let Some(d) = diag else {
        let line = state.user.as_ref().map_or_else(
            || Line::from(""),
            |u| super::chrome::loading_line("the diagnosis", &u.diagnosis, state),
        );
        frame.render_widget(Paragraph::new(line).block(block), area);
        return;
    };
    let mut findings: Vec<_> = d.findings.iter().collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let mut lines: Vec<Line<'static>> = Vec::new();
    if findings.is_empty() {
        lines.push(Line::from(
            "No findings: nothing in the directory or the event logs blocks writeback.",
        ));
    }
    for f in findings {
        let t = tone(f.severity);
        lines.push(Line::from(vec![
            Span::styled(format!("{} {} ", t.symbol(), f.severity.as_str()), theme.tone(t)),
            Span::styled(clean(&f.title), theme.title()),
            Span::styled(format!("  [{}]", clean(&f.code)), theme.dim()),
        ]));
        if !f.detail.is_empty() {
            lines.push(Line::from(format!("  {}", clean(&f.detail))));
        }
        for e in &f.evidence {
            lines.push(Line::styled(format!("  · {}", clean(e)), theme.dim()));
        }
        for r in &f.remediation {
            for cmd in crate::sanitize::sanitize(r, true).lines() {
                lines.push(Line::styled(format!("    {cmd}"), theme.key()));
            }
        }
        lines.push(Line::from(""));
    }
    let scroll = state.user.as_ref().map_or(0, |u| u.scroll);
    let p = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0));
    frame.render_widget(p, area);
}
