//! Speed of the keyword grader (`cargo bench`); figures go in the README.
//!
//! - `grade_300_words_10_concepts`: one 300-word answer against a 10-concept rubric (target < 100 µs).
//! - `batch_10000_answers_binary`: 10,000 answers through the real `sobes grade --batch` (target < 2 s).
//! - `load_bundled_bank`: loading the bundled bank (rubrics are compiled on first use).
//! - `compile_every_rubric`: compiling all rubrics of the bundled bank, as a batch over every
//!   question does once.
//! - `detect_injection_300_words`: the hostile-input check of one answer.
//! - `grade_64k_answer_of_one_clause`: a hostile answer at the size limit, one long clause.

use std::io::Write;
use std::process::{Command, Stdio};

use sobes::bank::{Bank, BankSource};
use sobes::grade::{grade, CompiledRubric, GradeSettings};
use sobes::rubric::Rubric;

fn main() {
    divan::main();
}

const ANSWER_PARTS: &[&str] = &[
    "Рекуррентные сети обрабатывают последовательность по шагам и передают скрытое состояние дальше,",
    "поэтому при обратном распространении во времени градиент много раз умножается на одни и те же веса.",
    "Если собственные числа больше единицы, возникает взрывающийся градиент: обновления огромные, лосс улетает в nan,",
    "и тут спасает gradient clipping. Если меньше единицы, градиент затухает, и сеть не учит далекие зависимости,",
    "забывает начало длинной последовательности. LSTM и GRU с гейтами смягчают vanishing gradient.",
    "Еще RNN медленно обучаются, потому что шаги нельзя распараллелить, в отличие от трансформеров.",
    "DBSCAN — это кластеризация по плотности: ядровые точки имеют не меньше min_samples соседей в радиусе eps,",
    "граничные лежат рядом с ядровыми, а остальные считаются шумом. Кластер расширяется от ядровой точки",
    "через всех достижимых по плотности соседей. Число кластеров задавать не нужно, формы могут быть произвольной формы,",
    "но при разной плотности кластеров алгоритм работает плохо, а eps подбирают по графику k-distance.",
];

/// A realistic 300-word answer (Russian with English terms).
fn answer_300_words() -> String {
    let words: Vec<&str> = ANSWER_PARTS
        .iter()
        .cycle()
        .flat_map(|p| p.split_whitespace())
        .take(300)
        .collect();
    words.join(" ")
}

/// Ten concepts: the RNN and DBSCAN rubrics of the bundled bank, merged.
fn rubric_10_concepts() -> CompiledRubric {
    let bank = Bank::load(&BankSource::Bundled).expect("bundled bank");
    let mut concepts = Vec::new();
    for id in ["rnn-problems", "dbscan"] {
        concepts.extend(bank.compiled_rubric(id).unwrap().rubric.concepts.clone());
    }
    concepts.truncate(10);
    assert_eq!(concepts.len(), 10);
    CompiledRubric::new(
        Rubric {
            contrast: Vec::new(),
            question_id: "bench".into(),
            drafted: false,
            scoring: None,
            terms: Default::default(),
            concepts,
            misconceptions: bank
                .compiled_rubric("dbscan")
                .unwrap()
                .rubric
                .misconceptions
                .clone(),
        },
        "",
    )
}

#[divan::bench]
fn grade_300_words_10_concepts(bencher: divan::Bencher) {
    let rubric = rubric_10_concepts();
    let answer = answer_300_words();
    assert_eq!(answer.split_whitespace().count(), 300);
    let settings = GradeSettings::default();
    bencher.bench(|| {
        grade(
            divan::black_box(&rubric),
            divan::black_box(&answer),
            &settings,
        )
    });
}

/// The same, with the per-thread stem cache emptied before every call: the worst case.
#[divan::bench]
fn grade_300_words_10_concepts_cold_cache(bencher: divan::Bencher) {
    let rubric = rubric_10_concepts();
    let answer = answer_300_words();
    let settings = GradeSettings::default();
    bencher.bench(|| {
        sobes::grade::text::clear_stem_cache();
        grade(
            divan::black_box(&rubric),
            divan::black_box(&answer),
            &settings,
        )
    });
}

#[divan::bench]
fn analyze_300_words(bencher: divan::Bencher) {
    let answer = answer_300_words();
    bencher.bench(|| sobes::grade::text::analyze(divan::black_box(&answer)));
}

#[divan::bench]
fn detect_injection_300_words(bencher: divan::Bencher) {
    let answer = answer_300_words();
    bencher.bench(|| sobes::grade::injection::detect(divan::black_box(&answer)));
}

/// A hostile answer at the 64 KiB limit: the bundled DBSCAN reference with its punctuation
/// removed, repeated into one clause of about 9,000 words, so every rubric word recurs hundreds
/// of times in one statement. The matcher must stay near-linear here (it once took 5 s).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn grade_64k_answer_of_one_clause(bencher: divan::Bencher) {
    let bank = Bank::load(&BankSource::Bundled).unwrap();
    let question = bank.questions.iter().find(|q| q.id == "dbscan").unwrap();
    let plain: String = question
        .answer
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut answer = String::new();
    while answer.len() + plain.len() < 64_000 {
        answer.push_str(&plain);
        answer.push(' ');
    }
    let rubric = bank.compiled_rubric("dbscan").unwrap();
    let settings = GradeSettings::default();
    bencher.bench(|| grade(rubric, divan::black_box(&answer), &settings));
}

#[divan::bench]
fn load_bundled_bank() -> Bank {
    Bank::load(&BankSource::Bundled).unwrap()
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn compile_every_rubric(bencher: divan::Bencher) {
    bencher
        .with_inputs(|| Bank::load(&BankSource::Bundled).unwrap())
        .bench_local_refs(|bank| {
            for question in &bank.questions {
                divan::black_box(bank.compiled_rubric(&question.id));
            }
        });
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn batch_10000_answers_binary(bencher: divan::Bencher) {
    let bank = Bank::load(&BankSource::Bundled).unwrap();
    let ids: Vec<&str> = bank.questions.iter().map(|q| q.id.as_str()).collect();
    let mut file = tempfile::NamedTempFile::new().unwrap();
    for i in 0..10_000 {
        let start = (i * 7) % 200;
        let answer: Vec<&str> = ANSWER_PARTS
            .iter()
            .cycle()
            .flat_map(|p| p.split_whitespace())
            .skip(start)
            .take(40 + i % 120)
            .collect();
        let line = serde_json::json!({
            "id": i,
            "question_id": ids[i % ids.len()],
            "answer": answer.join(" "),
        });
        writeln!(file, "{line}").unwrap();
    }
    let path = file.path().to_path_buf();
    bencher.bench(|| {
        let status = Command::new(env!("CARGO_BIN_EXE_sobes"))
            .args(["--no-config", "grade", "--batch"])
            .arg(&path)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    });
}
