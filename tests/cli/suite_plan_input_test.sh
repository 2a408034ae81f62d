#!/usr/bin/env bash
# fp_suite --plan reads through core's bounded input (issue 14, row 8): a device, a FIFO, a
# directory, an oversized file, deep nesting and out-of-range numbers are refused at once with
# exit 2 and one line, never read until memory runs out or blocked on.
set -uo pipefail
tool=$FP_BUILD_DIR/runners/fp_suite
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failures=0

refused() {  # refused DESCRIPTION PATTERN ARGS...
  local what=$1 pattern=$2; shift 2
  timeout 20 "$tool" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; local rc=$?
  local lines; lines=$(grep -c . "$tmp/err")
  if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q -- "$pattern" "$tmp/err"; then
    echo "FAIL: $what: exit $rc, $lines stderr lines, want exit 2 and one line matching '$pattern'"
    sed 's/^/  stderr: /' "$tmp/err" | head -3; failures=$((failures + 1)); return
  fi
  echo "PASS: $what: $(cat "$tmp/err")"
}

dry=(--dry-run --nodes 4 --rails 2)
mkfifo "$tmp/fifo"
python3 -c "print('{\"verbs\": ' * 100000 + '1' + '}' * 100000)" >"$tmp/deep.json"
echo '{"timeout_s": 1e400}' >"$tmp/huge-number.json"
echo '{"extends": "/dev/zero"}' >"$tmp/extends-device.json"
echo '{"extends": "fifo"}' >"$tmp/extends-fifo.json"
truncate -s 17M "$tmp/big.json"

refused "--plan /dev/zero" "plan /dev/zero: .*not a regular file" "${dry[@]}" --plan /dev/zero
refused "--plan FIFO" "not a regular file" "${dry[@]}" --plan "$tmp/fifo"
refused "--plan DIRECTORY" "not a regular file" "${dry[@]}" --plan "$tmp"
refused "--plan 17 MB file" "more than the limit" "${dry[@]}" --plan "$tmp/big.json"
refused "--plan nested 100k deep" "nested deeper than" "${dry[@]}" --plan "$tmp/deep.json"
refused "--plan with 1e400" "not valid JSON" "${dry[@]}" --plan "$tmp/huge-number.json"
refused "extends /dev/zero" "not a regular file" "${dry[@]}" --plan "$tmp/extends-device.json"
refused "extends a FIFO" "not a regular file" "${dry[@]}" --plan "$tmp/extends-fifo.json"
refused "--plan ''" "plan: empty file name" "${dry[@]}" --plan ''
# Sizes the run could not carry out are refused when the plan is read.
refused "--bw-sizes 5G" "verbs.bw.sizes\[0\]: 5G is above 4294967295 bytes" "${dry[@]}" --bw-sizes 5G
refused "--set gdr.sizes" "gdr.sizes\[1\]: 4G is above" "${dry[@]}" --set 'gdr.sizes=["64K","4G"]'
refused "--coll-max-size 1T" "collectives.max_size: 1T is larger than this host's memory" "${dry[@]}" --coll-max-size 1T

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all passed"
