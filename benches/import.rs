//! Speed of importing and drafting (`cargo bench --bench import`); figures go in the README.
//!
//! - `import_10000_questions_binary`: 10,000 generated questions through the real
//!   `sobes import jsonl` (parse, dedupe, draft every rubric, write the bank); target < 10 s.
//! - `draft_10000_rubrics`: drafting alone, in process, for the same questions.

use std::io::Write;
use std::process::{Command, Stdio};

use sobes::bank::{Level, Question};
use sobes::rubric::draft::{draft, DraftContext};

fn main() {
    divan::main();
}

const WORDS_EN: &[&str] = &[
    "gradient",
    "boosting",
    "tree",
    "residual",
    "variance",
    "bias",
    "regularization",
    "weight",
    "decay",
    "learning",
    "rate",
    "schedule",
    "batch",
    "normalization",
    "dropout",
    "layer",
    "attention",
    "token",
    "embedding",
    "vector",
    "cluster",
    "centroid",
    "distance",
    "kernel",
    "margin",
    "support",
    "feature",
    "target",
    "leakage",
    "validation",
    "fold",
    "split",
    "metric",
    "precision",
    "recall",
    "threshold",
    "calibration",
    "probability",
    "likelihood",
    "prior",
    "posterior",
    "sample",
    "bootstrap",
    "interval",
    "hypothesis",
    "power",
    "effect",
    "index",
];

const WORDS_RU: &[&str] = &[
    "градиент",
    "бустинг",
    "дерево",
    "остаток",
    "дисперсия",
    "смещение",
    "регуляризация",
    "вес",
    "затухание",
    "обучение",
    "скорость",
    "расписание",
    "батч",
    "нормализация",
    "слой",
    "внимание",
    "токен",
    "эмбеддинг",
    "вектор",
    "кластер",
    "центроид",
    "расстояние",
    "ядро",
    "отступ",
    "признак",
    "утечка",
    "валидация",
    "разбиение",
    "метрика",
    "точность",
    "полнота",
    "порог",
    "калибровка",
    "вероятность",
    "правдоподобие",
    "выборка",
    "гипотеза",
    "мощность",
    "эффект",
];

fn pick<'a>(words: &[&'a str], seed: usize, n: usize) -> Vec<&'a str> {
    (0..n)
        .map(|k| words[(seed * 31 + k * 17 + k * k * 7) % words.len()])
        .collect()
}

/// Question `i`: short English answers and longer Russian bulleted ones, alternating.
fn question(i: usize) -> Question {
    let (question, answer, lang) = if i % 2 == 0 {
        let words = pick(WORDS_EN, i, 6);
        (
            format!("Question {i}: how do {} and {} relate?", words[0], words[1]),
            format!(
                "The {} changes the {} because the {} controls the {}.",
                words[2], words[3], words[4], words[5]
            ),
            "en",
        )
    } else {
        let words = pick(WORDS_RU, i, 12);
        (
            format!("Вопрос {i}: как связаны {} и {}?", words[0], words[1]),
            format!(
                "Кратко: {} влияет на {}.\n▪️{} и {}.\nОбъясняет, почему {} растёт.\n▪️{} против {}.\nТак {} снижает {}.\n▪️{} и {}.",
                words[2], words[3], words[4], words[5], words[6], words[7], words[8], words[9],
                words[10], words[11], words[0]
            ),
            "ru",
        )
    };
    Question {
        id: String::new(),
        question,
        answer,
        levels: vec![Level::Middle],
        topics: vec!["bench".into()],
        lang: lang.into(),
        source: "bench".into(),
        popularity: None,
        question_en: None,
        answer_en: None,
    }
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn import_10000_questions_binary(bencher: divan::Bencher) {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    for i in 0..10_000 {
        let q = question(i);
        let line = serde_json::json!({
            "question": q.question,
            "answer": q.answer,
            "lang": q.lang,
            "levels": ["middle"],
            "topics": ["bench"],
        });
        writeln!(file, "{line}").unwrap();
    }
    let path = file.path().to_path_buf();
    // Banks are removed only after the last sample: deleting 20,000 files takes the disk a
    // while, and that should not be billed to the next import.
    let banks = std::cell::RefCell::new(Vec::new());
    bencher
        .with_inputs(|| tempfile::tempdir().unwrap())
        .bench_local_values(|dir| {
            let out = dir.path().join("bank");
            let status = Command::new(env!("CARGO_BIN_EXE_sobes"))
                .args(["--no-config", "import", "jsonl"])
                .arg(&path)
                .arg("--out")
                .arg(&out)
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(status.success());
            assert_eq!(
                std::fs::read_dir(out.join("rubrics")).unwrap().count(),
                10_000
            );
            banks.borrow_mut().push(dir);
        });
    drop(banks);
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn draft_10000_rubrics(bencher: divan::Bencher) {
    let questions: Vec<Question> = (0..10_000)
        .map(|i| Question {
            id: format!("q-{i}"),
            ..question(i)
        })
        .collect();
    bencher.bench(|| {
        let context = DraftContext::from_texts(questions.iter().map(|q| q.answer.as_str()));
        questions
            .iter()
            .map(|q| draft(q, &context).concepts.len())
            .sum::<usize>()
    });
}
