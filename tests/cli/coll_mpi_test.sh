#!/usr/bin/env bash
# fp_coll's MPI host-memory backend under mpirun on this host: every collective, datatype and op
# with -c 1 is correct (3 ranks: odd, so chunks do not divide evenly), the document validates and
# its numbers follow nccl-tests' formulas; nccl-tests' loop options (-m -z -a -r -i) work; bad
# combinations are usage errors (exit 2, one line).
set -uo pipefail
tool=$FP_BUILD_DIR/collectives/fp_coll
py=/usr/bin/python3
validate="$py $FP_SOURCE_DIR/tests/tools/validate_document.py"
fail() { echo "FAIL: $*"; exit 1; }
command -v mpirun >/dev/null || { echo "SKIP: no mpirun"; exit 0; }
"$tool" --help | grep -q -- '--backend' || fail "fp_coll --help"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mpi=(mpirun --allow-run-as-root --oversubscribe --mca btl self,vader,tcp)

# 1. Everything, checked, 3 ranks.
start=$(date +%s)
"${mpi[@]}" -np 3 "$tool" --backend mpi --coll all -d all -o all -b 1K -e 1K -n 1 -w 0 -c 1 \
  --timeout 60 --json "$tmp/all.json" >"$tmp/all.txt" 2>"$tmp/all.err" || { cat "$tmp/all.err"; fail "full run exited $?"; }
echo "full run: $(( $(date +%s) - start )) s"
$validate "$tmp/all.json" || fail "document does not validate"
grep -q '# Avg bus bandwidth' "$tmp/all.txt" || fail "no nccl-tests footer"
grep -q 'out-of-place *in-place' "$tmp/all.txt" || fail "no nccl-tests header"
$py - "$tmp/all.json" <<'PY' || fail "result check"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "ok" and not d["partial"], d["status"]
p = d["params"]
assert p["backend"] == "mpi" and p["ranks"] == 3 and p["processes"] == 3, p
assert "NCCL_ALGO" in p and "NCCL_PROTO" in p and "nccl_version" in p and p["mpi_version"], p
res = d["results"]
colls = {"all_reduce", "all_gather", "reduce_scatter", "alltoall", "broadcast", "reduce", "sendrecv", "gather", "scatter"}
types = {"int8", "uint8", "int32", "uint32", "int64", "uint64", "half", "float", "double", "bfloat16"}
ops = {"sum", "prod", "max", "min", "avg"}
assert {r["coll"] for r in res} == colls
assert {r["dtype"] for r in res} == types
for c in ("all_reduce", "reduce_scatter", "reduce"):
    for t in types:
        assert {r["op"] for r in res if r["coll"] == c and r["dtype"] == t} == ops, (c, t)
# 1 size x 2 (in/out) x (3 colls x 10 types x 5 ops + 6 colls x 10 types)
assert len(res) == 2 * (3 * 10 * 5 + 6 * 10), len(res)
factor = {"all_reduce": 2 * 2 / 3, "all_gather": 2 / 3, "reduce_scatter": 2 / 3, "alltoall": 2 / 3,
          "gather": 2 / 3, "scatter": 2 / 3, "broadcast": 1, "reduce": 1, "sendrecv": 1}
bad = [r for r in res if r["wrong"] != 0]
assert not bad, "wrong results: %s" % bad[:3]
for r in res:
    for k in ("coll", "backend", "ranks", "size_bytes", "count", "dtype", "op", "in_place", "time_us",
              "algbw_GBps", "busbw_GBps", "wrong", "rank_time_us"):
        assert k in r, (k, r)
    assert len(r["rank_time_us"]) == 3
    alg = r["size_bytes"] / 1e9 / (r["time_us"] * 1e-6)
    assert abs(r["algbw_GBps"] - alg) <= 1e-9 * max(1, alg), r
    assert abs(r["busbw_GBps"] - alg * factor[r["coll"]]) <= 1e-9 * max(1, alg), r
    esize = {"int8": 1, "uint8": 1, "half": 2, "bfloat16": 2, "int32": 4, "uint32": 4, "float": 4}.get(r["dtype"], 8)
    total = r["coll"] in ("all_gather", "reduce_scatter", "alltoall", "gather", "scatter")
    assert r["size_bytes"] == r["count"] * esize * (3 if total else 1), r
checks = [c for c in d["checks"] if c["name"] == "data_check"]
assert len(checks) == 9 and all(c["status"] == "pass" for c in checks), checks
assert set(p["avg_busbw_GBps"]) == colls
print("results:", len(res), "all correct")
PY

# 2. Loop options: aggregated, blocking, -a min, root 1, -i increments, 4 ranks, float.
two=(--coll all_reduce,all_gather)
# (-b 8: 2 floats, chunks of 0 elements for 4 ranks: zero-count calls must work too.)
for opts in "-m 3" "-z 1" "-z 2 -a 2" "-r 1 --coll broadcast,reduce,gather,scatter" "-a 0" "-a 3" "-b 8 -e 8 --coll all" "-b 1K -e 3K -i 1K"; do
  coll=("${two[@]}")
  sweep=(-b 1K -e 4K)
  [[ "$opts" == *--coll* ]] && coll=()
  [[ "$opts" == *-b* ]] && sweep=()
  # shellcheck disable=SC2086
  "${mpi[@]}" -np 4 "$tool" --backend mpi "${coll[@]}" "${sweep[@]}" -n 3 -c 1 $opts \
    --json "$tmp/o.json" >"$tmp/o.txt" 2>"$tmp/o.err"
  rc=$?
  [ $rc -eq 0 ] || { cat "$tmp/o.err"; fail "run with $opts exited $rc"; }
  $validate "$tmp/o.json" || fail "document of $opts does not validate"
  $py -c 'import json,sys; d=json.load(open(sys.argv[1])); bad=[r for r in d["results"] if r["wrong"]!=0]; sys.exit(1 if bad or not d["results"] else 0)' \
    "$tmp/o.json" || fail "wrong results with $opts"
done
# the last run was the -i sweep: 1K, 2K, 3K
$py -c 'import json,sys; d=json.load(open(sys.argv[1])); s=[r["size_bytes"] for r in d["results"] if r["coll"]=="all_reduce" and not r["in_place"]]; assert s==[1024,2048,3072], s' "$tmp/o.json" || fail "-i sweep sizes"

# 3. Without mpirun: one process, MPI singleton (auto picks MPI without a GPU).
"$tool" --backend auto -b 1K -e 1K -n 2 --json "$tmp/one.json" >/dev/null 2>"$tmp/one.err" || { cat "$tmp/one.err"; fail "single process"; }
$py -c 'import json,sys; d=json.load(open(sys.argv[1])); p=d["params"]; assert p["ranks"]==1 and d["status"]=="ok", p' "$tmp/one.json" || fail "single-process document"

# 4. Usage errors: exit 2, one line.
usage() {
  local what=$1; shift
  "$@" >/dev/null 2>"$tmp/u.err"; local rc=$?
  [ $rc -eq 2 ] || fail "$what: exit $rc, want 2 ($(cat "$tmp/u.err"))"
  [ "$(grep -c . "$tmp/u.err")" -eq 1 ] || fail "$what: not one line: $(cat "$tmp/u.err")"
}
usage "-G with MPI" "$tool" --backend mpi -G 2
usage "-g with MPI" "$tool" --backend mpi -g 2
usage "bad datatype" "$tool" -d float7
usage "bad op" "$tool" -o mulsum
usage "bad collective" "$tool" --coll allreduce2
usage "root out of range" "$tool" --backend mpi -r 3 -b 1K -e 1K
usage "--server without --ranks" "$tool" --server localhost
usage "bad fault" "$tool" --inject-fault boom:1
usage "bad nic map" "$tool" --gpu-nic-map 0:mlx5_0
usage "mpi backend with tcp launch" "$tool" --backend mpi --ranks 2
echo "PASS: fp_coll MPI backend"
