//! Items 1 and 6: `--out` writes through symlinks, FIFOs and devices and renames only over
//! regular files; a closed pipe ends quietly with status 0, any other write error (`/dev/full`)
//! is a message and status 1, and nothing panics.

use std::ffi::CString;
use std::fs::{self, File};
use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Output, Stdio};

use super::{batch_file, leftovers};
use crate::util::{stderr_of, stdout_of, TestEnv};

/// The write end of a pipe whose read end is already closed: the first write fails with EPIPE.
/// `sobes grade --batch BATCH --out TARGET`, run to its end.
fn batch_out(env: &TestEnv, batch: &Path, target: impl AsRef<std::ffi::OsStr>) -> Output {
    env.sobes()
        .args(["grade", "--batch"])
        .arg(batch)
        .arg("--out")
        .arg(target)
        .output()
        .unwrap()
}

fn closed_pipe() -> OwnedFd {
    let mut fds = [0; 2];
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    unsafe {
        libc::close(fds[0]);
        OwnedFd::from_raw_fd(fds[1])
    }
}

fn mkfifo(path: &Path) {
    let name = CString::new(path.as_os_str().as_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
}

/// Commands that print on standard output, with what they need in `env`.
fn printing_commands(env: &TestEnv) -> Vec<Vec<String>> {
    let batch = batch_file(env).display().to_string();
    // A history with one session, for `history` and `stats`.
    let output = env
        .sobes()
        .args(["--level", "junior", "--count", "1", "--seed", "1"])
        .write_stdin(":skip\n")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    [
        vec!["questions", "--format", "json"],
        vec!["questions"],
        vec!["questions", "--stats"],
        vec![
            "grade",
            "--question",
            "dbscan",
            "--answer",
            "плотность",
            "--format",
            "json",
        ],
        vec!["grade", "--question", "dbscan", "--answer", "плотность"],
        vec!["grade", "--batch", &batch],
        vec!["history", "--format", "json"],
        vec!["history"],
        vec!["stats"],
        vec!["stats", "--format", "json"],
        vec!["report", "last"],
        vec!["progress"],
        vec!["config", "show"],
        vec!["config", "default"],
        vec!["config", "paths"],
        vec!["rubric", "draft", "dbscan"],
        vec!["rubric", "check"],
        vec!["--help"],
    ]
    .into_iter()
    .map(|args| args.into_iter().map(str::to_owned).collect())
    .collect()
}

#[test]
fn issue16_output_to_dev_full_is_an_error_with_status_1_not_a_panic() {
    let env = TestEnv::new();
    for args in printing_commands(&env) {
        let output = env
            .std_sobes()
            .args(&args)
            .stdout(File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            stderr.contains("No space left on device"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn issue16_a_closed_pipe_ends_quietly_with_status_0() {
    let env = TestEnv::new();
    for args in printing_commands(&env) {
        let output = env
            .std_sobes()
            .args(&args)
            .stdout(Stdio::from(closed_pipe()))
            .output()
            .unwrap();
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("error"), "{args:?}: {stderr}");
    }
}

#[test]
fn issue16_out_through_a_symlink_writes_its_target_and_keeps_the_link() {
    let env = TestEnv::new();
    let batch = batch_file(&env);
    let target = env.write("results/real.jsonl", "old contents\n");
    let link = env.path("link.jsonl");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let output = batch_out(&env, &batch, &link);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let written = fs::read_to_string(&target).unwrap();
    assert_eq!(written.lines().count(), 3, "{written}");
    assert!(
        written.lines().next().unwrap().contains("\"id\":1,"),
        "{written}"
    );
    assert!(leftovers(env.dir.path()).is_empty());
    assert!(leftovers(&env.path("results")).is_empty());
}

#[test]
fn issue16_out_into_a_fifo_writes_through_it_and_it_stays_a_fifo() {
    let env = TestEnv::new();
    let batch = batch_file(&env);
    let fifo = env.path("results.fifo");
    mkfifo(&fifo);
    // Hold the read end open (non-blocking, so no thread waits): sobes' open for writing
    // then succeeds at once, and its output waits in the pipe until read below.
    let mut reader = {
        use std::os::unix::fs::OpenOptionsExt;
        fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo)
            .unwrap()
    };
    let output = batch_out(&env, &batch, &fifo);
    let mut text = String::new();
    // No writer is left: the read ends at the end of what sobes wrote (nothing, if it never did).
    let _ = reader.read_to_string(&mut text);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(leftovers(env.dir.path()).is_empty());
}

#[test]
fn issue16_out_to_dev_stdout_and_through_a_link_to_dev_null() {
    let env = TestEnv::new();
    let batch = batch_file(&env);
    let output = batch_out(&env, &batch, "/dev/stdout");
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output).lines().count(), 3);

    let link = env.path("null");
    std::os::unix::fs::symlink("/dev/null", &link).unwrap();
    let output = batch_out(&env, &batch, &link);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
    assert!(leftovers(env.dir.path()).is_empty());
}

#[test]
fn issue16_out_and_report_to_dev_full_fail_with_status_1_and_the_device_stays() {
    let env = TestEnv::new();
    let batch = batch_file(&env);
    let output = batch_out(&env, &batch, "/dev/full");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write /dev/full: No space left on device"),
        "{stderr}"
    );
    assert!(fs::metadata("/dev/full")
        .unwrap()
        .file_type()
        .is_char_device());
    // A report through a link to /dev/full: the same status as a failed --out.
    let link = env.path("report.html");
    std::os::unix::fs::symlink("/dev/full", &link).unwrap();
    let output = env
        .std_sobes()
        .args(["grade", "--batch"])
        .arg(&batch)
        .arg("--report")
        .arg(&link)
        .stdout(Stdio::null())
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn issue16_a_failed_write_leaves_no_temporary_file() {
    let env = TestEnv::new();
    let batch = batch_file(&env);
    // The target is a directory.
    let dir = env.path("results");
    fs::create_dir_all(&dir).unwrap();
    for flag in ["--out", "--report"] {
        let output = env
            .std_sobes()
            .args(["grade", "--batch"])
            .arg(&batch)
            .arg(flag)
            .arg(&dir)
            .args(["--format", "jsonl"])
            .stdout(Stdio::null())
            .output()
            .unwrap();
        let stderr = stderr_of(&output);
        if flag == "--report" && output.status.code() == Some(2) {
            // A directory has no extension to tell the format by.
            assert!(stderr.contains("cannot tell the report format"), "{stderr}");
            continue;
        }
        assert_eq!(output.status.code(), Some(1), "{flag}: {stderr}");
        assert!(stderr.contains("it is a directory"), "{stderr}");
    }
    let report_dir = env.path("report.html");
    fs::create_dir_all(&report_dir).unwrap();
    let output = env
        .std_sobes()
        .args(["grade", "--batch"])
        .arg(&batch)
        .arg("--report")
        .arg(&report_dir)
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    assert!(leftovers(env.dir.path()).is_empty());

    // A full disk: the file size limit makes every write past 1 KiB fail with EFBIG.
    let out = env.write("out.jsonl", "previous results\n");
    let mut cmd = env.std_sobes();
    cmd.args(["grade", "--batch"])
        .arg(&batch)
        .arg("--out")
        .arg(&out);
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: 100,
                rlim_max: 100,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let output: Output = cmd.output().unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert_eq!(fs::read_to_string(&out).unwrap(), "previous results\n");
    assert!(
        leftovers(env.dir.path()).is_empty(),
        "{:?}",
        leftovers(env.dir.path())
    );
}

#[test]
fn issue16_out_and_report_with_one_stem_replace_regular_files() {
    let env = TestEnv::new();
    let batch = batch_file(&env);
    let out = env.write("a.jsonl", "old\n");
    let report = env.write("a.json", "old\n");
    let output = env
        .sobes()
        .args(["grade", "--batch"])
        .arg(&batch)
        .arg("--out")
        .arg(&out)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(fs::read_to_string(&out).unwrap().lines().count(), 3);
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
    assert!(report.is_object());
    assert!(leftovers(env.dir.path()).is_empty());
}
