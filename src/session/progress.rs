//! Progress over the whole history: how scores by level and topic changed from session to
//! session, and the level the most recent answers point to.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::history::AnswerRecord;
use crate::session::summary::{LevelEstimate, LevelThresholds};

/// How many of the latest answers the "recent" level estimate reads.
pub const RECENT_ANSWERS: usize = 30;

/// One level or topic over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub key: String,
    pub count: usize,
    /// Mean score in the first session that touched it.
    pub first: f64,
    /// Mean score in the latest session that touched it.
    pub recent: f64,
    /// Mean score per session that touched it, oldest first.
    pub per_session: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub sessions: usize,
    pub answers: usize,
    pub by_level: Vec<Trend>,
    pub by_topic: Vec<Trend>,
    /// From the latest [`RECENT_ANSWERS`] answers.
    pub estimate: Option<LevelEstimate>,
}

impl Progress {
    /// `answers` are (session id, answer), oldest first.
    pub fn of(answers: &[(i64, AnswerRecord)], thresholds: LevelThresholds) -> Progress {
        let mut sessions: Vec<i64> = answers.iter().map(|(s, _)| *s).collect();
        sessions.sort_unstable();
        sessions.dedup();
        // key → session → (sum, count)
        let mut levels: BTreeMap<String, BTreeMap<i64, (f64, usize)>> = BTreeMap::new();
        let mut topics: BTreeMap<String, BTreeMap<i64, (f64, usize)>> = BTreeMap::new();
        for (session, answer) in answers {
            let add = |map: &mut BTreeMap<String, BTreeMap<i64, (f64, usize)>>, key: &str| {
                let cell = map
                    .entry(key.to_owned())
                    .or_default()
                    .entry(*session)
                    .or_default();
                cell.0 += answer.score;
                cell.1 += 1;
            };
            add(&mut levels, answer.level.as_str());
            for topic in &answer.topics {
                add(&mut topics, topic);
            }
        }
        let trends = |map: BTreeMap<String, BTreeMap<i64, (f64, usize)>>| -> Vec<Trend> {
            map.into_iter()
                .map(|(key, by_session)| {
                    let per_session: Vec<f64> =
                        by_session.values().map(|(s, n)| s / *n as f64).collect();
                    Trend {
                        key,
                        count: by_session.values().map(|(_, n)| n).sum(),
                        first: per_session.first().copied().unwrap_or(0.0),
                        recent: per_session.last().copied().unwrap_or(0.0),
                        per_session,
                    }
                })
                .collect()
        };
        let recent: Vec<AnswerRecord> = answers
            .iter()
            .rev()
            .take(RECENT_ANSWERS)
            .map(|(_, a)| a.clone())
            .collect();
        let mut level_means: BTreeMap<crate::bank::Level, (f64, usize)> = BTreeMap::new();
        for answer in &recent {
            let cell = level_means.entry(answer.level).or_default();
            cell.0 += answer.score;
            cell.1 += 1;
        }
        Progress {
            sessions: sessions.len(),
            answers: answers.len(),
            by_level: trends(levels),
            by_topic: trends(topics),
            estimate: LevelEstimate::of(
                level_means
                    .into_iter()
                    .map(|(l, (s, n))| (l, s / n as f64))
                    .collect(),
                thresholds,
            ),
        }
    }
}
