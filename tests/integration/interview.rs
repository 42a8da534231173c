//! Whole interviews through the real binary: piped sessions, a killed session, bad input, and a
//! real pseudo-terminal.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use sobes::history::History;

use crate::util::{repo_root, stderr_of, stdout_of, TestEnv};

/// A small bank of three junior questions copied from the bundled one.
const SMALL_BANK: &[&str] = &["rnn-problems", "dbscan", "gradient-descent-local-minima"];

fn small_bank(env: &TestEnv) -> std::path::PathBuf {
    for id in SMALL_BANK {
        for dir in ["data", "rubrics"] {
            let text =
                std::fs::read_to_string(repo_root().join(format!("{dir}/{id}.toml"))).unwrap();
            env.write(&format!("bank/{dir}/{id}.toml"), text);
        }
    }
    env.path("bank")
}

/// The first graded example of `kind` for a question, from tests/fixtures/graded.
fn example(id: &str, kind: &str) -> String {
    let path = repo_root().join(format!("tests/fixtures/graded/{id}.toml"));
    let value: toml::Value = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    value["example"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"].as_str() == Some(kind))
        .and_then(|e| e["answer"].as_str())
        .unwrap_or_else(|| panic!("{id} has a {kind} example"))
        .trim()
        .to_owned()
}

fn history_json(env: &TestEnv) -> Vec<Value> {
    let output = env
        .sobes()
        .args(["history", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    serde_json::from_str::<Value>(&stdout_of(&output))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Question ids in the order the summary table lists them.
fn asked_ids(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let position = words.next()?;
            let id = words.next()?;
            (position.parse::<usize>().is_ok() && SMALL_BANK.contains(&id)).then(|| id.to_owned())
        })
        .collect()
}

fn run_piped(env: &TestEnv, args: &[&str], input: &str) -> std::process::Output {
    env.sobes()
        .args(args)
        .write_stdin(input.as_bytes().to_vec())
        .output()
        .unwrap()
}

#[test]
fn a_scripted_session_is_graded_summarised_and_kept_in_history() {
    let env = TestEnv::new();
    let bank = small_bank(&env);
    let bank = bank.to_str().unwrap();
    let args = [
        "--bank",
        bank,
        "interview",
        "--level",
        "junior",
        "--count",
        "3",
        "--seed",
        "11",
    ];
    // First learn the order this seed gives, by skipping everything.
    let first = run_piped(&env, &args, ":skip\n:skip\n:skip\n");
    assert!(first.status.success(), "{}", stderr_of(&first));
    let order = asked_ids(&stdout_of(&first));
    assert_eq!(order.len(), 3, "{}", stdout_of(&first));

    // The same seed asks the same questions in the same order: answer two well, one badly.
    let input = format!(
        "{}\n\n{}\n\nне знаю\n\n",
        example(&order[0], "full"),
        example(&order[1], "full")
    );
    let output = run_piped(&env, &args, &input);
    let stdout = stdout_of(&output);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(asked_ids(&stdout), order, "{stdout}");
    assert!(stdout.contains("Question 1 of 3"), "{stdout}");
    assert!(stdout.contains("Question 3 of 3"), "{stdout}");
    assert_eq!(stdout.matches("Score:").count(), 3, "{stdout}");
    assert!(stdout.contains("Interview summary"), "{stdout}");
    assert!(stdout.contains("Estimated level: junior"), "{stdout}");
    assert!(stdout.contains("What to revise:"), "{stdout}");

    let sessions = history_json(&env);
    assert_eq!(sessions.len(), 2);
    let session = &sessions[1];
    assert_eq!(session["level"], "junior");
    assert_eq!(session["answered"], 3);
    assert_eq!(session["finished"], true);
    let mean = session["mean_score"].as_f64().unwrap();
    assert!(
        (40.0..=67.0).contains(&mean),
        "two strong answers and one blank: {mean}"
    );
    assert_eq!(sessions[0]["answered"], 0);
    assert_eq!(sessions[0]["skipped"], 3);

    // The stored answers are what was typed, graded.
    let history = History::open_existing(&env.db()).unwrap().unwrap();
    let answers = history.answers(session["id"].as_i64().unwrap()).unwrap();
    assert_eq!(answers[0].answer, example(&order[0], "full"));
    assert!(answers[0].score >= 60.0 && answers[1].score >= 60.0);
    assert_eq!(answers[2].score, 0.0);

    // `sobes stats` reads the same history.
    let stats = env
        .sobes()
        .args(["stats", "--format", "json"])
        .output()
        .unwrap();
    let stats: Value = serde_json::from_str(&stdout_of(&stats)).unwrap();
    assert_eq!(stats["sessions"], 2);
    assert_eq!(stats["answers"], 6);
}

#[test]
fn without_a_level_it_is_asked_for_and_the_interface_speaks_russian() {
    let env = TestEnv::new();
    let bank = small_bank(&env);
    let output = env
        .sobes()
        .env("LANG", "ru_RU.UTF-8")
        .args(["--bank", bank.to_str().unwrap(), "--count", "1"])
        .write_stdin("джуниор\n:hint\nне знаю\n\n")
        .output()
        .unwrap();
    let stdout = stdout_of(&output);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stdout.contains("Уровень (junior, middle, senior или adaptive)"),
        "{stdout}"
    );
    assert!(stdout.contains("Вопрос 1 из 1 · junior"), "{stdout}");
    assert!(stdout.contains("Подсказка:"), "{stdout}");
    assert!(stdout.contains("Итоги собеседования"), "{stdout}");
    let history = History::open_existing(&env.db()).unwrap().unwrap();
    let answers = history.answers(1).unwrap();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].hints.len(), 1, "the hint is noted in the grade");
}

#[test]
fn commands_help_repeat_unknown_and_quit() {
    let env = TestEnv::new();
    let bank = small_bank(&env);
    let output = run_piped(
        &env,
        &[
            "--bank",
            bank.to_str().unwrap(),
            "--level",
            "junior",
            "--count",
            "3",
        ],
        ":help\n:repeat\n:hnit\n:reference\nне знаю\n\n:reference\n:quit\n",
    );
    let stdout = stdout_of(&output);
    assert!(output.status.success(), "{}", stderr_of(&output));
    for command in [":skip", ":hint", ":repeat", ":reference", ":help", ":quit"] {
        assert!(stdout.contains(command), "help lists {command}: {stdout}");
    }
    assert_eq!(
        stdout.matches("Question 1 of 3").count(),
        2,
        "repeated: {stdout}"
    );
    assert!(
        stdout.contains("Unknown command :hnit. Did you mean :hint?"),
        "{stdout}"
    );
    assert!(stdout.contains("The reference answer is shown for a question already graded"));
    assert!(stdout.contains("Reference answer ("), "{stdout}");
    let sessions = history_json(&env);
    assert_eq!(sessions[0]["answered"], 1);
    assert_eq!(sessions[0]["planned"], 3);
    assert_eq!(sessions[0]["finished"], true);
}

#[test]
fn adaptive_sessions_start_at_junior() {
    let env = TestEnv::new();
    let output = run_piped(
        &env,
        &["interview", "--adaptive", "--count", "2", "--seed", "5"],
        "не знаю\n\nне знаю\n\n",
    );
    let stdout = stdout_of(&output);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stdout.contains("Question 1 of 2 · junior"), "{stdout}");
    // A weak answer at junior cannot move down: the second question is junior too.
    assert!(stdout.contains("Question 2 of 2 · junior"), "{stdout}");
    assert!(
        stdout.contains("Estimated level: junior 0% → below junior"),
        "{stdout}"
    );
    assert_eq!(history_json(&env)[0]["level"], "adaptive");
}

#[test]
fn bad_requests_are_clear_errors_with_status_2() {
    let env = TestEnv::new();
    let bank = small_bank(&env);
    let bank = bank.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["interview", "--level", "expert"],
            "invalid value 'expert'",
        ),
        (
            &["interview", "--level", "junior", "--topic", "clusterin"],
            "did you mean \"clustering\"",
        ),
        (
            &["--bank", bank, "interview", "--level", "senior"],
            "no questions with a rubric at level senior",
        ),
        (&["interview", "--count", "0"], "--count"),
    ];
    for (args, expected) in cases {
        let output = run_piped(&env, args, "");
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr_of(&output)
        );
        assert!(
            stderr_of(&output).contains(expected),
            "{args:?}: {}",
            stderr_of(&output)
        );
        assert!(!stderr_of(&output).contains("panicked"));
    }
    // A piped session that never names a level.
    let output = run_piped(&env, &[], "");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("no level chosen"),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn a_damaged_history_file_is_refused_before_any_question() {
    let env = TestEnv::new();
    let db = env.write("broken.sqlite3", "not a database at all ".repeat(300));
    let output = env
        .sobes()
        .args(["--db", db.to_str().unwrap(), "--level", "junior"])
        .write_stdin("answer\n\n")
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("broken.sqlite3") && stderr.contains("damaged"),
        "{stderr}"
    );
    assert!(!stdout_of(&output).contains("Question 1"));
    // SOBES_DB names the database too, and `history` reports the same problem.
    let output = env
        .sobes()
        .env("SOBES_DB", &db)
        .arg("history")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("damaged"));
}

/// `setpriv` to drop root, so that file permissions apply to the child.
fn unprivileged(mut cmd: std::process::Command) -> Option<std::process::Command> {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .is_some_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root {
        return Some(cmd);
    }
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .find(|p| Path::new(p).exists())?;
    let mut wrapped = std::process::Command::new(setpriv);
    wrapped
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => wrapped.env(key, value),
            None => wrapped.env_remove(key),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        wrapped.current_dir(dir);
    }
    cmd.env_clear();
    Some(wrapped)
}

#[cfg(unix)]
#[test]
fn a_read_only_history_file_is_refused_and_nothing_is_asked() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let db = env.path("ro/history.sqlite3");
    History::open(&db).unwrap();
    for (path, mode) in [
        (env.dir.path(), 0o755),
        (&env.path("ro"), 0o555),
        (&db, 0o444),
    ] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let mut cmd = env.std_sobes();
    cmd.args(["--db", db.to_str().unwrap(), "--level", "junior"]);
    let Some(mut cmd) = unprivileged(cmd) else {
        eprintln!("notice: running as root without setpriv; read-only check skipped");
        return;
    };
    let output = cmd
        .stdin(Stdio::null())
        .env("SOBES_DATA_DIR", env.path("ro"))
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("read-only"), "{stderr}");
    assert!(!stdout_of(&output).contains("Question 1"));
    // Reading it still works, although the file is in WAL mode and SQLite cannot create the
    // `-shm` file readers share in that directory.
    let mut cmd = env.std_sobes();
    cmd.args(["--db", db.to_str().unwrap(), "history", "--format", "json"]);
    let output = unprivileged(cmd)
        .unwrap()
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output).trim(), "[]");
}

#[test]
fn an_answer_over_the_limit_is_refused_and_the_next_one_is_graded() {
    let env = TestEnv::new();
    let bank = small_bank(&env);
    let huge = "слово ".repeat(12_000); // 72 KiB on one line
    let input = format!("{huge}\n\nне знаю\n\n");
    let output = run_piped(
        &env,
        &[
            "--bank",
            bank.to_str().unwrap(),
            "--level",
            "junior",
            "--count",
            "1",
        ],
        &input,
    );
    let stdout = stdout_of(&output);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stdout.contains("The answer is longer than 64 KiB. It was not graded"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("Score:").count(), 1);
    assert_eq!(history_json(&env)[0]["answered"], 1);
}

#[test]
fn killing_the_process_keeps_every_answer_already_graded() {
    let env = TestEnv::new();
    let bank = small_bank(&env);
    let mut child = env
        .std_sobes()
        .args([
            "--bank",
            bank.to_str().unwrap(),
            "--level",
            "junior",
            "--count",
            "3",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all("Первый ответ про градиент и плотность.\n\nВторой ответ.\n\n".as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    // Wait until both answers are committed, then kill -9 in the middle of the third question.
    let deadline = Instant::now() + Duration::from_secs(30);
    let answered = loop {
        let answered = History::open_existing(&env.db())
            .ok()
            .flatten()
            .and_then(|h| h.sessions().ok())
            .and_then(|s| s.first().map(|s| s.answered))
            .unwrap_or(0);
        if answered >= 2 || Instant::now() > deadline {
            break answered;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(answered, 2);
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    let sessions = history_json(&env);
    assert_eq!(sessions[0]["answered"], 2);
    assert_eq!(sessions[0]["finished"], false);
    let text = env.sobes().arg("history").output().unwrap();
    assert!(
        stdout_of(&text).contains("unfinished"),
        "{}",
        stdout_of(&text)
    );
}

#[cfg(unix)]
#[test]
fn a_real_terminal_session_with_hint_ctrl_c_and_ctrl_d() {
    use rexpect::session::spawn_command;
    let env = TestEnv::new();
    let bank = small_bank(&env);
    let mut cmd = env.std_sobes();
    cmd.args([
        "--bank",
        bank.to_str().unwrap(),
        "--level",
        "junior",
        "--count",
        "3",
        "--seed",
        "2",
    ]);
    let mut session = spawn_command(cmd, Some(20_000)).expect("spawn in a pseudo-terminal");
    session.exp_string("Question 1 of 3").unwrap();
    session.exp_string("> ").unwrap();
    session
        .send_line("Сначала про идею в общих словах.")
        .unwrap();
    session.exp_string(". ").unwrap();
    session.send_line(":hint").unwrap();
    session.exp_string("Hint: ").unwrap();
    session.send_line("").unwrap();
    session.exp_string("Score:").unwrap();
    session.exp_string("Hints used: 1").unwrap();
    session.exp_string("Question 2 of 3").unwrap();
    session
        .send_line("ответ, который я передумал давать")
        .unwrap();
    // Wait for the continuation prompt: Ctrl-C must reach the line editor, not a cooked tty.
    session.exp_string(". ").unwrap();
    session.send_control('c').unwrap();
    session.exp_string("Answer cancelled").unwrap();
    session.exp_string("> ").unwrap();
    session.send_control('d').unwrap();
    session.exp_string("Interview summary").unwrap();
    session.exp_string("Session saved").unwrap();
    session.exp_eof().unwrap();

    let history = History::open_existing(&env.db()).unwrap().unwrap();
    let sessions = history.sessions().unwrap();
    assert_eq!(sessions.len(), 1);
    assert!(sessions[0].finished);
    let answers = history.answers(sessions[0].id).unwrap();
    assert_eq!(answers.len(), 1, "the cancelled answer is not graded");
    assert_eq!(answers[0].answer, "Сначала про идею в общих словах.");
    assert_eq!(answers[0].hints.len(), 1);
    let lines = std::fs::read_to_string(env.path("data/repl-history.txt")).unwrap();
    assert!(lines.contains(":hint"), "input history is saved: {lines}");
}

#[test]
fn with_a_model_configured_answers_are_blended_and_a_dead_server_is_a_noted_fallback() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let answer = "Главная беда RNN — исчезающий градиент: он затухает на длинных последовательностях, \
                  и сеть забывает начало. Бывает и взрывающийся градиент, его режут gradient clipping.";
    let verdict = serde_json::json!({
        "covered": ["vanishing-gradient", "exploding-gradient"],
        "missed": ["slow-training"],
        "quotes": ["исчезающий градиент"],
        "feedback": "Good on gradients; training speed is not mentioned.",
        "score": 8
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(MockServer::start());
    runtime.block_on(
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": verdict.to_string()}}]
            })))
            .mount(&server),
    );
    let env = TestEnv::new();
    let bank = small_bank(&env);
    let interview = |base_url: &str| {
        env.sobes()
            // Each run asks the server: the cache would answer the second one.
            .env("SOBES_LLM_CACHE", "false")
            .env("SOBES_LLM_ENABLED", "true")
            .env("SOBES_LLM_MODE", "blend")
            .env("SOBES_LLM_BASE_URL", base_url)
            .env("SOBES_LLM_MAX_RETRIES", "0")
            .args([
                "--bank",
                bank.to_str().unwrap(),
                "--level",
                "junior",
                "--topic",
                "sequences",
                "--count",
                "1",
            ])
            .write_stdin(format!("{answer}\n\n"))
            .output()
            .unwrap()
    };
    let output = interview(&format!("{}/v1", server.uri()));
    let stdout = stdout_of(&output);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stdout.contains("Model's comment: Good on gradients"),
        "{stdout}"
    );
    assert_eq!(
        runtime.block_on(server.received_requests()).unwrap().len(),
        1
    );

    // Nothing listens on port 9: the rubric grades, and the feedback says why.
    let output = interview("http://127.0.0.1:9/v1");
    let stdout = stdout_of(&output);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stdout.contains("The LLM was not used"), "{stdout}");

    let history = History::open_existing(&env.db()).unwrap().unwrap();
    let first = &history.answers(1).unwrap()[0];
    assert_eq!(first.method, sobes::history::Method::Blend);
    assert_eq!(first.llm_score, Some(80.0));
    assert!(first
        .llm_feedback
        .as_deref()
        .unwrap()
        .contains("Good on gradients"));
    let second = &history.answers(2).unwrap()[0];
    assert_eq!(second.method, sobes::history::Method::Keyword);
    assert_eq!(second.llm_score, None);
    assert_eq!(second.score, second.keyword_score);
}
