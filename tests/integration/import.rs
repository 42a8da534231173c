//! `import telegram-text`: channel dumps become a bank with drafted rubrics.

use serde_json::Value;

use crate::util::{fixture, repo_root, stderr_of, TestEnv};

fn imported(env: &TestEnv, dump: &std::path::Path) -> Vec<Value> {
    let out = env.path("bank");
    env.sobes()
        .args(["import", "telegram-text"])
        .arg(dump)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let output = env
        .sobes()
        .arg("--bank")
        .arg(&out)
        .args(["questions", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn the_seed_channel_imports_as_six_questions() {
    let seed = repo_root().join("../shared/seeds/000_1157cbe2cc5f9afc.txt");
    if !seed.exists() {
        eprintln!(
            "notice: {} is absent; the seed import test checks nothing",
            seed.display()
        );
        return;
    }
    let env = TestEnv::new();
    let questions = imported(&env, &seed);
    assert_eq!(questions.len(), 6);
    let levels: Vec<String> = questions.iter().map(|q| q["levels"].to_string()).collect();
    assert_eq!(
        levels.iter().filter(|l| *l == "[\"middle\"]").count(),
        2,
        "{levels:?}"
    );
    assert_eq!(
        levels
            .iter()
            .filter(|l| *l == "[\"junior\",\"middle\"]")
            .count(),
        4,
        "{levels:?}"
    );
    let rnn = questions
        .iter()
        .find(|q| q["question"].as_str().unwrap().contains("RNN"))
        .unwrap();
    let id = rnn["id"].as_str().unwrap();
    let data = std::fs::read_to_string(env.path(&format!("bank/data/{id}.toml"))).unwrap();
    assert_eq!(
        data.matches("Взрывающийся градиент.").count(),
        1,
        "the body is kept once"
    );
    assert!(data.contains("popularity = 4"));
    assert!(env.path(&format!("bank/rubrics/{id}.toml")).exists());
}

#[test]
fn a_dump_of_our_own_imports_with_levels_topics_and_drafts() {
    let env = TestEnv::new();
    let questions = imported(&env, &fixture("telegram/own-channel.txt"));
    assert_eq!(questions.len(), 2);
    assert_eq!(
        questions[1]["levels"],
        serde_json::json!(["middle", "senior"])
    );
    assert_eq!(questions[1]["topics"], serde_json::json!(["nlp"]));
    assert_eq!(questions[0]["popularity"], 24);
    // Drafted rubrics pass the structural checks, flagged as drafts (warnings only).
    let output = env
        .sobes()
        .arg("--bank")
        .arg(env.path("bank"))
        .args(["rubric", "check"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("drafted automatically"));
}

#[test]
fn importing_twice_skips_the_duplicates() {
    let env = TestEnv::new();
    let dump = fixture("telegram/own-channel.txt");
    imported(&env, &dump);
    let output = env
        .sobes()
        .args(["import", "telegram-text"])
        .arg(&dump)
        .arg("--out")
        .arg(env.path("bank"))
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(stderr_of(&output).matches("already in the bank").count(), 2);
    assert_eq!(std::fs::read_dir(env.path("bank/data")).unwrap().count(), 2);
}

#[test]
fn a_file_that_is_not_a_dump_is_refused_and_nothing_written() {
    let env = TestEnv::new();
    let empty = env.write("empty.txt", "");
    env.sobes()
        .args(["import", "telegram-text"])
        .arg(&empty)
        .arg("--out")
        .arg(env.path("bank"))
        .assert()
        .code(2);
    let binary = env.write("bin.txt", b"\xff\xd8\xff\xe0 JFIF");
    env.sobes()
        .args(["import", "telegram-text"])
        .arg(&binary)
        .arg("--out")
        .arg(env.path("bank"))
        .assert()
        .code(2);
    assert!(!env.path("bank").exists());
}

/// Run `sobes import KIND FILE --out DIR`.
fn import(env: &TestEnv, kind: &str, file: &std::path::Path, out: &str) -> std::process::Output {
    env.sobes()
        .args(["import", kind])
        .arg(file)
        .arg("--out")
        .arg(env.path(out))
        .output()
        .unwrap()
}

fn questions_of(env: &TestEnv, bank: &str) -> Vec<Value> {
    let output = env
        .sobes()
        .arg("--bank")
        .arg(env.path(bank))
        .args(["questions", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn find<'a>(questions: &'a [Value], text: &str) -> &'a Value {
    questions
        .iter()
        .find(|q| q["question"].as_str().unwrap().contains(text))
        .unwrap_or_else(|| panic!("no question with {text:?} in {questions:#?}"))
}

fn data_file(env: &TestEnv, bank: &str, question: &Value) -> String {
    let id = question["id"].as_str().unwrap();
    std::fs::read_to_string(env.path(&format!("{bank}/data/{id}.toml"))).unwrap()
}

#[test]
fn a_telegram_json_channel_export_imports_its_question_posts() {
    let env = TestEnv::new();
    let output = import(
        &env,
        "telegram-json",
        &fixture("telegram/channel-export.json"),
        "bank",
    );
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stderr = stderr_of(&output);
    assert!(stderr.contains("2 service messages skipped"), "{stderr}");
    assert!(
        stderr.contains("message 3: not a question post"),
        "{stderr}"
    );
    assert!(
        stderr.contains("message 7: not a question post"),
        "{stderr}"
    );
    let questions = questions_of(&env, "bank");
    assert_eq!(questions.len(), 3, "{questions:#?}");

    // A bold question line with the answer in a spoiler and bullets; reactions summed.
    let overfitting = find(&questions, "переобучение");
    assert_eq!(
        overfitting["question"],
        "Что такое переобучение и как с ним бороться?"
    );
    assert_eq!(
        overfitting["levels"],
        serde_json::json!(["junior", "middle"])
    );
    assert_eq!(overfitting["topics"], serde_json::json!(["classic-ml"]));
    assert_eq!(overfitting["popularity"], 15);
    let data = data_file(&env, "bank", overfitting);
    assert!(data.contains("запоминает шум"), "{data}");
    assert!(data.contains("Ранняя остановка"), "{data}");
    assert!(
        !data.contains("#junior"),
        "hashtags are not part of the answer: {data}"
    );

    // A plain question line with the answer in a blockquote.
    let attention = find(&questions, "attention");
    assert_eq!(attention["levels"], serde_json::json!(["senior"]));
    assert_eq!(attention["popularity"], 9);
    assert!(data_file(&env, "bank", attention).contains("состояния энкодера"));

    // A bold "Вопрос:" label before the question.
    let bagging = find(&questions, "bagging");
    assert_eq!(bagging["question"], "Чем bagging отличается от boosting?");

    // Every question has a drafted rubric.
    for q in &questions {
        let id = q["id"].as_str().unwrap();
        let rubric = std::fs::read_to_string(env.path(&format!("bank/rubrics/{id}.toml"))).unwrap();
        assert!(rubric.contains("drafted = true"), "{rubric}");
    }
}

#[test]
fn a_full_telegram_export_without_reactions_reads_every_chat() {
    let env = TestEnv::new();
    let output = import(
        &env,
        "telegram-json",
        &fixture("telegram/full-export.json"),
        "bank",
    );
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("1 service messages skipped"));
    let questions = questions_of(&env, "bank");
    assert_eq!(questions.len(), 3, "{questions:#?}");
    assert!(questions.iter().all(|q| q["popularity"].is_null()));
    let dropout = find(&questions, "dropout");
    assert_eq!(dropout["lang"], "en");
    assert_eq!(dropout["topics"], serde_json::json!(["deep-learning"]));
    let kmeans = find(&questions, "k-means");
    assert_eq!(kmeans["topics"], serde_json::json!(["clustering"]));
    assert!(data_file(&env, "bank", kmeans).contains("source = \"telegram:full-export.json#1\""));

    // Importing the one-chat export into the same bank adds to it; a second time skips all.
    let output = import(
        &env,
        "telegram-json",
        &fixture("telegram/channel-export.json"),
        "bank",
    );
    assert!(output.status.success());
    assert_eq!(questions_of(&env, "bank").len(), 6);
    let output = import(
        &env,
        "telegram-json",
        &fixture("telegram/channel-export.json"),
        "bank",
    );
    assert!(output.status.success());
    assert_eq!(
        stderr_of(&output).matches("already in the bank").count(),
        3,
        "{}",
        stderr_of(&output)
    );
    assert_eq!(questions_of(&env, "bank").len(), 6);
}

#[test]
fn bad_telegram_exports_are_refused_and_nothing_is_written() {
    let env = TestEnv::new();
    let full = std::fs::read_to_string(fixture("telegram/channel-export.json")).unwrap();
    let cut: String = full.chars().take(full.chars().count() / 2).collect();
    let cases: Vec<(&str, std::path::PathBuf, &str)> = vec![
        ("truncated", env.write("truncated.json", cut), "truncated"),
        (
            "not UTF-8",
            env.write("latin1.json", b"{\"name\": \"\xe9t\xe9\", \"messages\": []}"),
            "not valid UTF-8",
        ),
        (
            "not Telegram",
            env.write("other.json", "{\"users\": [{\"name\": \"x\"}]}"),
            "not a Telegram export",
        ),
        ("empty", env.write("empty.json", ""), "empty"),
        (
            "no questions",
            env.write(
                "chat.json",
                "{\"name\": \"c\", \"type\": \"public_channel\", \"id\": 1, \"messages\": [{\"id\": 1, \"type\": \"service\", \"text\": \"\"}]}",
            ),
            "no questions found",
        ),
    ];
    for (what, file, message) in cases {
        let output = import(&env, "telegram-json", &file, "bank");
        assert_eq!(
            output.status.code(),
            Some(2),
            "{what}: {}",
            stderr_of(&output)
        );
        let stderr = stderr_of(&output);
        assert!(stderr.contains(message), "{what}: {stderr}");
        assert!(
            stderr.contains(file.file_name().unwrap().to_str().unwrap()),
            "{what}: {stderr}"
        );
        assert!(!env.path("bank").exists(), "{what}: a bank was left behind");
    }
    // No staging directory is left behind either.
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("sobes-import"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn markdown_with_emoji_levels_topics_and_code() {
    let env = TestEnv::new();
    let output = import(
        &env,
        "markdown",
        &fixture("markdown/emoji-levels.md"),
        "bank",
    );
    assert!(output.status.success(), "{}", stderr_of(&output));
    let questions = questions_of(&env, "bank");
    assert_eq!(questions.len(), 3, "{questions:#?}");
    let cv = find(&questions, "кросс-валидация");
    assert_eq!(cv["question"], "Что такое кросс-валидация?");
    assert_eq!(cv["levels"], serde_json::json!(["junior"]));
    assert_eq!(cv["topics"], serde_json::json!(["klassicheskii-ml"]));
    let trees = find(&questions, "экстраполируют");
    assert_eq!(trees["levels"], serde_json::json!(["middle"]));
    let data = data_file(&env, "bank", trees);
    assert!(data.contains("# Вопрос внутри кода не вопрос?"), "{data}");
    assert!(!data.contains("Back to top"), "{data}");
    let norm = find(&questions, "нормализация");
    assert_eq!(norm["levels"], serde_json::json!(["senior"]));
    assert_eq!(norm["topics"], serde_json::json!(["glubokoe-obuchenie"]));
    assert!(!data_file(&env, "bank", norm).contains("---"));
}

#[test]
fn markdown_with_bold_questions_and_bracket_levels() {
    let env = TestEnv::new();
    let output = import(
        &env,
        "markdown",
        &fixture("markdown/bracket-levels.md"),
        "bank",
    );
    assert!(output.status.success(), "{}", stderr_of(&output));
    let questions = questions_of(&env, "bank");
    assert_eq!(questions.len(), 3, "{questions:#?}");
    let p_value = find(&questions, "p-value");
    assert_eq!(p_value["question"], "What is a p-value?");
    assert_eq!(p_value["levels"], serde_json::json!(["junior"]));
    assert_eq!(p_value["topics"], serde_json::json!(["statistics"]));
    assert_eq!(
        find(&questions, "peeking")["levels"],
        serde_json::json!(["middle"])
    );
    let cold = find(&questions, "cold start");
    assert_eq!(cold["levels"], serde_json::json!(["senior"]));
    assert_eq!(cold["topics"], serde_json::json!(["recommender-systems"]));
    // A bold line that is not a question stays in the answer before it.
    assert!(data_file(&env, "bank", cold).contains("**Note:**"));
}

#[test]
fn markdown_details_blocks_hold_questions_or_answers() {
    let env = TestEnv::new();
    let output = import(&env, "markdown", &fixture("markdown/details.md"), "bank");
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("2 questions had no level mark and were tagged middle"));
    let questions = questions_of(&env, "bank");
    assert_eq!(questions.len(), 2, "{questions:#?}");
    let momentum = find(&questions, "momentum");
    assert_eq!(momentum["topics"], serde_json::json!(["optimisation"]));
    assert!(data_file(&env, "bank", momentum).contains("exponential average"));
    let adam = find(&questions, "Adam");
    let data = data_file(&env, "bank", adam);
    assert!(data.contains("moment estimates start at zero"), "{data}");
    assert!(!data.contains("summary"), "{data}");
}

#[test]
fn markdown_placeholder_answers_are_imported_without_a_rubric() {
    let env = TestEnv::new();
    let output = import(
        &env,
        "markdown",
        &fixture("markdown/placeholders.md"),
        "bank",
    );
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stderr = stderr_of(&output);
    assert_eq!(
        stderr
            .matches("placeholder; imported without a rubric")
            .count(),
        3,
        "{stderr}"
    );
    let questions = questions_of(&env, "bank");
    assert_eq!(questions.len(), 4);
    let with_rubric: Vec<&str> = questions
        .iter()
        .filter(|q| q["has_rubric"] == true)
        .map(|q| q["question"].as_str().unwrap())
        .collect();
    assert_eq!(
        with_rubric,
        ["What is the difference between WHERE and HAVING?"]
    );
    // The empty answer is stored as an explicit marker, so the bank still loads.
    let index = find(&questions, "index harmful");
    assert!(data_file(&env, "bank", index).contains("no reference answer in the source"));
}

#[test]
fn jsonl_bad_lines_are_reported_and_the_rest_imported() {
    let env = TestEnv::new();
    let output = import(&env, "jsonl", &fixture("jsonl/questions.jsonl"), "bank");
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let stderr = stderr_of(&output);
    for expected in [
        "questions.jsonl: line 3: not JSON",
        "questions.jsonl: line 4: missing \"answer\"",
        "questions.jsonl: line 5: \"id\" \"Bad Id!\"",
        "questions.jsonl: line 6: not a JSON object",
        "questions.jsonl: line 8: unknown level \"guru\"",
        "skipped \"What is the bias-variance trade-off?\": the same question appears earlier in the file",
    ] {
        assert!(stderr.contains(expected), "{expected:?} not in {stderr}");
    }
    let questions = questions_of(&env, "bank");
    let ids: Vec<&str> = questions
        .iter()
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids.contains(&"bias-variance") && ids.contains(&"f1-score"));
    let derived = find(&questions, "градиентный спуск");
    assert_eq!(derived["lang"], "ru");
    assert_eq!(
        find(&questions, "bias-variance")["levels"],
        serde_json::json!(["junior", "middle"])
    );

    // `rubric draft` prints a draft for an imported question.
    let output = env
        .sobes()
        .arg("--bank")
        .arg(env.path("bank"))
        .args(["rubric", "draft", "f1-score"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let draft = crate::util::stdout_of(&output);
    assert!(draft.contains("drafted = true"), "{draft}");
    assert!(draft.contains("harmonic"), "{draft}");
}

#[test]
fn empty_or_binary_markdown_and_jsonl_are_refused() {
    let env = TestEnv::new();
    let empty = env.write("empty.md", "\n\n");
    let binary = env.write("bin.jsonl", b"\xff\xfe{\"question\": 1}");
    let no_questions = env.write("prose.md", "# Notes\n\nJust some prose, no questions.\n");
    for (kind, file, message) in [
        ("markdown", &empty, "empty"),
        ("jsonl", &binary, "not valid UTF-8"),
        ("markdown", &no_questions, "no questions found"),
    ] {
        let output = import(&env, kind, file, "bank");
        assert_eq!(output.status.code(), Some(2), "{}", stderr_of(&output));
        assert!(
            stderr_of(&output).contains(message),
            "{}",
            stderr_of(&output)
        );
        assert!(!env.path("bank").exists());
    }
}

#[test]
fn drafted_rubrics_pass_the_check_and_bad_scoring_is_reported() {
    let env = TestEnv::new();
    import(&env, "jsonl", &fixture("jsonl/questions.jsonl"), "bank");
    let check = || {
        env.sobes()
            .arg("--bank")
            .arg(env.path("bank"))
            .args(["rubric", "check"])
            .output()
            .unwrap()
    };
    let output = check();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let path = env.path("bank/rubrics/f1-score.toml");
    let rubric = std::fs::read_to_string(&path).unwrap();
    assert!(rubric.contains("[scoring]"), "{rubric}");
    assert!(rubric.contains("coverage_exponent = 0.65"), "{rubric}");
    std::fs::write(
        &path,
        rubric.replace("coverage_exponent = 0.65", "coverage_exponent = 0.0"),
    )
    .unwrap();
    let output = check();
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains(
            "f1-score.toml:7: error: [scoring] coverage_exponent = 0 must be between 0.05 and 20"
        ),
        "{stderr}"
    );
    // The blend with the reference answer is a share of the score.
    let blend = rubric
        .lines()
        .find(|l| l.starts_with("reference_blend = "))
        .expect("short drafts blend in the reference answer");
    std::fs::write(&path, rubric.replace(blend, "reference_blend = 1.5")).unwrap();
    let output = check();
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("error: [scoring] reference_blend = 1.5 must be between 0 and 1"),
        "{stderr}"
    );
}

#[test]
fn import_speaks_russian_too() {
    let env = TestEnv::new();
    let run = || {
        env.sobes()
            .args(["--lang", "ru", "import", "markdown"])
            .arg(fixture("markdown/placeholders.md"))
            .arg("--out")
            .arg(env.path("bank"))
            .output()
            .unwrap()
    };
    let first = run();
    assert!(first.status.success(), "{}", stderr_of(&first));
    let stdout = crate::util::stdout_of(&first);
    assert!(stdout.contains("импортирован "), "{stdout}");
    assert!(stdout.contains("Записано вопросов"), "{stdout}");
    assert!(stderr_of(&first).contains("эталонный ответ — заглушка; импортирован без рубрики"));
    let second = run();
    assert_eq!(
        stderr_of(&second)
            .matches("такой вопрос уже есть в банке")
            .count(),
        4,
        "{}",
        stderr_of(&second)
    );
}
