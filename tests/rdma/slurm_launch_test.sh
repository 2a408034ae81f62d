#!/usr/bin/env bash
# Slurm for real: munge, slurmctld (node1) and slurmd (every node) run in the guests
# (`fp-testbed srun` starts them), and the tools launch through srun as on a cluster:
#   srun -N 2 fp_bw          a pair over PMIx (MpiDefault=pmix), rows from both nodes
#   srun --mpi=pmix fp_coll  the MPI backend, every collective correct
#   srun fp_suite --preset quick   the same verdict and check list as under mpirun
# and a dead rank under srun is named as under mpirun.
source "$(dirname "$0")/lib.sh"
if [ -n "${FABRICPERF_TEST_HOSTS:-}" ]; then echo "SKIP: real hosts: run srun on the cluster directly"; exit 0; fi

bw=$FP_BUILD_DIR/bw/fp_bw
coll=$FP_BUILD_DIR/collectives/fp_coll
suite=$FP_BUILD_DIR/runners/fp_suite
for t in "$bw" "$coll" "$suite"; do [ -x "$t" ] || fail "not built: $t"; done
out=$(fp_scratch)
fp_srun() { "$FP_TESTBED" srun "$@"; }

start=$(date +%s)
"$FP_TESTBED" slurm up || fail "Slurm did not start in the guests"
echo "slurm up: $(( $(date +%s) - start )) s"
"$FP_TESTBED" slurm status
plugins=$("$FP_TESTBED" run node1 -- srun --mpi=list 2>&1)
echo "$plugins" | grep -q pmix || fail "Debian's Slurm lists no pmix plugin: $plugins"

# fp_bw: one task per node, ranks from PMIx; rank 0 writes the document.
fp_srun -N 2 --ntasks-per-node 1 -- "$bw" -d "$FP_DEV" -x "$FP_GID" -s 64K -n 200 --timeout 60 \
  --json "$out/bw.json" >"$out/bw.txt" 2>&1 || { cat "$out/bw.txt"; fail "srun fp_bw exited non-zero"; }
cat "$out/bw.txt"
"$FP_PY" "$FP_SOURCE_DIR/tests/tools/validate_document.py" "$out/bw.json" || fail "fp_bw document does not validate"
assert_json "$out/bw.json" 'd["status"] == "ok" and d["params"]["bootstrap"] == "mpi"'
assert_json "$out/bw.json" 'sorted(h["hostname"] for h in d["hosts"]) == ["node1", "node2"]'
assert_json "$out/bw.json" 'len(d["results"]) == 1 and d["results"][0]["bw_avg_gbps"] > 0'
assert_json "$out/bw.json" '{d["results"][0]["host"], d["results"][0]["peer_host"]} == {"node1", "node2"}'
pass "srun -N 2 fp_bw"

fp_srun -N 2 --ntasks-per-node 1 --mpi=pmix -- "$coll" --backend mpi --coll all_reduce,all_gather -b 1K -e 16K -f 4 \
  -n 2 -w 0 -c 1 --timeout 120 --json "$out/coll.json" >"$out/coll.txt" 2>&1 ||
  { cat "$out/coll.txt"; fail "srun --mpi=pmix fp_coll exited non-zero"; }
assert_json "$out/coll.json" 'd["status"] == "ok" and d["params"]["processes"] == 2'
assert_json "$out/coll.json" 'len({h["hostname"] for h in d["hosts"]}) == 2 and all(r["wrong"] == 0 for r in d["results"])'
pass "srun --mpi=pmix fp_coll --backend mpi"

# The quick preset under srun and under mpirun: the same checks with the same statuses.
args=(--preset quick --iterations 200 --expect-line-rate-pct 0.001 --expect-lat-max-us 100000 --timeout 90)
fp_srun -N 2 --ntasks-per-node 1 -- "$suite" "${args[@]}" --json "$out/suite-srun.json" \
  >"$out/suite-srun.txt" 2>"$out/suite-srun.err"
rc_srun=$?
fp_mpirun -np 2 -- "$suite" "${args[@]}" --json "$out/suite-mpirun.json" >"$out/suite-mpirun.txt" 2>"$out/suite-mpirun.err"
rc_mpirun=$?
tail -5 "$out/suite-srun.txt"
[ -s "$out/suite-srun.json" ] || { cat "$out/suite-srun.err"; fail "fp_suite under srun wrote no document"; }
echo "fp_suite quick: srun exit $rc_srun, mpirun exit $rc_mpirun"
[ "$rc_srun" -eq "$rc_mpirun" ] || fail "exit codes differ: srun $rc_srun, mpirun $rc_mpirun"
"$FP_PY" - "$out/suite-srun.json" "$out/suite-mpirun.json" <<'PY' || fail "srun and mpirun verdicts differ"
import json, sys
def verdict(path):
    d = json.load(open(path))
    assert d["params"]["ranks"] == 2, d["params"].get("ranks")
    return d["status"], sorted((c["name"], c["status"]) for c in d["checks"])
srun, mpirun = verdict(sys.argv[1]), verdict(sys.argv[2])
print("srun:  ", srun[0], len(srun[1]), "checks")
print("mpirun:", mpirun[0], len(mpirun[1]), "checks")
missing = sorted(set(srun[1]) ^ set(mpirun[1]))
if srun != mpirun:
    print("differ:", missing)
    sys.exit(1)
PY
pass "fp_suite --preset quick under srun: same verdict and checks as under mpirun"

# A rank that dies on node2: the run ends within its timeout and names the rank and host.
fp_srun -N 2 --ntasks-per-node 1 -- "$coll" --backend mpi --coll all_reduce -b 1K -e 4K -f 4 -n 5 -w 0 \
  --timeout 15 --inject-fault hang:1:10 --json "$out/hang.json" >"$out/hang.txt" 2>&1
rc=$?
[ "$rc" -ne 0 ] || fail "exit code 0 with a hung rank under srun"
assert_json "$out/hang.json" 'd["status"] == "aborted" and "rank 1 on node2" in " ".join(d["errors"])'
pass "a hung rank under srun is named (rank 1 on node2)"
