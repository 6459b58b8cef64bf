//! The Events tab: the user's correlated timeline grouped by attempt (TrackingId), filterable with
//! `/`, and the detail overlay with every field of the selected event.

use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::diagnosis::Diagnosis;
use crate::sanitize::line as clean;
use crate::tui::state::{Loading, State};
use crate::tui::widgets::table::{empty, Cells, Column, DataTable};

const COLUMNS: [Column; 6] = [
    Column {
        title: "Try",
        width: Constraint::Length(3),
    },
    Column {
        title: "Time (UTC)",
        width: Constraint::Length(19),
    },
    Column {
        title: "ID",
        width: Constraint::Length(5),
    },
    Column {
        title: "Machine",
        width: Constraint::Fill(1),
    },
    Column {
        title: "Event",
        width: Constraint::Fill(2),
    },
    Column {
        title: "Summary",
        width: Constraint::Fill(4),
    },
];

pub fn draw(frame: &mut Frame<'_>, area: Rect, diag: Option<&Diagnosis>, state: &State) {
    let theme = state.settings.theme;
    let Some(screen) = state.user.as_ref() else { return };
    let list = &screen.events;
    let title = super::list_title("Events (grouped by attempt)", "Events", list);
    let block = Block::bordered().title(title);
    let Some(d) = diag else {
        let line = super::chrome::loading_line("the diagnosis", &screen.diagnosis, state);
        empty(area, frame.buffer_mut(), block, line);
        return;
    };
    let shown: Vec<_> = list.shown.iter().filter_map(|&i| d.timeline.get(i)).collect();
    if shown.is_empty() {
        let text = if d.events.is_empty() {
            "No event of this user in the event logs read."
        } else {
            "No event matches the filter (Esc clears it)."
        };
        empty(area, frame.buffer_mut(), block, Line::from(text));
        return;
    }
    let row_at = |i: usize| {
        let Some((row, e)) = shown.get(i).and_then(|r| d.events.get(r.event).map(|e| (r, e))) else {
            return Cells::new(Vec::new());
        };
        Cells::new(vec![
            Line::from(row.attempt.map_or_else(|| "·".to_string(), |a| format!("#{a}"))),
            Line::from(e.time.format("%Y-%m-%d %H:%M:%S").to_string()),
            Line::from(e.event_id.to_string()),
            Line::from(clean(&e.machine)),
            Line::from(e.name()),
            Line::from(clean(&e.summary())),
        ])
    };
    DataTable {
        columns: &COLUMNS,
        len: shown.len(),
        selected: Some(list.selected),
        focused: true,
        block,
        theme,
    }
    .render(area, frame.buffer_mut(), row_at);
}

fn field(label: &str, value: String, theme: crate::tui::theme::Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<22}"), theme.dim()),
        Span::raw(value),
    ])
}

/// Every field of the event at `index` of the diagnosis: the contract's view, then the
/// normalized event's kind, parsed fields and message.
pub fn draw_detail(frame: &mut Frame<'_>, area: Rect, diag: &Diagnosis, index: usize, state: &State) {
    let Some(detail) = detail_paragraph(diag, index, state) else {
        return;
    };
    let scroll = state.user.as_ref().map_or(0, |u| u.detail_scroll);
    frame.render_widget(Clear, area);
    frame.render_widget(detail.scroll((scroll, 0)), area);
}

/// The detail's text, unscrolled (`update` measures it to bound the scroll).
pub fn detail_paragraph(diag: &Diagnosis, index: usize, state: &State) -> Option<Paragraph<'static>> {
    let theme = state.settings.theme;
    let full = diag.events.get(index)?;
    let e = full.view();
    let mut lines = vec![
        field("Time", clean(&e.time), theme),
        field("Event", format!("{} {}", e.event_id, clean(e.name)), theme),
        field("Machine", clean(&e.machine), theme),
        field(
            "Source",
            format!("{} / {}", clean(&e.channel), clean(&e.provider)),
            theme,
        ),
        field("Record", format!("{} #{}", clean(&e.file), e.record_id), theme),
        field("Summary", clean(&e.summary), theme),
    ];
    let audit = full.audit.map_or_else(String::new, |a| format!(", audit {a:?}"));
    lines.push(field(
        "Kind",
        format!("{:?} (level {}{audit})", full.kind, full.level),
        theme,
    ));
    if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(&full.fields) {
        for (k, v) in fields.iter().filter(|(_, v)| !v.is_null()) {
            // NTSTATUS and HRESULT codes are read in hex everywhere else.
            let v = match (k.as_str(), v.as_u64()) {
                ("hresult" | "status" | "sub_status", Some(n)) => format!("0x{n:08X}"),
                _ => v.as_str().map_or_else(|| v.to_string(), str::to_string),
            };
            lines.push(field(k, clean(&v), theme));
        }
    }
    lines.push(Line::styled("Message", theme.title()));
    lines.extend(
        crate::sanitize::sanitize(&full.message, true)
            .lines()
            .map(|l| Line::from(l.to_string())),
    );
    lines.push(Line::styled("Raw XML", theme.title()));
    match state.user.as_ref().map(|u| &u.raw_xml) {
        Some(Loading::Ready(xml)) => lines.extend(
            crate::sanitize::sanitize(xml, true)
                .lines()
                .map(|l| Line::from(l.to_string())),
        ),
        Some(loading) => {
            lines.push(super::chrome::loading_line("the raw XML", loading, state));
            if matches!(loading, Loading::Failed(_)) {
                let key = state.settings.keys.label(crate::tui::keymap::Action::Retry);
                lines.push(Line::styled(format!("{key} reads it again"), theme.dim()));
            }
        }
        None => {}
    }
    let block = Block::bordered()
        .title(Line::styled(format!(" Event {} ", e.event_id), theme.title()))
        .title_bottom(" Esc closes · ↑/↓ scroll ");
    Some(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }))
}
