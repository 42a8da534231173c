//! Item 5: a bank whose rubrics `rubric check` finds errors in is refused by `grade`, the
//! interview, `questions` and `eval` (status 2, the errors listed), while `rubric check` and
//! `rubric draft` still load it to help mend it. The bundled bank is clean.

use crate::util::{repo_root, stderr_of, stdout_of, TestEnv};

/// A bank with dbscan and rnn-problems, dbscan's rubric changed by `edit`.
fn bank_with(env: &TestEnv, edit: impl Fn(String) -> String) -> std::path::PathBuf {
    for id in ["dbscan", "rnn-problems"] {
        for dir in ["data", "rubrics"] {
            let mut text =
                std::fs::read_to_string(repo_root().join(format!("{dir}/{id}.toml"))).unwrap();
            if id == "dbscan" && dir == "rubrics" {
                text = edit(text);
            }
            env.write(&format!("bank/{dir}/{id}.toml"), text);
        }
    }
    env.path("bank")
}

/// A change to a rubric's text.
type Edit = Box<dyn Fn(String) -> String>;

/// The first concept's weight (`weight = 3` is the first line of that form).
fn first_weight(value: &'static str) -> impl Fn(String) -> String {
    move |text| text.replacen("weight = 3", &format!("weight = {value}"), 1)
}

#[test]
fn issue16_broken_rubrics_are_refused_by_every_command_that_uses_the_bank() {
    let no_concepts = |text: String| {
        let cut = text.find("[[concept]]").unwrap();
        text[..cut].to_owned()
    };
    let alias_never_found = |text: String| {
        let start = text.find("aliases = [").unwrap();
        let end = start + text[start..].find(']').unwrap() + 1;
        format!("{}aliases = [\"гиперкуб\"]{}", &text[..start], &text[end..])
    };
    // The first misconception keeps neither phrases nor cues.
    let no_phrases = |text: String| {
        let start = text.find("phrases = [").unwrap();
        let end = start + text[start..].find(']').unwrap() + 1;
        let mut rest = text[end..].to_string();
        let next_section = rest.find("[[").unwrap_or(rest.len());
        if let Some(cues) = rest.find("cues = [").filter(|&c| c < next_section) {
            let cues_end = cues + rest[cues..].find(']').unwrap() + 1;
            rest.replace_range(cues..cues_end, "");
        }
        format!("{}phrases = []{rest}", &text[..start])
    };
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "no concepts",
            Box::new(no_concepts),
            "the rubric has no concepts",
        ),
        (
            "weight inf",
            Box::new(first_weight("inf")),
            "weight inf must be above 0",
        ),
        (
            "weight nan",
            Box::new(first_weight("nan")),
            "weight NaN must be above 0",
        ),
        (
            "weight 0",
            Box::new(first_weight("0")),
            "weight 0 must be above 0",
        ),
        (
            "weight -1",
            Box::new(first_weight("-1")),
            "weight -1 must be above 0",
        ),
        (
            "alias never found",
            Box::new(alias_never_found),
            "none of its aliases occurs in the reference answer",
        ),
        (
            "no phrases",
            Box::new(no_phrases),
            "has no phrases and no cues (it can never match)",
        ),
    ];
    for (name, edit, message) in cases {
        let env = TestEnv::new();
        let bank = bank_with(&env, edit);
        let bank = bank.to_str().unwrap();
        let graded = env.write(
            "graded.jsonl",
            "{\"id\": 1, \"question_id\": \"dbscan\", \"answer\": \"плотность\", \"grade\": 3}\n",
        );
        let batch = env.write(
            "in.jsonl",
            "{\"id\": 1, \"question_id\": \"rnn-problems\", \"answer\": \"градиент\"}\n",
        );
        let uses: Vec<Vec<&str>> = vec![
            vec!["grade", "--question", "dbscan", "--answer", "плотность"],
            // Even grading another question of the bank: the bank as a whole is refused.
            vec!["grade", "--batch", batch.to_str().unwrap()],
            vec!["questions"],
            vec!["eval", graded.to_str().unwrap()],
            vec!["interview", "--level", "middle", "--count", "1"],
        ];
        for args in uses {
            let output = env
                .sobes()
                .args(["--bank", bank])
                .args(&args)
                .write_stdin("DBSCAN ищет плотные области.\n\n")
                .output()
                .unwrap();
            let stderr = stderr_of(&output);
            assert_eq!(output.status.code(), Some(2), "{name} {args:?}: {stderr}");
            assert!(stderr.contains(message), "{name} {args:?}: {stderr}");
            assert!(
                stderr.contains("rubric error(s), listed above"),
                "{name} {args:?}: {stderr}"
            );
            assert!(!stdout_of(&output).contains("Score"), "{name} {args:?}");
        }
        assert!(!env.db().exists(), "{name}: no interview was started");
        // The tools to mend it still load it.
        let check = env
            .sobes()
            .args(["--bank", bank, "rubric", "check"])
            .output()
            .unwrap();
        assert_eq!(check.status.code(), Some(2), "{name}");
        assert!(
            stderr_of(&check).contains(message),
            "{name}: {}",
            stderr_of(&check)
        );
        let draft = env
            .sobes()
            .args(["--bank", bank, "rubric", "draft", "dbscan"])
            .output()
            .unwrap();
        assert!(draft.status.success(), "{name}: {}", stderr_of(&draft));
    }
}

#[test]
fn issue16_a_question_without_a_rubric_does_not_make_the_bank_unusable() {
    let env = TestEnv::new();
    let bank = bank_with(&env, |text| text);
    std::fs::remove_file(bank.join("rubrics/dbscan.toml")).unwrap();
    let output = env
        .sobes()
        .arg("--bank")
        .arg(&bank)
        .args([
            "grade",
            "--question",
            "rnn-problems",
            "--answer",
            "градиент",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let output = env
        .sobes()
        .arg("--bank")
        .arg(&bank)
        .args(["grade", "--question", "dbscan", "--answer", "плотность"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("has no rubric, so it cannot be graded"));
}

#[test]
fn issue16_settings_that_make_aliases_unfindable_are_named_as_the_cause() {
    let env = TestEnv::new();
    let output = env
        .sobes()
        .args(["--set", "grading.max_gap=0"])
        .args(["grade", "--question", "dbscan", "--answer", "плотность"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("none of its aliases occurs"), "{stderr}");
    assert!(
        stderr.contains("with the default [grading] settings it has none"),
        "{stderr}"
    );
}

#[test]
fn issue16_the_bundled_bank_passes_the_check_and_loads() {
    let env = TestEnv::new();
    let output = env.sobes().args(["rubric", "check"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        stdout_of(&output).contains(": 0 errors"),
        "{}",
        stdout_of(&output)
    );
    let output = env
        .sobes()
        .args(["grade", "--question", "dbscan", "--answer", "плотность"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
}
