//! The interview loop: ask, read a (multi-line) answer, grade it, commit it to history, then
//! show its feedback, and end with a summary. Committing before showing means that a session
//! killed the moment a score appears has already kept that answer. It reads from a line editor
//! on a terminal or from plain piped lines, and behaves the same either way.

pub mod commands;
pub mod input;
pub mod render;

use std::io::{self, Write};
use std::time::{Duration, Instant};

use crate::bank::{Level, Question};
use crate::history::{time::now_iso, AnswerRecord, History, HistoryError};
use crate::session::pick::QuestionQueue;
use crate::session::summary::{LevelThresholds, Summary};
use crate::session::{hint_penalty, AnswerGrader, GradedAnswer};
use crate::ui::{sanitize, Style, Ui};
use commands::{Parsed, ReplCommand};
use input::{Input, LineReader};

/// Settings of the interview that do not change during it.
#[derive(Debug, Clone)]
pub struct InterviewSettings {
    pub show_reference: bool,
    pub max_answer_bytes: usize,
    pub thresholds: LevelThresholds,
    /// How long to keep retrying an answer's commit while another program holds the history
    /// database locked (`interview.save_wait_secs`).
    pub save_wait: Duration,
}

/// What the session produced.
#[derive(Debug)]
pub struct Outcome {
    pub session_id: i64,
    /// Answers that could not be committed to history, in order (they were shown).
    pub unsaved: Vec<AnswerRecord>,
    /// Why the first of them, or the end of the session, could not be committed.
    pub save_error: Option<HistoryError>,
}

impl Outcome {
    /// Whether every answer, and the end of the session, is in history.
    pub fn saved(&self) -> bool {
        self.unsaved.is_empty() && self.save_error.is_none()
    }
}

/// A graded (or skipped) answer, ready to commit, with what to show once it is committed.
struct Graded {
    record: AnswerRecord,
    feedback: String,
    /// Show the reference answer after the feedback.
    with_reference: bool,
}

/// The first pause between attempts to commit to a locked database; it doubles up to
/// [`MAX_SAVE_PAUSE`].
const FIRST_SAVE_PAUSE: Duration = Duration::from_millis(100);
const MAX_SAVE_PAUSE: Duration = Duration::from_secs(2);

/// What reading one answer came to.
enum Reply {
    Answer {
        text: String,
        hints: Vec<String>,
    },
    Skip {
        hints: Vec<String>,
    },
    /// End the session; `pending` is an answer typed but not yet submitted, to grade first.
    End {
        pending: Option<String>,
    },
}

pub struct Interview<'a> {
    pub ui: Ui,
    pub out: &'a mut dyn Write,
    pub reader: &'a mut dyn LineReader,
    pub grader: &'a dyn AnswerGrader,
    pub history: &'a History,
    pub settings: InterviewSettings,
}

impl Interview<'_> {
    fn say(&mut self, text: &str) {
        // A closed stdout must not stop the interview: answers still go to history.
        let _ = writeln!(self.out, "{text}");
        let _ = self.out.flush();
    }

    /// A secondary note, dimmed.
    fn dim(&mut self, text: &str) {
        let text = self.ui.paint(Style::Dim, text);
        self.say(&text);
    }

    fn pick<'s>(&self, ru: &'s str, en: &'s str) -> &'s str {
        self.ui.lang.pick(ru, en)
    }

    /// Run a whole session whose row is `session_id`.
    pub fn run(&mut self, session_id: i64, queue: &mut QuestionQueue<'_>) -> io::Result<Outcome> {
        let mut answers: Vec<AnswerRecord> = Vec::new();
        let mut save_error = None;
        let mut last_score = None;
        let mut previous: Option<&Question> = None;
        let total = queue.total();
        let level = match queue {
            QuestionQueue::Fixed { level, .. } => level.to_string(),
            QuestionQueue::Adaptive { .. } => self
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
        let mut stopped = false;
        let mut unsaved: Vec<AnswerRecord> = Vec::new();
        while let Some((question, level)) = queue.next(last_score) {
            let position = answers.len() + 1;
            let started = Instant::now();
            let reply = self.read_reply(question, level, position, total, previous)?;
            let graded = match reply {
                Reply::Answer { text, hints } => {
                    self.grade(question, level, position, text, hints, started)
                }
                Reply::Skip { hints } => {
                    Some(self.skipped(question, level, position, hints, started))
                }
                Reply::End { pending } => {
                    stopped = true;
                    pending.and_then(|text| {
                        self.grade(question, level, position, text, Vec::new(), started)
                    })
                }
            };
            if let Some(Graded {
                record,
                feedback,
                with_reference,
            }) = graded
            {
                last_score = Some(record.score);
                answers.push(record.clone());
                // Commit first, then show: the score on screen means the answer is kept.
                unsaved.push(record);
                let saved = self.save(session_id, &mut unsaved);
                self.say(&feedback);
                if with_reference {
                    self.reference(Some(question));
                }
                if let Err(e) = saved {
                    self.not_saved(&e);
                    save_error.get_or_insert(e);
                }
            }
            previous = Some(question);
            if stopped {
                break;
            }
        }
        self.reader.save();
        let summary = Summary::of(&answers, self.settings.thresholds, self.ui.lang.is_en());
        let text = render::summary(&answers, &summary, &self.ui);
        self.say(&text);
        // A last try for answers a lock kept out, then the end of the session.
        let finished = self
            .save(session_id, &mut unsaved)
            .and_then(|()| self.patiently(|h| h.finish_session(session_id, &now_iso())));
        match finished {
            // Everything is in history now: an earlier failure is made good.
            Ok(()) => save_error = None,
            Err(e) => {
                save_error = Some(e);
            }
        }
        Ok(Outcome {
            session_id,
            unsaved,
            save_error,
        })
    }

    /// Commit the answers in `unsaved` in order, removing each once it is committed; stop at
    /// the first that cannot be (it stays, to be retried with the next answer).
    fn save(
        &mut self,
        session_id: i64,
        unsaved: &mut Vec<AnswerRecord>,
    ) -> Result<(), HistoryError> {
        while let Some(record) = unsaved.first() {
            let record = record.clone();
            self.patiently(|history| history.record_answer(session_id, &record))?;
            unsaved.remove(0);
        }
        Ok(())
    }

    /// Run a write, retrying with growing pauses while another program holds the database
    /// locked, for at most `save_wait` in all.
    fn patiently(
        &mut self,
        write: impl Fn(&History) -> Result<(), HistoryError>,
    ) -> Result<(), HistoryError> {
        let started = Instant::now();
        let mut pause = FIRST_SAVE_PAUSE;
        let mut told = false;
        loop {
            match write(self.history) {
                Err(e) if e.is_busy() && started.elapsed() < self.settings.save_wait => {
                    if !told {
                        told = true;
                        let text = self.pick(
                            "База истории занята другой программой; повторяю запись…",
                            "The history database is busy (another program holds it); retrying…",
                        );
                        self.dim(text);
                    }
                    let left = self.settings.save_wait.saturating_sub(started.elapsed());
                    std::thread::sleep(pause.min(left));
                    pause = pause.saturating_mul(2).min(MAX_SAVE_PAUSE);
                }
                other => return other,
            }
        }
    }

    fn not_saved(&mut self, error: &HistoryError) {
        let text = format!(
            "{} {error}. {}",
            self.pick(
                "Ответ не сохранён в историю:",
                "The answer was not saved to history:"
            ),
            self.pick(
                "Попробую снова после следующего ответа и в конце; не сохранённое будет записано в отдельный файл.",
                "It will be retried after the next answer and at the end; what cannot be saved goes to a file of its own.",
            )
        );
        self.say(&self.ui.paint(Style::Bad, &text));
    }

    fn show_question(&mut self, question: &Question, level: Level, position: usize, total: usize) {
        let en = self.ui.lang.is_en();
        let header = format!(
            "{} {position} {} {total} · {level} · {}",
            self.pick("Вопрос", "Question"),
            self.pick("из", "of"),
            question.topics.join(", ")
        );
        self.say("");
        self.say(&self.ui.paint(Style::Accent, &header));
        let text = self.ui.wrap(&sanitize(question.text(en)), "");
        self.say(&self.ui.paint(Style::Bold, &text));
    }

    fn read_reply(
        &mut self,
        question: &Question,
        level: Level,
        position: usize,
        total: usize,
        previous: Option<&Question>,
    ) -> io::Result<Reply> {
        self.show_question(question, level, position, total);
        let mut lines: Vec<String> = Vec::new();
        let mut bytes = 0usize;
        let mut hints: Vec<String> = Vec::new();
        let mut interrupted = false;
        loop {
            let prompt = if lines.is_empty() { "> " } else { ". " };
            let input = self.reader.read(prompt)?;
            let line = match input {
                Input::Line(line) => line,
                Input::Interrupted => {
                    // The first Ctrl-C cancels what was typed; a second one in a row ends.
                    let cancelled = !lines.is_empty();
                    if !cancelled && interrupted {
                        return Ok(Reply::End { pending: None });
                    }
                    lines.clear();
                    bytes = 0;
                    interrupted = true;
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
                Input::Eof => return Ok(self.end_with(&lines, bytes)),
            };
            interrupted = false;
            self.reader.remember(&line);
            if let Some(parsed) = commands::parse(&line) {
                match parsed {
                    Parsed::Command(ReplCommand::Skip) => return Ok(Reply::Skip { hints }),
                    Parsed::Command(ReplCommand::Quit) => return Ok(self.end_with(&lines, bytes)),
                    Parsed::Command(ReplCommand::Hint) => {
                        self.hint(question, &lines.join("\n"), &mut hints)
                    }
                    Parsed::Command(ReplCommand::Repeat) => {
                        self.show_question(question, level, position, total);
                        if !lines.is_empty() {
                            self.dim(&lines.join("\n"));
                        }
                    }
                    Parsed::Command(ReplCommand::Reference) => self.reference(previous),
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
                if lines.is_empty() {
                    if self.reader.interactive() {
                        self.dim(self.pick(
                            "Напишите ответ (пустая строка отправляет его) или :skip.",
                            "Type your answer (an empty line submits it) or :skip.",
                        ));
                    }
                    continue;
                }
                if bytes > self.settings.max_answer_bytes {
                    let message = format!(
                        "{} {} KiB. {}",
                        self.pick("Ответ длиннее", "The answer is longer than"),
                        self.settings.max_answer_bytes / 1024,
                        self.pick(
                            "Он не оценён; сократите его и отправьте снова.",
                            "It was not graded; shorten it and submit again."
                        )
                    );
                    self.say(&self.ui.paint(Style::Bad, &message));
                    lines.clear();
                    bytes = 0;
                    continue;
                }
                return Ok(Reply::Answer {
                    text: lines.join("\n"),
                    hints,
                });
            }
            bytes += line.len() + 1;
            // Past the limit, keep counting but stop keeping: the answer will be refused.
            if bytes <= self.settings.max_answer_bytes {
                lines.push(line);
            } else if lines.last().map(String::as_str) != Some("") {
                lines.push(String::new());
            }
        }
    }

    /// End the session, grading first what was typed but not yet sent (unless it is too long).
    fn end_with(&self, lines: &[String], bytes: usize) -> Reply {
        let pending = (!lines.is_empty() && bytes <= self.settings.max_answer_bytes)
            .then(|| lines.join("\n"));
        Reply::End { pending }
    }

    /// Reveal the label of the heaviest concept the answer typed so far still misses.
    fn hint(&mut self, question: &Question, typed: &str, hints: &mut Vec<String>) {
        let en = self.ui.lang.is_en();
        let missed = match self.grader.rubric_grade(question, typed) {
            Ok(grade) => grade.missed,
            Err(e) => {
                self.say(&e.to_string());
                return;
            }
        };
        let mut candidates: Vec<_> = missed.iter().filter(|m| !hints.contains(&m.id)).collect();
        candidates.sort_by(|a, b| {
            b.required
                .cmp(&a.required)
                .then(b.weight.total_cmp(&a.weight))
        });
        match candidates.first() {
            Some(concept) => {
                hints.push(concept.id.clone());
                let label =
                    crate::rubric::localized(&concept.label, concept.label_en.as_deref(), en);
                let text = format!("{} {}", self.pick("Подсказка:", "Hint:"), sanitize(label));
                self.say(&self.ui.paint(Style::Accent, &text));
            }
            None => {
                let text = self.pick("Подсказок больше нет.", "No more hints.");
                self.dim(text);
            }
        }
    }

    fn reference(&mut self, previous: Option<&Question>) {
        match previous {
            Some(question) => {
                let en = self.ui.lang.is_en();
                let title = format!(
                    "{} ({}):",
                    self.pick("Эталонный ответ", "Reference answer"),
                    question.id
                );
                self.say(&self.ui.paint(Style::Bold, &title));
                self.say(&self.ui.wrap(&sanitize(question.reference(en)), "  "));
            }
            None => {
                let text = self.pick(
                    "Эталонный ответ показывается для уже оценённого вопроса.",
                    "The reference answer is shown for a question already graded.",
                );
                self.dim(text);
            }
        }
    }

    fn grade(
        &mut self,
        question: &Question,
        level: Level,
        position: usize,
        text: String,
        hints: Vec<String>,
        started: Instant,
    ) -> Option<Graded> {
        let seconds = started.elapsed().as_secs_f64();
        let graded = match self.grader.grade_answer(question, &text) {
            Ok(graded) => graded,
            Err(e) => {
                self.say(&self.ui.paint(Style::Bad, &e.to_string()));
                return None;
            }
        };
        let penalty = hint_penalty(&graded.grade, &hints);
        let score = (graded.score - penalty).clamp(0.0, 100.0);
        let mut shown = graded.grade.clone();
        shown.score = score;
        let mut text_out = crate::feedback::render(&shown, &self.ui);
        if let Some(feedback) = &graded.llm_feedback {
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
        for note in &graded.notes {
            text_out.push_str(&self.ui.paint(Style::Dim, &self.ui.wrap(note, "")));
            text_out.push('\n');
        }
        if !hints.is_empty() {
            let cost = if penalty >= 0.5 {
                format!(" (−{penalty:.0})")
            } else {
                String::new()
            };
            text_out.push_str(&format!(
                "{} {}{cost}\n",
                self.pick("Подсказок:", "Hints used:"),
                hints.len()
            ));
        }
        text_out.push_str(&self.ui.paint(
            Style::Dim,
            &format!(
                "{} {}",
                self.pick("Время:", "Time:"),
                render::duration(seconds)
            ),
        ));
        let graded = GradedAnswer { score, ..graded };
        Some(Graded {
            record: self.record(question, level, position, text, graded, hints, seconds),
            feedback: text_out.trim_end().to_owned(),
            with_reference: self.settings.show_reference,
        })
    }

    fn skipped(
        &mut self,
        question: &Question,
        level: Level,
        position: usize,
        hints: Vec<String>,
        started: Instant,
    ) -> Graded {
        let seconds = started.elapsed().as_secs_f64();
        // The rubric's view of an empty answer: every concept missed, with its hint.
        let graded = GradedAnswer {
            grade: self.grader.rubric_grade(question, "").unwrap_or_default(),
            score: 0.0,
            keyword_score: 0.0,
            llm_score: None,
            llm_feedback: None,
            method: SKIPPED.into(),
            notes: Vec::new(),
        };
        let feedback = self.ui.paint(
            Style::Dim,
            self.pick("Вопрос пропущен (0).", "Question skipped (0)."),
        );
        Graded {
            record: self.record(
                question,
                level,
                position,
                String::new(),
                graded,
                hints,
                seconds,
            ),
            feedback,
            with_reference: false,
        }
    }

    /// The history record of an answer to `question`, in the interface language.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &self,
        question: &Question,
        level: Level,
        position: usize,
        answer: String,
        graded: GradedAnswer,
        hints: Vec<String>,
        seconds: f64,
    ) -> AnswerRecord {
        let en = self.ui.lang.is_en();
        AnswerRecord {
            position,
            question_id: question.id.clone(),
            question: question.text(en).to_owned(),
            reference: question.reference(en).to_owned(),
            level,
            topics: question.topics.clone(),
            skipped: graded.method == SKIPPED,
            answer,
            score: graded.score,
            keyword_score: graded.keyword_score,
            llm_score: graded.llm_score,
            llm_feedback: graded.llm_feedback,
            method: graded.method,
            grade: graded.grade,
            hints,
            seconds,
            answered_at: now_iso(),
        }
    }
}

/// The `method` of a skipped question.
const SKIPPED: &str = "skipped";
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
            Input::Line(line) => line,
            Input::Interrupted | Input::Eof => return Ok(None),
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

/// The level an interview runs at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelChoice {
    Fixed(Level),
    Adaptive,
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
