//! Colours and text styles of the console. Meaning never rests on colour alone: verdicts carry a
//! symbol, the selection is reversed and bold, so NO_COLOR (or `theme = "mono"`) loses nothing.

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
    /// Darker accents that stay readable on a light background.
    pub light: bool,
}

impl Theme {
    pub const COLOUR: Theme = Theme {
        colour: true,
        light: false,
    };
    pub const MONOCHROME: Theme = Theme {
        colour: false,
        light: false,
    };

    /// The configured theme, with colour off when NO_COLOR is set to anything non-empty
    /// (no-color.org).
    pub fn new(configured: crate::config::Theme, no_color: bool) -> Theme {
        use crate::config::Theme as C;
        Theme {
            colour: !no_color && configured != C::Mono,
            light: configured == C::Light,
        }
    }

    pub fn from_env(configured: crate::config::Theme) -> Theme {
        Theme::new(
            configured,
            std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        )
    }

    fn fg(self, c: Color) -> Style {
        let c = match (self.light, c) {
            (true, Color::Yellow) => Color::Blue,
            (true, Color::Cyan) => Color::Blue,
            (true, Color::Green) => Color::Rgb(0, 110, 0),
            (_, c) => c,
        };
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
        self.fg(Color::Cyan)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
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
            Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// A row of evidence that decided something (the deciding ACE, the blocking container).
    pub fn deciding(self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Theme as Configured;

    #[test]
    fn no_color_and_mono_drop_colour_but_keep_modifiers() {
        for t in [
            Theme::new(Configured::Dark, true),
            Theme::new(Configured::Mono, false),
        ] {
            assert!(!t.colour);
            assert_eq!(t.tone(Tone::Good).fg, None);
            assert_eq!(t.tone(Tone::Bad).fg, None);
            assert!(t.selected().add_modifier.contains(Modifier::REVERSED));
        }
        let dark = Theme::new(Configured::Dark, false);
        assert_eq!(dark.tone(Tone::Bad).fg, Some(Color::Red));
        let light = Theme::new(Configured::Light, false);
        assert_eq!(light.key().fg, Some(Color::Blue));
    }
}
