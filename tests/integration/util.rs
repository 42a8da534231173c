//! A clean environment per test: no user config, no SOBES_* variables, no colour.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

pub struct TestEnv {
    pub dir: TempDir,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("create a temporary directory"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// `sobes` with an isolated config and data directory, English, no colour.
    pub fn sobes(&self) -> Command {
        Command::from_std(self.std_sobes())
    }

    /// The same, as a plain `std::process::Command` (for spawning and pseudo-terminals).
    pub fn std_sobes(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("sobes"));
        for (key, _) in std::env::vars() {
            if key.starts_with("SOBES_") {
                cmd.env_remove(key);
            }
        }
        cmd.env_remove("NO_COLOR")
            .env_remove("OPENAI_API_KEY")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "C.UTF-8")
            .env("SOBES_CONFIG_DIR", self.path("config"))
            .env("SOBES_DATA_DIR", self.path("data"))
            .env("SOBES_CACHE_DIR", self.path("cache"))
            .current_dir(self.dir.path())
            .arg("--color=never");
        cmd
    }

    /// The history database the isolated environment uses by default.
    pub fn db(&self) -> PathBuf {
        self.path("data/history.sqlite3")
    }
}

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(path: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(path)
}

pub fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
