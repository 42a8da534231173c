//! Terminal presentation: language, colour, width, sanitising, suggestions.

use std::env;
use std::io::IsTerminal;

/// Interface language.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ru,
    En,
}

impl Lang {
    /// `--lang`, else the config, else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`), else English.
    pub fn resolve(flag: Option<Lang>, config: Option<Lang>) -> Lang {
        if let Some(lang) = flag.or(config) {
            return lang;
        }
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(value) = env::var(var) {
                if value.is_empty() {
                    continue;
                }
                return if value.to_lowercase().starts_with("ru") {
                    Lang::Ru
                } else {
                    Lang::En
                };
            }
        }
        Lang::En
    }

    pub fn is_en(self) -> bool {
        self == Lang::En
    }

    /// Pick the text for this language.
    pub fn pick<'a>(self, ru: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ru => ru,
            Lang::En => en,
        }
    }
}

/// `--color` and `interface.color`.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// auto: stdout is a terminal, `NO_COLOR` unset or empty, and `TERM` is not `dumb`.
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && env::var("TERM").map_or(true, |t| t != "dumb")
            }
        }
    }
}

/// How to draw text: decided once and passed down.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    pub lang: Lang,
    pub color: bool,
    pub width: usize,
}

impl Ui {
    pub fn new(lang: Lang, color: bool, max_width: usize) -> Ui {
        let terminal = terminal_size::terminal_size().map(|(w, _)| w.0 as usize);
        let width = terminal.unwrap_or(max_width).min(max_width).max(20);
        Ui { lang, color, width }
    }

    pub fn paint(&self, style: Style, text: &str) -> String {
        if !self.color {
            return text.to_owned();
        }
        let code = match style {
            Style::Good => "32",
            Style::Bad => "31",
            Style::Warn => "33",
            Style::Dim => "2",
            Style::Bold => "1",
            Style::Accent => "36",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    /// Wrap prose to the width, with a hanging indent.
    pub fn wrap(&self, text: &str, indent: &str) -> String {
        let options = textwrap::Options::new(self.width)
            .initial_indent(indent)
            .subsequent_indent(indent);
        text.lines()
            .map(|line| {
                if line.trim().is_empty() {
                    String::new()
                } else {
                    textwrap::fill(line, &options)
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// How good a score (0–100) is; feedback, summaries and reports all colour by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    Good,
    Fair,
    Poor,
}

impl Band {
    pub fn of(score: f64) -> Band {
        if score >= 70.0 {
            Band::Good
        } else if score >= 40.0 {
            Band::Fair
        } else {
            Band::Poor
        }
    }

    /// The terminal style of the band.
    pub fn style(self) -> Style {
        match self {
            Band::Good => Style::Good,
            Band::Fair => Style::Warn,
            Band::Poor => Style::Bad,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Style {
    Good,
    Bad,
    Warn,
    Dim,
    Bold,
    Accent,
}

/// Remove control and bidi characters from text that came from a user, a bank or a model,
/// so it cannot move the cursor or reorder the terminal's text. Newlines and tabs stay.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            c == '\n'
                || c == '\t'
                || !(c.is_control()
                    || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}'))
        })
        .collect()
}

/// The candidate nearest to `input`, if it is close enough to be what was meant
/// (Jaro–Winkler ≥ 0.7, as clap suggests subcommands).
pub fn did_you_mean<'a>(input: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(input, c), c))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Cut `text` to at most `width` display columns, ending in "…" when it was cut.
pub fn truncate(text: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// A bar of `width` cells filled in proportion to `score` (0–100).
pub fn bar(score: f64, width: usize) -> String {
    let filled = ((score.clamp(0.0, 100.0) / 100.0) * width as f64).round() as usize;
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_drops_escapes_and_bidi() {
        assert_eq!(sanitize("a\x1b[31mb\u{202E}c\nd"), "a[31mbc\nd");
    }

    #[test]
    fn suggestions_need_to_be_close() {
        let ids = ["rnn-problems", "dbscan"];
        assert_eq!(
            did_you_mean("rnn-problem", ids.into_iter()),
            Some("rnn-problems")
        );
        assert_eq!(did_you_mean("zzz", ids.into_iter()), None);
    }

    #[test]
    fn bar_fills_in_proportion() {
        assert_eq!(bar(50.0, 10), "█████░░░░░");
        assert_eq!(bar(150.0, 4), "████");
    }
}
