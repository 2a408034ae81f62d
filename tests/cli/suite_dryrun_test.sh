#!/usr/bin/env bash
# fp_suite --dry-run: the plan for a cluster of any size without running anything; its JSON
# validates against the schema and holds one result per stage (stage, rounds, pairs, estimated_s).
set -uo pipefail
: "${FP_BUILD_DIR:?}" "${FP_SOURCE_DIR:?}"
suite=$FP_BUILD_DIR/runners/fp_suite
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 2,048 nodes x 8 rails, go-live: planned in well under a second.
start=$EPOCHREALTIME
"$suite" --dry-run --nodes 2048 --rails 8 --gpus-per-node 8 --preset go-live --json "$tmp/big.json" >"$tmp/big.txt" \
  || fail "dry run of 2048 nodes exited $?"
end=$EPOCHREALTIME
echo "planned 2048 nodes x 8 rails in $(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f", b - a}') s (wall, including process start)"
grep -q "verbs_bw" "$tmp/big.txt" || fail "no verbs_bw line in the table"
grep -q "estimated total" "$tmp/big.txt" || fail "no estimate in the table"
$py "$FP_SOURCE_DIR/tests/tools/validate_document.py" "$tmp/big.json" || fail "dry-run JSON does not validate"
$py - "$tmp/big.json" <<'PY' || fail "dry-run JSON content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["tool"] == "fp_suite" and d["status"] == "ok", d["status"]
rows = {r["stage"]: r for r in d["results"]}
assert list(rows) == ["reach", "preflight", "verbs_bw", "verbs_lat", "gdr", "collectives", "stress"], list(rows)
for r in d["results"]:
    for k in ("stage", "rounds", "pairs", "estimated_s"):
        assert k in r, (r["stage"], k)
bw = rows["verbs_bw"]
# go-live is adaptive: 4 full-rate permutation rounds (every node sends and receives) + retests.
assert bw["rounds"] == 4 and bw["pairs"] == 4 * 2048 and bw["pairs_per_round"] == 2048, bw
assert bw["links"] == bw["pairs"] * 8 and bw["retest_rounds_max"] == 13, bw
assert d["params"]["estimated_s"] < 600, d["params"]["estimated_s"]
assert rows["gdr"]["rounds"] == 1 and rows["gdr"]["links"] == 1024 * 8, rows["gdr"]
assert rows["stress"]["rounds"] == 5, rows["stress"]
assert d["params"]["estimated_s"] > 0
PY

# The reach mesh for 2,048 nodes x 8 rails: every pair on every rail, estimated under 2 minutes.
"$suite" --dry-run --nodes 2048 --rails 8 --preset reach --json "$tmp/reach.json" >"$tmp/reach.txt" \
  || fail "reach dry run exited $?"
cat "$tmp/reach.txt"
$py "$FP_SOURCE_DIR/tests/tools/validate_document.py" "$tmp/reach.json" || fail "reach dry-run JSON does not validate"
$py - "$tmp/reach.json" <<'PY' || fail "reach dry-run content"
import json, sys
d = json.load(open(sys.argv[1]))
rows = {r["stage"]: r for r in d["results"]}
assert list(rows) == ["reach"], list(rows)
r = rows["reach"]
assert r["rounds"] == 2047 and r["pairs"] == 2048 * 2047 // 2 and r["links"] == r["pairs"] * 8, r
assert 0 < d["params"]["estimated_s"] < 120, d["params"]["estimated_s"]
PY
grep -q "verbs_bw: adaptive, 4 full-rate rounds" "$tmp/big.txt" || fail "no adaptive note under the table"

# --exhaustive: every pair of nodes again (N-1 rounds), the pre-adaptive plan.
"$suite" --dry-run --nodes 2048 --rails 8 --gpus-per-node 8 --preset go-live --exhaustive --json "$tmp/all.json" >/dev/null \
  || fail "--exhaustive dry run"
$py - "$tmp/all.json" <<'PY' || fail "--exhaustive content"
import json, sys
d = json.load(open(sys.argv[1]))
bw = {r["stage"]: r for r in d["results"]}["verbs_bw"]
assert bw["rounds"] == 2047 and bw["pairs"] == 2048 * 2047 // 2 and bw["pairs_per_round"] == 1024, bw
assert bw["links"] == bw["pairs"] * 8 and "retest_rounds_max" not in bw, bw
assert d["params"]["plan"]["verbs"]["mode"] == "all_pairs"
PY

# Odd node count: N rounds with a bye; a capped plan; skipped stages.
"$suite" --dry-run --nodes 7 --rails 2 --json "$tmp/odd.json" --max-rounds 0 --skip-stage gdr --skip-stage stress >/dev/null \
  || fail "odd dry run"
$py - "$tmp/odd.json" <<'PY' || fail "odd dry-run content"
import json, sys
d = json.load(open(sys.argv[1]))
rows = {r["stage"]: r for r in d["results"]}
assert list(rows) == ["preflight", "verbs_bw", "verbs_lat", "collectives"], list(rows)
assert rows["verbs_bw"]["rounds"] == 7 and rows["verbs_bw"]["pairs"] == 21, rows["verbs_bw"]
PY
"$suite" --dry-run --nodes 64 --rails 8 --preset quick --stages verbs_bw --json - 2>/dev/null | \
  $py -c 'import json,sys; d=json.load(sys.stdin); r=d["results"]; assert len(r)==1 and r[0]["rounds"]==3, r' \
  || fail "--json - with --stages"

# Usage errors: exit 2 with one line on stderr.
expect_usage() {
  local what=$1; shift
  "$suite" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  [ "$rc" -eq 2 ] || fail "$what: exit $rc, expected 2 ($(cat "$tmp/err"))"
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "$what: stderr is not one line: $(cat "$tmp/err")"
  echo "ok: $what -> $(cat "$tmp/err")"
}
expect_usage "dry run without --nodes" --dry-run
expect_usage "unknown preset" --preset golive --dry-run --nodes 2
expect_usage "unknown stage" --skip-stage verbs --dry-run --nodes 2
expect_usage "bad --set" --set verbs.bw.iterations=0 --dry-run --nodes 2
expect_usage "unknown --set key" --set verbs.bw.iteration=10 --dry-run --nodes 2
expect_usage "plan typo" --plan "$FP_SOURCE_DIR/tests/data/runners/plans/typo.json" --dry-run --nodes 2
expect_usage "plan bad JSON" --plan "$FP_SOURCE_DIR/tests/data/runners/plans/bad-json.json" --dry-run --nodes 2
expect_usage "plan and preset" --plan "$FP_SOURCE_DIR/tests/data/runners/plans/short-golive.json" --preset quick
expect_usage "missing plan file" --plan "$tmp/nope.json" --dry-run --nodes 2
expect_usage "bad busbw floor" --expect-busbw-GBps all_reduce --dry-run --nodes 2

# A plan file extending a preset; --print-plan shows the resolved plan.
"$suite" --plan "$FP_SOURCE_DIR/tests/data/runners/plans/short-golive.json" --print-plan >"$tmp/plan.json" || fail "--print-plan"
$py -c 'import json,sys; p=json.load(open(sys.argv[1])); assert p["name"]=="short-golive" and p["verbs"]["bw"]["sizes"]==["64K"], p' \
  "$tmp/plan.json" || fail "--print-plan content"
"$suite" --list-presets | grep -q "^go-live: " || fail "--list-presets"

# README.md's line has no --gpus-per-node: a plan with gdr is planned for HGX nodes (8 GPUs), so
# the gdr stage and its time are in the estimate; --gpus-per-node 0 plans a cluster without GPUs.
"$suite" --dry-run --nodes 2048 --rails 8 --preset go-live >"$tmp/readme.txt" || fail "README dry run exited $?"
grep -q "8 GPUs per node" "$tmp/readme.txt" || fail "go-live dry run does not assume 8 GPUs per node: $(head -1 "$tmp/readme.txt")"
grep -Eq '^gdr +[0-9]+ ' "$tmp/readme.txt" || fail "gdr not planned without --gpus-per-node: $(grep '^gdr' "$tmp/readme.txt")"
"$suite" --dry-run --nodes 4 --gpus-per-node 0 --preset go-live | grep -Eq '^gdr +skipped: no GPUs' \
  || fail "--gpus-per-node 0 should skip gdr"
echo "PASS: fp_suite --dry-run and plan errors"
