//! Live sessions of `sobes serve`: each one the same [`Session`] engine the REPL runs, kept in
//! memory under a random, unguessable id, with its row in the same SQLite history as the CLI.
//! Every graded answer goes through a [`Recorder`] the moment the engine produces it, over the
//! server's one history connection (one writer; other programs are waited for as the REPL
//! waits). In the same transaction the session's state ([`SessionState`], the hints shown, the
//! draft) is kept in history's `resume` table under the digest of its id, so that after a
//! restart (or a crash) a request naming the id finds the session again and it goes on where it
//! was. All of this is blocking work: handlers run it on tokio's blocking threads.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::bank::{BankSource, Level};
use crate::config::Config;
use crate::error::InputError;
use crate::history::{time, AnswerRecord, History, HistoryError, NewSession};
use crate::session::engine::{AskedQuestion, GradedTurn};
use crate::session::persist::{patiently, Recorder};
use crate::session::pick::{plan_queue, AdaptiveSteps, Plan, Preferences, Rng};
use crate::session::resume::SessionState;
use crate::session::summary::{LevelThresholds, Summary};
use crate::session::{
    hint_penalty, Event, Input, KeywordGrader, LevelChoice, Session, SessionSettings,
};
use crate::ui::Lang;

/// At most this many sessions live in memory at once; beyond it, idle ones are dropped first.
pub const MAX_LIVE: usize = 2_000;
/// A session untouched this long is dropped from memory (its answers stay in history).
const IDLE: Duration = Duration::from_secs(12 * 60 * 60);
/// The most questions one session may plan.
pub const MAX_COUNT: usize = 100;

/// Lock a mutex, taking over one a panicking holder left behind (the data stays consistent:
/// every step leaves it whole).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What the server shares between live sessions; it lives as long as the process.
pub struct Engine {
    pub config: Config,
    pub grader: &'static KeywordGrader<'static>,
    pub bank_name: String,
    /// The history database, opened on the first session.
    db: PathBuf,
    history: Mutex<Option<History>>,
    live: Mutex<HashMap<String, Arc<Mutex<Live>>>>,
}

/// How a session is started.
#[derive(Debug, Clone)]
pub struct StartRequest {
    pub choice: LevelChoice,
    pub topics: Vec<String>,
    pub count: Option<usize>,
    pub seed: Option<u64>,
    pub lang: Lang,
}

/// Why a session could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error("no session \"{0}\"")]
    Unknown(String),
    #[error("session {id} cannot be resumed: {reason}")]
    Unresumable { id: String, reason: String },
    #[error("session {0} is over; its report is at /api/sessions/{0}/report")]
    Over(String),
    #[error("too many sessions at once ({MAX_LIVE}); try again later")]
    Full,
}

/// One session in memory.
pub struct Live {
    pub id: String,
    /// The digest of `id`, under which history keeps the session's state.
    key: String,
    /// The key of this session's CSRF token (random, kept with the state so that a page
    /// rendered before a restart can still post).
    csrf_key: String,
    pub session: Session<'static>,
    /// The session's row in history.
    pub history_id: i64,
    pub lang: Lang,
    /// The last answer graded (or question skipped), for the feedback page.
    pub last: Option<GradedTurn>,
    /// The end-of-session summary, once the session is over.
    pub summary: Option<Summary>,
    /// Hints revealed for the current question (labels, in order) and the answer typed so far.
    pub hints: Vec<String>,
    pub no_more_hints: bool,
    pub draft: String,
    /// Graded answers history could not take yet (another program held it): retried first.
    unsaved: Vec<AnswerRecord>,
    /// The end of the session is not marked in history yet.
    finish_unsaved: bool,
    /// Why the last write failed, if it did.
    pub save_error: Option<String>,
    touched: Instant,
}

impl Live {
    /// Every answer, and the end of the session once over, is in history.
    pub fn saved(&self) -> bool {
        self.unsaved.is_empty() && !self.finish_unsaved
    }

    pub fn current(&self) -> Option<AskedQuestion> {
        self.session.current()
    }

    /// The CSRF token of this session's forms: a keyed hash of its id.
    pub fn csrf(&self) -> String {
        keyed_digest(&[self.csrf_key.as_bytes(), b"\0csrf\0", self.id.as_bytes()])[..32].to_owned()
    }

    /// What history keeps to resume the session.
    fn state(&self) -> Saved {
        Saved {
            session: self.session.snapshot(),
            csrf_key: self.csrf_key.clone(),
            hints: self.hints.clone(),
            no_more_hints: self.no_more_hints,
            draft: self.draft.clone(),
        }
    }
}

/// A live session as history keeps it (`resume.state`, JSON).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Saved {
    session: SessionState,
    csrf_key: String,
    /// The labels of the hints shown for the current question, and whether they ran out.
    hints: Vec<String>,
    no_more_hints: bool,
    /// The answer typed when the last hint was asked for.
    draft: String,
}

/// SHA-256 of the parts, in hex.
fn keyed_digest(parts: &[&[u8]]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The key history keeps a session under: the digest of its id, so that the file does not
/// hold ids that would let its reader step into a live session.
fn history_key(id: &str) -> String {
    keyed_digest(&[b"sobes-session\0", id.as_bytes()])
}

/// Whether `id` can be a session id at all (32 hex digits, as [`crate::serve::new_token`]
/// makes): anything else, a history row number included, is unknown without a lookup.
fn well_formed(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether the events changed what [`Saved`] holds.
fn changes_state(events: &[Event]) -> bool {
    events.iter().any(|event| {
        !matches!(
            event,
            Event::Question { repeated: true, .. }
                | Event::Reference { .. }
                | Event::NoReference
                | Event::AnswerTooLong { .. }
        )
    })
}

/// What one step of a session produced, for a front end to show.
#[derive(Debug, Default)]
pub struct Step {
    pub graded: Option<GradedTurn>,
    pub question: Option<AskedQuestion>,
    pub hint: Option<(String, String)>,
    pub no_more_hints: bool,
    pub too_long: Option<usize>,
    pub failed: Option<String>,
    pub summary: Option<Summary>,
    pub finished: bool,
}

impl Engine {
    pub fn new(config: Config, grader: &'static KeywordGrader<'static>, db: PathBuf) -> Engine {
        let bank_name = match &grader.bank.source {
            BankSource::Bundled => "bundled".into(),
            BankSource::Dir(dir) => dir.display().to_string(),
        };
        Engine {
            config,
            grader,
            bank_name,
            db,
            history: Mutex::new(None),
            live: Mutex::new(HashMap::new()),
        }
    }

    pub fn thresholds(&self) -> LevelThresholds {
        LevelThresholds {
            pass: self.config.interview.pass_score,
            close: self.config.interview.close_score,
        }
    }

    /// Run `work` on the history connection, opening it first if needed.
    pub fn with_history<T>(
        &self,
        work: impl FnOnce(&History) -> Result<T, LiveError>,
    ) -> Result<T, LiveError> {
        let mut slot = lock(&self.history);
        if slot.is_none() {
            *slot = Some(History::open(&self.db)?);
        }
        match slot.as_ref() {
            Some(history) => work(history),
            None => unreachable!("opened above"),
        }
    }

    /// Start a session: plan its questions, add its row to history, ask the first question.
    pub fn start(&self, request: StartRequest) -> Result<(Arc<Mutex<Live>>, Step), LiveError> {
        let bank = self.grader.bank;
        bank.check_topics(&request.topics)?;
        let count = request
            .count
            .unwrap_or(self.config.interview.questions)
            .max(1);
        if count > MAX_COUNT {
            return Err(InputError::Other(format!(
                "count must be between 1 and {MAX_COUNT}, not {count}"
            ))
            .into());
        }
        let interview = &self.config.interview;
        let plan = Plan {
            choice: request.choice,
            topics: &request.topics,
            count,
            steps: AdaptiveSteps {
                up: interview.adaptive_up,
                down: interview.adaptive_down,
            },
        };
        let random = || {
            crate::serve::new_token()
                .map_err(|e| InputError::Other(format!("could not make a session id: {e}")))
        };
        let id = random()?;
        let csrf_key = random()?;
        let (queue, history_id) = self.with_history(|history| {
            let preferences = match request.seed {
                Some(_) => None,
                None => Some(Preferences::from_history(
                    &history.answer_stats()?,
                    time::now_secs(),
                    interview.recent_days,
                )),
            };
            let mut rng = request.seed.map_or_else(Rng::from_entropy, Rng::new);
            let queue = plan_queue(bank, &plan, &mut rng, preferences.as_ref())?;
            let history_id = history.start_session(&NewSession {
                started_at: time::now_iso(),
                level: match request.choice {
                    LevelChoice::Fixed(level) => Some(level),
                    LevelChoice::Adaptive => None,
                },
                adaptive: request.choice == LevelChoice::Adaptive,
                topics: request.topics.clone(),
                planned: queue.total(),
                seed: request.seed,
                lang: if request.lang.is_en() { "en" } else { "ru" }.into(),
                bank: self.bank_name.clone(),
            })?;
            Ok((queue, history_id))
        })?;
        let grader: &'static KeywordGrader<'static> = self.grader;
        let mut session = Session::new(
            queue,
            grader,
            SessionSettings {
                lang: request.lang,
                show_reference: self.config.interface.show_reference,
                max_answer_bytes: self.config.grading.max_answer_bytes,
                thresholds: self.thresholds(),
            },
        );
        let events = session.start();
        let mut live = Live {
            key: history_key(&id),
            id: id.clone(),
            csrf_key,
            session,
            history_id,
            lang: request.lang,
            last: None,
            summary: None,
            hints: Vec::new(),
            no_more_hints: false,
            draft: String::new(),
            unsaved: Vec::new(),
            finish_unsaved: false,
            save_error: None,
            touched: Instant::now(),
        };
        let step = self.absorb(&mut live, events);
        let live = self.insert(live)?;
        Ok((live, step))
    }

    /// Hold `live` in memory (the one already held under its id, if another request resumed
    /// it meanwhile), dropping idle sessions when there are too many.
    fn insert(&self, live: Live) -> Result<Arc<Mutex<Live>>, LiveError> {
        let mut all = lock(&self.live);
        if let Some(held) = all.get(&live.id) {
            return Ok(held.clone());
        }
        if all.len() >= MAX_LIVE {
            let now = Instant::now();
            all.retain(|_, l| {
                // A session being stepped right now is in use: keep it.
                l.try_lock()
                    .map_or(true, |l| now.duration_since(l.touched) < IDLE)
            });
            if all.len() >= MAX_LIVE {
                return Err(LiveError::Full);
            }
        }
        let id = live.id.clone();
        let live = Arc::new(Mutex::new(live));
        all.insert(id, live.clone());
        Ok(live)
    }

    /// The session `id` if it is in memory (no waiting for history).
    pub fn held(&self, id: &str) -> Option<Arc<Mutex<Live>>> {
        lock(&self.live).get(id).cloned()
    }

    /// The session `id`: in memory, else resumed from history (a session of an earlier run of
    /// the server, unfinished or finished). Blocking: it may read history.
    pub fn get(&self, id: &str) -> Result<Arc<Mutex<Live>>, LiveError> {
        if let Some(live) = self.held(id) {
            return Ok(live);
        }
        let unknown = || LiveError::Unknown(id.chars().take(64).collect());
        if !well_formed(id) {
            return Err(unknown());
        }
        let key = history_key(id);
        let found = self.with_history(|history| {
            let Some((history_id, state)) = history.find_resume(&key)? else {
                return Ok(None);
            };
            Ok(Some((history_id, state, history.answers(history_id)?)))
        })?;
        let (history_id, state, answers) = found.ok_or_else(unknown)?;
        let unresumable = |reason: String| LiveError::Unresumable {
            id: id.to_owned(),
            reason,
        };
        let saved: Saved = serde_json::from_str(&state)
            .map_err(|e| unresumable(format!("its saved state does not read ({e})")))?;
        let grader: &'static KeywordGrader<'static> = self.grader;
        let session = Session::restore(&saved.session, answers, grader.bank, grader)
            .map_err(|e| unresumable(e.to_string()))?;
        let settings = *session.settings();
        let en = settings.lang.is_en();
        let summary = session
            .is_finished()
            .then(|| Summary::of(session.answers(), settings.thresholds, en));
        // The feedback page shows the last answer again, as it was shown.
        let last = session.answers().last().map(|record| GradedTurn {
            hint_penalty: if record.is_skipped() {
                0.0
            } else {
                hint_penalty(&record.grade, &record.hints)
            },
            notes: Vec::new(),
            reference: settings
                .show_reference
                .then(|| self.grader.bank.question(&record.question_id))
                .flatten()
                .map(|q| q.reference(en).to_owned()),
            record: record.clone(),
        });
        let live = Live {
            id: id.to_owned(),
            key,
            csrf_key: saved.csrf_key,
            session,
            history_id,
            lang: settings.lang,
            last,
            summary,
            hints: saved.hints,
            no_more_hints: saved.no_more_hints,
            draft: saved.draft,
            unsaved: Vec::new(),
            finish_unsaved: false,
            save_error: None,
            touched: Instant::now(),
        };
        self.insert(live)
    }

    /// Feed one input to a session, keep what it produced, and say what happened.
    pub fn step(&self, live: &mut Live, input: Input) -> Result<Step, LiveError> {
        if live.session.is_finished() {
            // The end may still need marking (history was busy before).
            self.keep(live, &[]);
            return Err(LiveError::Over(live.id.clone()));
        }
        let typed = match &input {
            Input::Hint { typed } => Some(typed.clone()),
            _ => None,
        };
        if let Some(typed) = typed {
            live.draft = typed;
        }
        let events = live.session.handle(input);
        Ok(self.absorb(live, events))
    }

    /// Fold the events into the session's view and commit them, with the session's state, to
    /// history.
    fn absorb(&self, live: &mut Live, events: Vec<Event>) -> Step {
        live.touched = Instant::now();
        for event in &events {
            match event {
                Event::Graded(turn) => {
                    live.hints.clear();
                    live.no_more_hints = false;
                    live.draft.clear();
                    live.last = Some((**turn).clone());
                }
                Event::Hint { label, .. } => live.hints.push(label.clone()),
                Event::NoMoreHints => live.no_more_hints = true,
                Event::Summary { summary, .. } => live.summary = Some((**summary).clone()),
                _ => {}
            }
        }
        self.keep(live, &events);
        let mut step = Step::default();
        for event in events {
            match event {
                Event::Graded(turn) => step.graded = Some(*turn),
                Event::Question { question, .. } => step.question = Some(question),
                Event::Hint { concept_id, label } => step.hint = Some((concept_id, label)),
                Event::NoMoreHints => step.no_more_hints = true,
                Event::AnswerTooLong { limit_bytes } => step.too_long = Some(limit_bytes),
                Event::GradingFailed { message } => step.failed = Some(message),
                Event::Summary { summary, .. } => step.summary = Some(*summary),
                Event::Finished => step.finished = true,
                Event::Started { .. } | Event::Reference { .. } | Event::NoReference => {}
            }
        }
        step
    }

    /// Commit graded answers (first any a lock kept out before), the end of the session and
    /// the session's state, in one transaction: the state is kept only with every answer
    /// before it, so a resumed session finds them all in history.
    fn keep(&self, live: &mut Live, events: &[Event]) {
        let finishing = events.iter().any(|e| matches!(e, Event::Finished));
        let state_changed = changes_state(events);
        if live.unsaved.is_empty() && !live.finish_unsaved && !state_changed {
            return;
        }
        let wait = Duration::from_secs(self.config.interview.save_wait_secs);
        let state = serde_json::to_string(&live.state())
            .map_err(|e| InputError::Other(format!("could not write the session's state: {e}")));
        let pending: Vec<AnswerRecord> = live
            .unsaved
            .drain(..)
            .chain(events.iter().filter_map(|e| match e {
                Event::Graded(turn) => Some(turn.record.clone()),
                _ => None,
            }))
            .collect();
        let finish = finishing || live.finish_unsaved;
        let (history_id, key) = (live.history_id, live.key.clone());
        let result = self.with_history(|history| {
            let state = state?;
            patiently(history, wait, &mut || {}, History::begin)?;
            let written = (|| -> Result<_, LiveError> {
                let mut recorder = Recorder::new(history, history_id, wait);
                let graded = pending.iter().map(|record| {
                    Event::Graded(Box::new(GradedTurn {
                        record: record.clone(),
                        hint_penalty: 0.0,
                        notes: Vec::new(),
                        reference: None,
                    }))
                });
                for event in graded.chain(finish.then_some(Event::Finished)) {
                    // A failure is kept in the recorder's outcome.
                    let _ = recorder.record(&event, &mut || {});
                }
                let outcome = recorder.outcome();
                if outcome.unsaved.is_empty() {
                    history.save_resume(history_id, &key, &state)?;
                }
                Ok(outcome)
            })();
            match written {
                Ok(outcome) => {
                    history.commit()?;
                    Ok(outcome)
                }
                Err(e) => {
                    history.rollback();
                    Err(e)
                }
            }
        });
        match result {
            Ok(outcome) => {
                live.finish_unsaved = finish && outcome.save_error.is_some();
                live.save_error = outcome.save_error.as_ref().map(ToString::to_string);
                live.unsaved = outcome.unsaved;
            }
            Err(e) => {
                // Nothing was committed: keep every answer for the next attempt.
                live.unsaved = pending;
                live.finish_unsaved = finish;
                live.save_error = Some(e.to_string());
            }
        }
    }
}

/// The level a start form or request names: a level, or adaptive.
pub fn parse_choice(level: Option<&str>, adaptive: bool) -> Result<LevelChoice, InputError> {
    match (level.map(str::trim).filter(|l| !l.is_empty()), adaptive) {
        (Some(_), true) => Err(InputError::Other(
            "give either a level or adaptive, not both".into(),
        )),
        (None, true) => Ok(LevelChoice::Adaptive),
        (Some(word), false) if word.eq_ignore_ascii_case("adaptive") => Ok(LevelChoice::Adaptive),
        (Some(word), false) => Level::ALL
            .iter()
            .copied()
            .find(|l| l.to_string().eq_ignore_ascii_case(word))
            .map(LevelChoice::Fixed)
            .ok_or_else(|| {
                InputError::Other(format!(
                    "unknown level \"{}\"; use junior, middle, senior or adaptive",
                    word.chars().take(40).collect::<String>()
                ))
            }),
        (None, false) => Err(InputError::Other(
            "give a level (junior, middle, senior) or adaptive: true".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_or_adaptive_is_required_and_not_both() {
        assert_eq!(
            parse_choice(Some("Middle"), false).unwrap(),
            LevelChoice::Fixed(Level::Middle)
        );
        assert_eq!(
            parse_choice(Some("adaptive"), false).unwrap(),
            LevelChoice::Adaptive
        );
        assert_eq!(parse_choice(None, true).unwrap(), LevelChoice::Adaptive);
        assert_eq!(
            parse_choice(Some(" "), true).unwrap(),
            LevelChoice::Adaptive
        );
        for (level, adaptive) in [(None, false), (Some("junior"), true), (Some("guru"), false)] {
            let error = parse_choice(level, adaptive).unwrap_err().to_string();
            assert!(
                error.contains("level") || error.contains("adaptive"),
                "{error}"
            );
        }
        // A hostile level name is cut short in the message.
        let error = parse_choice(Some(&"x".repeat(10_000)), false)
            .unwrap_err()
            .to_string();
        assert!(error.len() < 200, "{error}");
    }
}
