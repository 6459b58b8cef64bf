//! The Account tab: lockout, pwdLastSet with ages, flags, adminCount, the PSO and the password
//! policy that applies, straight from the directory values (ages measured from the session's now).

use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use crate::ad::time::{human_duration, interval, FileTime};
use crate::directory::{uac, Directory, DirectoryUser};
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

fn ago(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let when = t.format("%Y-%m-%d %H:%M:%S UTC");
    if t <= now {
        format!("{when} ({} ago)", human_duration(now - t))
    } else {
        format!("{when} (in {})", human_duration(t - now))
    }
}

fn duration(raw: i64) -> String {
    interval(raw).map_or_else(|| "never".to_string(), human_duration)
}

/// The Account tab: state of the account and the password policy that applies to it.
pub fn draw(frame: &mut Frame<'_>, area: Rect, dir: &Directory, user: &DirectoryUser, state: &State) {
    let scroll = state.user.as_ref().map_or(0, |u| u.account_scroll);
    frame.render_widget(paragraph(dir, user, state).scroll((scroll, 0)), area);
}

/// The tab's text, unscrolled (`update` measures it to bound the scroll).
pub fn paragraph(dir: &Directory, user: &DirectoryUser, state: &State) -> Paragraph<'static> {
    let theme = state.settings.theme;
    let now = state.settings.now;
    let uac_bits = user.user_account_control;
    let computed = user.uac_computed.unwrap_or(0);
    let mut lines = Vec::new();
    lines.push(if uac_bits & uac::ACCOUNTDISABLE != 0 {
        toned("Account", "disabled".into(), Tone::Bad, theme)
    } else {
        toned("Account", "enabled".into(), Tone::Good, theme)
    });
    let locked = computed & uac::LOCKOUT != 0;
    let lockout_at = FileTime::from_raw(user.lockout_time).instant();
    lines.push(match (locked, lockout_at) {
        (true, Some(t)) => toned(
            "Locked out",
            format!("yes, since {}", ago(t, now)),
            Tone::Bad,
            theme,
        ),
        (true, None) => toned("Locked out", "yes".into(), Tone::Bad, theme),
        (false, Some(t)) => plain(
            "Locked out",
            format!("no (lockoutTime {} has expired)", ago(t, now)),
            theme,
        ),
        (false, None) if user.uac_computed.is_none() => toned(
            "Locked out",
            "unknown (no computed UAC)".into(),
            Tone::Warn,
            theme,
        ),
        (false, None) => toned("Locked out", "no".into(), Tone::Good, theme),
    });
    lines.push(match user.pwd_last_set.map(FileTime::from_raw) {
        Some(FileTime::Zero) => toned(
            "pwdLastSet",
            "0: must change at next logon".into(),
            Tone::Warn,
            theme,
        ),
        Some(FileTime::At(t)) => plain("pwdLastSet", ago(t, now), theme),
        Some(FileTime::Never) => plain("pwdLastSet", "never".into(), theme),
        None => toned("pwdLastSet", "not read".into(), Tone::Warn, theme),
    });
    let flags: Vec<&str> = [
        (uac::DONT_EXPIRE_PASSWORD, uac_bits, "password never expires"),
        (uac::PASSWD_NOTREQD, uac_bits, "password not required"),
        (uac::SMARTCARD_REQUIRED, uac_bits, "smart card required"),
        (uac::PASSWORD_EXPIRED, computed, "password expired"),
    ]
    .into_iter()
    .filter(|(bit, word, _)| word & bit != 0)
    .map(|(_, _, name)| name)
    .collect();
    lines.push(plain(
        "Flags",
        format!(
            "{} (userAccountControl 0x{uac_bits:x})",
            if flags.is_empty() {
                "none".into()
            } else {
                flags.join(", ")
            }
        ),
        theme,
    ));
    lines.push(match user.admin_count {
        Some(n) if n > 0 => toned("adminCount", n.to_string(), Tone::Warn, theme),
        Some(n) => plain("adminCount", n.to_string(), theme),
        None => plain("adminCount", "not set".into(), theme),
    });
    if let Some(n) = user.bad_pwd_count {
        lines.push(plain("badPwdCount", n.to_string(), theme));
    }
    let pso = dir.password_settings_for(user);
    let (source, min_age, max_age, history, threshold, lockout) = match pso {
        Some(p) => (
            format!("PSO {}", clean(&p.dn)),
            p.min_pwd_age,
            p.max_pwd_age,
            p.pwd_history_length,
            p.lockout_threshold,
            p.lockout_duration,
        ),
        None => (
            "domain policy".to_string(),
            dir.domain.min_pwd_age,
            dir.domain.max_pwd_age,
            dir.domain.pwd_history_length,
            dir.domain.lockout_threshold,
            dir.domain.lockout_duration,
        ),
    };
    lines.push(Line::from(""));
    lines.push(Line::styled("Password policy", theme.title()));
    lines.push(plain("Applies from", source, theme));
    let min_tone = if interval(min_age).is_some_and(|d| d.num_seconds() > 0) {
        Tone::Warn
    } else {
        Tone::Neutral
    };
    lines.push(toned("Minimum age", duration(min_age), min_tone, theme));
    lines.push(plain("Maximum age", duration(max_age), theme));
    lines.push(plain("History length", history.to_string(), theme));
    lines.push(plain(
        "Lockout",
        if threshold == 0 {
            "never (threshold 0)".into()
        } else {
            format!("after {threshold} bad passwords, for {}", duration(lockout))
        },
        theme,
    ));
    let block = Block::bordered().title(" Account ");
    Paragraph::new(lines).block(block).wrap(Wrap { trim: false })
}
