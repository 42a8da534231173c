//! The interview as a state machine with no I/O: [`Session::handle`] takes one [`Input`]
//! (an answer, a hint request, a skip…) and returns the [`Event`]s it produced (a graded
//! answer, the next question, the summary…). Front ends (the REPL, a web page) turn what the
//! candidate does into inputs and events into text; persistence consumes the same events
//! ([`super::persist::Recorder`]). Grading is injected ([`AnswerGrader`]) and so is the clock
//! ([`Clock`]), so a whole session can be run in a unit test.

use std::time::Instant;

use serde::Serialize;

use super::pick::QuestionQueue;
use super::summary::{LevelThresholds, Summary};
use super::{hint_penalty, AnswerGrader, GradedAnswer};
use crate::bank::{Level, Question};
use crate::history::{time::now_iso, AnswerRecord, Method};
use crate::rubric::localized;
use crate::ui::Lang;

/// The level an interview runs at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "level")]
pub enum LevelChoice {
    Fixed(Level),
    Adaptive,
}

/// What the candidate did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A submitted answer to the current question.
    Answer(String),
    /// Reveal one idea that `typed` (the answer typed so far, maybe empty) still misses.
    Hint { typed: String },
    /// Skip the current question (it counts as 0).
    Skip,
    /// Show the current question again.
    Repeat,
    /// The reference answer to the previous question.
    Reference,
    /// End the session; an answer typed but not submitted is graded first.
    Quit { pending: Option<String> },
}

/// A question as asked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AskedQuestion {
    pub id: String,
    /// In the interface language.
    pub text: String,
    pub level: Level,
    pub topics: Vec<String>,
    /// 1-based.
    pub position: usize,
    pub total: usize,
}

/// An answer graded (or a question skipped): what history keeps and what to show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradedTurn {
    /// The answer as history stores it; `record.score` is the final score after hints.
    pub record: AnswerRecord,
    /// Points taken off for ideas revealed by hints.
    pub hint_penalty: f64,
    /// What the candidate should know about how the grade was made, in the interface language.
    pub notes: Vec<String>,
    /// The reference answer, when `interface.show_reference` asks for it after each answer.
    pub reference: Option<String>,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The session began.
    Started { level: LevelChoice, total: usize },
    /// A question to answer; `repeated` when it was asked for again.
    Question {
        question: AskedQuestion,
        repeated: bool,
    },
    /// One idea the answer still misses.
    Hint { concept_id: String, label: String },
    /// Every idea has been hinted or covered.
    NoMoreHints,
    /// The reference answer to the previous question.
    Reference { question_id: String, text: String },
    /// No question has been graded yet, so there is no reference answer to show.
    NoReference,
    /// The answer was longer than `grading.max_answer_bytes` and was not graded.
    AnswerTooLong { limit_bytes: usize },
    /// The grader could not grade the answer; the session goes on.
    GradingFailed { message: String },
    /// An answer graded or a question skipped.
    Graded(Box<GradedTurn>),
    /// The end-of-session summary.
    Summary {
        answers: Vec<AnswerRecord>,
        summary: Box<Summary>,
    },
    /// The session is over; nothing more will be asked.
    Finished,
}

/// Settings that do not change during a session.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionSettings {
    pub lang: Lang,
    /// Add the reference answer to each graded answer.
    pub show_reference: bool,
    pub max_answer_bytes: usize,
    pub thresholds: LevelThresholds,
}

/// Time as the session sees it.
pub trait Clock {
    /// Seconds since some fixed moment (only differences are used).
    fn seconds(&self) -> f64;
    /// The wall-clock time, as stored in history.
    fn now_iso(&self) -> String;
}

/// The real clock.
pub struct SystemClock {
    origin: Instant,
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock {
            origin: Instant::now(),
        }
    }
}

impl Clock for SystemClock {
    fn seconds(&self) -> f64 {
        self.origin.elapsed().as_secs_f64()
    }

    fn now_iso(&self) -> String {
        now_iso()
    }
}

/// The question being asked.
pub(super) struct Current<'a> {
    pub(super) question: &'a Question,
    pub(super) level: Level,
    pub(super) position: usize,
    /// When it was asked, on the session's clock ([`Clock::seconds`]) and on the wall clock
    /// ([`Clock::now_iso`], which a resumed session counts from).
    pub(super) asked_at: f64,
    pub(super) asked_iso: String,
    /// Ids of the concepts revealed by hints so far.
    pub(super) hints: Vec<String>,
}

/// One interview. [`super::resume`] saves and restores its state.
pub struct Session<'a> {
    pub(super) queue: QuestionQueue<'a>,
    pub(super) grader: &'a (dyn AnswerGrader + Sync),
    pub(super) clock: Box<dyn Clock + Send + Sync + 'a>,
    pub(super) settings: SessionSettings,
    pub(super) level: LevelChoice,
    pub(super) current: Option<Current<'a>>,
    /// The last question graded (or skipped), for [`Input::Reference`].
    pub(super) previous: Option<&'a Question>,
    pub(super) answers: Vec<AnswerRecord>,
    pub(super) started: bool,
    pub(super) finished: bool,
}

impl<'a> Session<'a> {
    pub fn new(
        queue: QuestionQueue<'a>,
        grader: &'a (dyn AnswerGrader + Sync),
        settings: SessionSettings,
    ) -> Session<'a> {
        Session::with_clock(queue, grader, settings, Box::new(SystemClock::default()))
    }

    pub fn with_clock(
        queue: QuestionQueue<'a>,
        grader: &'a (dyn AnswerGrader + Sync),
        settings: SessionSettings,
        clock: Box<dyn Clock + Send + Sync + 'a>,
    ) -> Session<'a> {
        let level = match &queue {
            QuestionQueue::Fixed { level, .. } => LevelChoice::Fixed(*level),
            QuestionQueue::Adaptive { .. } => LevelChoice::Adaptive,
        };
        Session {
            queue,
            grader,
            clock,
            settings,
            level,
            current: None,
            previous: None,
            answers: Vec::new(),
            started: false,
            finished: false,
        }
    }

    pub fn settings(&self) -> &SessionSettings {
        &self.settings
    }

    /// How many questions the session plans to ask.
    pub fn total(&self) -> usize {
        self.queue.total()
    }

    /// The answers graded so far, in order.
    pub fn answers(&self) -> &[AnswerRecord] {
        &self.answers
    }

    /// The question waiting for an answer, if any.
    pub fn current(&self) -> Option<AskedQuestion> {
        self.current.as_ref().map(|c| self.asked(c))
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Begin: the header and the first question. Later calls return nothing.
    pub fn start(&mut self) -> Vec<Event> {
        if self.started {
            return Vec::new();
        }
        self.started = true;
        let mut events = vec![Event::Started {
            level: self.level,
            total: self.queue.total(),
        }];
        self.advance(&mut events);
        events
    }

    /// Handle one input. A finished session produces no events.
    pub fn handle(&mut self, input: Input) -> Vec<Event> {
        let mut events = Vec::new();
        if !self.started {
            events = self.start();
        }
        if self.finished {
            return events;
        }
        match input {
            Input::Answer(text) => {
                if text.len() > self.settings.max_answer_bytes {
                    events.push(Event::AnswerTooLong {
                        limit_bytes: self.settings.max_answer_bytes,
                    });
                } else {
                    self.grade(text, &mut events);
                    self.advance(&mut events);
                }
            }
            Input::Skip => {
                self.skip(&mut events);
                self.advance(&mut events);
            }
            Input::Hint { typed } => self.hint(&typed, &mut events),
            Input::Repeat => {
                if let Some(current) = &self.current {
                    events.push(Event::Question {
                        question: self.asked(current),
                        repeated: true,
                    });
                }
            }
            Input::Reference => events.push(match self.previous {
                Some(question) => Event::Reference {
                    question_id: question.id.clone(),
                    text: question.reference(self.en()).to_owned(),
                },
                None => Event::NoReference,
            }),
            Input::Quit { pending } => {
                // An answer too long to grade is dropped, as a submitted one would be refused.
                if let Some(text) = pending.filter(|t| t.len() <= self.settings.max_answer_bytes) {
                    self.grade(text, &mut events);
                }
                self.finish(&mut events);
            }
        }
        events
    }

    fn en(&self) -> bool {
        self.settings.lang.is_en()
    }

    fn asked(&self, current: &Current<'_>) -> AskedQuestion {
        AskedQuestion {
            id: current.question.id.clone(),
            text: current.question.text(self.en()).to_owned(),
            level: current.level,
            topics: current.question.topics.clone(),
            position: current.position,
            total: self.queue.total(),
        }
    }

    /// Ask the next question, or end the session when there is none.
    fn advance(&mut self, events: &mut Vec<Event>) {
        if self.current.is_some() {
            return;
        }
        let last_score = self.answers.last().map(|a| a.score);
        match self.queue.next(last_score) {
            Some((question, level)) => {
                let current = Current {
                    question,
                    level,
                    position: self.answers.len() + 1,
                    asked_at: self.clock.seconds(),
                    asked_iso: self.clock.now_iso(),
                    hints: Vec::new(),
                };
                events.push(Event::Question {
                    question: self.asked(&current),
                    repeated: false,
                });
                self.current = Some(current);
            }
            None => self.finish(events),
        }
    }

    fn finish(&mut self, events: &mut Vec<Event>) {
        self.current = None;
        self.finished = true;
        let summary = Summary::of(&self.answers, self.settings.thresholds, self.en());
        events.push(Event::Summary {
            answers: self.answers.clone(),
            summary: Box::new(summary),
        });
        events.push(Event::Finished);
    }

    fn grade(&mut self, text: String, events: &mut Vec<Event>) {
        let Some(current) = self.current.take() else {
            return;
        };
        self.previous = Some(current.question);
        let graded = match self.grader.grade_answer(current.question, &text) {
            Ok(graded) => graded,
            Err(e) => {
                events.push(Event::GradingFailed {
                    message: e.to_string(),
                });
                return;
            }
        };
        let penalty = hint_penalty(&graded.grade, &current.hints);
        let score = (graded.score - penalty).clamp(0.0, 100.0);
        let notes = graded.notes.clone();
        let graded = GradedAnswer { score, ..graded };
        let reference = self
            .settings
            .show_reference
            .then(|| current.question.reference(self.en()).to_owned());
        let record = self.record(current, text, graded);
        self.answers.push(record.clone());
        events.push(Event::Graded(Box::new(GradedTurn {
            record,
            hint_penalty: penalty,
            notes,
            reference,
        })));
    }

    fn skip(&mut self, events: &mut Vec<Event>) {
        let Some(current) = self.current.take() else {
            return;
        };
        self.previous = Some(current.question);
        // The rubric's view of an empty answer: every concept missed, with its hint.
        let graded = GradedAnswer {
            grade: self
                .grader
                .rubric_grade(current.question, "")
                .unwrap_or_default(),
            score: 0.0,
            keyword_score: 0.0,
            llm_score: None,
            llm_feedback: None,
            method: Method::Skipped,
            notes: Vec::new(),
        };
        let record = self.record(current, String::new(), graded);
        self.answers.push(record.clone());
        events.push(Event::Graded(Box::new(GradedTurn {
            record,
            hint_penalty: 0.0,
            notes: Vec::new(),
            reference: None,
        })));
    }

    /// Reveal the label of the heaviest concept (required ones first) that `typed` misses.
    fn hint(&mut self, typed: &str, events: &mut Vec<Event>) {
        let en = self.en();
        let Some(current) = self.current.as_mut() else {
            return;
        };
        let missed = match self.grader.rubric_grade(current.question, typed) {
            Ok(grade) => grade.missed,
            Err(e) => {
                events.push(Event::GradingFailed {
                    message: e.to_string(),
                });
                return;
            }
        };
        let mut candidates: Vec<_> = missed
            .iter()
            .filter(|m| !current.hints.contains(&m.id))
            .collect();
        candidates.sort_by(|a, b| {
            b.required
                .cmp(&a.required)
                .then(b.weight.total_cmp(&a.weight))
        });
        events.push(match candidates.first() {
            Some(concept) => {
                current.hints.push(concept.id.clone());
                Event::Hint {
                    concept_id: concept.id.clone(),
                    label: localized(&concept.label, concept.label_en.as_deref(), en).to_owned(),
                }
            }
            None => Event::NoMoreHints,
        });
    }

    /// The history record of an answer, in the interface language.
    fn record(&self, current: Current<'_>, answer: String, graded: GradedAnswer) -> AnswerRecord {
        let en = self.en();
        let question = current.question;
        AnswerRecord {
            position: current.position,
            question_id: question.id.clone(),
            question: question.text(en).to_owned(),
            reference: question.reference(en).to_owned(),
            level: current.level,
            topics: question.topics.clone(),
            answer,
            score: graded.score,
            keyword_score: graded.keyword_score,
            llm_score: graded.llm_score,
            llm_feedback: graded.llm_feedback,
            method: graded.method,
            grade: graded.grade,
            hints: current.hints,
            seconds: (self.clock.seconds() - current.asked_at).max(0.0),
            answered_at: self.clock.now_iso(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    use super::*;
    use crate::bank::{Bank, BankSource};
    use crate::error::InputError;
    use crate::grade::{Grade, GradeSettings};
    use crate::session::pick::AdaptiveSteps;
    use crate::session::KeywordGrader;

    /// A clock the test moves by hand (whole seconds).
    #[derive(Clone, Default)]
    struct HandClock(Arc<AtomicU64>);

    impl HandClock {
        fn advance(&self, seconds: u64) {
            self.0.fetch_add(seconds, Ordering::SeqCst);
        }
    }

    impl Clock for HandClock {
        fn seconds(&self) -> f64 {
            self.0.load(Ordering::SeqCst) as f64
        }

        fn now_iso(&self) -> String {
            format!(
                "2026-12-06T10:00:{:02}Z",
                self.0.load(Ordering::SeqCst) % 60
            )
        }
    }

    fn settings(lang: Lang) -> SessionSettings {
        SessionSettings {
            lang,
            show_reference: false,
            max_answer_bytes: 64 * 1024,
            thresholds: LevelThresholds::default(),
        }
    }

    fn junior(bank: &Bank) -> Vec<&Question> {
        bank.questions
            .iter()
            .filter(|q| q.levels.contains(&Level::Junior))
            .filter(|q| bank.compiled_rubric(&q.id).is_some())
            .collect()
    }

    fn graded(events: &[Event]) -> Vec<&GradedTurn> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Graded(turn) => Some(turn.as_ref()),
                _ => None,
            })
            .collect()
    }

    fn asked(events: &[Event]) -> Vec<&AskedQuestion> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Question { question, .. } => Some(question),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_whole_session_hint_answer_reference_repeat_skip_and_quit() {
        let bank = Bank::load(&BankSource::Bundled).unwrap();
        let grading = GradeSettings::default();
        let grader = KeywordGrader {
            bank: &bank,
            settings: &grading,
        };
        let pool = junior(&bank);
        let (first, second, third) = (pool[0], pool[1], pool[2]);
        let clock = HandClock::default();
        let mut session = Session::with_clock(
            QuestionQueue::fixed(Level::Junior, pool.clone(), 3),
            &grader,
            settings(Lang::En),
            Box::new(clock.clone()),
        );

        let events = session.start();
        assert_eq!(
            events[0],
            Event::Started {
                level: LevelChoice::Fixed(Level::Junior),
                total: 3
            }
        );
        let q = asked(&events);
        assert_eq!(
            (q.len(), q[0].id.as_str(), q[0].position),
            (1, &*first.id, 1)
        );
        assert_eq!(q[0].text, first.text(true));
        assert!(session.start().is_empty(), "a session starts once");

        // No question graded yet: no reference answer.
        assert_eq!(session.handle(Input::Reference), vec![Event::NoReference]);

        // A hint names the heaviest concept an empty answer misses.
        let hint = session.handle(Input::Hint {
            typed: String::new(),
        });
        let Event::Hint { concept_id, .. } = &hint[0] else {
            panic!("a hint: {hint:?}");
        };
        let rubric_missed = grader.rubric_grade(first, "").unwrap().missed;
        assert!(rubric_missed.iter().any(|c| &c.id == concept_id));

        clock.advance(12);
        let reference = first.reference(true).to_owned();
        let events = session.handle(Input::Answer(reference.clone()));
        let turns = graded(&events);
        assert_eq!(turns.len(), 1);
        let turn = turns[0];
        let unhinted = grader.grade_answer(first, &reference).unwrap();
        assert_eq!(turn.record.method, Method::Keyword);
        assert_eq!(turn.record.hints, vec![concept_id.clone()]);
        assert_eq!(turn.record.seconds, 12.0);
        assert_eq!(turn.record.answer, reference);
        assert!(
            (turn.record.score - (unhinted.score - turn.hint_penalty).clamp(0.0, 100.0)).abs()
                < 1e-9
        );
        assert_eq!(asked(&events)[0].id, second.id);

        // The reference answer is now the first question's; :repeat asks the second again.
        assert_eq!(
            session.handle(Input::Reference),
            vec![Event::Reference {
                question_id: first.id.clone(),
                text: first.reference(true).to_owned()
            }]
        );
        let repeated = session.handle(Input::Repeat);
        assert!(
            matches!(&repeated[..], [Event::Question { question, repeated: true }] if question.id == second.id)
        );

        let events = session.handle(Input::Skip);
        let skipped = graded(&events)[0];
        assert!(skipped.record.is_skipped());
        assert_eq!(skipped.record.score, 0.0);
        assert_eq!(
            skipped.record.grade.missed.len(),
            grader.rubric_grade(second, "").unwrap().missed.len(),
            "a skipped question lists every idea missed"
        );
        assert_eq!(asked(&events)[0].id, third.id);

        // Quitting grades what was typed, then sums up.
        let events = session.handle(Input::Quit {
            pending: Some("не знаю".into()),
        });
        assert_eq!(graded(&events).len(), 1);
        let Some(Event::Summary { answers, summary }) = events.get(1) else {
            panic!("a summary after the last answer: {events:?}");
        };
        assert_eq!(answers.len(), 3);
        assert_eq!((summary.answered, summary.skipped), (2, 1));
        assert_eq!(events.last(), Some(&Event::Finished));
        assert!(session.is_finished());
        assert!(session.handle(Input::Answer("late".into())).is_empty());
        assert_eq!(session.answers().len(), 3);
    }

    #[test]
    fn an_answer_over_the_limit_is_refused_and_the_question_stays() {
        let bank = Bank::load(&BankSource::Bundled).unwrap();
        let grading = GradeSettings::default();
        let grader = KeywordGrader {
            bank: &bank,
            settings: &grading,
        };
        let pool = junior(&bank);
        let mut session = Session::new(
            QuestionQueue::fixed(Level::Junior, pool, 1),
            &grader,
            SessionSettings {
                max_answer_bytes: 10,
                ..settings(Lang::Ru)
            },
        );
        session.start();
        assert_eq!(
            session.handle(Input::Answer("x".repeat(11))),
            vec![Event::AnswerTooLong { limit_bytes: 10 }]
        );
        assert!(session.current().is_some());
        // Ten bytes are within the limit, as for `sobes grade`.
        let events = session.handle(Input::Answer("x".repeat(10)));
        assert_eq!(graded(&events).len(), 1);
        assert!(session.is_finished());
        // A typed answer too long to grade is dropped at the end.
        let mut session = Session::new(
            QuestionQueue::fixed(Level::Junior, junior(&bank), 1),
            &grader,
            SessionSettings {
                max_answer_bytes: 10,
                ..settings(Lang::Ru)
            },
        );
        let events = session.handle(Input::Quit {
            pending: Some("x".repeat(11)),
        });
        assert!(graded(&events).is_empty());
        assert_eq!(events.last(), Some(&Event::Finished));
    }

    #[test]
    fn adaptive_sessions_climb_after_a_strong_answer() {
        let bank = Bank::load(&BankSource::Bundled).unwrap();
        let grading = GradeSettings::default();
        let grader = KeywordGrader {
            bank: &bank,
            settings: &grading,
        };
        let by_level: Vec<(Level, Vec<&Question>)> = Level::ALL
            .iter()
            .map(|&l| {
                (
                    l,
                    bank.questions
                        .iter()
                        .filter(|q| q.levels == vec![l])
                        .filter(|q| bank.compiled_rubric(&q.id).is_some())
                        .collect(),
                )
            })
            .collect();
        let steps = AdaptiveSteps {
            up: 70.0,
            down: 40.0,
        };
        let mut session = Session::new(
            QuestionQueue::adaptive(by_level, 3, steps),
            &grader,
            settings(Lang::En),
        );
        let first = asked(&session.start())[0].clone();
        assert_eq!(first.level, Level::Junior);
        let question = bank.question(&first.id).unwrap();
        let events = session.handle(Input::Answer(question.reference(true).to_owned()));
        let score = graded(&events)[0].record.score;
        let next = asked(&events)[0];
        let expected = if score >= 70.0 {
            Level::Middle
        } else {
            Level::Junior
        };
        assert_eq!(next.level, expected, "after a score of {score}");
    }

    /// A grader that cannot grade: the session says so and goes on.
    struct Broken;

    impl AnswerGrader for Broken {
        fn grade_answer(&self, _: &Question, _: &str) -> Result<GradedAnswer, InputError> {
            Err(InputError::Other("no rubric for this question".into()))
        }

        fn rubric_grade(&self, _: &Question, _: &str) -> Result<Grade, InputError> {
            Err(InputError::Other("no rubric for this question".into()))
        }
    }

    #[test]
    fn a_grading_failure_is_an_event_and_the_session_goes_on() {
        let bank = Bank::load(&BankSource::Bundled).unwrap();
        let mut session = Session::new(
            QuestionQueue::fixed(Level::Junior, junior(&bank), 2),
            &Broken,
            settings(Lang::En),
        );
        session.start();
        let events = session.handle(Input::Hint {
            typed: String::new(),
        });
        assert!(matches!(&events[..], [Event::GradingFailed { .. }]));
        let events = session.handle(Input::Answer("ответ".into()));
        assert!(
            matches!(&events[..], [Event::GradingFailed { message }, Event::Question { .. }] if message.contains("no rubric"))
        );
        // A skip needs no grader.
        let events = session.handle(Input::Skip);
        assert!(graded(&events)[0].record.is_skipped());
        assert!(session.is_finished());
    }

    #[test]
    fn events_serialize_with_their_kind() {
        let bank = Bank::load(&BankSource::Bundled).unwrap();
        let grading = GradeSettings::default();
        let grader = KeywordGrader {
            bank: &bank,
            settings: &grading,
        };
        let mut session = Session::new(
            QuestionQueue::fixed(Level::Junior, junior(&bank), 1),
            &grader,
            settings(Lang::En),
        );
        let start = serde_json::to_value(session.start()).unwrap();
        assert_eq!(start[0]["event"], "started");
        assert_eq!(start[0]["level"]["kind"], "fixed");
        assert_eq!(start[0]["level"]["level"], "junior");
        assert_eq!(start[1]["event"], "question");
        assert_eq!(start[1]["question"]["position"], 1);
        let events = serde_json::to_value(session.handle(Input::Skip)).unwrap();
        assert_eq!(events[0]["event"], "graded");
        assert_eq!(events[0]["record"]["method"], "skipped");
        assert_eq!(events[1]["event"], "summary");
        assert!(events[1]["summary"]["estimate"].is_object());
        assert_eq!(events[2]["event"], "finished");
    }
}
