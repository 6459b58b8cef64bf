//! The Account tab: lockout, pwdLastSet with its age, flags, adminCount, the PSO and the password
//! policy that applies, as the diagnosis decoded them (ages measured at the instant it evaluated),
//! so the tab and the verdict cannot disagree.

use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use crate::ad::time::{human_duration, interval, FileTime};
use crate::diagnosis::account::LockoutBasis;
use crate::diagnosis::model::EvaluatedAtSource;
use crate::diagnosis::policy::PolicySource;
use crate::diagnosis::Diagnosis;
use crate::sanitize::line as clean;
use crate::tui::state::State;
use crate::tui::theme::{Theme, Tone};

pub fn toned(label: &str, value: String, tone: Tone, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<22}"), theme.dim()),
        Span::styled(format!("{} ", tone.symbol()), theme.tone(tone)),
        Span::styled(value, theme.tone(tone)),
    ])
}

fn plain(label: &str, value: String, theme: Theme) -> Line<'static> {
    toned(label, value, Tone::Neutral, theme)
}

/// `t` against the instant the diagnosis was evaluated at ("3 h before the attempt"), or against
/// now when that is the instant; short enough for an 80-column row.
fn when(t: DateTime<Utc>, d: &Diagnosis) -> String {
    let at = d.evaluated_at;
    let stamp = t.format("%Y-%m-%d %H:%M:%S UTC");
    if d.evaluated_at_source == EvaluatedAtSource::Now && t > at {
        return format!("{stamp} (in {})", human_duration(t - at));
    }
    let (before, after) = match d.evaluated_at_source {
        EvaluatedAtSource::Now => ("ago", ""),
        EvaluatedAtSource::LatestFailedAttempt => ("before the attempt", "after the attempt"),
        EvaluatedAtSource::Requested => ("before --at", "after --at"),
    };
    if t <= at {
        format!("{stamp} ({} {before})", human_duration(at - t))
    } else {
        format!("{stamp} ({} {after})", human_duration(t - at))
    }
}

fn duration(raw: i64) -> String {
    interval(raw).map_or_else(|| "never".to_string(), human_duration)
}

/// The Account tab: state of the account and the password policy that applies to it, as the
/// diagnosis decided them.
pub fn draw(frame: &mut Frame<'_>, area: Rect, diag: Option<&Diagnosis>, state: &State) {
    let Some(d) = diag else {
        super::chrome::diagnosis_pending(frame, area, block(), state);
        return;
    };
    let scroll = state.user.as_ref().map_or(0, |u| u.account_scroll);
    frame.render_widget(paragraph(d, state).scroll((scroll, 0)), area);
}

fn block() -> Block<'static> {
    Block::bordered().title(" Account ")
}

/// The tab's text, unscrolled (`update` measures it to bound the scroll).
pub fn paragraph(d: &Diagnosis, state: &State) -> Paragraph<'static> {
    let theme = state.settings.theme;
    let a = &d.account;
    let mut lines = Vec::new();
    lines.push(if a.enabled {
        toned("Account", "enabled".into(), Tone::Good, theme)
    } else {
        toned("Account", "disabled".into(), Tone::Bad, theme)
    });
    let basis = match a.lockout_basis {
        LockoutBasis::Computed => "",
        LockoutBasis::LockoutRule => ", by lockoutTime and the lockout duration",
    };
    lines.push(match (a.locked_out, a.lockout_time) {
        (true, Some(t)) => toned(
            "Locked out",
            format!("yes, since {}{basis}", when(t, d)),
            Tone::Bad,
            theme,
        ),
        (true, None) => toned("Locked out", "yes".into(), Tone::Bad, theme),
        (false, Some(t)) => plain(
            "Locked out",
            format!("no (lockoutTime {} has expired{basis})", when(t, d)),
            theme,
        ),
        (false, None) => toned("Locked out", "no".into(), Tone::Good, theme),
    });
    lines.push(match a.pwd_last_set {
        Some(FileTime::Zero) => toned(
            "pwdLastSet",
            "0: must change at next logon".into(),
            Tone::Warn,
            theme,
        ),
        Some(FileTime::At(t)) => plain("pwdLastSet", when(t, d), theme),
        Some(FileTime::Never) => plain("pwdLastSet", "never".into(), theme),
        None => toned("pwdLastSet", "not read".into(), Tone::Warn, theme),
    });
    lines.push(plain(
        "Flags",
        format!(
            "{} (userAccountControl 0x{:x})",
            if a.flags.is_empty() {
                "none".into()
            } else {
                a.flags.join(", ")
            },
            a.user_account_control
        ),
        theme,
    ));
    lines.push(match a.admin_count {
        Some(n) if n > 0 => toned("adminCount", n.to_string(), Tone::Warn, theme),
        Some(n) => plain("adminCount", n.to_string(), theme),
        None => plain("adminCount", "not set".into(), theme),
    });
    if let Some(n) = a.bad_pwd_count {
        lines.push(plain("badPwdCount", n.to_string(), theme));
    }
    let p = &d.policy;
    let source = match &p.source {
        PolicySource::Pso(dn) => format!("PSO {}", clean(dn)),
        PolicySource::Domain => "domain policy".to_string(),
    };
    lines.push(Line::from(""));
    lines.push(Line::styled("Password policy", theme.title()));
    lines.push(plain("Applies from", source, theme));
    let min_tone = if p.min_pwd_age() > chrono::Duration::zero() {
        Tone::Warn
    } else {
        Tone::Neutral
    };
    lines.push(toned("Minimum age", duration(p.min_pwd_age_raw), min_tone, theme));
    lines.push(plain("Maximum age", duration(p.max_pwd_age_raw), theme));
    lines.push(plain("History length", p.pwd_history_length.to_string(), theme));
    lines.push(plain(
        "Lockout",
        if p.lockout_threshold == 0 {
            "never (threshold 0)".into()
        } else {
            format!(
                "after {} bad passwords, for {}",
                p.lockout_threshold,
                duration(p.lockout_duration_raw)
            )
        },
        theme,
    ));
    Paragraph::new(lines).block(block()).wrap(Wrap { trim: false })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ad::time::to_filetime;
    use crate::diagnosis::{diagnose, DiagnosisInput, FindingCode};
    use crate::testkit::contoso::{directory, ts};
    use crate::tui::keymap::KeyBindings;
    use crate::tui::state::{Settings, SourceLabel};

    /// The Account tab's lockout line for alice locked at `locked_at`, with no computed UAC read,
    /// and whether the diagnosis reports her locked.
    fn lockout_line_and_finding(locked_at: &str, now: &str) -> (String, bool) {
        let mut dir = directory();
        dir.users[0].lockout_time = to_filetime(ts(locked_at));
        dir.users[0].uac_computed = None;
        let now = ts(now);
        let d = diagnose(&DiagnosisInput {
            directory: &dir,
            user: &dir.users[0],
            events: &[],
            at: None,
            now,
        });
        let settings = Settings {
            keys: KeyBindings::default(),
            theme: crate::tui::theme::Theme::MONOCHROME,
            source: SourceLabel::default(),
            now,
        };
        let state = State::new(settings, (100, 30));
        let area = Rect::new(0, 0, 100, 20);
        let mut buf = ratatui::buffer::Buffer::empty(area);
        ratatui::widgets::Widget::render(paragraph(&d, &state), area, &mut buf);
        let line = (0..area.height)
            .map(|y| (0..area.width).map(|x| buf[(x, y)].symbol()).collect::<String>())
            .find(|l| l.contains("Locked out"))
            .expect("the lockout line");
        let locked = d.findings.iter().any(|f| f.code == FindingCode::AccountLocked);
        (line, locked)
    }

    #[test]
    fn the_lockout_line_agrees_with_the_verdict_without_the_computed_uac() {
        // The domain's lockout lasts 30 minutes: two hours later lockoutTime is stale.
        let (line, locked) = lockout_line_and_finding("2026-11-25T10:00:00Z", "2026-11-25T12:00:00Z");
        assert!(!locked, "the diagnosis applies the lockout rule");
        assert!(
            line.contains("no (lockoutTime") && line.contains("has expired"),
            "{line}"
        );
        assert!(!line.contains("unknown"), "{line}");
        // Ten minutes later it still holds, by the same rule.
        let (line, locked) = lockout_line_and_finding("2026-11-25T11:50:00Z", "2026-11-25T12:00:00Z");
        assert!(locked);
        assert!(
            line.contains("yes, since") && line.contains("by lockoutTime"),
            "{line}"
        );
    }
}
