#!/usr/bin/env bash
# fp_suite --simulate: bad input is a one-line usage error (exit 2); a small run and a 2,048-node
# scenario run the adaptive verdict, write a valid document with one row per fault kind, and
# attribute every fault without accusing a healthy node.
set -uo pipefail
: "${FP_BUILD_DIR:?}" "${FP_SOURCE_DIR:?}"
suite=$FP_BUILD_DIR/runners/fp_suite
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

expect_usage() {
  local what=$1; shift
  "$suite" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  [ "$rc" -eq 2 ] || fail "$what: exit $rc, expected 2 ($(cat "$tmp/err"))"
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "$what: stderr is not one line: $(cat "$tmp/err")"
  [ ! -s "$tmp/out" ] || fail "$what: wrote to stdout: $(head -3 "$tmp/out")"
  echo "ok: $what -> $(cat "$tmp/err")"
}
expect_usage "no --nodes" --simulate
expect_usage "one node" --simulate --nodes 1
expect_usage "more faults than nodes" --simulate --nodes 8 --faults 9
expect_usage "unknown fault kind" --simulate --nodes 8 --fault-kinds slow_nic,bogus
expect_usage "empty fault kinds" --simulate --nodes 8 --fault-kinds ,
expect_usage "--faults without --simulate" --dry-run --nodes 8 --faults 2
expect_usage "--simulate with --dry-run" --simulate --dry-run --nodes 8
expect_usage "zero scenarios" --simulate --nodes 8 --scenarios 0
expect_usage "negative faults" --simulate --nodes 8 --faults -1
expect_usage "noise out of range" --simulate --nodes 8 --noise-pct 50
expect_usage "bad oversubscription" --simulate --nodes 8 --oversubscription 0.5
grep -q "fault kind 'bogus'" <("$suite" --simulate --nodes 8 --fault-kinds bogus 2>&1) || fail "error does not name the kind"

# A small batch: every kind, 2 faults per scenario, an oversubscribed fabric.
"$suite" --simulate --nodes 64 --rails 4 --nodes-per-leaf 8 --oversubscription 2 --faults 2 --scenarios 30 --seed 5 \
  --json "$tmp/small.json" >"$tmp/small.txt" || fail "small simulation exited $? ($(tail -3 "$tmp/small.txt"))"
cat "$tmp/small.txt"
$py "$FP_SOURCE_DIR/tests/tools/validate_document.py" "$tmp/small.json" || fail "simulation JSON does not validate"
$py - "$tmp/small.json" <<'PY' || fail "small simulation content"
import json, sys
d = json.load(open(sys.argv[1]))
rows = {r["kind"]: r for r in d["results"]}
assert set(rows) == {"slow_nic", "dead_nic", "bad_cable", "flapping_link", "slow_node", "miscabled_rail", "all"}, list(rows)
for r in d["results"]:
    assert r["stage"] == "simulate"
    for k in ("injected", "detected", "attributed_correctly", "falsely_accused", "time_to_verdict_s"):
        assert k in r, (r["kind"], k)
    assert r["attributed_correctly"] <= r["detected"] <= r["injected"], r
a = rows["all"]
assert a["injected"] == 60 and a["scenarios"] == 30, a
assert a["attributed_correctly"] >= 59 and a["healthy_nodes_accused"] == 0, a
assert sum(r["injected"] for k, r in rows.items() if k != "all") == 60
assert 0 < a["time_to_verdict_s"] <= a["time_to_verdict_max_s"], a
checks = {c["name"]: c for c in d["checks"]}
assert checks["simulate_attribution"]["status"] == "pass", checks
PY
grep -Eq "against [0-9] good peers|cabled to rail|no connection|flapping|rails slow" "$tmp/small.txt" \
  || fail "no attribution wording in the first scenario's verdict"

# Full scale: one 2,048-node x 8-rail scenario with 5 faults takes seconds, not minutes.
start=$EPOCHREALTIME
"$suite" --simulate --nodes 2048 --rails 8 --faults 5 --seed 11 --json "$tmp/big.json" >"$tmp/big.txt" \
  || fail "2048-node simulation exited $? ($(tail -5 "$tmp/big.txt"))"
end=$EPOCHREALTIME
echo "2048 x 8, 5 faults: $(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}') s wall"
$py - "$tmp/big.json" <<'PY' || fail "2048-node simulation content: $(cat "$tmp/big.txt")"
import json, sys
d = json.load(open(sys.argv[1]))
a = [r for r in d["results"] if r["kind"] == "all"][0]
assert a["injected"] == 5 and a["attributed_correctly"] == 5 and a["healthy_nodes_accused"] == 0, a
assert a["time_to_verdict_s"] < 600, a
PY
echo "PASS: fp_suite --simulate"
