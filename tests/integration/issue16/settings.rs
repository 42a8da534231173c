//! Items 4 and 8: every setting is checked once at load (finite, in range, one of its values,
//! no unknown `SOBES_<SECTION>_*` variable) with an error naming the key, its range and where
//! the value came from, status 2; retry settings are capped and retries end.

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::util::{stderr_of, stdout_of, TestEnv};

/// The values the issue found accepted, and what the error must say.
const REFUSED: &[(&str, &str)] = &[
    (
        "grading.full_marks_coverage=nan",
        "grading.full_marks_coverage must be a number from 0.01 to 1, not NaN",
    ),
    (
        "grading.full_marks_coverage=0",
        "grading.full_marks_coverage must be a number from 0.01 to 1, not 0",
    ),
    (
        "grading.full_marks_coverage=-0.5",
        "grading.full_marks_coverage must be a number from 0.01 to 1, not -0.5",
    ),
    (
        "llm.blend_weight=nan",
        "llm.blend_weight must be a number from 0 to 1, not NaN",
    ),
    (
        "grading.bare_mention_credit=inf",
        "grading.bare_mention_credit must be a number from 0 to 1, not inf",
    ),
    (
        "grading.required_missing_cap=-50",
        "grading.required_missing_cap must be a number from 0 to 100, not -50",
    ),
    (
        "grading.required_missing_cap=500",
        "grading.required_missing_cap must be a number from 0 to 100, not 500",
    ),
    (
        "grading.cross_script_similarity=2",
        "grading.cross_script_similarity must be a number from 0 to 1, not 2",
    ),
    (
        "interface.max_width=0",
        "interface.max_width must be a whole number from 20 to 1000, not 0",
    ),
    (
        "llm.blend_weight=5",
        "llm.blend_weight must be a number from 0 to 1, not 5",
    ),
    (
        "llm.blend_band=-20",
        "llm.blend_band must be a number from 0 to 100, not -20",
    ),
    (
        "llm.temperature=-3",
        "llm.temperature must be a number from 0 to 2, not -3",
    ),
    (
        "interface.lang=xx",
        "interface.lang must be one of \"\", \"ru\", \"en\", not \"xx\"",
    ),
    (
        "interface.color=rainbow",
        "interface.color must be one of \"auto\", \"always\", \"never\", not \"rainbow\"",
    ),
    (
        "grading.listed_credit=nan",
        "grading.listed_credit must be a number from 0 to 1",
    ),
    (
        "grading.keyword_list_cap=-1",
        "grading.keyword_list_cap must be a number from 0 to 100",
    ),
    (
        "grading.cue_window=0",
        "grading.cue_window must be a whole number from 1 to 100",
    ),
    (
        "grading.wrong_claim_penalty=inf",
        "grading.wrong_claim_penalty must be a number from 0 to 100",
    ),
    (
        "grading.semantic_credit=2",
        "grading.semantic_credit must be a number from 0 to 1",
    ),
    (
        "embeddings.similarity=nan",
        "embeddings.similarity must be a number from 0 to 1",
    ),
    (
        "embeddings.batch_size=0",
        "embeddings.batch_size must be a whole number from 1 to 2048",
    ),
    (
        "embeddings.timeout_ms=0",
        "embeddings.timeout_ms must be a whole number from 1 to 3600000",
    ),
    // Item 8: retry settings that overflowed or never ended.
    (
        "llm.backoff_ms=9223372036854775807",
        "llm.backoff_ms must be a whole number from 0 to 60000",
    ),
    (
        "llm.max_retries=4294967295",
        "llm.max_retries must be a whole number from 0 to 10",
    ),
];

#[test]
fn issue16_out_of_range_settings_are_refused_with_key_and_range() {
    let env = TestEnv::new();
    for (assignment, message) in REFUSED {
        let output = env
            .sobes()
            .args(["--set", assignment, "questions", "--format", "json"])
            .output()
            .unwrap();
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{assignment}: {stderr}");
        assert!(stderr.contains(message), "{assignment}: {stderr}");
        assert!(stdout_of(&output).is_empty(), "{assignment}");
    }
}

#[test]
fn issue16_a_bad_value_names_the_file_or_variable_it_came_from() {
    let env = TestEnv::new();
    let config = env.write(
        "config/config.toml",
        "[grading]\nfull_marks_coverage = nan\n",
    );
    let output = env.sobes().arg("questions").output().unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}: grading.full_marks_coverage must be a number from 0.01 to 1, not NaN",
            config.display()
        )),
        "{stderr}"
    );
    let output = env
        .sobes()
        .env("SOBES_LLM_BLEND_BAND", "-20")
        .args(["--no-config", "questions"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("environment variable SOBES_LLM_BLEND_BAND: llm.blend_band must be"),
        "{stderr}"
    );
}

#[test]
fn issue16_an_unknown_settings_variable_is_refused() {
    let env = TestEnv::new();
    let output = env
        .sobes()
        .env("SOBES_GRADING_FULL_MARKS_COVERAGEE", "0.5")
        .arg("questions")
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("environment variable SOBES_GRADING_FULL_MARKS_COVERAGEE: there is no setting grading.full_marks_coveragee (did you mean SOBES_GRADING_FULL_MARKS_COVERAGE?)"),
        "{stderr}"
    );
    // Variables that are not settings (the data directory, the database) are still read.
    let output = env
        .sobes()
        .env("SOBES_DB", env.path("h.sqlite3"))
        .arg("history")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
}

#[test]
fn issue16_an_interview_with_a_nan_weight_is_refused_before_any_question() {
    let env = TestEnv::new();
    let output = env
        .sobes()
        .args(["--set", "llm.blend_weight=nan", "--set", "llm.enabled=true"])
        .args([
            "--set",
            "llm.mode=blend",
            "--level",
            "junior",
            "--count",
            "1",
        ])
        .write_stdin("Градиентный спуск.\n\n")
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("llm.blend_weight"), "{stderr}");
    assert!(
        !stdout_of(&output).contains("Score"),
        "{}",
        stdout_of(&output)
    );
    assert!(!env.db().exists(), "no session was started");
}

#[test]
fn issue16_retries_end_at_the_cap() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(MockServer::start());
    runtime.block_on(
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .respond_with(
                ResponseTemplate::new(503)
                    .set_body_json(json!({"error": {"message": "overloaded"}})),
            )
            .mount(&server),
    );
    let env = TestEnv::new();
    let output = env
        .sobes()
        .args(["grade", "--question", "dbscan", "--answer", "плотность"])
        .args(["--format", "json", "--mode", "blend"])
        .args(["--llm-url", &format!("{}/v1", server.uri())])
        .args(["--set", "llm.max_retries=10", "--set", "llm.backoff_ms=0"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["method"], "keyword");
    assert_eq!(
        runtime
            .block_on(server.received_requests())
            .unwrap_or_default()
            .len(),
        11,
        "one call and ten retries"
    );
}
