#!/usr/bin/env bash
# fp_suite on the multi-rail cluster (fixture testbed_multirail: 3 nodes x 2 rails x 2 NUMA nodes)
# under mpirun, one rank per node: preflight finds 2 rails on every node; verbs_bw runs the 3 node
# pairs in 3 rounds (circle method, 3 nodes: one pair and one idle node per round), every rail of
# the pair at once: per round and rail exactly one link row (rxeR -> rxeR of the same two nodes),
# plus one rail aggregate per round. The plan in params says the same. Speed is never asserted.
source "$(dirname "$0")/lib.sh"
if [ -n "${FABRICPERF_TEST_HOSTS:-}" ]; then echo "SKIP: needs the multi-rail virtual cluster"; exit 0; fi
suite=$FP_BUILD_DIR/runners/fp_suite
[ -x "$suite" ] || fail "fp_suite not built ($suite)"
out=$(fp_scratch)
doc=$out/suite.json

fp_mpirun -np 3 -- "$suite" --preset quick --stages preflight,verbs_bw --bw-sizes 64K --iterations 200 \
  --expect-line-rate-pct 0.001 --timeout 120 --json "$doc" >"$out/suite.txt" 2>"$out/suite.err"
rc=$?
cat "$out/suite.txt"
[ -s "$doc" ] || { cat "$out/suite.err"; fail "no document written"; }
validate_docs "$doc"
assert_json "$doc" 'd["status"] == "ok" and not d["partial"] and d["params"]["ranks"] == 3'
assert_json "$doc" 'd["params"]["discovery"]["rails"] == 2'
assert_json "$doc" 'all([p["device"] for p in h["ports"]] == ["rxe0", "rxe1"] for h in d["params"]["discovery"]["rail_ports"])'
assert_json "$doc" '[c["status"] for c in d["checks"] if c["name"] == "preflight_rails"] == ["pass"]'
assert_json "$doc" '[(s["rounds"], s["pairs_per_round"], s["rails"], s["links"]) for s in d["params"]["schedule"] if s["stage"] == "verbs_bw"] == [(3, 1, 2, 6)]'
pass "preflight: 2 rails (rxe0, rxe1) on every node; plan: 3 rounds x 1 pair x 2 rails = 6 links"

"$FP_PY" - "$doc" <<'PY' || fail "verbs_bw rows are not one pair per rail per round (see $doc)"
import json, sys
d = json.load(open(sys.argv[1]))
rows = [r for r in d["results"] if r["stage"] == "verbs_bw"]
links = [r for r in rows if not r.get("aggregate")]
per = {}
for r in links:
    assert r["device"] == f"rxe{r['rail']}" and r["peer_device"] == r["device"], r
    assert r["bw_avg_gbps"] > 0, r
    per.setdefault((r["round"], r["rail"]), []).append((r["host"], r["peer_host"]))
assert sorted(per) == [(k, rail) for k in range(3) for rail in range(2)], sorted(per)
assert all(len(p) == 1 for p in per.values()), per
for k in range(3):
    assert per[(k, 0)] == per[(k, 1)], (k, per)   # both rails of one round: the same node pair
pairs = {frozenset(per[(k, 0)][0]) for k in range(3)}
assert pairs == {frozenset(p) for p in (("node1", "node2"), ("node1", "node3"), ("node2", "node3"))}, pairs
aggs = [r for r in rows if r.get("aggregate")]
assert sorted(r["round"] for r in aggs) == [0, 1, 2] and all(r["rails"] == 2 for r in aggs), aggs
for a in aggs:
    members = [r["bw_avg_gbps"] for r in links if r["round"] == a["round"]]
    assert abs(sum(members) - a["bw_avg_gbps"]) <= 1e-6 * max(1.0, a["bw_avg_gbps"]), (a, members)
print("verbs_bw:", {f"round {k} rail {rail}": p[0] for (k, rail), p in sorted(per.items())})
PY
pass "verbs_bw: each of 3 rounds has one pair on rail 0 and the same pair on rail 1, all 3 pairs met, a rail aggregate per round"
grep -q 'round 3/3' "$out/suite.err" || fail "no progress line for round 3/3"
[ "$rc" -eq 0 ] || fail "fp_suite exited $rc"
