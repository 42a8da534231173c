#!/usr/bin/env bash
# Seed each fuzz target's corpus from tests/fixtures (and the bundled bank and config), then
# run each target for SECONDS (default 60) on nightly. Usage: fuzz/run.sh [SECONDS] [TARGET...]
# Crashes are written to fuzz/artifacts/TARGET/; corpora grow in fuzz/corpus/TARGET/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    targets=(grade batch_lines bank_toml import_markdown import_telegram config)
fi
if ! rustup toolchain list | grep -q '^nightly'; then
    echo "fuzz/run.sh needs a nightly toolchain (rustup toolchain install nightly)" >&2
    exit 1
fi
fixtures=../tests/fixtures
seed() {
    local target="$1"
    local dir="corpus/$target"
    mkdir -p "$dir"
    case "$target" in
        grade)
            # Every graded example answer, with a question-picking first byte.
            find "$fixtures/graded" -name '*.toml' | head -200 | while read -r f; do
                { printf 'A'; cat "$f"; } > "$dir/$(basename "$f").seed"
            done
            ;;
        batch_lines)
            split -l 20 -a 4 <(head -400 "$fixtures/blind/answers.jsonl") "$dir/blind-"
            ;;
        bank_toml)
            for f in ../data/*.toml; do
                id=$(basename "$f" .toml)
                [[ -f "../rubrics/$id.toml" ]] || continue
                { cat "$f"; printf '\n#---rubric---\n'; cat "../rubrics/$id.toml"; } > "$dir/$id.seed"
            done
            ;;
        import_markdown) cp "$fixtures"/markdown/*.md "$dir"/ ;;
        import_telegram) cp "$fixtures"/telegram/* "$dir"/ ;;
        config) cp ../config.toml "$dir"/default.toml ;;
    esac
}
failed=()
for target in "${targets[@]}"; do
    seed "$target"
    echo "== $target: ${seconds}s"
    status=0
    cargo +nightly fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=65536 >"log-$target.txt" 2>&1 || status=$?
    grep -E '^(#[0-9]+ *DONE|Done [0-9]+ runs|==[0-9]+== ERROR|SUMMARY|artifact_prefix|Test unit written)' "log-$target.txt" || true
    # libFuzzer exits non-zero on a crash, a leak, a timeout or running out of memory, and
    # writes the input that did it under artifacts/TARGET/.
    if [[ $status -ne 0 ]]; then
        tail -40 "log-$target.txt" >&2
        failed+=("$target")
    fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz/run.sh: failures in ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
