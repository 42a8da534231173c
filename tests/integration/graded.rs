//! The bank's regression suite: graded example answers, written as candidates write, must be
//! ordered the way a human interviewer would order them, for every question of the bank.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::util::{fixture, stderr_of, TestEnv};

#[derive(Deserialize)]
struct GradedFile {
    question_id: String,
    #[serde(rename = "example")]
    examples: Vec<Example>,
}

#[derive(Deserialize)]
struct Example {
    kind: String,
    answer: String,
}

/// Kinds a human would grade as good answers.
const STRONG: &[&str] = &["strong", "full", "paraphrase", "typos", "mixed"];
/// Kinds a human would grade below every good answer.
const WEAK: &[&str] = &[
    "weak", "wrong", "partial", "negated", "stuffed", "offtopic", "empty",
];
/// Kinds that say nothing relevant.
const NOTHING: &[&str] = &["offtopic", "empty"];

fn load_examples() -> BTreeMap<String, Vec<Example>> {
    let mut all = BTreeMap::new();
    let dir = fixture("graded");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let file: GradedFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for example in &file.examples {
            assert!(
                STRONG.contains(&example.kind.as_str()) || WEAK.contains(&example.kind.as_str()),
                "{}: unknown kind {}",
                path.display(),
                example.kind
            );
        }
        all.insert(file.question_id, file.examples);
    }
    all
}

#[test]
fn graded_examples_are_ordered_as_a_human_would_order_them() {
    let env = TestEnv::new();
    let examples = load_examples();
    let mut input = String::new();
    for (question, list) in &examples {
        for (i, example) in list.iter().enumerate() {
            let line =
                json!({"id": [question, i], "question_id": question, "answer": example.answer});
            input.push_str(&line.to_string());
            input.push('\n');
        }
    }
    let file = env.write("examples.jsonl", input);
    let output = env
        .sobes()
        .args(["grade", "--batch"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let mut scores: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let value: Value = serde_json::from_str(line).unwrap();
        let question = value["id"][0].as_str().unwrap().to_owned();
        let index = value["id"][1].as_u64().unwrap() as usize;
        let kind = examples[&question][index].kind.clone();
        scores
            .entry(question)
            .or_default()
            .push((kind, value["score"].as_f64().unwrap()));
    }

    let mut failures = Vec::new();
    for (question, graded) in &scores {
        let of = |kinds: &[&str]| -> Vec<(String, f64)> {
            graded
                .iter()
                .filter(|(k, _)| kinds.contains(&k.as_str()))
                .cloned()
                .collect()
        };
        let strong = of(STRONG);
        let weak = of(WEAK);
        if strong.is_empty() || weak.is_empty() {
            failures.push(format!(
                "{question}: needs a strong and a weak or wrong example"
            ));
        }
        for (kind, score) in &strong {
            if *score < 60.0 {
                failures.push(format!("{question}: {kind} scores {score} (< 60)"));
            }
            for (weak_kind, weak_score) in &weak {
                if weak_score >= score {
                    failures.push(format!(
                        "{question}: {weak_kind} ({weak_score}) is not below {kind} ({score})"
                    ));
                }
            }
        }
        for (kind, score) in of(NOTHING) {
            if score > 10.0 {
                failures.push(format!("{question}: {kind} scores {score} (> 10)"));
            }
            for (_, partial) in of(&["partial"]) {
                if partial <= score {
                    failures.push(format!(
                        "{question}: partial ({partial}) is not above {kind} ({score})"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} orderings broken:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_bank_question_has_graded_examples() {
    let env = TestEnv::new();
    let output = env
        .sobes()
        .args(["questions", "--format", "json"])
        .output()
        .unwrap();
    let questions: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let examples = load_examples();
    let missing: Vec<&str> = questions
        .iter()
        .map(|q| q["id"].as_str().unwrap())
        .filter(|id| !examples.contains_key(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "questions without graded examples: {missing:?}"
    );
    for id in examples.keys() {
        assert!(
            questions.iter().any(|q| q["id"] == id.as_str()),
            "graded examples for unknown question {id}"
        );
    }
}

#[test]
fn the_seed_questions_have_every_kind_of_example() {
    let examples = load_examples();
    let kinds = [
        "full",
        "paraphrase",
        "typos",
        "mixed",
        "partial",
        "negated",
        "stuffed",
        "offtopic",
        "empty",
    ];
    for seed in [
        "rnn-problems",
        "cosine-similarity-vs-distance",
        "gradient-descent-local-minima",
        "generative-vs-discriminative",
        "markov-chains-sequences",
        "dbscan",
    ] {
        let list = examples
            .get(seed)
            .unwrap_or_else(|| panic!("{seed} has no examples"));
        for kind in kinds {
            assert!(
                list.iter().any(|e| e.kind == kind),
                "{seed}: no {kind} example"
            );
        }
    }
}
