#!/usr/bin/env bash
# fp_suite --preset reach across every guest of the cluster under mpirun: one row per (node,
# rail, peer), every pair reachable with its data check passed, PASS (exit 0), and how long it
# took. Then the fault case: one rail of node2 cut from the host (`fp-testbed link node2 R down`)
# must turn the verdict to FAIL naming exactly that rail of node2 and nothing else, within the
# stage's timeouts; the link is restored afterwards.
#
# The fault case needs >= 3 nodes (so node2 can be told apart from its peers) and >= 2 rails
# (MPI's own traffic rides rail 0's link: cutting it would cut the job, not just a rail); on the
# default single-rail cluster it is skipped and says so.
source "$(dirname "$0")/lib.sh"

suite=$FP_BUILD_DIR/runners/fp_suite
[ -x "$suite" ] || fail "fp_suite not built ($suite)"
out=$(fp_scratch)

if [ -n "${FABRICPERF_TEST_HOSTS:-}" ]; then
  IFS=, read -r -a hosts <<<"$FABRICPERF_TEST_HOSTS"
  nodes=${#hosts[@]}
else
  nodes=$("$FP_TESTBED" status 2>/dev/null | grep -c '^node')
fi
rails=$(fp_run node1 /bin/ls /sys/class/infiniband | grep -c .)
[ "$nodes" -ge 2 ] || fail "the cluster has $nodes node(s); reach needs 2"
[ "$rails" -ge 1 ] || fail "node1 has no RDMA device"
echo "cluster: $nodes nodes x $rails rail(s)"

# run_reach NAME: fp_suite --preset reach on every node; sets rc and took (seconds).
run_reach() {
  local name=$1 t0 t1
  t0=$(date +%s.%N)
  fp_mpirun -np "$nodes" -- "$suite" --preset reach --connect-timeout 5 --timeout 60 --json "$out/$name.json" \
    >"$out/$name.txt" 2>"$out/$name.err"
  rc=$?
  t1=$(date +%s.%N)
  took=$("$FP_PY" -c "print(f'{$t1 - $t0:.1f}')")
  echo "fp_suite --preset reach ($name): exit $rc after $took s"
  cat "$out/$name.txt"
  [ -s "$out/$name.json" ] || { cat "$out/$name.err"; fail "$name: no document written"; }
  validate_docs "$out/$name.json"
}

# --- A healthy mesh -----------------------------------------------------------------------------
run_reach healthy
doc=$out/healthy.json
assert_json "$doc" 'd["status"] == "ok" and not d["partial"] and d["params"]["plan"]["name"] == "reach"'
assert_json "$doc" "len(d['params']['discovery']['layout']['nodes']) == $nodes"
# Exactly one row per (node, rail, peer), each reachable with its data check passed.
assert_json "$doc" "sorted((r['host'], r['rail'], r['peer_host']) for r in d['results'] if r['stage'] == 'reach') == sorted((a, k, b) for a in d['params']['discovery']['layout']['nodes'] for b in d['params']['discovery']['layout']['nodes'] if a != b for k in range($rails))"
assert_json "$doc" 'all(r["reachable"] and r["data_ok"] and r["port_state"] == "ACTIVE" for r in d["results"] if r["stage"] == "reach")'
assert_json "$doc" 'all(r["active_mtu_bytes"] > 0 and r["gid_type"] and r["link_layer"] == "Ethernet" for r in d["results"] if r["stage"] == "reach")'
# One latency sample per rail pair (on the initiator's row).
assert_json "$doc" "len([r for r in d['results'] if r['stage'] == 'reach' and r.get('latency_us', 0) > 0]) == $nodes * ($nodes - 1) // 2 * $rails"
assert_json "$doc" '[c["status"] for c in d["checks"] if c["name"] == "reach_path"] == ["pass"]'
assert_json "$doc" '[c["status"] for c in d["checks"] if c["name"] == "reach_port_match"] == ["pass"]'
assert_json "$doc" 'not d["errors"] and not [c for c in d["checks"] if c["status"] == "fail"]'
grep -q '^result: PASS' "$out/healthy.txt" || fail "the verdict is not PASS"
[ "$rc" -eq 0 ] || fail "fp_suite --preset reach exited $rc on a healthy cluster"
stage_s=$(awk '$1 == "reach" {print $(NF-1), $NF}' "$out/healthy.txt" | tail -1)
pass "reach mesh: $nodes nodes x $rails rail(s), every pair reachable, PASS in $took s (stage: $stage_s)"

# --- One rail of node2 cut ----------------------------------------------------------------------
if [ -n "${FABRICPERF_TEST_HOSTS:-}" ]; then echo "SKIP: the fault case needs the virtual cluster's link control"; exit 0; fi
if [ "$nodes" -lt 3 ] || [ "$rails" -lt 2 ]; then
  echo "SKIP: the fault case needs >= 3 nodes and >= 2 rails (this cluster: $nodes x $rails; MPI rides rail 0)"
  exit 0
fi
cut=$((rails - 1))
port_state() { fp_run node2 /bin/cat "/sys/class/infiniband/rxe$cut/ports/1/state" 2>/dev/null; }
restore() {
  "$FP_TESTBED" link node2 "$cut" up >/dev/null 2>&1
  for _ in $(seq 1 30); do port_state | grep -q ACTIVE && return 0; sleep 1; done
  echo "warning: node2 rxe$cut is not ACTIVE again after 30 s" >&2
}
trap 'st=$?; restore; (exit $st); fp_on_exit' EXIT
"$FP_TESTBED" link node2 "$cut" down || fail "fp-testbed link node2 $cut down"
for _ in $(seq 1 30); do port_state | grep -q ACTIVE || break; sleep 1; done
echo "node2 rxe$cut: $(port_state)"

run_reach cut
doc=$out/cut.json
restore
assert_json "$doc" 'd["status"] == "ok" and not d["partial"] and not d["errors"]'
[ "$rc" -eq 1 ] || fail "fp_suite exited $rc with node2's rail $cut cut (expected 1)"
grep -q '^result: FAIL' "$out/cut.txt" || fail "the verdict is not FAIL"
# Every failing check names node2's rail and nothing else; the rest of the mesh is fine.
assert_json "$doc" "[c for c in d['checks'] if c['status'] == 'fail'] and all(c['name'] == 'reach_path' and c['labels']['host'] == 'node2' and c['labels']['rail'] == $cut and c['detail'].startswith('node2 rail $cut (rxe$cut): no path to ') for c in d['checks'] if c['status'] == 'fail')"
assert_json "$doc" "len([c for c in d['checks'] if c['status'] == 'fail']) == 1"
assert_json "$doc" "all(r['reachable'] for r in d['results'] if r['stage'] == 'reach' and r['rail'] != $cut)"
assert_json "$doc" "all(not r['reachable'] for r in d['results'] if r['stage'] == 'reach' and r['rail'] == $cut and 'node2' in (r['host'], r['peer_host']))"
assert_json "$doc" "all(r['reachable'] for r in d['results'] if r['stage'] == 'reach' and r['rail'] == $cut and 'node2' not in (r['host'], r['peer_host']))"
assert_json "$doc" "all(r['fault'] == 'port' and r['port_state'] != 'ACTIVE' for r in d['results'] if r['stage'] == 'reach' and r['host'] == 'node2' and r['rail'] == $cut)"
"$FP_PY" - "$doc" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["checks"]:
    if c["status"] == "fail":
        print("  " + c["detail"])
PY
pass "node2's rail $cut cut: FAIL naming exactly node2 rail $cut, in $took s"
