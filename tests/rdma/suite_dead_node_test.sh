#!/usr/bin/env bash
# A node that dies mid-run: fp_suite on node2 is killed (SIGKILL) during the bandwidth stage.
# The run ends (mpirun tears the job down, or rank 0 gives up after its timeout), rank 0's
# document is written with what was measured before, status aborted, and it names the dead rank
# and its node.
source "$(dirname "$0")/lib.sh"

suite=$FP_BUILD_DIR/runners/fp_suite
[ -x "$suite" ] || fail "fp_suite not built ($suite)"
out=$(fp_scratch)
doc=$out/dead.json

# A long verbs_bw measurement (time-based) so the kill lands inside it.
fp_mpirun -np 2 -- "$suite" --preset quick --stages preflight,verbs_bw,verbs_lat --bw-duration 60 \
  --timeout 30 --json "$doc" >"$out/dead.txt" 2>"$out/dead.err" &
run=$!
# Wait for the bandwidth stage to start, then kill node2's process by its pid.
for _ in $(seq 1 120); do
  grep -q 'verbs_bw round' "$out/dead.err" 2>/dev/null && break
  sleep 1
done
grep -q 'verbs_bw round' "$out/dead.err" || { kill $run; cat "$out/dead.err"; fail "verbs_bw never started"; }
sleep 3
pid=$(fp_run node2 /usr/bin/pgrep -x fp_suite | head -1)
[ -n "$pid" ] || fail "no fp_suite process on node2"
start=$(date +%s)
fp_run node2 /bin/kill -KILL "$pid"
wait $run
rc=$?
took=$(( $(date +%s) - start ))
echo "after the kill: exit $rc in $took s"
cat "$out/dead.err" | tail -5
[ $rc -ne 0 ] || fail "exit 0 although a node died"
[ $took -le 100 ] || fail "took $took s to end after the kill (timeout 30)"
[ -s "$doc" ] || fail "no document"
"$FP_PY" "$FP_SOURCE_DIR/tests/tools/validate_document.py" "$doc" || fail "document does not validate"
assert_json "$doc" 'd["status"] == "aborted" and d["partial"]'
assert_json "$doc" 'any(r["stage"] == "preflight" for r in d["results"])'
assert_json "$doc" 'any("rank 1 on node2" in e for e in d["errors"])'
pass "dead node2 named in an aborted, schema-valid document"

# The same without a launcher to tear the job down (standalone TCP bootstrap): rank 0 must end on
# its own within its timeouts, write the document and name node2.
doc2=$out/dead-tcp.json
ip1=$(fp_ip node1)
port=$(/usr/bin/python3 "$FP_SOURCE_DIR/tests/tools/free_tcp_port.py")
common=(--preset quick --stages preflight,verbs_bw,verbs_lat --bw-duration 60 --timeout 20 --ranks 2 --port "$port")
fp_bg node1 "$suite" "${common[@]}" --json "$doc2"
r0=$FP_BG_PID
sleep 2
fp_bg node2 "$suite" "${common[@]}" --connect "$ip1"
r1=$FP_BG_PID
for _ in $(seq 1 120); do
  [ -s "$doc2" ] && grep -q '"verbs_bw"' "$doc2" 2>/dev/null && break
  fp_run node1 /usr/bin/pgrep -x fp_suite >/dev/null || break
  sleep 1
done
sleep 5
pid=$(fp_run node2 /usr/bin/pgrep -x fp_suite | head -1)
[ -n "$pid" ] || fail "no standalone fp_suite on node2"
start=$(date +%s)
fp_run node2 /bin/kill -KILL "$pid"
wait "$r0"
rc=$?
wait "$r1" 2>/dev/null
took=$(( $(date +%s) - start ))
echo "standalone rank 0 after the kill: exit $rc in $took s"
[ $rc -eq 1 ] || fail "standalone rank 0 exited $rc, expected 1"
[ $took -le 120 ] || fail "standalone rank 0 took $took s to give up (timeout 20)"
"$FP_PY" "$FP_SOURCE_DIR/tests/tools/validate_document.py" "$doc2" || fail "standalone document does not validate"
assert_json "$doc2" 'd["status"] == "aborted" and d["partial"] and d["params"]["bootstrap"] == "tcp"'
assert_json "$doc2" 'any("rank 1 on node2" in e for e in d["errors"])'
pass "standalone: rank 0 ended on its own and named node2"
