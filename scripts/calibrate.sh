#!/usr/bin/env bash
# Reproduce the calibration figures of the README from the shared, human-graded data set:
# import the questions with `sobes import jsonl` (drafted rubrics only, no hand edits), then
# `sobes eval` all answers and two kinds of held-out halves (by assignment, by question parity).
# Skips with a notice when the data are absent. Usage: scripts/calibrate.sh [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/calibration/mohler-dev}"
if [[ ! -f "$data/questions.jsonl" || ! -f "$data/answers.jsonl" ]]; then
    echo "notice: $data/questions.jsonl or answers.jsonl is absent; nothing to calibrate" >&2
    exit 0
fi
sobes="${SOBES:-}"
if [[ -z "$sobes" ]]; then
    cargo build --release --quiet
    sobes=target/release/sobes
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$sobes" --no-config import jsonl "$data/questions.jsonl" --out "$work/bank" >/dev/null
figures() {
    # $1: label, $2: answers file
    "$sobes" --no-config --lang en --bank "$work/bank" eval "$2" --format json --worst 0 \
        | awk -v label="$1" '
            /"overall"/ { inside = 1 }
            inside && /"answers"/ { gsub(/[ ,]/, ""); split($0, a, ":"); n = a[2] }
            inside && /"pearson"/ { gsub(/[ ,]/, ""); split($0, a, ":"); r = a[2] }
            inside && /"spearman"/ { gsub(/[ ,]/, ""); split($0, a, ":"); s = a[2] }
            inside && /"mae"/ { gsub(/[ ,]/, ""); split($0, a, ":"); m = a[2]; inside = 0 }
            END { printf "%-28s answers %5d  Pearson r %.3f  Spearman %.3f  MAE %.1f\n", label, n, r, s, m }'
}
figures "all" "$data/answers.jsonl"
grep -E '"question_id": *"[^"]*-[1-3]-[0-9]+"' "$data/answers.jsonl" >"$work/a13.jsonl" || true
grep -E '"question_id": *"[^"]*-[4-6]-[0-9]+"' "$data/answers.jsonl" >"$work/a46.jsonl" || true
grep -E '"question_id": *"[^"]*-[0-9]+-[0-9]*[13579]"' "$data/answers.jsonl" >"$work/odd.jsonl" || true
grep -E '"question_id": *"[^"]*-[0-9]+-[0-9]*[02468]"' "$data/answers.jsonl" >"$work/even.jsonl" || true
figures "assignments 1-3" "$work/a13.jsonl"
figures "assignments 4-6" "$work/a46.jsonl"
figures "odd question numbers" "$work/odd.jsonl"
figures "even question numbers" "$work/even.jsonl"
