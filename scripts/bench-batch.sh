#!/usr/bin/env bash
# Batch grading speed and memory (issue 15): builds batches of 10,000 and 1,000,000 lines by
# repeating the bank's blind answers (tests/fixtures/blind/answers.jsonl, 157 questions) with
# varied text, then measures the real binary with /usr/bin/time:
#   - 10,000 lines: wall time, median of 5 runs, process start included;
#   - 1,000,000 lines: wall time and peak RSS ("Maximum resident set size").
# Usage: scripts/bench-batch.sh [LINES_BIG] (default 1000000). SOBES=path uses that binary
# instead of building target/release/sobes; BENCH_DIR keeps the inputs (default: a temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."
big="${1:-1000000}"
sobes="${SOBES:-}"
if [[ -z "$sobes" ]]; then
    cargo build --release --quiet
    sobes=target/release/sobes
fi
dir="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$dir"
answers=tests/fixtures/blind/answers.jsonl

# Line i is answer i mod 1570 with a new id and varied text: every repetition appends a
# different sentence and every other one drops the answer's first sentence, so words and
# answers keep changing (the per-thread match memo does not see the same answers again and
# again).
make_batch() {
    awk -v n="$1" '
        { line[NR] = $0 }
        END {
            split("Кроме того, это важно на практике.|Also this matters in production.|Короче, как-то так.|I think that covers it.|Это часто спрашивают на собеседованиях.", extra, "|")
            for (i = 0; i < n; i++) {
                l = line[i % NR + 1]
                round = int(i / NR)
                sub(/^\{"id": "[^"]*"/, "{\"id\": " i, l)
                if (round % 2 == 1) {
                    # Drop the first sentence of the answer (up to the first ". ").
                    p = index(l, "\"answer\": \"")
                    rest = substr(l, p + 11)
                    q = index(rest, ". ")
                    if (q > 0 && q < length(rest) - 10) l = substr(l, 1, p + 10) substr(rest, q + 2)
                }
                sub(/"}$/, " " extra[round % 5 + 1] " (" round ")\"}", l)
                print l
            }
        }' "$answers" > "$2"
}

make_batch 10000 "$dir/10k.jsonl"
# The big batch: the 10,000 lines again and again, each round with its own ids and another
# number in the appended sentence (awk alone takes too long for a million lines).
rounds=$(( (big + 9999) / 10000 ))
for ((r = 0; r < rounds; r++)); do
    sed -e "s/^{\"id\": \([0-9]*\)/{\"id\": \"${r}-\1\"/" \
        -e "s/ (\([0-9]*\))\"}\$/ (\1.${r})\"}/" "$dir/10k.jsonl"
done | head -n "$big" > "$dir/big.jsonl"
echo "inputs: $(wc -l < "$dir/10k.jsonl") and $(wc -l < "$dir/big.jsonl") lines ($(du -h "$dir/big.jsonl" | cut -f1)) in $dir"

times=()
for _ in 1 2 3 4 5; do
    t=$( { /usr/bin/time -f '%e' "$sobes" --no-config grade --batch "$dir/10k.jsonl" > /dev/null; } 2>&1 | tail -1)
    times+=("$t")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
echo "10,000 lines: median ${median} s of 5 runs (${times[*]})"

/usr/bin/time -v "$sobes" --no-config grade --batch "$dir/big.jsonl" > "$dir/big.out.jsonl" 2> "$dir/big.time" || true
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$dir/big.time")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/big.time")
echo "$(wc -l < "$dir/big.jsonl") lines: wall ${wall}, peak RSS $((rss / 1024)) MB, $(wc -l < "$dir/big.out.jsonl") output lines"
if [[ -z "${BENCH_DIR:-}" ]]; then rm -rf "$dir"; fi
