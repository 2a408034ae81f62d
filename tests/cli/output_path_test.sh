#!/usr/bin/env bash
# Every tool checks its --json FILE before it measures anything: an empty name, a directory, a
# missing parent directory, a parent that cannot be written and a non-regular file are refused
# with exit 2 and one line naming --json (issue 14, row 11).
set -uo pipefail
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
failures=0

expect_refused() {  # expect_refused DESCRIPTION PATTERN TOOL ARGS...
  local what=$1 pattern=$2; shift 2
  timeout 30 "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  local lines; lines=$(grep -c . "$tmp/err")
  if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q -- "--json: .*$pattern" "$tmp/err"; then
    echo "FAIL: $what: exit $rc, $lines stderr lines, want exit 2 and one line matching '--json: .*$pattern'"
    sed 's/^/  stderr: /' "$tmp/err" | head -5; failures=$((failures + 1)); return
  fi
  echo "PASS: $what: $(cat "$tmp/err")"
}

mkdir -p "$tmp/dir" "$tmp/ro"; chmod a-w "$tmp/ro"
declare -A args=(
  [bw/fp_bw]=""
  [latency/fp_lat]=""
  [gdr/fp_gdr]=""
  [collectives/fp_coll]="--backend ref -b 1K -e 1K -n 1 -w 0"
  [runners/fp_suite]="--dry-run --nodes 4 --rails 2"
  [topology/fp_topo]=""
  [sizing/fp_sizing]="--model llama3-8b"
)
for tool in "${!args[@]}"; do
  bin=$FP_BUILD_DIR/$tool
  [ -x "$bin" ] || { echo "SKIP: $tool not built"; continue; }
  name=$(basename "$tool")
  # shellcheck disable=SC2086
  set -- ${args[$tool]}
  expect_refused "$name --json ''" "empty file name" "$bin" "$@" --json ''
  expect_refused "$name --json DIRECTORY" "is a directory" "$bin" "$@" --json "$tmp/dir"
  expect_refused "$name --json DIRECTORY/" "is a directory" "$bin" "$@" --json "$tmp/dir/"
  expect_refused "$name --json in a missing directory" "directory .*/missing does not exist" "$bin" "$@" --json "$tmp/missing/x.json"
  expect_refused "$name --json /dev/null" "not a regular file" "$bin" "$@" --json /dev/null
  if [ "$(id -u)" -ne 0 ]; then
    expect_refused "$name --json in a read-only directory" "cannot write in directory" "$bin" "$@" --json "$tmp/ro/x.json"
  fi
done

# A good path still works: fp_suite's dry run writes its document there.
if [ -x "$FP_BUILD_DIR/runners/fp_suite" ]; then
  if "$FP_BUILD_DIR/runners/fp_suite" --dry-run --nodes 4 --rails 2 --json "$tmp/dir/plan.json" >/dev/null 2>"$tmp/err" &&
     [ -s "$tmp/dir/plan.json" ]; then
    echo "PASS: fp_suite --dry-run --json FILE writes FILE"
  else
    echo "FAIL: fp_suite --dry-run --json FILE"; cat "$tmp/err"; failures=$((failures + 1))
  fi
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all passed"
