//! The interview on a terminal: it reads (multi-line) answers and `:` commands, turns them
//! into the session engine's [`Input`]s, and passes every [`Event`] to an [`EventSink`] (the
//! history recorder) before showing it as text. Keeping before showing means that a session
//! killed the moment a score appears has already kept that answer. It reads from a line
//! editor on a terminal or from plain piped lines, and behaves the same either way. Grading
//! and persistence live elsewhere ([`crate::session`]); this module only reads and writes.

pub mod commands;
pub mod input;
pub mod render;

use std::io::{self, Write};

use crate::bank::Level;
use crate::session::engine::{AskedQuestion, GradedTurn};
use crate::session::persist::{EventSink, NotSaved};
use crate::session::{Event, Input, Session};
use crate::ui::{sanitize, Style, Ui};
use commands::{Parsed, ReplCommand};
use input::{LineReader, Read};

pub use crate::session::LevelChoice;

/// The answer being typed.
#[derive(Default)]
struct Typed {
    lines: Vec<String>,
    /// The last read was a Ctrl-C (a second one in a row ends the session).
    interrupted: bool,
}

impl Typed {
    fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// The length of [`Typed::text`] in bytes.
    fn len(&self) -> usize {
        self.lines.iter().map(String::len).sum::<usize>() + self.lines.len().saturating_sub(1)
    }
}

pub struct Interview<'a, 's> {
    pub ui: Ui,
    pub out: &'a mut dyn Write,
    pub reader: &'a mut dyn LineReader,
    pub session: &'a mut Session<'s>,
    /// Every event goes here before it is shown (history, in the interview).
    pub sink: &'a mut dyn EventSink,
}

impl Interview<'_, '_> {
    fn say(&mut self, text: &str) {
        say(self.out, text);
    }

    /// A secondary note, dimmed.
    fn dim(&mut self, text: &str) {
        let text = self.ui.paint(Style::Dim, text);
        self.say(&text);
    }

    fn pick<'t>(&self, ru: &'t str, en: &'t str) -> &'t str {
        self.ui.lang.pick(ru, en)
    }

    /// Run the whole session, to its summary.
    pub fn run(&mut self) -> io::Result<()> {
        let mut typed = Typed::default();
        let events = self.session.start();
        self.show_all(events, &mut typed);
        while !self.session.is_finished() {
            let input = self.read_input(&mut typed)?;
            let events = self.session.handle(input);
            self.show_all(events, &mut typed);
        }
        Ok(())
    }

    /// Keep, then show, each event.
    fn show_all(&mut self, events: Vec<Event>, typed: &mut Typed) {
        for event in events {
            let ui = self.ui;
            let out = &mut *self.out;
            let kept = self.sink.keep(&event, &mut || {
                let text = ui.lang.pick(
                    "База истории занята другой программой; повторяю запись…",
                    "The history database is busy (another program holds it); retrying…",
                );
                say(out, &ui.paint(Style::Dim, text));
            });
            self.show(event, typed);
            if let Err(failure) = kept {
                self.not_saved(&failure);
            }
        }
    }

    fn show(&mut self, event: Event, typed: &mut Typed) {
        match event {
            Event::Started { level, total } => {
                let level = match level {
                    LevelChoice::Fixed(level) => level.to_string(),
                    LevelChoice::Adaptive => self
                        .pick("адаптивно, с junior", "adaptive, from junior")
                        .to_owned(),
                };
                let header = format!(
                    "{}: {level} · {}",
                    self.pick("Собеседование", "Interview"),
                    questions_count(total, self.ui.lang)
                );
                let header = self.ui.paint(Style::Bold, &header);
                self.say(&header);
                if self.reader.interactive() {
                    let help = self.pick(
                        "Пустая строка отправляет ответ; :help — команды.",
                        "An empty line submits the answer; :help lists the commands.",
                    );
                    self.dim(help);
                }
            }
            Event::Question { question, repeated } => {
                self.show_question(&question);
                if repeated {
                    if !typed.lines.is_empty() {
                        self.dim(&typed.text());
                    }
                } else {
                    *typed = Typed::default();
                }
            }
            Event::Hint { label, .. } => {
                let text = format!("{} {}", self.pick("Подсказка:", "Hint:"), sanitize(&label));
                self.say(&self.ui.paint(Style::Accent, &text));
            }
            Event::NoMoreHints => {
                let text = self.pick("Подсказок больше нет.", "No more hints.");
                self.dim(text);
            }
            Event::Reference { question_id, text } => self.reference(&question_id, &text),
            Event::NoReference => {
                let text = self.pick(
                    "Эталонный ответ показывается для уже оценённого вопроса.",
                    "The reference answer is shown for a question already graded.",
                );
                self.dim(text);
            }
            Event::AnswerTooLong { limit_bytes } => {
                let message = format!(
                    "{} {} KiB. {}",
                    self.pick("Ответ длиннее", "The answer is longer than"),
                    limit_bytes / 1024,
                    self.pick(
                        "Он не оценён; сократите его и отправьте снова.",
                        "It was not graded; shorten it and submit again."
                    )
                );
                self.say(&self.ui.paint(Style::Bad, &message));
                *typed = Typed::default();
            }
            Event::GradingFailed { message } => {
                self.say(&self.ui.paint(Style::Bad, &message));
            }
            Event::Graded(turn) => self.graded(&turn),
            Event::Summary { answers, summary } => {
                self.reader.save();
                let text = render::summary(&answers, &summary, &self.ui);
                self.say(&text);
            }
            Event::Finished => {}
        }
    }

    fn not_saved(&mut self, failure: &NotSaved) {
        let text = format!(
            "{} {}. {}",
            self.pick(
                "Ответ не сохранён в историю:",
                "The answer was not saved to history:"
            ),
            failure.reason,
            self.pick(
                "Попробую снова после следующего ответа и в конце; не сохранённое будет записано в отдельный файл.",
                "It will be retried after the next answer and at the end; what cannot be saved goes to a file of its own.",
            )
        );
        self.say(&self.ui.paint(Style::Bad, &text));
    }

    fn show_question(&mut self, question: &AskedQuestion) {
        let header = format!(
            "{} {} {} {} · {} · {}",
            self.pick("Вопрос", "Question"),
            question.position,
            self.pick("из", "of"),
            question.total,
            question.level,
            question.topics.join(", ")
        );
        self.say("");
        self.say(&self.ui.paint(Style::Accent, &header));
        let text = self.ui.wrap(&sanitize(&question.text), "");
        self.say(&self.ui.paint(Style::Bold, &text));
    }

    fn reference(&mut self, question_id: &str, text: &str) {
        let title = format!(
            "{} ({question_id}):",
            self.pick("Эталонный ответ", "Reference answer"),
        );
        self.say(&self.ui.paint(Style::Bold, &title));
        self.say(&self.ui.wrap(&sanitize(text), "  "));
    }

    /// Read lines until they make an input for the session; `:help`, unknown commands and
    /// Ctrl-C notes are answered here.
    fn read_input(&mut self, typed: &mut Typed) -> io::Result<Input> {
        let max_bytes = self.session.settings().max_answer_bytes;
        loop {
            let prompt = if typed.lines.is_empty() { "> " } else { ". " };
            let line = match self.reader.read(prompt)? {
                Read::Line(line) => line,
                Read::Interrupted => {
                    // The first Ctrl-C cancels what was typed; a second one in a row ends.
                    let cancelled = !typed.lines.is_empty();
                    if !cancelled && typed.interrupted {
                        return Ok(Input::Quit { pending: None });
                    }
                    *typed = Typed {
                        interrupted: true,
                        ..Typed::default()
                    };
                    let how_to_end = self.pick(
                        "Ctrl-C ещё раз или Ctrl-D — закончить собеседование.",
                        "Ctrl-C again or Ctrl-D ends the interview.",
                    );
                    let text = if cancelled {
                        format!(
                            "{} {how_to_end}",
                            self.pick("Ответ отменён.", "Answer cancelled.")
                        )
                    } else {
                        how_to_end.to_owned()
                    };
                    self.dim(&text);
                    continue;
                }
                Read::Eof => return Ok(quit(typed)),
            };
            typed.interrupted = false;
            self.reader.remember(&line);
            if let Some(parsed) = commands::parse(&line) {
                match parsed {
                    Parsed::Command(ReplCommand::Skip) => return Ok(Input::Skip),
                    Parsed::Command(ReplCommand::Quit) => return Ok(quit(typed)),
                    Parsed::Command(ReplCommand::Hint) => {
                        return Ok(Input::Hint {
                            typed: typed.text(),
                        })
                    }
                    Parsed::Command(ReplCommand::Repeat) => return Ok(Input::Repeat),
                    Parsed::Command(ReplCommand::Reference) => return Ok(Input::Reference),
                    Parsed::Command(ReplCommand::Help) => {
                        let help = commands::help(self.ui.lang);
                        self.say(help.trim_end());
                    }
                    Parsed::Unknown { typed, suggestion } => {
                        let mut message = format!(
                            "{} :{typed}.",
                            self.pick("Неизвестная команда", "Unknown command")
                        );
                        if let Some(s) = suggestion {
                            message.push_str(&format!(
                                " {} :{s}?",
                                self.pick("Может быть,", "Did you mean")
                            ));
                        }
                        message
                            .push_str(self.pick(" :help — список команд.", " :help lists them."));
                        self.say(&self.ui.paint(Style::Warn, &message));
                    }
                }
                continue;
            }
            if line.trim().is_empty() {
                if typed.lines.is_empty() {
                    if self.reader.interactive() {
                        self.dim(self.pick(
                            "Напишите ответ (пустая строка отправляет его) или :skip.",
                            "Type your answer (an empty line submits it) or :skip.",
                        ));
                    }
                    continue;
                }
                return Ok(Input::Answer(typed.text()));
            }
            // Lines past the limit are not kept: what is kept is already too long, and the
            // session refuses it.
            if typed.len() <= max_bytes {
                typed.lines.push(line);
            }
        }
    }

    fn graded(&mut self, turn: &GradedTurn) {
        let record = &turn.record;
        if record.is_skipped() {
            let text = self.ui.paint(
                Style::Dim,
                self.pick("Вопрос пропущен (0).", "Question skipped (0)."),
            );
            self.say(&text);
            return;
        }
        let mut shown = record.grade.clone();
        shown.score = record.score;
        let mut text_out = crate::feedback::render(&shown, &self.ui);
        if let Some(feedback) = &record.llm_feedback {
            text_out.push_str(&self.ui.wrap(
                &format!(
                    "{} {}",
                    self.pick("Комментарий модели:", "Model's comment:"),
                    sanitize(feedback)
                ),
                "",
            ));
            text_out.push('\n');
        }
        for note in &turn.notes {
            text_out.push_str(&self.ui.paint(Style::Dim, &self.ui.wrap(note, "")));
            text_out.push('\n');
        }
        if !record.hints.is_empty() {
            let cost = if turn.hint_penalty >= 0.5 {
                format!(" (−{:.0})", turn.hint_penalty)
            } else {
                String::new()
            };
            text_out.push_str(&format!(
                "{} {}{cost}\n",
                self.pick("Подсказок:", "Hints used:"),
                record.hints.len()
            ));
        }
        text_out.push_str(&self.ui.paint(
            Style::Dim,
            &format!(
                "{} {}",
                self.pick("Время:", "Time:"),
                render::duration(record.seconds)
            ),
        ));
        self.say(text_out.trim_end());
        if let Some(reference) = &turn.reference {
            self.reference(&record.question_id, reference);
        }
    }
}

/// Write a line; a closed stdout must not stop the interview: answers still go to history.
fn say(out: &mut dyn Write, text: &str) {
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// End the session, with what was typed but not yet submitted to grade first.
fn quit(typed: &Typed) -> Input {
    Input::Quit {
        pending: (!typed.lines.is_empty()).then(|| typed.text()),
    }
}

/// Ask for the level at the prompt. `None` when the candidate ends input instead.
pub fn ask_level(
    reader: &mut dyn LineReader,
    out: &mut dyn Write,
    ui: &Ui,
) -> io::Result<Option<LevelChoice>> {
    let prompt = ui.lang.pick(
        "Уровень (junior, middle, senior или adaptive) [junior]: ",
        "Level (junior, middle, senior or adaptive) [junior]: ",
    );
    for _ in 0..3 {
        if !reader.interactive() {
            let _ = write!(out, "{prompt}");
            let _ = out.flush();
        }
        let line = match reader.read(prompt)? {
            Read::Line(line) => line,
            Read::Interrupted | Read::Eof => return Ok(None),
        };
        if !reader.interactive() {
            let _ = writeln!(out);
        }
        let word = line.trim().to_lowercase();
        if word.is_empty() {
            return Ok(Some(LevelChoice::Fixed(Level::Junior)));
        }
        if matches!(
            word.as_str(),
            "adaptive" | "адаптивно" | "адаптивный" | "auto"
        ) {
            return Ok(Some(LevelChoice::Adaptive));
        }
        if let Some(level) = Level::from_tag(&word) {
            return Ok(Some(LevelChoice::Fixed(level)));
        }
        let _ = writeln!(
            out,
            "{} \"{}\"",
            ui.lang.pick("Нет такого уровня:", "No such level:"),
            sanitize(line.trim())
        );
    }
    Ok(None)
}

/// "1 question", "5 вопросов".
pub fn questions_count(n: usize, lang: crate::ui::Lang) -> String {
    let word = if lang.is_en() {
        if n == 1 {
            "question"
        } else {
            "questions"
        }
    } else {
        match (n % 10, n % 100) {
            (1, h) if h != 11 => "вопрос",
            (2..=4, h) if !(12..=14).contains(&h) => "вопроса",
            _ => "вопросов",
        }
    };
    format!("{n} {word}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::Lang;

    #[test]
    fn russian_plurals_of_questions() {
        let ru = |n| questions_count(n, Lang::Ru);
        assert_eq!(ru(1), "1 вопрос");
        assert_eq!(ru(3), "3 вопроса");
        assert_eq!(ru(5), "5 вопросов");
        assert_eq!(ru(11), "11 вопросов");
        assert_eq!(ru(21), "21 вопрос");
        assert_eq!(ru(12), "12 вопросов");
        assert_eq!(questions_count(1, Lang::En), "1 question");
        assert_eq!(questions_count(2, Lang::En), "2 questions");
    }
}
