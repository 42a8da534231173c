#!/usr/bin/env python3
"""Latency of `POST /api/grade` under concurrent clients (issue 14: p95 <= 20 ms keyword-only).

Starts the release binary's server on a free loopback port with the default settings, warms
it with one untimed request per question (rubrics compile on first use), then CLIENTS threads each post REQUESTS answers (the blind answers of tests/fixtures/blind/, in
turn) over keep-alive HTTP/1.1 connections. Prints p50, p95, p99 and max latency, the
throughput, and whether every answer was graded; exits 1 when p95 is over the budget or any
request failed.

    cargo build --release && python3 scripts/bench-serve.py [--clients 50] [--requests 20]
"""

import argparse
import http.client
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--budget-ms", type=float, default=20.0)
    parser.add_argument("--binary", default=str(ROOT / "target/release/sobes"))
    args = parser.parse_args()

    answers = [
        json.loads(line)
        for line in (ROOT / "tests/fixtures/blind/answers.jsonl").read_text().splitlines()
        if line.strip()
    ]
    bodies = [
        json.dumps({"question_id": a["question_id"], "answer": a["answer"]}).encode()
        for a in answers
    ]
    with tempfile.TemporaryDirectory() as home:
        server = subprocess.Popen(
            [args.binary, "--no-config", "serve", "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE,
            text=True,
            env={"SOBES_DATA_DIR": home, "SOBES_CACHE_DIR": home, "PATH": "/usr/bin:/bin"},
        )
        try:
            first = server.stdout.readline().strip()
            address = first.removeprefix("sobes: listening on http://").rstrip("/")
            host, port = address.rsplit(":", 1)
            # Rubrics are compiled on first use: one untimed request per question first.
            warm = http.client.HTTPConnection(host, int(port), timeout=30)
            seen = set()
            for answer, body in zip(answers, bodies):
                if answer["question_id"] not in seen:
                    seen.add(answer["question_id"])
                    warm.request("POST", "/api/grade", body, {"Content-Type": "application/json"})
                    warm.getresponse().read()
            warm.close()
            latencies: list[float] = []
            failures: list[str] = []
            lock = threading.Lock()

            def client(index: int) -> None:
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
                own = []
                for i in range(args.requests):
                    body = bodies[(index * args.requests + i) % len(bodies)]
                    started = time.perf_counter()
                    connection.request(
                        "POST", "/api/grade", body, {"Content-Type": "application/json"}
                    )
                    response = connection.getresponse()
                    data = response.read()
                    own.append(time.perf_counter() - started)
                    if response.status != 200 or "score" not in json.loads(data):
                        with lock:
                            failures.append(f"{response.status}: {data[:200]!r}")
                connection.close()
                with lock:
                    latencies.extend(own)

            started = time.perf_counter()
            threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)

    latencies.sort()
    ms = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    print(
        f"{len(latencies)} answers graded by {args.clients} clients in {elapsed:.2f} s "
        f"({len(latencies) / elapsed:.0f}/s); latency p50 {ms(0.50):.1f} ms, "
        f"p95 {ms(0.95):.1f} ms, p99 {ms(0.99):.1f} ms, max {latencies[-1] * 1000:.1f} ms, "
        f"mean {statistics.mean(latencies) * 1000:.1f} ms; failed {len(failures)}"
    )
    for failure in failures[:5]:
        print("failed:", failure, file=sys.stderr)
    return 0 if not failures and ms(0.95) <= args.budget_ms else 1


if __name__ == "__main__":
    sys.exit(main())
