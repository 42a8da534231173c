//! The end-of-session summary: scores by level and topic, the estimated level with its
//! reasoning, and the weakest topics with what to revise. It only reads answer records, so the
//! REPL, `sobes stats` and the reports share it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::bank::Level;
use crate::history::AnswerRecord;
use crate::rubric::localized;

/// Scores that decide the level estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LevelThresholds {
    /// Mean score at a level that counts as passing it.
    pub pass: f64,
    /// Mean score at the next level that counts as close to it.
    pub close: f64,
}

impl Default for LevelThresholds {
    fn default() -> Self {
        LevelThresholds {
            pass: 70.0,
            close: 55.0,
        }
    }
}

/// A mean score over some answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mean {
    pub key: String,
    pub mean: f64,
    pub count: usize,
}

/// Where the candidate stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelEstimate {
    /// The highest level passed with every lower level tested also passed; `None` when even the
    /// lowest level asked was not passed and it was junior.
    pub level: Option<Level>,
    /// The next level up, when its mean is close to passing.
    pub close_to: Option<Level>,
    /// Mean score at each level asked, junior first.
    pub means: Vec<(Level, f64)>,
    pub thresholds: LevelThresholds,
}

impl LevelEstimate {
    pub fn of(means: Vec<(Level, f64)>, thresholds: LevelThresholds) -> Option<LevelEstimate> {
        let lowest = means.first()?.0;
        let mut level = None;
        for &(at, mean) in &means {
            if mean >= thresholds.pass {
                level = Some(at);
            } else {
                break;
            }
        }
        // Failing the lowest level asked places the candidate one level below it.
        if level.is_none() && lowest != Level::Junior {
            level = Some(lowest.down());
        }
        let next = match level {
            None => Some(Level::Junior),
            Some(Level::Senior) => None,
            Some(l) => Some(l.up()),
        };
        let close_to = next.filter(|n| {
            means
                .iter()
                .any(|&(at, mean)| at == *n && mean >= thresholds.close)
        });
        Some(LevelEstimate {
            level,
            close_to,
            means,
            thresholds,
        })
    }

    /// "junior 86%, middle 61% → junior, close to middle".
    pub fn reasoning(&self, en: bool) -> String {
        let means: Vec<String> = self
            .means
            .iter()
            .map(|(l, m)| format!("{l} {m:.0}%"))
            .collect();
        format!("{} → {}", means.join(", "), self.verdict(en))
    }

    /// "junior, close to middle".
    pub fn verdict(&self, en: bool) -> String {
        let mut verdict = match self.level {
            Some(level) => level.to_string(),
            // "below junior, close to junior" would contradict itself.
            None if self.close_to.is_some() => {
                return if en {
                    "close to junior"
                } else {
                    "почти junior"
                }
                .to_owned();
            }
            None if en => "below junior".to_owned(),
            None => "ниже junior".to_owned(),
        };
        if let Some(close) = self.close_to {
            verdict.push_str(if en {
                ", close to "
            } else {
                ", близко к "
            });
            verdict.push_str(close.as_str());
        }
        verdict
    }
}

/// A weak topic and the concepts to revise in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeakTopic {
    pub topic: String,
    pub mean: f64,
    /// Labels of the concepts missed in this topic, most important first.
    pub revise: Vec<String>,
}

/// The summary of a set of answers (one session, or a whole history).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub answered: usize,
    pub skipped: usize,
    pub mean: Option<f64>,
    pub total_seconds: f64,
    pub by_level: Vec<Mean>,
    pub by_topic: Vec<Mean>,
    pub estimate: Option<LevelEstimate>,
    pub weakest: Vec<WeakTopic>,
}

impl Summary {
    /// Skipped questions count as 0, as an interviewer would count them.
    pub fn of(answers: &[AnswerRecord], thresholds: LevelThresholds, en: bool) -> Summary {
        let by_topic: Vec<Mean> = means_by(
            answers
                .iter()
                .flat_map(|a| a.topics.iter().map(move |t| (t.clone(), a.score))),
        )
        .into_iter()
        .map(|(key, mean, count)| Mean { key, mean, count })
        .collect();
        let level_means = means_by(answers.iter().map(|a| (a.level, a.score)));
        let mut weakest_topics: Vec<&Mean> = by_topic.iter().filter(|m| m.mean < 100.0).collect();
        weakest_topics.sort_by(|a, b| a.mean.total_cmp(&b.mean).then(a.key.cmp(&b.key)));
        let weakest = weakest_topics
            .into_iter()
            .take(3)
            .map(|m| WeakTopic {
                topic: m.key.clone(),
                mean: m.mean,
                revise: missed_in_topic(answers, &m.key, en),
            })
            .collect();
        let count = answers.len();
        Summary {
            answered: answers.iter().filter(|a| !a.is_skipped()).count(),
            skipped: answers.iter().filter(|a| a.is_skipped()).count(),
            mean: (count > 0).then(|| answers.iter().map(|a| a.score).sum::<f64>() / count as f64),
            total_seconds: answers.iter().map(|a| a.seconds).sum(),
            by_level: level_means
                .iter()
                .map(|&(level, mean, count)| Mean {
                    key: level.as_str().to_owned(),
                    mean,
                    count,
                })
                .collect(),
            by_topic,
            estimate: LevelEstimate::of(
                level_means.into_iter().map(|(l, m, _)| (l, m)).collect(),
                thresholds,
            ),
            weakest,
        }
    }
}

/// The mean score and count per key, keys in order.
pub fn means_by<K: Ord>(scores: impl IntoIterator<Item = (K, f64)>) -> Vec<(K, f64, usize)> {
    let mut sums: BTreeMap<K, (f64, usize)> = BTreeMap::new();
    for (key, score) in scores {
        let cell = sums.entry(key).or_default();
        cell.0 += score;
        cell.1 += 1;
    }
    sums.into_iter()
        .map(|(key, (sum, count))| (key, sum / count as f64, count))
        .collect()
}

/// Concepts missed in a topic's answers, heaviest and most often missed first (at most three).
fn missed_in_topic(answers: &[AnswerRecord], topic: &str, en: bool) -> Vec<String> {
    let mut missed: BTreeMap<String, f64> = BTreeMap::new();
    for answer in answers
        .iter()
        .filter(|a| a.topics.iter().any(|t| t == topic))
    {
        for concept in &answer.grade.missed {
            let label = localized(&concept.label, concept.label_en.as_deref(), en).to_owned();
            *missed.entry(label).or_default() += concept.weight.max(0.1);
        }
    }
    let mut list: Vec<(String, f64)> = missed.into_iter().collect();
    list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    list.into_iter().take(3).map(|(label, _)| label).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(means: &[(Level, f64)]) -> LevelEstimate {
        LevelEstimate::of(means.to_vec(), LevelThresholds::default()).unwrap()
    }

    #[test]
    fn the_issue_example_reads_junior_close_to_middle() {
        let e = estimate(&[(Level::Junior, 86.0), (Level::Middle, 61.0)]);
        assert_eq!(e.level, Some(Level::Junior));
        assert_eq!(e.close_to, Some(Level::Middle));
        assert_eq!(
            e.reasoning(true),
            "junior 86%, middle 61% → junior, close to middle"
        );
    }

    #[test]
    fn a_level_counts_only_when_every_lower_level_asked_was_passed() {
        let e = estimate(&[(Level::Junior, 50.0), (Level::Middle, 90.0)]);
        assert_eq!(e.level, None);
        assert_eq!(e.verdict(true), "below junior");
        let e = estimate(&[(Level::Middle, 75.0), (Level::Senior, 40.0)]);
        assert_eq!(e.level, Some(Level::Middle));
        assert_eq!(e.close_to, None);
    }

    #[test]
    fn failing_middle_alone_places_the_candidate_at_junior() {
        let e = estimate(&[(Level::Middle, 58.0)]);
        assert_eq!(e.level, Some(Level::Junior));
        assert_eq!(e.close_to, Some(Level::Middle));
        assert_eq!(e.verdict(false), "junior, близко к middle");
    }

    #[test]
    fn no_answers_no_estimate() {
        assert!(LevelEstimate::of(Vec::new(), LevelThresholds::default()).is_none());
    }
}
