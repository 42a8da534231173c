//! The REPL's `:` commands. `:help` is generated from [`COMMANDS`], so the two cannot drift.

use crate::messages::Msg;
use crate::ui::{did_you_mean, Lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplCommand {
    Skip,
    Hint,
    Repeat,
    Reference,
    Help,
    Quit,
}

pub struct CommandInfo {
    pub name: &'static str,
    pub command: ReplCommand,
    pub ru: &'static str,
    pub en: &'static str,
}

pub const COMMANDS: &[CommandInfo] = &[
    CommandInfo {
        name: "skip",
        command: ReplCommand::Skip,
        ru: "пропустить вопрос (засчитывается как 0)",
        en: "skip the question (counts as 0)",
    },
    CommandInfo {
        name: "hint",
        command: ReplCommand::Hint,
        ru: "подсказка: одна идея, которой пока нет в ответе (идея по подсказке стоит половину)",
        en: "hint: one idea your answer does not have yet (a hinted idea earns half)",
    },
    CommandInfo {
        name: "repeat",
        command: ReplCommand::Repeat,
        ru: "показать вопрос ещё раз",
        en: "show the question again",
    },
    CommandInfo {
        name: "reference",
        command: ReplCommand::Reference,
        ru: "эталонный ответ на предыдущий вопрос",
        en: "the reference answer to the previous question",
    },
    CommandInfo {
        name: "help",
        command: ReplCommand::Help,
        ru: "эта справка",
        en: "this help",
    },
    CommandInfo {
        name: "quit",
        command: ReplCommand::Quit,
        ru: "закончить собеседование и показать итоги",
        en: "end the interview and show the summary",
    },
];

/// What a line starting with `:` means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Command(ReplCommand),
    /// Not a command; the nearest one, if any is close.
    Unknown {
        typed: String,
        suggestion: Option<&'static str>,
    },
}

/// `None` when the line is not a command (it does not start with `:`).
pub fn parse(line: &str) -> Option<Parsed> {
    let name = line.trim().strip_prefix(':')?.trim().to_lowercase();
    if let Some(info) = COMMANDS.iter().find(|c| c.name == name) {
        return Some(Parsed::Command(info.command));
    }
    // A unique prefix is enough (":h" is ambiguous only if two commands share it).
    let prefixed: Vec<&CommandInfo> = COMMANDS
        .iter()
        .filter(|c| !name.is_empty() && c.name.starts_with(&name))
        .collect();
    if let [only] = prefixed.as_slice() {
        return Some(Parsed::Command(only.command));
    }
    Some(Parsed::Unknown {
        suggestion: did_you_mean(&name, COMMANDS.iter().map(|c| c.name)),
        typed: name,
    })
}

/// The help text, one line per command.
pub fn help(lang: Lang) -> String {
    let width = COMMANDS.iter().map(|c| c.name.len()).max().unwrap_or(0) + 1;
    let mut text = String::from(Msg::HelpIntro.text(lang));
    for info in COMMANDS {
        text.push_str(&format!(
            "  :{:<width$} {}\n",
            info.name,
            lang.pick(info.ru, info.en)
        ));
    }
    text.push_str(Msg::HelpCtrlC.text(lang));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_prefixes_and_typos() {
        assert_eq!(parse("не команда"), None);
        assert_eq!(parse(":skip"), Some(Parsed::Command(ReplCommand::Skip)));
        assert_eq!(parse(" :HINT "), Some(Parsed::Command(ReplCommand::Hint)));
        assert_eq!(parse(":q"), Some(Parsed::Command(ReplCommand::Quit)));
        assert_eq!(parse(":ref"), Some(Parsed::Command(ReplCommand::Reference)));
        assert_eq!(
            parse(":hnit"),
            Some(Parsed::Unknown {
                typed: "hnit".into(),
                suggestion: Some("hint")
            })
        );
        assert!(matches!(parse(":"), Some(Parsed::Unknown { .. })));
    }

    #[test]
    fn help_lists_every_command_in_both_languages() {
        for lang in [Lang::Ru, Lang::En] {
            let text = help(lang);
            for info in COMMANDS {
                assert!(text.contains(&format!(":{}", info.name)));
                assert!(text.contains(lang.pick(info.ru, info.en)));
            }
        }
    }
}
