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
