//! The Permissions tab: the connector's five writeback rights (allowed or denied, with the ACE
//! that decided each), the inheritance chain from the domain root down to the user with the
//! blocking point marked, and the user's full DACL with the deciding rows highlighted.

use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use crate::diagnosis::evidence::{ChainLink, Inherits};
use crate::diagnosis::model::Effect;
use crate::diagnosis::Diagnosis;
use crate::report::right_outcome;
use crate::sanitize::line as clean;
use crate::tui::keymap::Action;
use crate::tui::state::State;
use crate::tui::theme::{Theme, Tone};
use crate::tui::widgets::table::{self, empty, Cells, Column, DataTable};

const DACL_COLUMNS: [Column; 7] = [
    Column {
        title: "#",
        width: Constraint::Length(3),
    },
    Column {
        title: "",
        width: Constraint::Length(1),
    },
    Column {
        title: "Effect",
        width: Constraint::Length(6),
    },
    Column {
        title: "Origin",
        width: Constraint::Length(9),
    },
    Column {
        title: "Trustee",
        width: Constraint::Fill(3),
    },
    Column {
        title: "Rights",
        width: Constraint::Fill(1),
    },
    Column {
        title: "Object / applies to",
        width: Constraint::Fill(4),
    },
];

/// Borders, the header and one ACE: a smaller DACL box is not drawn.
const DACL_SHOWN: u16 = 4;

pub fn draw(frame: &mut Frame<'_>, area: Rect, diag: Option<&Diagnosis>, state: &State) {
    let theme = state.settings.theme;
    let chain = diag.map_or(&[][..], |d| &d.inheritance_chain);
    let stack = state.user.as_ref().map_or(0, |u| u.stack);
    let boxes = super::layout::permissions(area, chain.len(), stack);
    if let Some(rights) = boxes.rights {
        draw_rights(frame, rights, diag, state);
    }
    // Fewer rows than a header and one ACE: the DACL is stacked below; the chain says so.
    let dacl_shown = boxes.dacl.height >= DACL_SHOWN;
    if let Some(inheritance) = boxes.chain {
        let below =
            (!dacl_shown).then(|| format!(" {} shows the DACL ", state.settings.keys.label(Action::Down)));
        draw_chain(frame, inheritance, chain, below, theme);
    }
    if dacl_shown {
        draw_dacl(frame, boxes.dacl, diag, state);
    }
}

fn draw_rights(frame: &mut Frame<'_>, area: Rect, diag: Option<&Diagnosis>, state: &State) {
    let theme = state.settings.theme;
    let block = Block::bordered().title(" Connector rights ");
    let Some(d) = diag else {
        super::chrome::diagnosis_pending(frame, area, block, state);
        return;
    };
    let lines: Vec<Line<'static>> = d
        .rights
        .rows()
        .into_iter()
        .map(|(name, check)| {
            let tone = if check.allowed { Tone::Good } else { Tone::Bad };
            let decided = check.deciding_ace.as_ref().map_or_else(
                || "no ACE grants it".to_string(),
                |a| format!("ACE #{} {} {}", a.index, clean(&a.trustee), clean(&a.sddl)),
            );
            Line::from(vec![
                Span::styled(
                    format!("{} {:<13}", tone.symbol(), right_outcome(check)),
                    theme.tone(tone),
                ),
                Span::raw(format!("{name:<32}")),
                Span::styled(decided, theme.dim()),
            ])
        })
        .collect();
    let block = block.title_bottom(Line::from(format!(" connector {} ", clean(&d.connector.account))));
    frame.render_widget(Paragraph::new(fit(lines, area)).block(block), area);
}

/// Lines cut with `…` where they overrun the bordered box at `area`, as table cells are.
fn fit(lines: Vec<Line<'static>>, area: Rect) -> Vec<Line<'static>> {
    let width = usize::from(area.width.saturating_sub(2));
    lines.into_iter().map(|l| table::ellipsize(l, width).0).collect()
}

fn draw_chain(frame: &mut Frame<'_>, area: Rect, chain: &[ChainLink], below: Option<String>, theme: Theme) {
    let lines: Vec<Line<'static>> = chain
        .iter()
        .enumerate()
        .map(|(depth, link)| {
            let (tone, state) = match link.inherits {
                Inherits::Root => (Tone::Neutral, "domain root"),
                Inherits::Yes => (Tone::Good, "inherits"),
                Inherits::Protected => (Tone::Bad, "inheritance disabled"),
                Inherits::Unknown => (Tone::Warn, "not read"),
            };
            // Below the root the indentation shows the path, so each level needs only its RDN.
            let name = clean(&if depth == 0 {
                link.dn.clone()
            } else {
                first_rdn(&link.dn)
            });
            let indent = "  ".repeat(depth.saturating_sub(1));
            let mut spans = vec![
                Span::raw(format!("{indent}{}", if depth == 0 { "" } else { "└ " })),
                Span::styled(format!("{} ", tone.symbol()), theme.tone(tone)),
            ];
            if link.blocks {
                spans.push(Span::styled("◀ BLOCKED HERE ", theme.deciding()));
            }
            spans.push(Span::raw(name));
            spans.push(Span::styled(format!("  {state}"), theme.tone(tone)));
            Line::from(spans)
        })
        .collect();
    let mut block = Block::bordered().title(" Inheritance from the domain root ");
    if let Some(below) = below {
        block = block.title_bottom(Line::from(below).right_aligned());
    }
    frame.render_widget(Paragraph::new(fit(lines, area)).block(block), area);
}

fn first_rdn(dn: &str) -> String {
    crate::ad::dn::rdns(dn)
        .first()
        .map_or_else(|| dn.to_string(), |r| (*r).to_string())
}

fn draw_dacl(frame: &mut Frame<'_>, area: Rect, diag: Option<&Diagnosis>, state: &State) {
    let theme = state.settings.theme;
    let Some(screen) = state.user.as_ref() else { return };
    let list = &screen.acl;
    let title = super::list_title("DACL of the user", "DACL of the user", list);
    let block = Block::bordered().title(title).title_bottom(Line::from(vec![
        Span::styled(" ◆ ", theme.deciding()),
        Span::raw("decides a writeback right "),
    ]));
    let Some(d) = diag else {
        let line = super::chrome::loading_line("the diagnosis", &screen.diagnosis, state);
        empty(area, frame.buffer_mut(), block, line);
        return;
    };
    let acl = match d.dacl.as_ref() {
        Ok(acl) => acl,
        Err(e) => {
            empty(
                area,
                frame.buffer_mut(),
                block,
                Line::from(format!("✘ {}", clean(&e.to_string()))),
            );
            return;
        }
    };
    let shown = &list.shown;
    let row_at = |i: usize| {
        let Some(r) = shown.get(i).and_then(|&k| acl.get(k)) else {
            return Cells::new(Vec::new());
        };
        let deciding = d.decides(r.index);
        let allow = r.effect == Effect::Allow;
        let effect_tone = if allow { Tone::Neutral } else { Tone::Bad };
        let object = match (r.object.is_empty(), r.inherited_object.is_empty()) {
            (true, true) => "(all)".to_string(),
            (false, true) => r.object.clone(),
            (true, false) => format!("(all) on {}", r.inherited_object),
            (false, false) => format!("{} on {}", r.object, r.inherited_object),
        };
        let cells = Cells::new(vec![
            Line::from(r.index.to_string()),
            Line::from(if deciding { "◆" } else { " " }),
            Line::from(Span::styled(
                if allow { "allow" } else { "deny" },
                theme.tone(effect_tone),
            )),
            Line::from(if r.inherited { "inherited" } else { "explicit" }),
            Line::from(clean(&r.trustee)),
            Line::from(r.rights.clone()),
            Line::from(clean(&object)),
        ]);
        if deciding {
            Cells {
                style: theme.deciding(),
                ..cells
            }
        } else {
            cells
        }
    };
    DataTable {
        columns: &DACL_COLUMNS,
        len: shown.len(),
        selected: Some(list.selected),
        focused: true,
        block,
        theme,
    }
    .render(area, frame.buffer_mut(), row_at);
}
