#!/usr/bin/env bash
# Measure the grader on answers written blind to its rubrics: the bank's blind graded examples
# (tests/fixtures/blind, tuning and check parts reported apart; voices.jsonl, a second round for
# the tuning questions in candidates' own voice; own-knowledge.jsonl, a third written from the
# question alone, without the reference answer; typed.jsonl, a fourth with full, fast-typed,
# confidently wrong and negated answers) and, when present, the shared
# ru-dev set (../shared/calibration/ru-dev, measured only). Extra arguments go to `sobes`,
# e.g. `scripts/eval-blind.sh --set embeddings.base_url=http://127.0.0.1:8080/v1`.
set -euo pipefail
cd "$(dirname "$0")/.."
sobes="${SOBES:-}"
if [[ -z "$sobes" ]]; then
    cargo build --release --quiet
    sobes=target/release/sobes
fi
blind=tests/fixtures/blind
for part in tune check; do
    echo "== blind examples, $part part"
    "$sobes" --no-config --lang en "$@" eval "$blind/answers.jsonl" --split "$blind/split.toml" \
        --part "$part" --grade-max 10 --worst 0 | sed '/^Per question:/,$d'
done
echo "== blind examples in candidates' own voice (tuning questions, second round)"
"$sobes" --no-config --lang en "$@" eval "$blind/voices.jsonl" --grade-max 10 --worst 0 \
    | sed '/^Per question:/,$d'
echo "== blind examples written from the question alone (tuning questions, third round)"
"$sobes" --no-config --lang en "$@" eval "$blind/own-knowledge.jsonl" --grade-max 10 --worst 0 \
    | sed '/^Per question:/,$d'
echo "== blind examples typed fast or stated wrong (tuning questions, fourth round)"
"$sobes" --no-config --lang en "$@" eval "$blind/typed.jsonl" --grade-max 10 --worst 0 \
    | sed '/^Per question:/,$d'
ru_dev="${RU_DEV:-../shared/calibration/ru-dev/answers.jsonl}"
if [[ -f "$ru_dev" ]]; then
    echo "== ru-dev (shared, measured only)"
    "$sobes" --no-config --lang en "$@" eval "$ru_dev" --grade-max 10 --worst 0 | sed '/^Per question:/,$d'
else
    echo "notice: $ru_dev is absent; ru-dev not measured" >&2
fi
