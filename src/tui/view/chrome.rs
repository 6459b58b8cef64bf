//! The frame around every screen: the status line (source, EVTX, connector, spinner), the error
//! banner with its retry key, the footer hints or the `:` command line, and the too-small notice.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use crate::directory::ConnectorLookup;
use crate::tui::keymap::Action;
use crate::tui::state::{Loading, Screen, SearchFocus, State, Tab};
use crate::tui::widgets::text::hints;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

fn spinner(state: &State) -> &'static str {
    SPINNER.get(state.spinner % SPINNER.len()).copied().unwrap_or("*")
}

fn connector_label(state: &State) -> String {
    match state.directory.ready().map(|d| &d.connector) {
        Some(ConnectorLookup::Found(a)) => crate::sanitize::line(&a.sam_account_name),
        Some(ConnectorLookup::NotFound { wanted }) => {
            format!("{} (not found)", crate::sanitize::line(wanted))
        }
        Some(ConnectorLookup::Ambiguous { candidates }) => format!("ambiguous ({})", candidates.len()),
        None => state
            .settings
            .source
            .connector
            .as_deref()
            .map(crate::sanitize::line)
            .unwrap_or_else(|| "?".into()),
    }
}

pub fn status_line(frame: &mut Frame<'_>, area: Rect, state: &State) {
    let theme = state.settings.theme;
    let src = &state.settings.source;
    let mut spans = vec![
        Span::styled("resetlens ", theme.title()),
        Span::raw(crate::sanitize::line(&src.directory)),
    ];
    let evtx = match src.evtx.len() {
        0 => "no EVTX".to_string(),
        1 => format!("EVTX {}", crate::sanitize::line(&src.evtx[0])),
        n => format!("{n} EVTX sources"),
    };
    spans.push(Span::styled(" │ ", theme.dim()));
    spans.push(Span::raw(format!("connector {}", connector_label(state))));
    spans.push(Span::styled(" │ ", theme.dim()));
    spans.push(Span::raw(evtx));
    let events = match state.events_progress {
        Some(p) => format!("event logs {p}%"),
        None => "event logs".into(),
    };
    let loading: Vec<&str> = [
        state.directory.is_loading().then_some("directory"),
        state.events.is_loading().then_some(events.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !loading.is_empty() {
        spans.push(Span::styled(" │ ", theme.dim()));
        spans.push(Span::styled(
            format!("{} loading {}", spinner(state), loading.join(", ")),
            theme.key(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn banner_text(state: &State) -> Option<String> {
    let b = state.banner.as_ref()?;
    let keys = &state.settings.keys;
    let retry = if b.retry.is_empty() {
        String::new()
    } else {
        format!(" · {} retry", keys.label(Action::Retry))
    };
    Some(format!(
        " ✘ {}{retry} · {} dismiss",
        crate::sanitize::line(&b.text),
        keys.label(Action::Back)
    ))
}

/// One line per 80 columns of banner text, at most 3.
pub fn banner_height(state: &State, width: u16) -> u16 {
    banner_text(state).map_or(0, |t| {
        let w = usize::from(width.max(1));
        u16::try_from(t.chars().count().div_ceil(w).clamp(1, 3)).unwrap_or(3)
    })
}

pub fn banner(frame: &mut Frame<'_>, area: Rect, state: &State) {
    if let Some(text) = banner_text(state) {
        let p = Paragraph::new(text)
            .style(state.settings.theme.banner())
            .wrap(Wrap { trim: false });
        frame.render_widget(p, area);
    }
}

/// The actions the footer advertises in the current context.
fn footer_actions(state: &State) -> Vec<Action> {
    match state.screen {
        Screen::Search if state.search.focus == SearchFocus::Query => {
            vec![Action::Open, Action::FocusList, Action::Back, Action::ForceQuit]
        }
        Screen::Search => vec![
            Action::Down,
            Action::Open,
            Action::Filter,
            Action::CommandLine,
            Action::Help,
            Action::Quit,
        ],
        Screen::User => {
            let mut a = vec![Action::NextTab, Action::Down];
            if matches!(
                state.user.as_ref().map(|u| u.tab),
                Some(Tab::Permissions | Tab::Events)
            ) {
                a.push(Action::Filter);
            }
            if matches!(state.user.as_ref().map(|u| u.tab), Some(Tab::Events)) {
                a.push(Action::Open);
            }
            a.extend([Action::Copy, Action::Back, Action::Help, Action::Quit]);
            a
        }
    }
}

pub fn footer(frame: &mut Frame<'_>, area: Rect, state: &State) {
    let theme = state.settings.theme;
    if let Some(line) = &state.command_line {
        let l = Line::from(vec![
            Span::styled(":", theme.key()),
            Span::raw(line.clone()),
            Span::raw("▏"),
        ]);
        frame.render_widget(Paragraph::new(l), area);
        return;
    }
    let mut line = hints(&state.settings.keys, &footer_actions(state), theme);
    if state.screen == Screen::Search && state.search.focus == SearchFocus::Query {
        line.spans.push(Span::styled(" · ", theme.dim()));
        line.spans.push(Span::styled("F1", theme.key()));
        line.spans.push(Span::raw(" help"));
    }
    frame.render_widget(Paragraph::new(line), area);
}

pub fn too_small(frame: &mut Frame<'_>, area: Rect, state: &State) {
    let text = format!(
        "Terminal too small: {}x{}, need at least {}x{}. Enlarge it, or press Ctrl-C to quit.",
        area.width,
        area.height,
        super::MIN_WIDTH,
        super::MIN_HEIGHT
    );
    let p = Paragraph::new(text)
        .style(state.settings.theme.tone(crate::tui::theme::Tone::Warn))
        .wrap(Wrap { trim: true });
    frame.render_widget(p, area);
}

/// A box whose content waits for the open user's diagnosis: its loading (or failure) line.
pub fn diagnosis_pending(frame: &mut Frame<'_>, area: Rect, block: Block<'static>, state: &State) {
    let line = state.user.as_ref().map_or_else(
        || Line::from(""),
        |u| loading_line("the diagnosis", &u.diagnosis, state),
    );
    frame.render_widget(Paragraph::new(line).block(block), area);
}

/// "⠋ loading the directory…" or the error, for panes waiting on data.
pub fn loading_line<T>(what: &str, loading: &Loading<T>, state: &State) -> Line<'static> {
    match loading {
        Loading::Failed(e) => Line::from(format!(
            "✘ {what} failed: {}",
            crate::sanitize::line(&e.to_string())
        )),
        Loading::Idle => Line::from(format!("{what}: not requested")),
        _ => Line::from(format!("{} loading {what}…", spinner(state))),
    }
}
