//! Which questions an interview asks, and in what order.
//!
//! With a seed the order depends on the seed alone, so a teacher can give a whole group the
//! same interview. Without one, questions the candidate has not seen recently come first, and
//! topics where they scored worst are preferred.

use std::collections::{HashMap, HashSet};

use crate::bank::{Level, Question};
use crate::history::{time::parse_iso, AnswerStat};
use crate::session::summary::means_by;

/// A small, fast, seedable generator (SplitMix64); good enough to shuffle questions.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A seed that differs between runs.
    pub fn from_entropy() -> Rng {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Rng(nanos ^ (u64::from(std::process::id()) << 32))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What history says about the candidate, for ordering questions.
#[derive(Debug, Clone, Default)]
pub struct Preferences {
    /// Question id → seconds since the epoch when it was last answered.
    pub last_seen: HashMap<String, i64>,
    /// Topic → mean score in history.
    pub topic_mean: HashMap<String, f64>,
    /// Now, in seconds since the epoch.
    pub now: i64,
    /// A question answered less than this many seconds ago counts as recently seen.
    pub recent_secs: i64,
}

impl Preferences {
    pub fn from_history(answers: &[AnswerStat], now: i64, recent_days: f64) -> Preferences {
        let mut last_seen: HashMap<String, i64> = HashMap::new();
        for answer in answers {
            if let Some(at) = parse_iso(&answer.answered_at) {
                let seen = last_seen.entry(answer.question_id.clone()).or_insert(at);
                *seen = (*seen).max(at);
            }
        }
        let topic_scores = means_by(
            answers
                .iter()
                .flat_map(|a| a.topics.iter().map(move |t| (t.clone(), a.score))),
        );
        Preferences {
            last_seen,
            topic_mean: topic_scores
                .into_iter()
                .map(|(topic, mean, _)| (topic, mean))
                .collect(),
            now,
            recent_secs: (recent_days * 86_400.0) as i64,
        }
    }

    /// Higher is asked sooner: unseen before recently seen, weak topics before strong ones.
    fn priority(&self, question: &Question) -> f64 {
        let mut priority = 0.0;
        match self.last_seen.get(&question.id) {
            Some(&at) if self.now - at < self.recent_secs => priority -= 2.0,
            Some(_) => priority -= 0.25,
            None => {}
        }
        let weakest = question
            .topics
            .iter()
            .filter_map(|t| self.topic_mean.get(t))
            .fold(None, |acc: Option<f64>, &m| {
                Some(acc.map_or(m, |a| a.min(m)))
            });
        if let Some(mean) = weakest {
            priority += 0.75 * (1.0 - mean.clamp(0.0, 100.0) / 100.0);
        }
        priority
    }
}

/// Order `pool`: by the seed alone, or by history preferences with random tie-breaking.
pub fn rank<'a>(
    mut pool: Vec<&'a Question>,
    rng: &mut Rng,
    preferences: Option<&Preferences>,
) -> Vec<&'a Question> {
    pool.sort_by(|a, b| a.id.cmp(&b.id));
    let mut keyed: Vec<(f64, &Question)> = pool
        .into_iter()
        .map(|q| {
            let noise = rng.next_f64();
            let priority = preferences.map_or(0.0, |p| p.priority(q));
            (priority + noise, q)
        })
        .collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    keyed.into_iter().map(|(_, q)| q).collect()
}

/// What a session asks for: the level (or adaptive), topics, how many questions and an
/// optional seed. Shared by the terminal interview and `sobes serve`.
#[derive(Debug, Clone)]
pub struct Plan<'p> {
    pub choice: crate::session::LevelChoice,
    /// Only questions on any of these topics (all when empty).
    pub topics: &'p [String],
    pub count: usize,
    pub steps: AdaptiveSteps,
}

/// The questions of a session: the gradable questions of `bank` that fit `plan`, ranked by
/// `rng` and (when given) the history preferences.
pub fn plan_queue<'a>(
    bank: &'a crate::bank::Bank,
    plan: &Plan<'_>,
    rng: &mut Rng,
    preferences: Option<&Preferences>,
) -> Result<QuestionQueue<'a>, crate::error::InputError> {
    use crate::session::LevelChoice;
    let pool_at = |level: Level| -> Vec<&'a Question> {
        bank.questions
            .iter()
            .filter(|q| q.levels.contains(&level))
            .filter(|q| bank.compiled_rubric(&q.id).is_some() && q.in_topics(plan.topics))
            .collect()
    };
    let count = plan.count.max(1);
    match plan.choice {
        LevelChoice::Fixed(level) => {
            let pool = pool_at(level);
            if pool.is_empty() {
                return Err(no_questions(Some(level), plan.topics));
            }
            Ok(QuestionQueue::fixed(
                level,
                rank(pool, rng, preferences),
                count,
            ))
        }
        LevelChoice::Adaptive => {
            let by_level: Vec<(Level, Vec<&Question>)> = Level::ALL
                .iter()
                .map(|&l| (l, rank(pool_at(l), rng, preferences)))
                .collect();
            if by_level.iter().all(|(_, qs)| qs.is_empty()) {
                return Err(no_questions(None, plan.topics));
            }
            Ok(QuestionQueue::adaptive(by_level, count, plan.steps))
        }
    }
}

fn no_questions(level: Option<Level>, topics: &[String]) -> crate::error::InputError {
    let mut message = String::from("no questions with a rubric");
    if let Some(level) = level {
        message.push_str(&format!(" at level {level}"));
    }
    if !topics.is_empty() {
        message.push_str(&format!(" on topic(s) {}", topics.join(", ")));
    }
    message.push_str("; see `sobes questions --stats` for what the bank has");
    crate::error::InputError::Other(message)
}

/// Thresholds that move an adaptive interview between levels.
#[derive(Debug, Clone, Copy)]
pub struct AdaptiveSteps {
    /// A score at least this high moves up a level.
    pub up: f64,
    /// A score below this moves down a level.
    pub down: f64,
}

/// The questions still to ask.
#[derive(Debug)]
pub enum QuestionQueue<'a> {
    /// A fixed list at one level.
    Fixed {
        level: Level,
        questions: Vec<&'a Question>,
        next: usize,
    },
    /// Starts at junior; strong answers move up a level, weak ones down.
    Adaptive {
        by_level: Vec<(Level, Vec<&'a Question>)>,
        current: Level,
        asked: HashSet<String>,
        total: usize,
        given: usize,
        steps: AdaptiveSteps,
    },
}

impl<'a> QuestionQueue<'a> {
    pub fn fixed(level: Level, ranked: Vec<&'a Question>, count: usize) -> QuestionQueue<'a> {
        let mut questions = ranked;
        questions.truncate(count);
        QuestionQueue::Fixed {
            level,
            questions,
            next: 0,
        }
    }

    /// `ranked_by_level` holds each level's questions in asking order.
    pub fn adaptive(
        ranked_by_level: Vec<(Level, Vec<&'a Question>)>,
        count: usize,
        steps: AdaptiveSteps,
    ) -> QuestionQueue<'a> {
        let available: HashSet<&str> = ranked_by_level
            .iter()
            .flat_map(|(_, qs)| qs.iter().map(|q| q.id.as_str()))
            .collect();
        QuestionQueue::Adaptive {
            by_level: ranked_by_level,
            current: Level::Junior,
            asked: HashSet::new(),
            total: count.min(available.len()),
            given: 0,
            steps,
        }
    }

    /// How many questions the session will ask.
    pub fn total(&self) -> usize {
        match self {
            QuestionQueue::Fixed { questions, .. } => questions.len(),
            QuestionQueue::Adaptive { total, .. } => *total,
        }
    }

    /// The next question and the level it is asked at, given the score of the previous answer.
    pub fn next(&mut self, last_score: Option<f64>) -> Option<(&'a Question, Level)> {
        match self {
            QuestionQueue::Fixed {
                level,
                questions,
                next,
            } => {
                let question = questions.get(*next).copied()?;
                *next += 1;
                Some((question, *level))
            }
            QuestionQueue::Adaptive {
                by_level,
                current,
                asked,
                total,
                given,
                steps,
            } => {
                if *given >= *total {
                    return None;
                }
                if *given > 0 {
                    if let Some(score) = last_score {
                        if score >= steps.up {
                            *current = current.up();
                        } else if score < steps.down {
                            *current = current.down();
                        }
                    }
                }
                // The current level first, then the nearest levels that still have questions.
                let mut order: Vec<Level> = Level::ALL.to_vec();
                let here = current.rank() as i32;
                order.sort_by_key(|l| ((l.rank() as i32 - here).abs(), l.rank()));
                for level in order {
                    let found = by_level
                        .iter()
                        .filter(|(l, _)| *l == level)
                        .flat_map(|(_, qs)| qs.iter())
                        .find(|q| !asked.contains(&q.id))
                        .copied();
                    if let Some(question) = found {
                        asked.insert(question.id.clone());
                        *given += 1;
                        *current = level;
                        return Some((question, level));
                    }
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(id: &str, level: Level, topic: &str) -> Question {
        Question {
            id: id.into(),
            question: format!("Вопрос {id}?"),
            answer: "Ответ.".into(),
            levels: vec![level],
            topics: vec![topic.into()],
            lang: "ru".into(),
            source: String::new(),
            popularity: None,
            question_en: None,
            answer_en: None,
        }
    }

    fn ids(list: &[&Question]) -> Vec<String> {
        list.iter().map(|q| q.id.clone()).collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_order_and_another_seed_another() {
        let bank: Vec<Question> = (0..20)
            .map(|i| question(&format!("q{i:02}"), Level::Junior, "t"))
            .collect();
        let pool = || bank.iter().collect::<Vec<_>>();
        let a = rank(pool(), &mut Rng::new(7), None);
        let b = rank(pool(), &mut Rng::new(7), None);
        let c = rank(pool(), &mut Rng::new(8), None);
        assert_eq!(ids(&a), ids(&b));
        assert_ne!(ids(&a), ids(&c));
    }

    #[test]
    fn recently_seen_questions_come_last_and_weak_topics_first() {
        let bank = [
            question("seen", Level::Junior, "strong"),
            question("fresh-strong", Level::Junior, "strong"),
            question("fresh-weak", Level::Junior, "weak"),
        ];
        let now = 1_000_000;
        let preferences = Preferences {
            last_seen: HashMap::from([("seen".to_owned(), now - 3600)]),
            topic_mean: HashMap::from([("strong".to_owned(), 95.0), ("weak".to_owned(), 10.0)]),
            now,
            recent_secs: 7 * 86_400,
        };
        let mut weak_first = 0;
        for seed in 0..200 {
            let order = rank(
                bank.iter().collect(),
                &mut Rng::new(seed),
                Some(&preferences),
            );
            assert_eq!(order[2].id, "seen", "seed {seed}");
            weak_first += usize::from(order[0].id == "fresh-weak");
        }
        assert!(weak_first > 120, "weak topic first in {weak_first} of 200");
    }

    #[test]
    fn adaptive_moves_up_after_strong_answers_and_down_after_weak_ones() {
        let bank = [
            question("j1", Level::Junior, "t"),
            question("j2", Level::Junior, "t"),
            question("m1", Level::Middle, "t"),
            question("m2", Level::Middle, "t"),
            question("s1", Level::Senior, "t"),
        ];
        let by_level = Level::ALL
            .iter()
            .map(|&l| (l, bank.iter().filter(|q| q.levels.contains(&l)).collect()))
            .collect();
        let steps = AdaptiveSteps {
            up: 70.0,
            down: 40.0,
        };
        let mut queue = QuestionQueue::adaptive(by_level, 4, steps);
        assert_eq!(queue.total(), 4);
        let (q, level) = queue.next(None).unwrap();
        assert_eq!((q.id.as_str(), level), ("j1", Level::Junior));
        let (q, level) = queue.next(Some(90.0)).unwrap();
        assert_eq!((q.id.as_str(), level), ("m1", Level::Middle));
        let (q, level) = queue.next(Some(90.0)).unwrap();
        assert_eq!((q.id.as_str(), level), ("s1", Level::Senior));
        let (q, level) = queue.next(Some(10.0)).unwrap();
        assert_eq!((q.id.as_str(), level), ("m2", Level::Middle));
        assert!(queue.next(Some(50.0)).is_none());
    }
}
