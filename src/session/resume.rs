//! A session's state as data, so that a front end can keep it and carry on after a restart
//! (`sobes serve` keeps it in history). [`Session::snapshot`] takes the state the session
//! cannot rebuild from its answers (the planned questions, where it is, the hints shown for
//! the current question, its settings); [`Session::restore`] rebuilds the same session from
//! that state and the answers history holds. No I/O here: the caller stores the state.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::engine::{Clock, Current, Session, SessionSettings, SystemClock};
use super::pick::{AdaptiveSteps, QuestionQueue};
use super::summary::LevelThresholds;
use super::AnswerGrader;
use crate::bank::{Bank, Level, Question};
use crate::history::{time::parse_iso, AnswerRecord};
use crate::session::LevelChoice;
use crate::ui::Lang;

/// Everything a session needs, besides its answers, to be rebuilt exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionState {
    pub lang: Lang,
    pub show_reference: bool,
    pub max_answer_bytes: usize,
    pub pass_score: f64,
    pub close_score: f64,
    pub queue: QueueState,
    /// The question waiting for an answer.
    pub current: Option<CurrentState>,
    /// The question answered last, for the reference answer.
    pub previous: Option<String>,
    pub started: bool,
    pub finished: bool,
}

/// The planned questions (ids) and how far the session is through them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum QueueState {
    Fixed {
        level: Level,
        questions: Vec<String>,
        /// How many of them have been asked.
        next: usize,
    },
    Adaptive {
        /// Each level's questions in asking order (only as many as the session can ask).
        by_level: Vec<(Level, Vec<String>)>,
        /// The level the last question was asked at.
        current: Level,
        asked: Vec<String>,
        total: usize,
        given: usize,
        up: f64,
        down: f64,
    },
}

/// The question waiting for an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurrentState {
    pub question_id: String,
    pub level: Level,
    /// 1-based.
    pub position: usize,
    /// When it was asked (ISO 8601 UTC): the time to answer counts from here.
    pub asked_at: String,
    /// Ids of the concepts revealed by hints so far.
    pub hints: Vec<String>,
}

/// Why a saved state cannot be resumed.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    #[error("question \"{0}\" of the session is no longer in the bank (or has no rubric)")]
    MissingQuestion(String),
    #[error("the saved session does not match its answers in history: {0}")]
    Mismatch(String),
}

impl Session<'_> {
    /// The session's state, for [`Session::restore`].
    pub fn snapshot(&self) -> SessionState {
        let ids = |questions: &[&Question]| questions.iter().map(|q| q.id.clone()).collect();
        let queue = match &self.queue {
            QuestionQueue::Fixed {
                level,
                questions,
                next,
            } => QueueState::Fixed {
                level: *level,
                questions: ids(questions),
                next: *next,
            },
            QuestionQueue::Adaptive {
                by_level,
                current,
                asked,
                total,
                given,
                steps,
            } => {
                // A level's list is read up to its first question not asked yet, and fewer
                // than `total` have been asked: its first `total` entries are all it can use.
                let mut asked: Vec<String> = asked.iter().cloned().collect();
                asked.sort();
                QueueState::Adaptive {
                    by_level: by_level
                        .iter()
                        .map(|(level, questions)| {
                            (*level, ids(&questions[..questions.len().min(*total)]))
                        })
                        .collect(),
                    current: *current,
                    asked,
                    total: *total,
                    given: *given,
                    up: steps.up,
                    down: steps.down,
                }
            }
        };
        SessionState {
            lang: self.settings.lang,
            show_reference: self.settings.show_reference,
            max_answer_bytes: self.settings.max_answer_bytes,
            pass_score: self.settings.thresholds.pass,
            close_score: self.settings.thresholds.close,
            queue,
            current: self.current.as_ref().map(|c| CurrentState {
                question_id: c.question.id.clone(),
                level: c.level,
                position: c.position,
                asked_at: c.asked_iso.clone(),
                hints: c.hints.clone(),
            }),
            previous: self.previous.map(|q| q.id.clone()),
            started: self.started,
            finished: self.finished,
        }
    }
}

impl<'a> Session<'a> {
    /// The session `state` describes, with the `answers` it has given so far (in order, as
    /// history holds them), on the real clock.
    pub fn restore(
        state: &SessionState,
        answers: Vec<AnswerRecord>,
        bank: &'a Bank,
        grader: &'a (dyn AnswerGrader + Sync),
    ) -> Result<Session<'a>, ResumeError> {
        Session::restore_with_clock(
            state,
            answers,
            bank,
            grader,
            Box::new(SystemClock::default()),
        )
    }

    /// [`Session::restore`] on a given clock. The time already spent on the current question
    /// (from its `asked_at` to the clock's wall time) still counts.
    pub fn restore_with_clock(
        state: &SessionState,
        answers: Vec<AnswerRecord>,
        bank: &'a Bank,
        grader: &'a (dyn AnswerGrader + Sync),
        clock: Box<dyn Clock + Send + Sync + 'a>,
    ) -> Result<Session<'a>, ResumeError> {
        let question = |id: &str| -> Result<&'a Question, ResumeError> {
            bank.question(id)
                .filter(|q| bank.compiled_rubric(&q.id).is_some())
                .ok_or_else(|| ResumeError::MissingQuestion(id.chars().take(100).collect()))
        };
        let questions = |ids: &[String]| -> Result<Vec<&'a Question>, ResumeError> {
            ids.iter().map(|id| question(id)).collect()
        };
        let mismatch = |what: String| Err(ResumeError::Mismatch(what));
        let queue = match &state.queue {
            QueueState::Fixed {
                level,
                questions: ids,
                next,
            } => {
                if *next > ids.len() {
                    return mismatch(format!("{next} of {} questions asked", ids.len()));
                }
                QuestionQueue::Fixed {
                    level: *level,
                    questions: questions(ids)?,
                    next: *next,
                }
            }
            QueueState::Adaptive {
                by_level,
                current,
                asked,
                total,
                given,
                up,
                down,
            } => {
                if given > total || asked.len() != *given {
                    return mismatch(format!(
                        "{given} of {total} questions given, {} asked",
                        asked.len()
                    ));
                }
                let by_level = by_level
                    .iter()
                    .map(|(level, ids)| Ok((*level, questions(ids)?)))
                    .collect::<Result<Vec<_>, ResumeError>>()?;
                for id in asked {
                    question(id)?;
                }
                QuestionQueue::Adaptive {
                    by_level,
                    current: *current,
                    asked: asked.iter().cloned().collect::<HashSet<_>>(),
                    total: *total,
                    given: *given,
                    steps: AdaptiveSteps {
                        up: *up,
                        down: *down,
                    },
                }
            }
        };
        let current = match &state.current {
            Some(saved) => {
                if saved.position != answers.len() + 1 {
                    return mismatch(format!(
                        "question {} is waiting, {} answers are kept",
                        saved.position,
                        answers.len()
                    ));
                }
                let waited = match (parse_iso(&clock.now_iso()), parse_iso(&saved.asked_at)) {
                    (Some(now), Some(asked)) => (now - asked).max(0) as f64,
                    _ => 0.0,
                };
                Some(Current {
                    question: question(&saved.question_id)?,
                    level: saved.level,
                    position: saved.position,
                    asked_at: clock.seconds() - waited,
                    asked_iso: saved.asked_at.clone(),
                    hints: saved.hints.clone(),
                })
            }
            None if state.started && !state.finished => {
                return mismatch("no question is waiting and the session is not over".into())
            }
            None => None,
        };
        let previous = state.previous.as_deref().map(question).transpose()?;
        let level = match &queue {
            QuestionQueue::Fixed { level, .. } => LevelChoice::Fixed(*level),
            QuestionQueue::Adaptive { .. } => LevelChoice::Adaptive,
        };
        Ok(Session {
            queue,
            grader,
            clock,
            settings: SessionSettings {
                lang: state.lang,
                show_reference: state.show_reference,
                max_answer_bytes: state.max_answer_bytes,
                thresholds: LevelThresholds {
                    pass: state.pass_score,
                    close: state.close_score,
                },
            },
            level,
            current,
            previous,
            answers,
            started: state.started,
            finished: state.finished,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    use super::*;
    use crate::bank::BankSource;
    use crate::grade::GradeSettings;
    use crate::session::pick::{plan_queue, Plan, Rng};
    use crate::session::{Event, Input, KeywordGrader};

    /// A clock moved by hand; its wall time follows (whole seconds).
    #[derive(Clone, Default)]
    struct HandClock(Arc<AtomicU64>);

    impl Clock for HandClock {
        fn seconds(&self) -> f64 {
            self.0.load(Ordering::SeqCst) as f64
        }

        fn now_iso(&self) -> String {
            crate::history::time::iso_utc(1_800_000_000 + self.0.load(Ordering::SeqCst) as i64)
        }
    }

    fn settings() -> SessionSettings {
        SessionSettings {
            lang: Lang::En,
            show_reference: false,
            max_answer_bytes: 64 * 1024,
            thresholds: LevelThresholds::default(),
        }
    }

    /// The inputs of a session: hints, strong and weak answers, a skip, a reference and a
    /// repeat, so that an adaptive session moves up and down.
    fn inputs(bank: &Bank, step: usize, asked: &str) -> Input {
        let question = bank.question(asked).unwrap();
        match step % 6 {
            0 => Input::Hint {
                typed: String::new(),
            },
            1 => Input::Answer(question.reference(true).to_owned()),
            2 => Input::Answer("не знаю".into()),
            3 => Input::Skip,
            4 => Input::Reference,
            _ => Input::Repeat,
        }
    }

    /// Run `steps` inputs; before each, when `cut` says so, save the state, drop the session
    /// and restore it (through JSON, as history keeps it).
    fn run(
        grader: &KeywordGrader<'_>,
        choice: LevelChoice,
        steps: usize,
        cut: impl Fn(usize) -> bool,
    ) -> Vec<AnswerRecord> {
        let bank = grader.bank;
        let plan = Plan {
            choice,
            topics: &[],
            count: 8,
            steps: AdaptiveSteps {
                up: 70.0,
                down: 40.0,
            },
        };
        let queue = plan_queue(bank, &plan, &mut Rng::new(7), None).unwrap();
        let clock = HandClock::default();
        let mut session = Session::with_clock(queue, grader, settings(), Box::new(clock.clone()));
        session.start();
        for step in 0..steps {
            if session.is_finished() {
                break;
            }
            if cut(step) {
                let json = serde_json::to_string(&session.snapshot()).unwrap();
                let answers = session.answers().to_vec();
                drop(session);
                let state: SessionState = serde_json::from_str(&json).unwrap();
                session = Session::restore_with_clock(
                    &state,
                    answers,
                    bank,
                    grader,
                    Box::new(clock.clone()),
                )
                .unwrap();
                assert_eq!(session.snapshot(), state, "restored as saved");
            }
            clock.0.fetch_add(3, Ordering::SeqCst);
            let asked = session.current().unwrap().id;
            let events = session.handle(inputs(bank, step, &asked));
            assert!(!events.is_empty());
        }
        assert!(session.is_finished(), "the session ran to its end");
        session.answers().to_vec()
    }

    #[test]
    fn a_restored_session_goes_on_exactly_as_the_uninterrupted_one() {
        let bank = Bank::load(&BankSource::Bundled).unwrap();
        let grading = GradeSettings::default();
        let grader = KeywordGrader {
            bank: &bank,
            settings: &grading,
        };
        for choice in [LevelChoice::Fixed(Level::Middle), LevelChoice::Adaptive] {
            let whole = run(&grader, choice, 60, |_| false);
            assert_eq!(whole.len(), 8);
            if choice == LevelChoice::Adaptive {
                let levels: HashSet<Level> = whole.iter().map(|a| a.level).collect();
                assert!(levels.len() > 1, "the adaptive session moved: {levels:?}");
            }
            for cuts in [1, 3] {
                let resumed = run(&grader, choice, 60, |step| step % cuts == 0);
                assert_eq!(resumed, whole, "{choice:?}, restored every {cuts} steps");
            }
        }
    }

    /// The queue of a fixed junior session of two questions, seed 1.
    fn two_junior_questions(bank: &Bank) -> QuestionQueue<'_> {
        let plan = Plan {
            choice: LevelChoice::Fixed(Level::Junior),
            topics: &[],
            count: 2,
            steps: AdaptiveSteps {
                up: 70.0,
                down: 40.0,
            },
        };
        plan_queue(bank, &plan, &mut Rng::new(1), None).unwrap()
    }

    #[test]
    fn hints_shown_before_the_restart_still_cost_and_are_not_shown_again() {
        let bank = Bank::load(&BankSource::Bundled).unwrap();
        let grading = GradeSettings::default();
        let grader = KeywordGrader {
            bank: &bank,
            settings: &grading,
        };
        let queue = two_junior_questions(&bank);
        let mut session = Session::new(queue, &grader, settings());
        session.start();
        let hint = |events: Vec<Event>| match &events[..] {
            [Event::Hint { concept_id, .. }] => concept_id.clone(),
            other => panic!("a hint: {other:?}"),
        };
        let typed = Input::Hint {
            typed: String::new(),
        };
        let first = hint(session.handle(typed.clone()));
        let state = session.snapshot();
        assert_eq!(state.current.as_ref().unwrap().hints, vec![first.clone()]);
        let mut resumed = Session::restore(&state, Vec::new(), &bank, &grader).unwrap();
        let second = hint(resumed.handle(typed));
        assert_ne!(first, second, "a hint already shown is not shown again");
        let question = bank.question(&resumed.current().unwrap().id).unwrap();
        let events = resumed.handle(Input::Answer(question.reference(true).to_owned()));
        let Some(Event::Graded(turn)) = events.first() else {
            panic!("graded: {events:?}");
        };
        assert_eq!(turn.record.hints, vec![first, second]);
        assert!(turn.hint_penalty > 0.0);
    }

    #[test]
    fn a_state_that_does_not_fit_is_refused() {
        let bank = Bank::load(&BankSource::Bundled).unwrap();
        let grading = GradeSettings::default();
        let grader = KeywordGrader {
            bank: &bank,
            settings: &grading,
        };
        let queue = two_junior_questions(&bank);
        let mut session = Session::new(queue, &grader, settings());
        session.start();
        let state = session.snapshot();
        // The answer to question 1 is not in history, yet question 2 is waiting.
        let mut ahead = state.clone();
        ahead.current.as_mut().unwrap().position = 2;
        let error = Session::restore(&ahead, Vec::new(), &bank, &grader).err();
        assert!(matches!(error, Some(ResumeError::Mismatch(_))), "{error:?}");
        // A question the bank no longer has.
        let mut gone = state;
        gone.current.as_mut().unwrap().question_id = "no-such-question".into();
        let error = Session::restore(&gone, Vec::new(), &bank, &grader).err();
        assert!(
            matches!(&error, Some(ResumeError::MissingQuestion(id)) if id == "no-such-question"),
            "{error:?}"
        );
    }
}
