//! A load client for `sobes serve` that costs the machine little, to tell the server's time
//! from a Python client's: CLIENTS concurrent clients (tasks on one thread), each posting
//! REQUESTS answers to `POST /api/grade` over a keep-alive connection of its own. Prints one
//! line: the latency percentiles the clients saw, and those of the server's own Server-Timing
//! `total` (the handler's whole time). `scripts/bench-serve.py` runs it.
//!
//!     cargo build --release --example serve_load
//!     target/release/examples/serve_load http://127.0.0.1:PORT BODIES.jsonl 50 20

use std::time::{Duration, Instant};

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((q * sorted.len() as f64) as usize).min(sorted.len() - 1)]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, bodies, clients, requests] = &args[..] else {
        return Err("usage: serve_load URL BODIES.jsonl CLIENTS REQUESTS".into());
    };
    let bodies: Vec<String> = std::fs::read_to_string(bodies)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    let clients: usize = clients.parse()?;
    let requests: usize = requests.parse()?;
    let url = format!("{}/api/grade", url.trim_end_matches('/'));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let started = Instant::now();
    let results = runtime.block_on(async {
        let mut tasks = Vec::new();
        for index in 0..clients {
            let url = url.clone();
            let bodies = bodies.clone();
            tasks.push(tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(60))
                    .build()
                    .expect("an HTTP client");
                let mut seen = Vec::with_capacity(requests);
                let mut failed = 0usize;
                for i in 0..requests {
                    let body = bodies[(index * requests + i) % bodies.len()].clone();
                    let begun = Instant::now();
                    let response = client
                        .post(&url)
                        .header("Content-Type", "application/json")
                        .body(body)
                        .send()
                        .await;
                    let server = match response {
                        Ok(response) if response.status().is_success() => {
                            let timing = response
                                .headers()
                                .get("server-timing")
                                .and_then(|v| v.to_str().ok())
                                .and_then(|v| v.split("total;dur=").nth(1))
                                .and_then(|v| v.trim().parse::<f64>().ok())
                                .unwrap_or(f64::NAN);
                            if response.bytes().await.is_err() {
                                failed += 1;
                            }
                            timing
                        }
                        _ => {
                            failed += 1;
                            f64::NAN
                        }
                    };
                    seen.push((begun.elapsed().as_secs_f64() * 1000.0, server));
                }
                (seen, failed)
            }));
        }
        let mut all = Vec::new();
        let mut failed = 0;
        for task in tasks {
            let (seen, f) = task.await.expect("a client task");
            all.extend(seen);
            failed += f;
        }
        (all, failed)
    });
    let elapsed = started.elapsed().as_secs_f64();
    let (seen, failed) = results;
    let mut latency: Vec<f64> = seen.iter().map(|s| s.0).collect();
    let mut server: Vec<f64> = seen.iter().map(|s| s.1).filter(|s| s.is_finite()).collect();
    latency.sort_by(f64::total_cmp);
    server.sort_by(f64::total_cmp);
    if latency.is_empty() || server.is_empty() {
        return Err("no request succeeded".into());
    }
    println!(
        "{} requests in {elapsed:.2} s ({:.0}/s); latency p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, \
         max {:.1} ms; whole handler p50 {:.2} ms, p95 {:.2} ms; failed {failed}",
        latency.len(),
        latency.len() as f64 / elapsed,
        percentile(&latency, 0.50),
        percentile(&latency, 0.95),
        percentile(&latency, 0.99),
        latency[latency.len() - 1],
        percentile(&server, 0.50),
        percentile(&server, 0.95),
    );
    if failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}
