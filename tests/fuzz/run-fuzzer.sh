#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time over a fresh copy of its seeds; fails on any
# crash, leak, sanitizer finding, timeout (>10 s on one input) or out-of-memory (>2 GB).
# Usage: run-fuzzer.sh FUZZER_BINARY WORK_DIR SECONDS SEED...
# The ctest tests (label fuzz) call it with FABRICPERF_FUZZ_SECONDS (1..60) when that is set in
# the environment, e.g. `FABRICPERF_FUZZ_SECONDS=10 ctest -L fuzz`.
set -euo pipefail
bin=$1
work=$2
seconds=$3
shift 3
if [ -n "${FABRICPERF_FUZZ_SECONDS:-}" ]; then
  if ! [[ $FABRICPERF_FUZZ_SECONDS =~ ^[0-9]+$ ]] || [ "$FABRICPERF_FUZZ_SECONDS" -lt 1 ] ||
    [ "$FABRICPERF_FUZZ_SECONDS" -gt 60 ]; then
    echo "run-fuzzer: FABRICPERF_FUZZ_SECONDS must be 1..60 (got '$FABRICPERF_FUZZ_SECONDS')" >&2
    exit 2
  fi
  seconds=$FABRICPERF_FUZZ_SECONDS
fi
if [ ! -x "$bin" ]; then
  echo "run-fuzzer: $bin is missing: the fuzz_build test (tests/fuzz/build-fuzzers.sh) did not build it" >&2
  exit 1
fi

# A fresh corpus from the seeds (the input files are never written to), plus a folder for crashes.
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
count=0
for seed in "$@"; do
  while IFS= read -r -d '' file; do
    name=$(printf '%s' "$file" | sha1sum | cut -c1-16)
    cp "$file" "$work/corpus/seed-$name"
    count=$((count + 1))
  done < <(find "$seed" -type f -print0)
done
echo "run-fuzzer: $(basename "$bin"): $count seed files, $seconds s"
[ "$count" -gt 0 ] || { echo "run-fuzzer: no seed files" >&2; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
set +e
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" 2>&1 | tee "$work/fuzz.log" | grep -v -E '^#[0-9]+.*(NEW|REDUCE|pulse)' 
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -ne 0 ] || [ -n "$(ls -A "$work/artifacts")" ]; then
  echo "run-fuzzer: $(basename "$bin") FOUND A PROBLEM (exit $rc); reproducer(s):" >&2
  ls -l "$work/artifacts" >&2
  echo "replay one with: $bin $work/artifacts/<file>" >&2
  exit 1
fi
grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' "$work/fuzz.log" || true
echo "run-fuzzer: $(basename "$bin"): no findings in $seconds s"
