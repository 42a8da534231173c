//! Item 2: the API key and credentials in a server URL never reach the screen, history,
//! reports or the LLM cache, whether a model's refusal or feedback echoes them or a connection
//! error names the URL.

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::batch_file;
use crate::util::{stderr_of, stdout_of, TestEnv};

const KEY: &str = "sk-issue16-7f3e9a1c5b2d4e60";

struct Server {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
}

impl Server {
    /// A server that answers every chat completion with `reply` as the message.
    fn answering(message: Value) -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(MockServer::start());
        let body = json!({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop", "message": message}]
        });
        runtime.block_on(
            Mock::given(method("POST"))
                .and(path("/v1/chat/completions"))
                .respond_with(ResponseTemplate::new(200).set_body_json(body))
                .mount(&server),
        );
        Server { runtime, server }
    }

    fn url(&self) -> String {
        format!("{}/v1", self.server.uri())
    }

    fn requests(&self) -> usize {
        self.runtime
            .block_on(self.server.received_requests())
            .unwrap_or_default()
            .len()
    }
}

/// `sobes` talking to `url` with the key in `GRADER_API_KEY`.
fn with_model(env: &TestEnv, url: &str) -> assert_cmd::Command {
    let mut cmd = env.sobes();
    cmd.env("GRADER_API_KEY", KEY)
        .env("SOBES_LLM_API_KEY_ENV", "GRADER_API_KEY")
        .env("SOBES_LLM_ENABLED", "true")
        .env("SOBES_LLM_MODE", "blend")
        .env("SOBES_LLM_BASE_URL", url)
        .env("SOBES_LLM_MAX_RETRIES", "0");
    cmd
}

/// Every file under `dir`, read as bytes, must not contain any of `secrets`.
fn assert_no_file_holds(dir: &std::path::Path, secrets: &[&str]) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for secret in secrets {
            assert!(!text.contains(secret), "{} holds {secret}", path.display());
        }
    }
}

#[test]
fn issue16_a_refusal_that_quotes_the_key_is_shown_without_it() {
    let server = Server::answering(json!({
        "role": "assistant", "content": null,
        "refusal": format!("I will not grade this. Your key {KEY} is exposed.")
    }));
    let env = TestEnv::new();
    let output = with_model(&env, &server.url())
        .args([
            "grade",
            "--question",
            "dbscan",
            "--answer",
            "кластеры по плотности",
        ])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(server.requests(), 1);
    let (stdout, stderr) = (stdout_of(&output), stderr_of(&output));
    assert!(
        stderr.contains("refused to grade: I will not grade this"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Your key [redacted] is exposed"),
        "{stderr}"
    );
    assert!(
        !stdout.contains(KEY) && !stderr.contains(KEY),
        "{stdout}{stderr}"
    );
}

#[test]
fn issue16_feedback_that_echoes_the_key_is_stored_and_shown_without_it() {
    let verdict = json!({
        "covered": [], "missed": [], "quotes": [],
        "feedback": format!("Good. (Debug: authorization Bearer {KEY})"), "score": 7
    });
    let server = Server::answering(json!({"role": "assistant", "content": verdict.to_string()}));
    let env = TestEnv::new();
    let answer = "DBSCAN ищет кластеры по плотности: eps и min_samples задают соседство.";

    // One answer, as JSON and as text (the second from the cache).
    for format in ["json", "text"] {
        let output = with_model(&env, &server.url())
            .args([
                "grade",
                "--question",
                "dbscan",
                "--answer",
                answer,
                "--format",
                format,
            ])
            .output()
            .unwrap();
        let all = stdout_of(&output) + &stderr_of(&output);
        assert!(output.status.success(), "{all}");
        assert!(all.contains("authorization Bearer [redacted]"), "{all}");
        assert!(!all.contains(KEY), "{all}");
    }

    // A batch with its report.
    let batch = batch_file(&env);
    let output = with_model(&env, &server.url())
        .args(["grade", "--batch"])
        .arg(&batch)
        .arg("--report")
        .arg(env.path("group.html"))
        .output()
        .unwrap();
    let all = stdout_of(&output) + &stderr_of(&output);
    assert!(output.status.success(), "{all}");
    assert!(!all.contains(KEY), "{all}");

    // An interview: what is shown, stored in history and written to the session report.
    let bank = env.path("bank");
    for dir in ["data", "rubrics"] {
        let text =
            std::fs::read_to_string(crate::util::repo_root().join(format!("{dir}/dbscan.toml")))
                .unwrap();
        env.write(&format!("bank/{dir}/dbscan.toml"), text);
    }
    let output = with_model(&env, &server.url())
        .arg("--bank")
        .arg(&bank)
        .args(["--level", "middle", "--count", "1"])
        .write_stdin(format!("{answer}\n\n"))
        .output()
        .unwrap();
    let all = stdout_of(&output) + &stderr_of(&output);
    assert!(output.status.success(), "{all}");
    assert!(all.contains("Model's comment: Good."), "{all}");
    assert!(!all.contains(KEY), "{all}");
    for args in [
        &["report", "last"][..],
        &["report", "last", "--format", "json"],
    ] {
        let output = env.sobes().args(args).output().unwrap();
        assert!(output.status.success(), "{}", stderr_of(&output));
        let text = stdout_of(&output);
        // Markdown escapes the brackets.
        assert!(
            text.contains("authorization Bearer ") && text.contains("redacted"),
            "{text}"
        );
        assert!(!text.contains(KEY));
    }
    // History, the HTML reports, the LLM cache: nothing on disk holds the key.
    assert_no_file_holds(env.dir.path(), &[KEY]);
}

#[test]
fn issue16_credentials_in_the_server_url_never_appear() {
    let env = TestEnv::new();
    let url = "http://grader:pa55-word-x1@127.0.0.1:9/v1?key=q-secret-88aa";
    let secrets = ["pa55-word-x1", "q-secret-88aa", KEY];
    let output = with_model(&env, url)
        .args([
            "grade",
            "--question",
            "dbscan",
            "--answer",
            "кластеры по плотности",
        ])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let (stdout, stderr) = (stdout_of(&output), stderr_of(&output));
    assert!(output.status.success(), "{stderr}");
    let value: Value = serde_json::from_str(&stdout).unwrap();
    let error = value["llm_error"].as_str().unwrap();
    assert!(
        error.contains(
            "cannot reach the LLM server at http://[redacted]@127.0.0.1:9/v1?key=[redacted]"
        ),
        "{error}"
    );
    for secret in secrets {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{stdout}{stderr}"
        );
    }

    // An interview falls back with a note that names the server the same way.
    let output = with_model(&env, url)
        .args(["--level", "junior", "--count", "1", "--topic", "clustering"])
        .write_stdin("Кластеры по плотности.\n\n")
        .output()
        .unwrap();
    let all = stdout_of(&output) + &stderr_of(&output);
    assert!(output.status.success(), "{all}");
    assert!(all.contains("The LLM was not used"), "{all}");

    // The configuration as shown, a bad URL's error, and the semantic channel's errors.
    let output = with_model(&env, url)
        .args(["config", "show"])
        .output()
        .unwrap();
    let all = stdout_of(&output) + &stderr_of(&output);
    assert!(
        all.contains("base_url = \"http://[redacted]@127.0.0.1:9/v1?key=[redacted]\""),
        "{all}"
    );
    let output = with_model(&env, "ftp://grader:pa55-word-x1@host/v1")
        .arg("questions")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let all = stdout_of(&output) + &stderr_of(&output);
    assert!(all.contains("llm.base_url"), "{all}");
    let eval = env.write(
        "graded.jsonl",
        "{\"id\": 1, \"question_id\": \"dbscan\", \"answer\": \"плотность\", \"grade\": 3}\n\
         {\"id\": 2, \"question_id\": \"dbscan\", \"answer\": \"не знаю\", \"grade\": 0}\n",
    );
    let output = env
        .sobes()
        .args(["--set", &format!("embeddings.base_url={url}"), "eval"])
        .arg(&eval)
        .output()
        .unwrap();
    let all = stdout_of(&output) + &stderr_of(&output);
    assert!(
        all.contains("127.0.0.1:9"),
        "the semantic channel's error names the server: {all}"
    );
    for secret in secrets {
        assert!(!all.contains(secret), "{all}");
    }
    assert_no_file_holds(env.dir.path(), &secrets);
}
