//! Counts of a bank by level and topic (`sobes questions --stats`), for the README table.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::bank::{Level, Question};

#[derive(Debug, Clone, Serialize)]
pub struct TopicRow {
    pub topic: String,
    pub junior: usize,
    pub middle: usize,
    pub senior: usize,
    pub total: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct BankStats {
    pub questions: usize,
    pub junior: usize,
    pub middle: usize,
    pub senior: usize,
    pub topics: Vec<TopicRow>,
}

impl BankStats {
    pub fn of(questions: &[&Question]) -> BankStats {
        let count = |level: Level| {
            questions
                .iter()
                .filter(|q| q.levels.contains(&level))
                .count()
        };
        let mut rows: BTreeMap<&str, TopicRow> = BTreeMap::new();
        for question in questions {
            for topic in &question.topics {
                let row = rows.entry(topic).or_insert_with(|| TopicRow {
                    topic: topic.clone(),
                    junior: 0,
                    middle: 0,
                    senior: 0,
                    total: 0,
                });
                row.total += 1;
                for level in &question.levels {
                    match level {
                        Level::Junior => row.junior += 1,
                        Level::Middle => row.middle += 1,
                        Level::Senior => row.senior += 1,
                    }
                }
            }
        }
        BankStats {
            questions: questions.len(),
            junior: count(Level::Junior),
            middle: count(Level::Middle),
            senior: count(Level::Senior),
            topics: rows.into_values().collect(),
        }
    }

    /// A Markdown table; a question with several levels or topics counts in each.
    pub fn markdown(&self) -> String {
        let mut out = String::from(
            "| topic | junior | middle | senior | questions |\n|---|---:|---:|---:|---:|\n",
        );
        for row in &self.topics {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                row.topic, row.junior, row.middle, row.senior, row.total
            ));
        }
        out.push_str(&format!(
            "| **all** | **{}** | **{}** | **{}** | **{}** |\n",
            self.junior, self.middle, self.senior, self.questions
        ));
        out
    }
}
