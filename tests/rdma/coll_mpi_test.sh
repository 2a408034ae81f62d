#!/usr/bin/env bash
# fp_coll's MPI host-memory backend across the testbed's two guests (one rank per node; MPI's
# traffic goes over TCP on eth0): every collective correct with -c 1 for a few datatypes and all
# ops, the document validates and lists both hosts; a rank that hangs on node2 ends the run
# within --timeout, named, with an aborted document.
source "$(dirname "$0")/lib.sh"

tool=$FP_BUILD_DIR/collectives/fp_coll
[ -x "$tool" ] || fail "fp_coll not built ($tool)"
out=$(fp_scratch)

# The guests are emulated (TCG): a 256 KiB all_reduce takes ~0.25 s there. Keep the matrix small.
fp_mpirun -np 2 -- "$tool" --backend mpi --coll all -d float,half,int8 -o sum,avg,max \
  -b 1K -e 64K -f 64 -n 2 -w 0 -c 1 --timeout 120 --json "$out/coll.json" >"$out/coll.txt" 2>&1 ||
  { cat "$out/coll.txt"; fail "fp_coll across 2 nodes exited $?"; }
"$FP_PY" "$FP_SOURCE_DIR/tests/tools/validate_document.py" "$out/coll.json" || fail "document does not validate"
grep -q 'Avg bus bandwidth' "$out/coll.txt" || fail "no nccl-tests style table"
assert_json "$out/coll.json" 'd["status"] == "ok" and d["params"]["processes"] == 2 and d["params"]["backend"] == "mpi"'
assert_json "$out/coll.json" 'len({h["hostname"] for h in d["hosts"]}) == 2'
assert_json "$out/coll.json" 'len({dv["host"] for dv in d["params"]["devices"]}) == 2'
assert_json "$out/coll.json" 'len({r["coll"] for r in d["results"]}) == 9 and all(r["wrong"] == 0 for r in d["results"])'
assert_json "$out/coll.json" 'all(c["status"] == "pass" for c in d["checks"] if c["name"] == "data_check")'
grep -E '^ +65536 ' "$out/coll.txt" | head -3

# A hung rank on node2: named by node1 within the timeout (+ probe). mpirun's start and teardown
# across the emulated guests take tens of seconds, so the timeout is checked on fp_coll's own
# clock: the document's started_at..finished_at (the hang comes a second or two after start).
start=$(date +%s)
fp_mpirun -np 2 -- "$tool" --backend mpi --coll all_reduce -b 1K -e 4K -f 4 -n 5 -w 0 --timeout 15 \
  --inject-fault hang:1:10 --json "$out/hang.json" >"$out/hang.txt" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
echo "hung rank: exit $rc after $took s (mpirun start and teardown included)"
[ $rc -ne 0 ] || fail "exit code 0 with a hung rank"
[ $took -le 240 ] || fail "mpirun still running after $took s"
"$FP_PY" "$FP_SOURCE_DIR/tests/tools/validate_document.py" "$out/hang.json" || fail "aborted document does not validate"
assert_json "$out/hang.json" 'd["status"] == "aborted" and d["partial"] and d["results"]'
assert_json "$out/hang.json" '"rank 1 on node2" in " ".join(d["errors"])'
"$FP_PY" - "$out/hang.json" <<'PY' || fail "fp_coll did not end within --timeout of its start (+10 s)"
import json, sys
from datetime import datetime
d = json.load(open(sys.argv[1]))
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
spent = (t(d["finished_at"]) - t(d["started_at"])).total_seconds()
print("fp_coll start to aborted document: %.1f s (--timeout 15)" % spent)
sys.exit(0 if spent <= 25 else 1)
PY
pass "fp_coll MPI backend across node1 and node2"
