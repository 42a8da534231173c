//! Progress over the whole history: how scores by level and topic changed from session to
//! session, and the level the most recent answers point to.

use serde::Serialize;

use crate::history::AnswerRecord;
use crate::session::summary::{means_by, LevelEstimate, LevelThresholds};

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
        // Means per (key, session), in key then session order, folded into one trend per key.
        let trends = |cells: Vec<((String, i64), f64, usize)>| -> Vec<Trend> {
            let mut trends: Vec<Trend> = Vec::new();
            for ((key, _), mean, count) in cells {
                match trends.last_mut() {
                    Some(trend) if trend.key == key => {
                        trend.count += count;
                        trend.recent = mean;
                        trend.per_session.push(mean);
                    }
                    _ => trends.push(Trend {
                        key,
                        count,
                        first: mean,
                        recent: mean,
                        per_session: vec![mean],
                    }),
                }
            }
            trends
        };
        let by_level = means_by(
            answers
                .iter()
                .map(|(s, a)| ((a.level.as_str().to_owned(), *s), a.score)),
        );
        let by_topic = means_by(
            answers
                .iter()
                .flat_map(|(s, a)| a.topics.iter().map(move |t| ((t.clone(), *s), a.score))),
        );
        let recent_levels = means_by(
            answers
                .iter()
                .rev()
                .take(RECENT_ANSWERS)
                .map(|(_, a)| (a.level, a.score)),
        );
        Progress {
            sessions: sessions.len(),
            answers: answers.len(),
            by_level: trends(by_level),
            by_topic: trends(by_topic),
            estimate: LevelEstimate::of(
                recent_levels.into_iter().map(|(l, m, _)| (l, m)).collect(),
                thresholds,
            ),
        }
    }
}
