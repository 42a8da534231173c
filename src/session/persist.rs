//! Keeping a session in history: the [`Recorder`] consumes the session's events and commits
//! each graded answer the moment it sees it, so that a front end that shows an answer's score
//! after passing its event here has already kept it. A locked database is retried with growing
//! pauses; an answer still not saved is retried with the next one and at the end, and what
//! could never be saved is handed back in the [`Outcome`].

use std::time::{Duration, Instant};

use super::engine::Event;
use crate::history::{time::now_iso, AnswerRecord, History, HistoryError};

/// The first pause between attempts to commit to a locked database; it doubles up to
/// [`MAX_SAVE_PAUSE`].
const FIRST_SAVE_PAUSE: Duration = Duration::from_millis(100);
const MAX_SAVE_PAUSE: Duration = Duration::from_secs(2);

/// What the session left in history.
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

/// A graded answer that could not be committed (it stays queued for the next attempt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotSaved {
    pub reason: String,
}

/// Where a front end passes each event before showing it: a front end knows nothing of how
/// (or whether) events are kept.
pub trait EventSink {
    /// Keep what `event` asks to keep. `Err` means a graded answer is not kept yet; `busy` is
    /// called when keeping has to wait (another program holds the database).
    fn keep(&mut self, event: &Event, busy: &mut dyn FnMut()) -> Result<(), NotSaved>;
}

impl EventSink for Recorder<'_> {
    fn keep(&mut self, event: &Event, busy: &mut dyn FnMut()) -> Result<(), NotSaved> {
        self.record(event, busy)
    }
}

/// Commits a session's answers to history as its events arrive.
pub struct Recorder<'h> {
    history: &'h History,
    session_id: i64,
    save_wait: Duration,
    unsaved: Vec<AnswerRecord>,
    save_error: Option<HistoryError>,
}

impl<'h> Recorder<'h> {
    /// A recorder for the session row `session_id`; a locked database is retried for at most
    /// `save_wait` per write (`interview.save_wait_secs`).
    pub fn new(history: &'h History, session_id: i64, save_wait: Duration) -> Recorder<'h> {
        Recorder {
            history,
            session_id,
            save_wait,
            unsaved: Vec::new(),
            save_error: None,
        }
    }

    pub fn session_id(&self) -> i64 {
        self.session_id
    }

    /// Consume one event. A graded answer is committed now (with any answer a lock kept out
    /// before it); `Err` says it is not saved yet. At [`Event::Finished`] the leftovers and the
    /// end of the session are committed; a failure there is kept for [`Recorder::outcome`].
    /// `busy` is called once per write that has to wait for another program's lock.
    pub fn record(&mut self, event: &Event, busy: &mut dyn FnMut()) -> Result<(), NotSaved> {
        match event {
            Event::Graded(turn) => {
                self.unsaved.push(turn.record.clone());
                match self.save(busy) {
                    Ok(()) => Ok(()),
                    Err(e) => {
                        let reason = e.to_string();
                        self.save_error.get_or_insert(e);
                        Err(NotSaved { reason })
                    }
                }
            }
            Event::Finished => {
                let session_id = self.session_id;
                let finished = self.save(busy).and_then(|()| {
                    patiently(self.history, self.save_wait, busy, |h| {
                        h.finish_session(session_id, &now_iso())
                    })
                });
                // Everything is in history now: an earlier failure is made good.
                self.save_error = finished.err();
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// What was and was not saved.
    pub fn outcome(self) -> Outcome {
        Outcome {
            session_id: self.session_id,
            unsaved: self.unsaved,
            save_error: self.save_error,
        }
    }

    /// Commit the queued answers in order, removing each once it is committed; stop at the
    /// first that cannot be (it stays, to be retried with the next answer).
    fn save(&mut self, busy: &mut dyn FnMut()) -> Result<(), HistoryError> {
        while let Some(record) = self.unsaved.first() {
            let session_id = self.session_id;
            patiently(self.history, self.save_wait, busy, |h| {
                h.record_answer(session_id, record)
            })?;
            self.unsaved.remove(0);
        }
        Ok(())
    }
}

/// Run a write, retrying with growing pauses while another program holds the database
/// locked, for at most `wait` in all.
pub(crate) fn patiently(
    history: &History,
    wait: Duration,
    busy: &mut dyn FnMut(),
    write: impl Fn(&History) -> Result<(), HistoryError>,
) -> Result<(), HistoryError> {
    let started = Instant::now();
    let mut pause = FIRST_SAVE_PAUSE;
    let mut told = false;
    loop {
        match write(history) {
            Err(e) if e.is_busy() && started.elapsed() < wait => {
                if !told {
                    told = true;
                    busy();
                }
                let left = wait.saturating_sub(started.elapsed());
                std::thread::sleep(pause.min(left));
                pause = pause.saturating_mul(2).min(MAX_SAVE_PAUSE);
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::Level;
    use crate::grade::Grade;
    use crate::history::{Method, NewSession};
    use crate::session::engine::GradedTurn;

    fn graded(position: usize, score: f64) -> Event {
        Event::Graded(Box::new(GradedTurn {
            record: AnswerRecord {
                position,
                question_id: format!("q{position}"),
                question: "Вопрос?".into(),
                reference: "Ответ.".into(),
                level: Level::Junior,
                topics: vec!["nlp".into()],
                answer: format!("ответ {position}"),
                score,
                keyword_score: score,
                llm_score: None,
                llm_feedback: None,
                method: Method::Keyword,
                grade: Grade::default(),
                hints: Vec::new(),
                seconds: 1.0,
                answered_at: "2026-12-06T10:00:00Z".into(),
            },
            hint_penalty: 0.0,
            notes: Vec::new(),
            reference: None,
        }))
    }

    fn started(history: &History) -> i64 {
        history
            .start_session(&NewSession {
                started_at: "2026-12-06T09:59:00Z".into(),
                level: Some(Level::Junior),
                adaptive: false,
                topics: Vec::new(),
                planned: 3,
                seed: None,
                lang: "en".into(),
                bank: "bundled".into(),
            })
            .unwrap()
    }

    #[test]
    fn each_graded_answer_is_committed_when_its_event_is_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite3");
        let history = History::open(&path).unwrap();
        let id = started(&history);
        let mut recorder = Recorder::new(&history, id, Duration::from_secs(1));
        let mut never_busy = || panic!("nothing else holds the database");
        for (position, score) in [(1, 80.0), (2, 40.0)] {
            recorder
                .record(&graded(position, score), &mut never_busy)
                .unwrap();
            // Another connection already sees it: committed, not buffered.
            let reader = History::open_existing(&path).unwrap().unwrap();
            assert_eq!(reader.answers(id).unwrap().len(), position);
            assert!(!reader.session(id).unwrap().unwrap().finished);
        }
        recorder
            .record(&Event::NoMoreHints, &mut never_busy)
            .unwrap();
        recorder.record(&Event::Finished, &mut never_busy).unwrap();
        let outcome = recorder.outcome();
        assert!(outcome.saved());
        let reader = History::open_existing(&path).unwrap().unwrap();
        let row = reader.session(id).unwrap().unwrap();
        assert!(row.finished);
        assert_eq!(row.mean_score, Some(60.0));
    }

    #[test]
    fn a_locked_database_keeps_the_answer_queued_until_it_can_be_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite3");
        let history = History::open(&path).unwrap();
        history.set_busy_timeout(Duration::from_millis(10)).unwrap();
        let id = started(&history);
        let mut recorder = Recorder::new(&history, id, Duration::from_millis(300));
        let lock = rusqlite::Connection::open(&path).unwrap();
        lock.execute_batch("BEGIN IMMEDIATE").unwrap();
        let mut told = 0;
        let failure = recorder
            .record(&graded(1, 70.0), &mut || told += 1)
            .unwrap_err();
        assert!(failure.reason.contains("locked"), "{failure:?}");
        assert_eq!(told, 1, "the wait is announced once");
        lock.execute_batch("COMMIT").unwrap();
        // The next answer takes the queued one with it, in order.
        recorder.record(&graded(2, 50.0), &mut || {}).unwrap();
        recorder.record(&Event::Finished, &mut || {}).unwrap();
        let outcome = recorder.outcome();
        assert!(outcome.saved(), "{outcome:?}");
        let positions: Vec<usize> = history
            .answers(id)
            .unwrap()
            .iter()
            .map(|a| a.position)
            .collect();
        assert_eq!(positions, vec![1, 2]);
    }

    #[test]
    fn an_answer_never_saved_is_handed_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite3");
        let history = History::open(&path).unwrap();
        history.set_busy_timeout(Duration::from_millis(10)).unwrap();
        let id = started(&history);
        let mut recorder = Recorder::new(&history, id, Duration::from_millis(50));
        let lock = rusqlite::Connection::open(&path).unwrap();
        lock.execute_batch("BEGIN IMMEDIATE").unwrap();
        assert!(recorder.record(&graded(1, 70.0), &mut || {}).is_err());
        recorder.record(&Event::Finished, &mut || {}).unwrap();
        let outcome = recorder.outcome();
        assert!(!outcome.saved());
        assert_eq!(outcome.unsaved.len(), 1);
        assert!(outcome.save_error.is_some_and(|e| e.is_busy()));
    }
}
