//! Colours and text styles of the console. Meaning never rests on colour alone: verdicts carry a
//! symbol, the selection is reversed and bold, so NO_COLOR (or `theme = "none"`) loses nothing.

use ratatui::style::{Color, Modifier, Style};

/// How a piece of evidence reads: good for writeback, a blocker, a warning, or neutral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Bad,
    Warn,
    Neutral,
}

impl Tone {
    /// The symbol drawn next to toned text, so the tone survives without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            Tone::Good => "✔",
            Tone::Bad => "✘",
            Tone::Warn => "▲",
            Tone::Neutral => "·",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub colour: bool,
}

impl Theme {
    pub const COLOUR: Theme = Theme { colour: true };
    pub const MONOCHROME: Theme = Theme { colour: false };

    /// NO_COLOR set to anything non-empty (no-color.org) or `theme = "none"` turns colour off.
    pub fn from_env(configured: Option<&str>) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let off = configured.is_some_and(|t| t.eq_ignore_ascii_case("none"));
        Theme { colour: !(no_color || off) }
    }

    fn fg(self, c: Color) -> Style {
        if self.colour {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn tone(self, tone: Tone) -> Style {
        match tone {
            Tone::Good => self.fg(Color::Green),
            Tone::Bad => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Tone::Warn => self.fg(Color::Yellow),
            Tone::Neutral => Style::new(),
        }
    }

    /// The selected row of a focused list: reversed so it shows without colour.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    /// The selected row of a list that does not have the focus.
    pub fn selected_unfocused(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    /// Characters of a search hit that the query matched.
    pub fn matched(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn dim(self) -> Style {
        if self.colour {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn key(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn banner(self) -> Style {
        if self.colour {
            Style::new().fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// A row of evidence that decided something (the deciding ACE, the blocking container).
    pub fn deciding(self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }
}
