//! `sobes serve`: the real server on an ephemeral loopback port, spoken to over real TCP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::util::{stdout_of, TestEnv};

/// A running server, stopped when dropped.
struct Server {
    child: Child,
    address: SocketAddr,
    /// The lines printed after the address (the generated token, if any).
    token: Option<String>,
}

impl Server {
    fn start(env: &TestEnv, args: &[&str]) -> Server {
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
    let (status, _, body) = http(address, "GET", "/nothing-here", &[], b"");
    assert_eq!(status, 404);
    assert!(body.contains("\"error\""));
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
