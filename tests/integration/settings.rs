//! Issue 14, item 1: `interface.lang`, `interface.color` and `llm.mode` are enums, read once
//! when the configuration loads. A word that is none of their values is an error naming the
//! key, the value and where it came from (exit status 2), whichever layer set it; a word in
//! another case or with spaces around it is the value it spells.

use crate::util::{stderr_of, stdout_of, TestEnv};

#[test]
fn a_bad_choice_in_the_file_names_the_file_key_and_value_with_status_2() {
    for (section, key, bad, allowed) in [
        (
            "interface",
            "color",
            "rainbow",
            "\"auto\", \"always\", \"never\"",
        ),
        ("interface", "lang", "fr", "\"\", \"ru\", \"en\""),
        ("llm", "mode", "smart", "\"keyword\", \"blend\", \"llm\""),
    ] {
        let env = TestEnv::new();
        let config = env.write(
            "config/config.toml",
            format!("[{section}]\n{key} = \"{bad}\"\n"),
        );
        // Every command loads the configuration first, the interview too.
        for args in [&["questions"][..], &["--level", "junior"][..]] {
            let output = env.sobes().args(args).write_stdin("").output().unwrap();
            let stderr = stderr_of(&output);
            assert_eq!(output.status.code(), Some(2), "{key}: {stderr}");
            assert!(
                stderr.contains(&format!(
                    "{}: {section}.{key} must be one of {allowed}, not \"{bad}\"",
                    config.display()
                )),
                "{stderr}"
            );
            assert!(stdout_of(&output).is_empty(), "nothing runs: {key}");
        }
    }
}

#[test]
fn a_bad_choice_from_the_environment_or_set_names_its_origin() {
    let env = TestEnv::new();
    let output = env
        .sobes()
        .env("SOBES_INTERFACE_COLOR", "sometimes")
        .args(["--no-config", "questions"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("environment variable SOBES_INTERFACE_COLOR"),
        "{stderr}"
    );
    assert!(stderr.contains("not \"sometimes\""), "{stderr}");

    let output = env
        .sobes()
        .args(["--no-config", "--set", "llm.mode=Ensemble", "grade"])
        .args(["--question", "rnn-problems", "--answer", "x"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--set llm.mode"), "{stderr}");
    assert!(
        stderr
            .contains("llm.mode must be one of \"keyword\", \"blend\", \"llm\", not \"Ensemble\""),
        "{stderr}"
    );
}

#[test]
fn choices_are_read_in_any_case_and_shown_in_their_canonical_spelling() {
    let env = TestEnv::new();
    env.write(
        "config/config.toml",
        "[interface]\nlang = \" RU \"\ncolor = \"Always\"\n[llm]\nmode = \"BLEND\"\n",
    );
    let output = env.sobes().args(["config", "show"]).output().unwrap();
    let shown = stdout_of(&output);
    assert!(output.status.success(), "{}", stderr_of(&output));
    for line in ["lang = \"ru\"", "color = \"always\"", "mode = \"blend\""] {
        assert!(shown.contains(line), "{line}: {shown}");
    }
    // The language set in the file is the interface's: the test environment's locale is
    // English and no --lang is given. (--color=never, which the environment passes, wins
    // over the file's colour, as a flag does.)
    let output = env
        .sobes()
        .args(["grade", "--question", "rnn-problems", "--answer", "RNN"])
        .output()
        .unwrap();
    let text = stdout_of(&output);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        text.contains("Оценка:"),
        "Russian from interface.lang: {text}"
    );
    assert!(
        !text.contains('\x1b'),
        "the flag wins over the file: {text}"
    );
}
