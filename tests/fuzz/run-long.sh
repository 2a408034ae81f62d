#!/usr/bin/env bash
# A long fuzzing run of one target: builds the libFuzzer build (build/fuzz) if needed and runs
# TARGET for SECONDS over its seeds. Usage: tests/fuzz/run-long.sh TARGET [SECONDS=600] [BUILD_DIR]
# e.g. tests/fuzz/run-long.sh result_document 3600
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${1:?usage: run-long.sh TARGET [SECONDS] [BUILD_DIR]}
seconds=${2:-600}
build=${3:-$root/build}/fuzz
launcher=$(command -v ccache || true)
bash "$root/tests/fuzz/build-fuzzers.sh" "$root" "$build" "" "" "$launcher"
# The seeds of TARGET, from its line in targets.cmake.
line=$(grep -E "NAME $target( |\))" "$root/tests/fuzz/targets.cmake") ||
  { echo "run-long: no target '$target' in tests/fuzz/targets.cmake" >&2; exit 2; }
seeds=()
for seed in $(sed -E 's/.*SEEDS (.*)\).*/\1/' <<<"$line"); do seeds+=("$root/$seed"); done
env -u FABRICPERF_FUZZ_SECONDS bash "$root/tests/fuzz/run-fuzzer.sh" "$build/fuzzers/fuzz_$target" \
  "$build/runs-long/$target" "$seconds" "${seeds[@]}"
