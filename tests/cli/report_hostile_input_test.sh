#!/usr/bin/env bash
# fp_report on hostile input (issue 14 rows 1, 2, 10, 11): every subcommand answers a long string,
# deep nesting, a directory, a FIFO, 1e400 and nonsense tolerances with exit 0/1/2 and one clear
# line, never a signal, never a blown-up output.
set -u
fp=${FP_BUILD_DIR:?}/results/fp_report
data=${FP_SOURCE_DIR:?}/tests/data/results
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

expect() {
  local want=$1; shift
  timeout 60 "$fp" "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  [ "$rc" -eq "$want" ] || fail "fp_report $* exited $rc, want $want: $(head -c 300 "$work/err")"
}
one_line_naming() {
  local lines; lines=$(grep -c . "$work/err")
  [ "$lines" -eq 1 ] || fail "want one stderr line, got $lines: $(head -c 600 "$work/err")"
  grep -q -- "$1" "$work/err" || fail "stderr does not name '$1': $(head -c 300 "$work/err")"
}

python3 - "$data/lat.json" "$work" <<'PY'
import json, sys
base = json.load(open(sys.argv[1]))
work = sys.argv[2]
def write(name, doc):
    open(f"{work}/{name}", "w").write(json.dumps(doc))
d = dict(base); d["tool"] = "fp_" + "a" * 30000
write("long_tool.json", d)
d = dict(base); d["tool"] = "fp_" + "a" * 30000 + "!"
write("long_bad_tool.json", d)
# 100k nested '[' inside a result row; 40k deep params (text written directly: json.dumps recurses)
text = json.dumps(base)
row = '{"host": "n1", "x": ' + "[" * 100000 + "]" * 100000 + "}"
open(f"{work}/deep_row.json", "w").write(text.replace('"results": [', '"results": [' + row + ", ", 1))
params = '"params": {"p": ' + "[" * 40000 + "]" * 40000 + "}"
t = json.dumps({k: v for k, v in base.items() if k != "params"})
open(f"{work}/deep_params.json", "w").write(t[:-1] + ", " + params + "}")
# A number outside double's range inside a valid document.
open(f"{work}/huge_number.json", "w").write(text.replace('"results": [', '"results": [{"host": "n1", "v": 1e400}, ', 1))
PY
mkdir "$work/dir.json"
mkfifo "$work/fifo.json"

# Row 1: a 30,000-character tool (std::regex recursed per character: SIGSEGV).
expect 0 validate "$work/long_tool.json"
grep -q 'valid fabricperf/1' "$work/out" || fail "long tool not reported valid: $(head -c 200 "$work/out")"
expect 1 validate "$work/long_bad_tool.json"
grep -q 'long_bad_tool.json: tool: ' "$work/out" || fail "long bad tool: no problem line"
[ "$(wc -c <"$work/out")" -lt 400 ] || fail "the problem line repeats the 30,000-character value"
expect 0 export --format csv "$work/long_tool.json"
expect 0 export --format prometheus "$work/long_tool.json"
expect 0 html "$work/long_tool.json" -o "$work/long.html"
expect 0 compare "$work/long_tool.json" "$work/long_tool.json"
expect 0 merge "$work/long_tool.json" "$data/lat.json" -o "$work/long_merged.json"

# Row 2: deep nesting is refused by every reader, one line naming the file, exit 2.
for f in deep_row.json deep_params.json; do
  expect 2 validate "$work/$f"
  one_line_naming "$f"
  grep -q 'nested deeper than' "$work/err" || fail "validate $f: $(cat "$work/err")"
  expect 2 export --format csv "$work/$f"
  one_line_naming "$f"
  expect 2 export --format prometheus "$work/$f"
  one_line_naming "$f"
  expect 2 html "$work/$f" -o "$work/deep.html"
  one_line_naming "$f"
  expect 2 html "$data/lat.json" --baseline "$work/$f" -o "$work/deep.html"
  one_line_naming "$f"
  expect 2 compare "$data/lat.json" "$work/$f"
  one_line_naming "$f"
  expect 2 merge "$data/lat.json" "$work/$f" -o "$work/deep_merged.json"
  one_line_naming "$f"
  [ -e "$work/deep_merged.json" ] && fail "merge wrote an output for $f"
done

# Row 11: a directory, a FIFO (never blocks), 1e400.
expect 2 validate "$work/dir.json"
one_line_naming "dir.json: a directory, not a regular file"
expect 2 export --format csv "$work/dir.json"
one_line_naming "dir.json: a directory, not a regular file"
expect 2 compare "$work/dir.json" "$data/lat.json"
one_line_naming "dir.json: a directory, not a regular file"
expect 2 validate "$work/fifo.json"
one_line_naming "fifo.json: a FIFO, not a regular file"
expect 2 merge "$data/lat.json" "$work/fifo.json" -o "$work/m.json"
one_line_naming "fifo.json"
expect 2 validate "$work/huge_number.json"
one_line_naming "huge_number.json"
expect 2 html "$work/huge_number.json" -o "$work/h.html"
one_line_naming "huge_number.json"
# validate judges every file: refused (2) beats invalid (1) beats valid (0).
expect 2 validate "$data/lat.json" "$data/invalid_types.json" "$work/dir.json"
grep -q 'lat.json: valid' "$work/out" || fail "validate stopped before the valid file"
grep -q 'invalid_types.json: ' "$work/out" || fail "validate stopped before the invalid file"

# Row 10: tolerances must be finite numbers >= 0.
for opt in --noise-k --tolerance-pct; do
  for v in nan NaN inf -inf -1 1e400 abc; do
    expect 2 compare "$data/lat.json" "$data/lat.json" "$opt" "$v"
    one_line_naming -- "$opt"
    expect 2 html "$data/lat.json" -o "$work/t.html" "$opt" "$v"
    one_line_naming -- "$opt"
  done
  expect 0 compare "$data/lat.json" "$data/lat.json" "$opt" 0
  expect 0 compare "$data/lat.json" "$data/lat.json" "$opt" 2.5
done

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "PASS: fp_report hostile input"
