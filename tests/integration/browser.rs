//! `sobes serve` in a real headless browser (Debian's chromium, as the report test uses),
//! driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: JSON messages, each
//! ended by a NUL byte, on file descriptors 3 and 4): the start page is filled in and
//! submitted, an answer is typed and submitted through the real form, and the feedback page
//! must show the grade. No console error, no uncaught exception, no request to anything but the
//! server's loopback address.
//!
//! With `SOBES_SCREENSHOT_DIR=DIR` the test also saves the start, question, feedback and
//! summary pages as PNG files there (how the README's screenshots in docs/ are made).

#![cfg(unix)]

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::FromRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::report::chromium;
use crate::serve::Server;
use crate::util::TestEnv;

/// A headless chromium spoken to over its DevTools pipe.
struct Browser {
    child: Child,
    to_browser: File,
    from_browser: Receiver<Value>,
    next_id: u64,
    /// The page's session, once attached.
    session: Option<String>,
    /// Events seen so far, in order.
    events: Vec<Value>,
}

/// Two pipes: (read end, write end), both close-on-exec in this process.
fn pipe() -> (i32, i32) {
    let mut fds = [0; 2];
    // SAFETY: a plain pipe2 call with a valid two-element array.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    (fds[0], fds[1])
}

impl Browser {
    fn launch(browser: &Path, home: &Path) -> Browser {
        let (cmd_read, cmd_write) = pipe();
        let (reply_read, reply_write) = pipe();
        let mut command = Command::new(browser);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1000,1200",
                "--remote-debugging-pipe",
            ])
            .arg(format!(
                "--user-data-dir={}",
                home.join("profile").display()
            ))
            .arg("about:blank")
            .env("HOME", home)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: only async-signal-safe calls (fcntl, dup2) between fork and exec.
        unsafe {
            command.pre_exec(move || {
                // Move both ends out of the way first, then onto 3 and 4 (without CLOEXEC).
                let a = libc::fcntl(cmd_read, libc::F_DUPFD, 10);
                let b = libc::fcntl(reply_write, libc::F_DUPFD, 10);
                if a < 0 || b < 0 || libc::dup2(a, 3) < 0 || libc::dup2(b, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("start chromium");
        // SAFETY: these descriptors are ours alone from here on.
        unsafe {
            libc::close(cmd_read);
            libc::close(reply_write);
        }
        let to_browser = unsafe { File::from_raw_fd(cmd_write) };
        let replies = unsafe { File::from_raw_fd(reply_read) };
        let (sender, from_browser) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(replies);
            loop {
                let mut message = Vec::new();
                match reader.read_until(0, &mut message) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {
                        message.pop();
                        if let Ok(value) = serde_json::from_slice::<Value>(&message) {
                            if sender.send(value).is_err() {
                                return;
                            }
                        }
                    }
                }
            }
        });
        Browser {
            child,
            to_browser,
            from_browser,
            next_id: 0,
            session: None,
            events: Vec::new(),
        }
    }

    /// Send a command (to the page's session once attached) and wait for its reply.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = &self.session {
            message["sessionId"] = session.clone().into();
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.to_browser.write_all(&bytes).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let value = self
                .from_browser
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no reply to {method}"));
            if value["id"] == id {
                assert!(value["error"].is_null(), "{method}: {value}");
                return value["result"].clone();
            }
            self.events.push(value);
        }
    }

    /// Wait for an event (seen already since `from`, or still to come).
    fn wait_for(&mut self, method: &str, from: usize) {
        if self.events[from..].iter().any(|e| e["method"] == method) {
            return;
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let value = self
                .from_browser
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {method} event"));
            let found = value["method"] == method;
            self.events.push(value);
            if found {
                return;
            }
        }
    }

    /// Run `action` (which starts a navigation) and wait for the new page's load event.
    fn navigate_with(&mut self, action: impl FnOnce(&mut Browser)) {
        let from = self.events.len();
        action(self);
        self.wait_for("Page.loadEventFired", from);
    }

    /// Evaluate an expression in the page; its value.
    fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true }),
        );
        assert!(
            result["exceptionDetails"].is_null(),
            "{expression}: {result}"
        );
        result["result"]["value"].clone()
    }

    fn location(&mut self) -> String {
        self.eval("location.pathname")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Save a screenshot of the page, when asked for.
    fn screenshot(&mut self, dir: Option<&Path>, name: &str) {
        let Some(dir) = dir else { return };
        let shot = self.call(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true }),
        );
        let png = base64_decode(shot["data"].as_str().expect("PNG data"));
        assert!(png.starts_with(b"\x89PNG"));
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(name), png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let bytes: Vec<u8> = text.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c) << (18 - 6 * i);
        }
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&decoded[..chunk.len() - 1]);
    }
    out
}

#[test]
fn an_answer_submitted_in_a_real_browser_shows_its_feedback() {
    let Some(browser_path) = chromium() else {
        eprintln!(
            "notice: no chromium on this machine (.ci/run installs it); browser test skipped"
        );
        return;
    };
    let shots: Option<PathBuf> = std::env::var_os("SOBES_SCREENSHOT_DIR").map(PathBuf::from);
    let env = TestEnv::new();
    let server = Server::start(&env, &["--listen", "127.0.0.1:0"]);
    let origin = format!("http://{}", server.address);
    let home = env.path("browser-home");
    std::fs::create_dir_all(&home).unwrap();
    let mut browser = Browser::launch(&browser_path, &home);

    let targets = browser.call("Target.getTargets", json!({}));
    let page = targets["targetInfos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "page")
        .expect("a page target")["targetId"]
        .clone();
    let attached = browser.call(
        "Target.attachToTarget",
        json!({ "targetId": page, "flatten": true }),
    );
    browser.session = Some(attached["sessionId"].as_str().unwrap().to_owned());
    for domain in [
        "Page.enable",
        "Runtime.enable",
        "Log.enable",
        "Network.enable",
    ] {
        browser.call(domain, json!({}));
    }

    // The start page: English, junior, two questions on one topic.
    let url = format!("{origin}/?lang=en");
    browser.navigate_with(|b| {
        b.call("Page.navigate", json!({ "url": url }));
    });
    assert_eq!(
        browser.eval("document.querySelector('h1').textContent"),
        "Interview practice"
    );
    browser.screenshot(shots.as_deref(), "serve-start.png");
    browser.navigate_with(|b| {
        b.eval(
            "document.querySelector('select[name=level]').value = 'junior';\
             document.querySelector('input[name=topic][value=trees-ensembles]').checked = true;\
             document.querySelector('input[name=count]').value = '2';\
             document.querySelector('form button[type=submit]').click(); true",
        );
    });
    let question_path = browser.location();
    assert!(question_path.starts_with("/sessions/"), "{question_path}");
    assert_eq!(
        browser.eval("document.querySelector('h1').textContent"),
        "Question 1 of 2"
    );
    browser.eval(
        "document.querySelector('textarea[name=answer]').value = \
         'A single tree keeps splitting until every leaf is pure, so it memorises noise and overfits. \
          Limit max_depth and min_samples_leaf, or prune it. <script>document.title=\"pwned\"</script>'; true",
    );
    browser.screenshot(shots.as_deref(), "serve-question.png");

    // Submit through the real form: the server grades, redirects, and shows the feedback.
    browser.navigate_with(|b| {
        b.eval("document.querySelector('button[value=answer]').click(); true");
    });
    assert_eq!(browser.location(), format!("{question_path}/feedback"));
    assert_eq!(
        browser.eval("document.querySelector('h1').textContent"),
        "Feedback"
    );
    let score = browser.eval("document.querySelector('meter').value");
    // The question is drawn at random: any score, but always the ideas, covered or missed.
    assert!(
        score.as_f64().is_some_and(|s| (0.0..=100.0).contains(&s)),
        "a score: {score}"
    );
    let ideas = browser.eval("document.querySelectorAll('ul.concepts li').length");
    assert!(
        ideas.as_u64().is_some_and(|n| n > 0),
        "covered and missed ideas shown"
    );
    let answer = browser.eval("document.querySelector('.answer').textContent");
    assert!(
        answer.as_str().unwrap().contains("<script>document.title"),
        "the answer is shown as text: {answer}"
    );
    assert_eq!(
        browser.eval("document.scripts.length"),
        0,
        "no script element"
    );
    assert_ne!(browser.eval("document.title"), "pwned");
    // The stylesheet applied under the CSP: the card has its border.
    assert_eq!(
        browser.eval("getComputedStyle(document.querySelector('section.card')).borderTopStyle"),
        "solid"
    );
    browser.screenshot(shots.as_deref(), "serve-feedback.png");

    // On to the next question, skip it, and see the summary.
    browser.navigate_with(|b| {
        b.eval("document.querySelector('p.next a').click(); true");
    });
    assert_eq!(
        browser.eval("document.querySelector('h1').textContent"),
        "Question 2 of 2"
    );
    browser.navigate_with(|b| {
        b.eval("document.querySelector('button[value=skip]').click(); true");
    });
    browser.navigate_with(|b| {
        b.eval("document.querySelector('p.next a').click(); true");
    });
    let summary = browser.eval("document.body.textContent");
    assert!(
        summary.as_str().unwrap().contains("Estimated level"),
        "{summary}"
    );
    browser.screenshot(shots.as_deref(), "serve-summary.png");

    // Whatever happened on the way: no console error, no exception, nothing fetched elsewhere.
    let mut requested: HashMap<String, usize> = HashMap::new();
    for event in &browser.events {
        let method = event["method"].as_str().unwrap_or_default();
        let params = &event["params"];
        match method {
            "Runtime.exceptionThrown" => panic!("an exception: {params}"),
            "Runtime.consoleAPICalled" => {
                assert_ne!(params["type"], "error", "a console error: {params}");
            }
            "Log.entryAdded" => {
                assert_ne!(
                    params["entry"]["level"], "error",
                    "a logged error: {params}"
                );
            }
            "Network.requestWillBeSent" => {
                let url = params["request"]["url"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                *requested.entry(url).or_default() += 1;
            }
            _ => {}
        }
    }
    assert!(!requested.is_empty(), "requests were seen");
    for url in requested.keys() {
        assert!(
            url.starts_with(&format!("{origin}/")) || url.starts_with("about:"),
            "a request off the server: {url}"
        );
    }
    assert!(
        requested.keys().any(|u| u.ends_with("/static/app.css")),
        "{requested:?}"
    );
}
