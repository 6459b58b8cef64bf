//! The user view: who it is and the verdict first (colour and symbol), then the tabs (Account,
//! Permissions, Events, Fix) and, above them, the full event when one is open. Every value from
//! the directory or an event is sanitized before it is drawn.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Tabs};
use ratatui::Frame;

use super::{account, events, fix, permissions};
use crate::diagnosis::Diagnosis;
use crate::directory::DirectoryUser;
use crate::sanitize::line as clean;
use crate::tui::state::{Loading, State, Tab};
use crate::tui::theme::{Theme, Tone};
use crate::tui::widgets::text::wrap_hanging;

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &State) {
    let (Some(_), Some(screen), Some(user), Some([header, tabs, body])) = (
        state.directory.ready(),
        state.user.as_ref(),
        state.current_user(),
        super::layout::user(state, area),
    ) else {
        let line = super::chrome::loading_line("the directory", &state.directory, state);
        frame.render_widget(Paragraph::new(line).block(Block::bordered()), area);
        return;
    };
    let theme = state.settings.theme;
    draw_header(frame, header, user, state);
    let titles = Tab::ALL
        .iter()
        .enumerate()
        .map(|(i, t)| super::layout::tab_label(i, *t));
    let selected = Tab::ALL.iter().position(|t| *t == screen.tab);
    frame.render_widget(
        Tabs::new(titles)
            .select(selected)
            .highlight_style(theme.selected())
            .divider(super::layout::TAB_DIVIDER),
        tabs,
    );
    let diag = state.current_diagnosis();
    match screen.tab {
        Tab::Account => account::draw(frame, body, diag, state),
        Tab::Permissions => permissions::draw(frame, body, diag, state),
        Tab::Events => events::draw(frame, body, diag, state),
        Tab::Fix => fix::draw(frame, body, diag, state),
    }
    if let (Some(event), Some(diag)) = (screen.event_detail, diag) {
        events::draw_detail(frame, body, diag, event, state);
    }
}

/// The text that scrolls in the user view (the event detail, else the Account or Fix tab) and
/// the area it is drawn in; `None` when what is in front scrolls no text.
pub fn scrolled_text(state: &State, area: Rect) -> Option<(Paragraph<'static>, Rect)> {
    let screen = state.user.as_ref()?;
    let [_, _, body] = super::layout::user(state, area)?;
    let diag = state.current_diagnosis();
    let text = match (screen.event_detail, diag, screen.tab) {
        (Some(event), Some(diag), _) => events::detail_paragraph(diag, event, state)?,
        (None, Some(diag), Tab::Account) => account::paragraph(diag, state),
        (None, Some(diag), Tab::Fix) => fix::paragraph(diag, state, body),
        _ => return None,
    };
    Some((text, body))
}

/// The verdict as a tone and a headline, never by colour alone.
/// With `with_code`, the primary cause's finding code follows its title (wide screens).
pub fn verdict_line(d: &Diagnosis, theme: Theme, with_code: bool) -> Line<'static> {
    let (tone, head) = if d.verdict.writeback_can_succeed {
        (Tone::Good, "Writeback can succeed".to_string())
    } else {
        let cause = d
            .verdict
            .primary_cause
            .and_then(|code| d.findings.iter().find(|f| f.code == code))
            .map(|f| {
                let code = if with_code {
                    format!(" [{}]", f.code)
                } else {
                    String::new()
                };
                format!(": {}{code}", clean(&f.title))
            })
            .unwrap_or_default();
        (Tone::Bad, format!("Writeback will fail{cause}"))
    };
    Line::from(vec![
        Span::styled(format!("{} ", tone.symbol()), theme.tone(tone)),
        Span::styled(head, theme.tone(tone)),
    ])
}

/// The header's lines: who (one line, cut at the edge), then the verdict and its summary, wrapped
/// to `width` under the verdict's text (a hanging indent past the symbol).
fn header_lines(user: &DirectoryUser, state: &State, width: u16) -> (Line<'static>, Vec<Line<'static>>) {
    let theme = state.settings.theme;
    let name = user
        .display_name
        .as_deref()
        .map(clean)
        .unwrap_or_else(|| clean(&user.sam_account_name));
    let who = Line::from(vec![
        Span::styled(name, theme.title()),
        Span::raw(format!("  ({})  ", clean(&user.sam_account_name))),
        Span::styled(clean(&user.dn), theme.dim()),
    ]);
    let mut verdict = Vec::new();
    match state.user.as_ref().map(|u| &u.diagnosis) {
        Some(Loading::Ready(d)) => {
            verdict.push(verdict_line(d, theme, width >= 100));
            verdict.push(Line::from(format!("  {}", clean(&d.verdict.summary))));
        }
        Some(loading) => verdict.push(super::chrome::loading_line("the diagnosis", loading, state)),
        None => {}
    }
    verdict.extend(read_when(state));
    let verdict = verdict
        .into_iter()
        .flat_map(|l| wrap_hanging(l, 2, usize::from(width)))
        .collect();
    (who, verdict)
}

/// On a live source, when the data behind the verdict was read: just now for this user, or, when
/// re-reading failed, the time of the loaded copy with the failure.
fn read_when(state: &State) -> Option<Line<'static>> {
    let theme = state.settings.theme;
    let at = |t: &chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    match &state.user.as_ref()?.reread {
        Loading::Ready(fresh) => Some(Line::styled(
            format!(
                "directory read {} (this user, on opening)",
                at(&fresh.captured_at)
            ),
            theme.dim(),
        )),
        Loading::Failed(e) => {
            let copy = state.directory.ready()?;
            Some(Line::styled(
                format!(
                    "{} from the copy read {}: re-reading this user failed: {}",
                    Tone::Warn.symbol(),
                    at(&copy.captured_at),
                    clean(&e.to_string())
                ),
                theme.tone(Tone::Warn),
            ))
        }
        Loading::Idle | Loading::Loading => None,
    }
}

/// Rows the header needs at `width`: the wrapped verdict grows it, up to a third of the screen.
pub(super) fn header_height(user: &DirectoryUser, state: &State, area: Rect) -> u16 {
    let (_, verdict) = header_lines(user, state, area.width);
    let rows = u16::try_from(verdict.len()).unwrap_or(u16::MAX).saturating_add(2);
    rows.min((area.height / 3).max(3))
}

fn draw_header(frame: &mut Frame<'_>, area: Rect, user: &DirectoryUser, state: &State) {
    let (who, verdict) = header_lines(user, state, area.width);
    let [who_area, verdict_area] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    frame.render_widget(Paragraph::new(who), who_area);
    let p = Paragraph::new(verdict).block(Block::new().borders(Borders::BOTTOM));
    frame.render_widget(p, verdict_area);
}
