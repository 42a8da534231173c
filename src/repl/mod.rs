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
use crate::messages::{questions_count, Msg};
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
                let text = Msg::HistoryBusyRetrying.text(ui.lang);
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
                    LevelChoice::Adaptive => Msg::AdaptiveFromJunior.text(self.ui.lang).to_owned(),
                };
                let header = format!(
                    "{}: {level} · {}",
                    Msg::InterviewTitle.text(self.ui.lang),
                    questions_count(total, self.ui.lang)
                );
                let header = self.ui.paint(Style::Bold, &header);
                self.say(&header);
                if self.reader.interactive() {
                    let help = Msg::SubmitHint.text(self.ui.lang);
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
                let text = format!("{} {}", Msg::HintLabel.text(self.ui.lang), sanitize(&label));
                self.say(&self.ui.paint(Style::Accent, &text));
            }
            Event::NoMoreHints => {
                let text = Msg::NoMoreHints.text(self.ui.lang);
                self.dim(text);
            }
            Event::Reference { question_id, text } => self.reference(&question_id, &text),
            Event::NoReference => {
                let text = Msg::NoReferenceYet.text(self.ui.lang);
                self.dim(text);
            }
            Event::AnswerTooLong { limit_bytes } => {
                let message = format!(
                    "{} {} KiB. {}",
                    Msg::AnswerLongerThan.text(self.ui.lang),
                    limit_bytes / 1024,
                    Msg::AnswerNotGradedShorten.text(self.ui.lang)
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
            Msg::AnswerNotSaved.text(self.ui.lang),
            failure.reason,
            Msg::AnswerWillBeRetried.text(self.ui.lang)
        );
        self.say(&self.ui.paint(Style::Bad, &text));
    }

    fn show_question(&mut self, question: &AskedQuestion) {
        let header = format!(
            "{} {} {} {} · {} · {}",
            Msg::QuestionTitle.text(self.ui.lang),
            question.position,
            Msg::Of.text(self.ui.lang),
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
            Msg::ReferenceAnswer.text(self.ui.lang),
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
                    let how_to_end = Msg::CtrlCAgainEnds.text(self.ui.lang);
                    let text = if cancelled {
                        format!("{} {how_to_end}", Msg::AnswerCancelled.text(self.ui.lang))
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
                        let mut message =
                            format!("{} :{typed}.", Msg::UnknownCommand.text(self.ui.lang));
                        if let Some(s) = suggestion {
                            message.push_str(&format!(
                                " {} :{s}?",
                                Msg::DidYouMean.text(self.ui.lang)
                            ));
                        }
                        message.push_str(Msg::HelpListsCommands.text(self.ui.lang));
                        self.say(&self.ui.paint(Style::Warn, &message));
                    }
                }
                continue;
            }
            if line.trim().is_empty() {
                if typed.lines.is_empty() {
                    if self.reader.interactive() {
                        self.dim(Msg::TypeAnswerOrSkip.text(self.ui.lang));
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
            let text = self
                .ui
                .paint(Style::Dim, Msg::QuestionSkipped.text(self.ui.lang));
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
                    Msg::ModelComment.text(self.ui.lang),
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
                Msg::HintsUsed.text(self.ui.lang),
                record.hints.len()
            ));
        }
        text_out.push_str(&self.ui.paint(
            Style::Dim,
            &format!(
                "{} {}",
                Msg::TimeLabel.text(self.ui.lang),
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
    let prompt = Msg::LevelPrompt.text(ui.lang);
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
            Msg::NoSuchLevel.text(ui.lang),
            sanitize(line.trim())
        );
    }
    Ok(None)
}
