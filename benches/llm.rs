//! Speed of LLM scoring against a loopback server (`cargo bench --bench llm`); figures go in
//! the README.
//!
//! - `hundred_answers_concurrency_8`: 100 answers through `LlmGrader::grade_many` with
//!   `concurrency = 8`, the server answering each call after 200 ms (target < 4 s).
//! - `one_call_instant_server`: one answer against a server that answers at once: sobes' own
//!   overhead per call, loopback HTTP included (target < 5 ms).

use std::time::Duration;

use serde_json::json;
use sobes::bank::{Bank, BankSource};
use sobes::config::LlmSettings;
use sobes::grade::{grade, Grade, GradeSettings};
use sobes::llm::{Job, LlmGrader, Mode};
use sobes::ui::Lang;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn main() {
    divan::main();
}

const QUESTION: &str = "rnn-problems";

fn reply() -> serde_json::Value {
    let content = json!({
        "covered": ["vanishing-gradient"], "missed": ["slow-training"],
        "quotes": ["исчезающий градиент"], "feedback": "Хорошо.", "score": 7
    });
    json!({"choices": [{"index": 0, "finish_reason": "stop",
        "message": {"role": "assistant", "content": content.to_string()}}]})
}

/// A loopback server on its own runtime, answering every call after `delay`.
fn server(delay: Duration) -> (tokio::runtime::Runtime, MockServer) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(async {
        let server = MockServer::builder()
            .disable_request_recording()
            .start()
            .await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(reply())
                    .set_delay(delay),
            )
            .mount(&server)
            .await;
        server
    });
    (rt, server)
}

fn grader(server: &MockServer, concurrency: usize) -> LlmGrader {
    let settings = LlmSettings {
        enabled: true,
        base_url: format!("{}/v1", server.uri()),
        concurrency,
        ..LlmSettings::default()
    };
    LlmGrader::new(&settings, Mode::Blend, None).unwrap()
}

fn answers(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("Главная беда RNN — исчезающий градиент: он затухает на длинных последовательностях, вариант {i}."))
        .collect()
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn hundred_answers_concurrency_8(bencher: divan::Bencher) {
    let (_rt, server) = server(Duration::from_millis(200));
    let grader = grader(&server, 8);
    let bank = Bank::load(&BankSource::Bundled).unwrap();
    let question = bank.require(QUESTION).unwrap();
    let rubric = bank.grader_for(QUESTION).unwrap();
    let answers = answers(100);
    let keyword: Vec<Grade> = answers
        .iter()
        .map(|a| grade(rubric, a, &GradeSettings::default()))
        .collect();
    let jobs: Vec<Job> = answers
        .iter()
        .zip(&keyword)
        .map(|(answer, keyword)| Job {
            question,
            rubric,
            answer,
            keyword,
            lang: Lang::Ru,
        })
        .collect();
    bencher.bench_local(|| {
        let graded = grader.grade_many(&jobs, &|| {});
        assert!(graded.iter().all(|g| g.llm_score == Some(70.0)));
        graded
    });
}

#[divan::bench(sample_count = 200)]
fn one_call_instant_server(bencher: divan::Bencher) {
    let (_rt, server) = server(Duration::ZERO);
    let grader = grader(&server, 1);
    let bank = Bank::load(&BankSource::Bundled).unwrap();
    let question = bank.require(QUESTION).unwrap();
    let rubric = bank.grader_for(QUESTION).unwrap();
    let answer = &answers(1)[0];
    let keyword = grade(rubric, answer, &GradeSettings::default());
    bencher.bench_local(|| {
        let graded = grader.grade_answer(question, rubric, answer, &keyword, Lang::Ru);
        assert_eq!(graded.llm_score, Some(70.0));
        graded
    });
    let stats = grader.stats();
    eprintln!(
        "one_call_instant_server: sobes' own time {:.3} ms per call (server and loopback excluded), {} calls",
        stats.own_time_per_call().as_secs_f64() * 1000.0,
        stats.timed_answers
    );
}
