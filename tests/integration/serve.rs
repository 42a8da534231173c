//! `sobes serve`: the real server on an ephemeral loopback port, spoken to over real TCP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::util::{stdout_of, TestEnv};

/// A running server, stopped when dropped.
pub struct Server {
    pub child: Child,
    pub address: SocketAddr,
    /// The lines printed after the address (the generated token, if any).
    token: Option<String>,
}

impl Server {
    pub fn start(env: &TestEnv, args: &[&str]) -> Server {
        let mut child = env
            .std_sobes()
            .arg("serve")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let url = first
            .strip_prefix("sobes: listening on http://")
            .unwrap_or_else(|| panic!("the URL is printed first: {first}"));
        let address: SocketAddr = url.trim_end_matches('/').parse().unwrap();
        let token = if args.contains(&"--token") || address.ip().is_loopback() {
            None
        } else {
            let line = lines.next().unwrap().unwrap();
            Some(line.rsplit(' ').next().unwrap().to_owned())
        };
        Server {
            child,
            address,
            token,
        }
    }

    /// The loopback address of the server's port.
    fn local(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.address.port()))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request; the status, the headers (lower case) and the body.
fn http(
    address: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    // A server may answer (413) before reading a large body: a write error is fine then.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a status line: {head}"));
    (status, head.to_lowercase(), body.to_owned())
}

fn post_json(address: SocketAddr, path: &str, body: &Value, auth: Option<&str>) -> (u16, Value) {
    let bearer = auth.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(bearer) = &bearer {
        headers.push(("Authorization", bearer.as_str()));
    }
    let (status, _, body) = http(address, "POST", path, &headers, body.to_string().as_bytes());
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

const ANSWER: &str = "Главная беда RNN — исчезающий градиент: он затухает на длинных \
                      последовательностях, и сеть забывает начало. Бывает и взрывающийся градиент.";

#[test]
fn the_api_grades_as_sobes_grade_does_and_lists_the_questions() {
    let env = TestEnv::new();
    let server = Server::start(&env, &["--listen", "127.0.0.1:0"]);
    let (status, graded) = post_json(
        server.address,
        "/api/grade",
        &serde_json::json!({"question_id": "rnn-problems", "answer": ANSWER}),
        None,
    );
    assert_eq!(status, 200, "{graded}");
    let cli = env
        .sobes()
        .args(["grade", "--question", "rnn-problems", "--format", "json"])
        .args(["--answer", ANSWER])
        .output()
        .unwrap();
    let expected: Value = serde_json::from_str(&stdout_of(&cli)).unwrap();
    assert_eq!(graded, expected, "the same object as sobes grade");
    let (_, head, _) = http(
        server.address,
        "POST",
        "/api/grade",
        &[("Content-Type", "application/json")],
        serde_json::json!({"question_id": "rnn-problems", "answer": ANSWER})
            .to_string()
            .as_bytes(),
    );
    assert!(
        head.contains("server-timing: grade;dur=") && head.contains(", total;dur="),
        "{head}"
    );
    assert!(graded["score"].as_f64().unwrap() > 0.0);

    let (status, head, body) = http(server.address, "GET", "/api/questions", &[], b"");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: application/json"), "{head}");
    assert!(
        head.contains("content-security-policy: default-src 'none'"),
        "{head}"
    );
    let listed: Value = serde_json::from_str(&body).unwrap();
    let cli = env
        .sobes()
        .args(["questions", "--format", "json"])
        .output()
        .unwrap();
    let expected: Value = serde_json::from_str(&stdout_of(&cli)).unwrap();
    assert_eq!(listed, expected);
}

#[test]
fn bad_requests_are_json_errors_with_the_right_status() {
    let env = TestEnv::new();
    let server = Server::start(&env, &["--listen", "127.0.0.1:0"]);
    let address = server.address;
    let (status, body) = post_json(
        address,
        "/api/grade",
        &serde_json::json!({"question_id": "no-such-question", "answer": "x"}),
        None,
    );
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap().contains("no-such-question"));
    for bad in [
        serde_json::json!({"answer": "x"}),
        serde_json::json!({"question_id": 5, "answer": "x"}),
        serde_json::json!({"question_id": "rnn-problems", "answer": "x", "extra": 1}),
    ] {
        let (status, body) = post_json(address, "/api/grade", &bad, None);
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["error"].is_string(), "{body}");
    }
    let (status, _, body) = http(
        address,
        "POST",
        "/api/grade",
        &[("Content-Type", "application/json")],
        b"{not json",
    );
    assert_eq!(status, 400, "{body}");
    // An answer over grading.max_answer_bytes (64 KiB), and a body far over the limit.
    let long = "слово ".repeat(12_000);
    let (status, body) = post_json(
        address,
        "/api/grade",
        &serde_json::json!({"question_id": "rnn-problems", "answer": long}),
        None,
    );
    assert_eq!(status, 413, "{body}");
    let (status, _, _) = http(
        address,
        "POST",
        "/api/grade",
        &[("Content-Type", "application/json")],
        &vec![b' '; 1024 * 1024],
    );
    assert_eq!(status, 413);
    let (status, _, body) = http(address, "GET", "/api/nothing-here", &[], b"");
    assert_eq!(status, 404);
    assert!(body.contains("\"error\""));
    // Outside the API, a page says it.
    let (status, head, _) = http(address, "GET", "/nothing-here", &[], b"");
    assert_eq!(status, 404);
    assert!(head.contains("content-type: text/html"), "{head}");
    // A hostile answer is graded as text and comes back only as JSON data.
    let (status, head, body) = http(
        address,
        "POST",
        "/api/grade",
        &[("Content-Type", "application/json")],
        serde_json::json!({"question_id": "rnn-problems", "answer": "<script>alert(1)</script> градиент"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("content-type: application/json"), "{head}");
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
}

#[test]
fn a_token_guards_every_request() {
    let env = TestEnv::new();
    let server = Server::start(&env, &["--listen", "127.0.0.1:0", "--token", "s3cret"]);
    let (status, _, body) = http(server.address, "GET", "/api/questions", &[], b"");
    assert_eq!(status, 401, "{body}");
    let (status, _, _) = http(
        server.address,
        "GET",
        "/api/questions",
        &[("Authorization", "Bearer wrong")],
        b"",
    );
    assert_eq!(status, 401);
    let (status, _, _) = http(
        server.address,
        "GET",
        "/api/questions",
        &[("Authorization", "Bearer s3cret")],
        b"",
    );
    assert_eq!(status, 200);

    // Off loopback, a token is generated and printed.
    let open = Server::start(&env, &["--listen", "0.0.0.0:0"]);
    let token = open.token.clone().expect("a generated token");
    assert_eq!(token.len(), 32, "{token}");
    let (status, _, _) = http(open.local(), "GET", "/api/questions", &[], b"");
    assert_eq!(status, 401);
    let (status, graded) = post_json(
        open.local(),
        "/api/grade",
        &serde_json::json!({"question_id": "rnn-problems", "answer": ANSWER}),
        Some(&token),
    );
    assert_eq!(status, 200, "{graded}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let env = TestEnv::new();
    let mut server = Server::start(&env, &["--listen", "127.0.0.1:0"]);
    let (status, _, _) = http(server.address, "GET", "/api/questions", &[], b"");
    assert_eq!(status, 200);
    let pid = server.child.id() as i32;
    // SAFETY: a plain signal to the child this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

/// A whole interview through the session API, then the real `sobes history` and `sobes report`
/// on the same history file.
#[test]
fn a_whole_interview_through_the_session_api_is_kept_in_history() {
    let env = TestEnv::new();
    let server = Server::start(&env, &["--listen", "127.0.0.1:0"]);
    let address = server.address;
    let (status, started) = post_json(
        address,
        "/api/sessions",
        &serde_json::json!({"level": "junior", "count": 3, "seed": 7, "lang": "en"}),
        None,
    );
    assert_eq!(status, 201, "{started}");
    let id = started["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 32, "a random id: {id}");
    assert_eq!(started["total"], 3);
    assert_eq!(started["question"]["position"], 1);
    let first = started["question"]["id"].as_str().unwrap().to_owned();

    // A hint names an idea the empty answer misses.
    let (status, hinted) = post_json(
        address,
        &format!("/api/sessions/{id}/hint"),
        &Value::Null,
        None,
    );
    assert_eq!(status, 200, "{hinted}");
    assert!(
        hinted["hint"]["label"]
            .as_str()
            .is_some_and(|l| !l.is_empty()),
        "{hinted}"
    );

    // The first answer is graded as `sobes grade` grades it, and saved before the reply.
    let answer = "A tree splits until every leaf is pure, so it memorises noise; limit max_depth \
                  and min_samples_leaf, or prune it.";
    let (status, graded) = post_json(
        address,
        &format!("/api/sessions/{id}/answers"),
        &serde_json::json!({ "answer": answer }),
        None,
    );
    assert_eq!(status, 200, "{graded}");
    assert_eq!(graded["saved"], true);
    assert_eq!(graded["graded"]["record"]["question_id"], first.as_str());
    let cli = env
        .sobes()
        .args([
            "grade",
            "--question",
            &first,
            "--format",
            "json",
            "--answer",
            answer,
        ])
        .output()
        .unwrap();
    let expected: Value = serde_json::from_str(&stdout_of(&cli)).unwrap();
    assert_eq!(
        graded["graded"]["record"]["keyword_score"], expected["score"],
        "the same grade as sobes grade"
    );
    let history = crate::util::stdout_of(
        &env.sobes()
            .args(["history", "--format", "json"])
            .output()
            .unwrap(),
    );
    let rows: Value = serde_json::from_str(&history).unwrap();
    assert_eq!(rows[0]["answered"], 1, "committed at once: {rows}");
    assert_eq!(graded["question"]["position"], 2);

    let (status, skipped) = post_json(
        address,
        &format!("/api/sessions/{id}/skip"),
        &Value::Null,
        None,
    );
    assert_eq!(status, 200, "{skipped}");
    assert_eq!(skipped["graded"]["record"]["method"], "skipped");
    let (status, last) = post_json(
        address,
        &format!("/api/sessions/{id}/answers"),
        &serde_json::json!({ "answer": "<script>alert(1)</script> не знаю" }),
        None,
    );
    assert_eq!(status, 200, "{last}");
    assert_eq!(last["finished"], true);
    assert_eq!(last["question"], Value::Null);
    assert_eq!(last["summary"]["answered"], 2, "{last}");
    assert_eq!(last["summary"]["skipped"], 1);
    assert_eq!(last["saved"], true);

    // Over: more answers are refused; unknown ids are 404.
    let (status, body) = post_json(
        address,
        &format!("/api/sessions/{id}/answers"),
        &serde_json::json!({ "answer": "late" }),
        None,
    );
    assert_eq!(status, 409, "{body}");
    let (status, body) = post_json(
        address,
        "/api/sessions/0123456789abcdef/skip",
        &Value::Null,
        None,
    );
    assert_eq!(status, 404, "{body}");
    assert!(body["error"].is_string());

    // The real CLI sees the session, finished, with its three answers.
    let rows: Value = serde_json::from_str(&stdout_of(
        &env.sobes()
            .args(["history", "--format", "json"])
            .output()
            .unwrap(),
    ))
    .unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["finished"], true);
    assert_eq!(
        (rows[0]["answered"].clone(), rows[0]["skipped"].clone()),
        (2.into(), 1.into())
    );
    let history_id = started["history_id"].as_i64().unwrap();
    let cli_report: Value = serde_json::from_str(&stdout_of(
        &env.sobes()
            .args(["report", &history_id.to_string(), "--format", "json"])
            .output()
            .unwrap(),
    ))
    .unwrap();
    let (status, _, body) = http(
        address,
        "GET",
        &format!("/api/sessions/{id}/report?format=json"),
        &[],
        b"",
    );
    assert_eq!(status, 200);
    let served: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(served, cli_report, "the same report as sobes report");
    let (status, head, html) = http(
        address,
        "GET",
        &format!("/api/sessions/{id}/report?format=html"),
        &[],
        b"",
    );
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/html"), "{head}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>"));
    let (status, _, md) = http(
        address,
        "GET",
        &format!("/api/sessions/{id}/report"),
        &[],
        b"",
    );
    assert_eq!(status, 200);
    assert!(md.starts_with("# "), "{md}");
    let (status, _, body) = http(
        address,
        "GET",
        &format!("/api/sessions/{id}/report?format=pdf"),
        &[],
        b"",
    );
    assert_eq!(status, 400, "{body}");
}

#[test]
fn bad_session_requests_are_json_errors() {
    let env = TestEnv::new();
    let server = Server::start(&env, &["--listen", "127.0.0.1:0"]);
    let address = server.address;
    for (bad, status) in [
        (serde_json::json!({}), 400),
        (serde_json::json!({"level": "guru"}), 400),
        (
            serde_json::json!({"level": "junior", "adaptive": true}),
            400,
        ),
        (
            serde_json::json!({"level": "junior", "topics": ["no-such-topic"]}),
            400,
        ),
        (serde_json::json!({"level": "junior", "count": 100000}), 400),
        (serde_json::json!({"level": "junior", "colour": "red"}), 400),
    ] {
        let (got, body) = post_json(address, "/api/sessions", &bad, None);
        assert_eq!(got, status, "{bad}: {body}");
        assert!(body["error"].is_string(), "{body}");
    }
    let (status, started) = post_json(
        address,
        "/api/sessions",
        &serde_json::json!({"adaptive": true, "count": 2, "lang": "ru"}),
        None,
    );
    assert_eq!(status, 201, "{started}");
    let id = started["id"].as_str().unwrap();
    let long = "слово ".repeat(12_000);
    let (status, body) = post_json(
        address,
        &format!("/api/sessions/{id}/answers"),
        &serde_json::json!({ "answer": long }),
        None,
    );
    assert_eq!(status, 413, "{body}");
    let (status, _, _) = http(
        address,
        "POST",
        &format!("/api/sessions/{id}/answers"),
        &[("Content-Type", "application/json")],
        &vec![b' '; 1024 * 1024],
    );
    assert_eq!(status, 413);
    let (status, body) = post_json(
        address,
        &format!("/api/sessions/{id}/answers"),
        &serde_json::json!({ "text": "x" }),
        None,
    );
    assert_eq!(status, 400, "{body}");
    // The question is still waiting after the refusals.
    let (status, body) = post_json(
        address,
        &format!("/api/sessions/{id}/skip"),
        &Value::Null,
        None,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["graded"]["record"]["position"], 1);
}

/// Many clients at once: every answer of every session is in history afterwards.
#[test]
fn concurrent_sessions_lose_no_answer() {
    let env = TestEnv::new();
    let server = Server::start(&env, &["--listen", "127.0.0.1:0"]);
    let address = server.address;
    let clients: Vec<_> = (0..8)
        .map(|client| {
            std::thread::spawn(move || {
                let (status, started) = post_json(
                    address,
                    "/api/sessions",
                    &serde_json::json!({"adaptive": true, "count": 4, "seed": client}),
                    None,
                );
                assert_eq!(status, 201, "{started}");
                let id = started["id"].as_str().unwrap().to_owned();
                for turn in 0..4 {
                    let (status, body) = post_json(
                        address,
                        &format!("/api/sessions/{id}/answers"),
                        &serde_json::json!({ "answer": format!("ответ {client}-{turn}: градиент, переобучение") }),
                        None,
                    );
                    assert_eq!(status, 200, "{body}");
                    assert_eq!(body["saved"], true, "{body}");
                }
            })
        })
        .collect();
    for client in clients {
        client.join().unwrap();
    }
    let rows: Value = serde_json::from_str(&stdout_of(
        &env.sobes()
            .args(["history", "--format", "json"])
            .output()
            .unwrap(),
    ))
    .unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 8);
    for row in rows {
        assert_eq!(row["answered"], 4, "{row}");
        assert_eq!(row["finished"], true, "{row}");
    }
}

/// `application/x-www-form-urlencoded` of `pairs`.
fn form(pairs: &[(&str, &str)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".into(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn post_form(
    address: SocketAddr,
    path: &str,
    pairs: &[(&str, &str)],
    cookie: Option<&str>,
) -> (u16, String, String) {
    let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded")];
    if let Some(cookie) = cookie {
        headers.push(("Cookie", cookie));
    }
    http(address, "POST", path, &headers, form(pairs).as_bytes())
}

/// The value of the hidden CSRF field of a page.
fn csrf_of(page: &str) -> String {
    let start = page
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("a CSRF field: {page}"))
        + "name=\"csrf\" value=\"".len();
    page[start..start + 32].to_owned()
}

/// The `location` header of a redirect.
fn location(head: &str) -> String {
    head.lines()
        .find_map(|l| l.strip_prefix("location: "))
        .unwrap_or_else(|| panic!("a redirect: {head}"))
        .trim()
        .to_owned()
}

fn get(address: SocketAddr, path: &str) -> (u16, String, String) {
    http(address, "GET", path, &[], b"")
}

#[test]
fn a_whole_interview_through_the_html_forms() {
    let env = TestEnv::new();
    let server = Server::start(&env, &["--listen", "127.0.0.1:0"]);
    let address = server.address;
    let (status, head, start) = get(address, "/?lang=en");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/html"), "{head}");
    assert!(
        head.contains("content-security-policy: default-src 'none'; style-src 'self'"),
        "{head}"
    );
    assert!(start.contains("<form") && start.contains("name=\"topic\""));
    assert!(!start.contains("<script"), "no JavaScript");
    let (status, _, russian) = get(address, "/?lang=ru");
    assert_eq!(status, 200);
    assert!(russian.contains("<html lang=\"ru\">"));
    assert!(russian.contains("Тренировка собеседования"), "{russian}");
    let (status, head, css) = get(address, "/static/app.css");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/css"), "{head}");
    assert!(css.contains("textarea"));

    let (status, head, _) = post_form(
        address,
        "/sessions",
        &[
            ("csrf", &csrf_of(&start)),
            ("level", "junior"),
            ("topic", "trees-ensembles"),
            ("count", "3"),
            ("lang", "en"),
        ],
        None,
    );
    assert_eq!(status, 303);
    let session = location(&head);
    assert!(session.starts_with("/sessions/"), "{session}");
    let (status, _, question) = get(address, &session);
    assert_eq!(status, 200);
    assert!(question.contains("Question 1 of 3"), "{question}");
    assert!(question.contains("trees-ensembles"));
    let csrf = csrf_of(&question);

    // A hint keeps what was typed (escaped) and names a missed idea.
    let (status, head, _) = post_form(
        address,
        &session,
        &[
            ("csrf", &csrf),
            ("action", "hint"),
            ("answer", "<b>draft</b>"),
        ],
        None,
    );
    assert_eq!(status, 303, "{head}");
    let (_, _, hinted) = get(address, &session);
    assert!(hinted.contains("<h3>Hints</h3>"), "{hinted}");
    assert!(
        hinted.contains("&lt;b&gt;draft&lt;/b&gt;</textarea>"),
        "{hinted}"
    );

    let hostile = "<script>alert('x')</script> The tree grows until leaves are pure and overfits; \
                   limit max_depth and min_samples_leaf, prune it.";
    let (status, head, _) = post_form(
        address,
        &session,
        &[("csrf", &csrf), ("action", "answer"), ("answer", hostile)],
        None,
    );
    assert_eq!(status, 303);
    let feedback = location(&head);
    assert_eq!(feedback, format!("{session}/feedback"));
    let (status, _, page) = get(address, &feedback);
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Feedback</h1>"), "{page}");
    assert!(page.contains("<meter"), "a score bar");
    assert!(
        page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains("<script"), "the answer is escaped");
    assert!(
        page.contains("class=\"hint\""),
        "missed ideas with their hints"
    );
    assert!(page.contains("Next question"));

    let (status, _, _) = post_form(
        address,
        &session,
        &[("csrf", &csrf), ("action", "skip")],
        None,
    );
    assert_eq!(status, 303);
    let (status, _, _) = post_form(
        address,
        &session,
        &[
            ("csrf", &csrf),
            ("action", "answer"),
            ("answer", "Bagging of trees."),
        ],
        None,
    );
    assert_eq!(status, 303);
    let (status, _, summary) = get(address, &session);
    assert_eq!(status, 200);
    assert!(summary.contains("Estimated level"), "{summary}");
    assert!(summary.contains("?format=json"), "report links");
    assert!(!summary.contains("<script"));

    // The CLI sees the browser's session.
    let rows: Value = serde_json::from_str(&stdout_of(
        &env.sobes()
            .args(["history", "--format", "json"])
            .output()
            .unwrap(),
    ))
    .unwrap();
    assert_eq!(rows[0]["answered"], 2, "{rows}");
    assert_eq!(rows[0]["skipped"], 1);
    assert_eq!(rows[0]["finished"], true);
    let report = stdout_of(&env.sobes().args(["report", "last"]).output().unwrap());
    assert!(report.contains("max_depth"), "{report}");

    let (status, _, history) = get(address, "/history?lang=en");
    assert_eq!(status, 200);
    assert!(history.contains("<svg") && history.contains("href=\"/history/1?lang=en\""));
    let (status, _, progress) = get(address, "/progress?lang=en");
    assert_eq!(status, 200);
    assert!(progress.contains("<svg"));
    let (status, _, one) = get(address, "/history/1");
    assert_eq!(status, 200);
    assert!(one.contains("&lt;script&gt;"));
    assert_eq!(get(address, "/history/99").0, 404);
    assert_eq!(get(address, "/no-such-page").0, 404);
}

#[test]
fn form_posts_need_the_csrf_token_of_their_page() {
    let env = TestEnv::new();
    let server = Server::start(&env, &["--listen", "127.0.0.1:0"]);
    let address = server.address;
    let (_, _, start) = get(address, "/");
    let good = csrf_of(&start);
    for csrf in [None, Some("0".repeat(32)), Some(String::new())] {
        let mut pairs = vec![("level", "junior")];
        if let Some(csrf) = &csrf {
            pairs.push(("csrf", csrf));
        }
        let (status, _, body) = post_form(address, "/sessions", &pairs, None);
        assert_eq!(status, 403, "{csrf:?}: {body}");
    }
    let (status, head, _) = post_form(
        address,
        "/sessions",
        &[("csrf", &good), ("level", "middle")],
        None,
    );
    assert_eq!(status, 303);
    let first = location(&head);
    let (_, head, _) = post_form(
        address,
        "/sessions",
        &[("csrf", &good), ("level", "middle")],
        None,
    );
    let second = location(&head);
    let (_, _, page) = get(address, &second);
    let second_csrf = csrf_of(&page);
    // A session's token does not work for another session, nor the start form's.
    for csrf in [&second_csrf, &good] {
        let (status, _, _) =
            post_form(address, &first, &[("csrf", csrf), ("action", "skip")], None);
        assert_eq!(status, 403);
    }
    let (status, _, _) = post_form(
        address,
        &second,
        &[("csrf", &second_csrf), ("action", "skip")],
        None,
    );
    assert_eq!(status, 303);
    // Bad input on a good form: an unknown level, an answer over the limit, a huge body.
    let (status, _, body) = post_form(
        address,
        "/sessions",
        &[("csrf", &good), ("level", "guru")],
        None,
    );
    assert_eq!(status, 400, "{body}");
    let long = "слово ".repeat(12_000);
    let (status, _, _) = post_form(
        address,
        &second,
        &[
            ("csrf", &second_csrf),
            ("action", "answer"),
            ("answer", &long),
        ],
        None,
    );
    assert_eq!(status, 413);
    let huge = "x".repeat(1024 * 1024);
    let (status, _, _) = post_form(
        address,
        &second,
        &[("csrf", &second_csrf), ("answer", &huge)],
        None,
    );
    assert_eq!(status, 413);
}

#[test]
fn a_token_in_the_address_sets_a_strict_cookie_for_the_pages() {
    let env = TestEnv::new();
    let server = Server::start(&env, &["--listen", "127.0.0.1:0", "--token", "s3cret"]);
    let address = server.address;
    let (status, _, page) = get(address, "/");
    assert_eq!(status, 401);
    assert!(page.contains("?token="), "{page}");
    assert_eq!(get(address, "/?token=wrong").0, 401);
    let (status, head, _) = get(address, "/?token=s3cret");
    assert_eq!(status, 303);
    assert_eq!(location(&head), "/", "the token leaves the address");
    let cookie_line = head
        .lines()
        .find(|l| l.starts_with("set-cookie: "))
        .unwrap_or_else(|| panic!("a cookie: {head}"));
    assert!(cookie_line.contains("sobes_token=s3cret"), "{cookie_line}");
    assert!(cookie_line.contains("httponly"), "{cookie_line}");
    assert!(cookie_line.contains("samesite=strict"), "{cookie_line}");
    let cookie = "sobes_token=s3cret";
    let (status, _, start) = http(address, "GET", "/", &[("Cookie", cookie)], b"");
    assert_eq!(status, 200);
    let (status, _, _) = http(address, "GET", "/", &[("Cookie", "sobes_token=nope")], b"");
    assert_eq!(status, 401);
    // The API takes the cookie too; the forms still need their CSRF token with it.
    let (status, _, _) = http(address, "GET", "/api/questions", &[("Cookie", cookie)], b"");
    assert_eq!(status, 200);
    let (status, _, _) = post_form(address, "/sessions", &[("level", "junior")], Some(cookie));
    assert_eq!(status, 403);
    let (status, _, _) = post_form(
        address,
        "/sessions",
        &[("csrf", &csrf_of(&start)), ("level", "junior")],
        None,
    );
    assert_eq!(status, 401, "no token, no form");
    let (status, head, _) = post_form(
        address,
        "/sessions",
        &[("csrf", &csrf_of(&start)), ("level", "junior")],
        Some(cookie),
    );
    assert_eq!(status, 303, "{head}");
}

/// Stop the server with `signal` (SIGTERM: a clean stop; SIGKILL: as a crash would) and wait
/// for it to go.
fn stop(server: &mut Server, signal: i32) {
    let pid = server.child.id() as i32;
    // SAFETY: a plain signal to the child this test started.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    let status = server.child.wait().unwrap();
    if signal == libc::SIGTERM {
        assert!(status.success(), "{status:?}");
    }
}

/// Issue 14: a session started on one run of the server goes on, with the same id, on the
/// next run over the same history file, whether the server was stopped or killed; the history
/// row number is no session id; a finished session still serves its report.
#[test]
fn issue14_an_api_session_goes_on_after_the_server_is_stopped_or_killed() {
    let env = TestEnv::new();
    let serve = || Server::start(&env, &["--listen", "127.0.0.1:0"]);
    let mut server = serve();
    let (status, started) = post_json(
        server.address,
        "/api/sessions",
        &serde_json::json!({"level": "junior", "count": 3, "seed": 11, "lang": "en"}),
        None,
    );
    assert_eq!(status, 201, "{started}");
    let id = started["id"].as_str().unwrap().to_owned();
    let history_id = started["history_id"].as_i64().unwrap();
    let mut asked = vec![started["question"]["id"].as_str().unwrap().to_owned()];
    let answer = |server: &Server, text: &str| {
        let (status, step) = post_json(
            server.address,
            &format!("/api/sessions/{id}/answers"),
            &serde_json::json!({ "answer": text }),
            None,
        );
        assert_eq!(status, 200, "{step}");
        assert_eq!(step["saved"], true, "{step}");
        step
    };
    let step = answer(&server, "first answer, given before the stop");
    assert_eq!(step["graded"]["record"]["position"], 1);
    asked.push(step["question"]["id"].as_str().unwrap().to_owned());
    // A hint for question 2, then a clean stop (SIGTERM).
    let (status, hinted) = post_json(
        server.address,
        &format!("/api/sessions/{id}/hint"),
        &Value::Null,
        None,
    );
    assert_eq!(status, 200, "{hinted}");
    let hint = hinted["hint"]["concept_id"].as_str().unwrap().to_owned();
    stop(&mut server, libc::SIGTERM);

    let mut server = serve();
    // Neither the history row number nor a made-up id is a session.
    for wrong in [history_id.to_string(), "0".repeat(32), format!("{id}x")] {
        let (status, body) = post_json(
            server.address,
            &format!("/api/sessions/{wrong}/answers"),
            &serde_json::json!({"answer": "x"}),
            None,
        );
        assert_eq!(status, 404, "{wrong}: {body}");
    }
    let step = answer(&server, "second answer, after the restart");
    let graded = &step["graded"]["record"];
    assert_eq!(graded["position"], 2, "{step}");
    assert_eq!(graded["question_id"], asked[1].as_str());
    assert_eq!(
        graded["hints"],
        serde_json::json!([hint]),
        "the hint still counts"
    );
    assert_eq!(step["question"]["position"], 3, "{step}");
    asked.push(step["question"]["id"].as_str().unwrap().to_owned());
    // Killed as a crash would: what was answered is all there.
    stop(&mut server, libc::SIGKILL);

    let mut server = serve();
    let step = answer(&server, "third answer, after the crash");
    assert_eq!(step["finished"], true, "{step}");
    assert_eq!(step["summary"]["answered"], 3, "{step}");
    stop(&mut server, libc::SIGKILL);

    // Finished: answering is refused, the report is served.
    let server = serve();
    let (status, body) = post_json(
        server.address,
        &format!("/api/sessions/{id}/answers"),
        &serde_json::json!({"answer": "late"}),
        None,
    );
    assert_eq!(status, 409, "{body}");
    let (status, _, served) = get(
        server.address,
        &format!("/api/sessions/{id}/report?format=json"),
    );
    assert_eq!(status, 200, "{served}");
    let served: Value = serde_json::from_str(&served).unwrap();

    let rows: Value = serde_json::from_str(&stdout_of(
        &env.sobes()
            .args(["history", "--format", "json"])
            .output()
            .unwrap(),
    ))
    .unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1, "one session: {rows}");
    assert_eq!(rows[0]["finished"], true);
    assert_eq!(rows[0]["answered"], 3);
    let report: Value = serde_json::from_str(&stdout_of(
        &env.sobes()
            .args(["report", &history_id.to_string(), "--format", "json"])
            .output()
            .unwrap(),
    ))
    .unwrap();
    assert_eq!(served, report, "the same report as sobes report");
    let text = report.to_string();
    let mut at = 0;
    for (n, words) in ["first answer", "second answer", "third answer"]
        .iter()
        .enumerate()
    {
        let found = text[at..]
            .find(words)
            .unwrap_or_else(|| panic!("answer {} in order: {text}", n + 1));
        at += found;
    }
    for question in &asked {
        assert!(text.contains(question.as_str()), "{question}: {text}");
    }
}

/// Issue 14: the pages of a session go on after a crash, and a form rendered before it posts.
#[test]
fn issue14_a_browser_session_goes_on_after_the_server_is_killed() {
    let env = TestEnv::new();
    let serve = || Server::start(&env, &["--listen", "127.0.0.1:0"]);
    let mut server = serve();
    let (_, _, start) = get(server.address, "/?lang=en");
    let (status, head, _) = post_form(
        server.address,
        "/sessions",
        &[
            ("csrf", &csrf_of(&start)),
            ("level", "junior"),
            ("count", "2"),
            ("lang", "en"),
        ],
        None,
    );
    assert_eq!(status, 303);
    let session = location(&head);
    let (_, _, question) = get(server.address, &session);
    let csrf = csrf_of(&question);
    let (status, _, _) = post_form(
        server.address,
        &session,
        &[
            ("csrf", &csrf),
            ("action", "answer"),
            ("answer", "first answer before the crash"),
        ],
        None,
    );
    assert_eq!(status, 303);
    // A hint with a draft on question 2; the page with its form stays open in the browser.
    let (status, _, _) = post_form(
        server.address,
        &session,
        &[
            ("csrf", &csrf),
            ("action", "hint"),
            ("answer", "a draft <i>kept</i>"),
        ],
        None,
    );
    assert_eq!(status, 303);
    let (_, _, before) = get(server.address, &session);
    stop(&mut server, libc::SIGKILL);

    let server = serve();
    let (status, _, page) = get(server.address, &format!("{session}/feedback"));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("first answer before the crash"), "{page}");
    let (status, _, after) = get(server.address, &session);
    assert_eq!(status, 200, "{after}");
    assert!(after.contains("Question 2 of 2"), "{after}");
    assert!(
        after.contains("a draft &lt;i&gt;kept&lt;/i&gt;</textarea>"),
        "{after}"
    );
    assert_eq!(after, before, "the same page as before the crash");
    // The form rendered before the crash posts.
    let (status, head, body) = post_form(
        server.address,
        &session,
        &[
            ("csrf", &csrf),
            ("action", "answer"),
            ("answer", "second answer after the crash"),
        ],
        None,
    );
    assert_eq!(status, 303, "{body}");
    let (status, _, page) = get(server.address, &location(&head));
    assert_eq!(status, 200);
    assert!(page.contains("second answer after the crash"), "{page}");
    let (status, _, summary) = get(server.address, &session);
    assert_eq!(status, 200);
    assert!(
        summary.contains("first answer before the crash"),
        "{summary}"
    );
    let rows: Value = serde_json::from_str(&stdout_of(
        &env.sobes()
            .args(["history", "--format", "json"])
            .output()
            .unwrap(),
    ))
    .unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(
        (rows[0]["answered"].clone(), rows[0]["finished"].clone()),
        (2.into(), true.into())
    );
}

/// Issue 14: a long answer (graded off the async worker) gets the same object as a short one
/// would from `sobes grade`.
#[test]
fn issue14_a_long_answer_is_graded_as_sobes_grade_does() {
    let env = TestEnv::new();
    let server = Server::start(&env, &["--listen", "127.0.0.1:0"]);
    let long = ANSWER.repeat(20_000 / ANSWER.len() + 1);
    assert!(long.len() > 16 * 1024 && long.len() < 64 * 1024);
    let cli = env
        .sobes()
        .args(["grade", "--question", "rnn-problems", "--format", "json"])
        .args(["--answer", &long])
        .output()
        .unwrap();
    let expected: Value = serde_json::from_str(&stdout_of(&cli)).unwrap();
    let (status, graded) = post_json(
        server.address,
        "/api/grade",
        &serde_json::json!({"question_id": "rnn-problems", "answer": long}),
        None,
    );
    assert_eq!(status, 200, "{graded}");
    assert_eq!(graded, expected);
}
