#!/usr/bin/env bash
# A rank that hangs or dies ends an fp_coll run within --timeout (plus the liveness probe and
# launcher shutdown), the surviving ranks name it, the exit code is non-zero and the document is
# marked aborted, keeps the results measured before, and validates. Also: a slow rank is named by
# the straggler view (hidden testing option --inject-fault; 3 MPI ranks on this host).
set -uo pipefail
tool=$FP_BUILD_DIR/collectives/fp_coll
py=/usr/bin/python3
validate="$py $FP_SOURCE_DIR/tests/tools/validate_document.py"
fail() { echo "FAIL: $*"; exit 1; }
command -v mpirun >/dev/null || { echo "SKIP: no mpirun"; exit 0; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mpi=(mpirun --allow-run-as-root --oversubscribe --mca btl self,vader,tcp)
# Operation 60 is well into the timed loops: earlier sizes have results in the document.
run=(--backend mpi --coll all_reduce -b 1K -e 64K -f 4 -n 20 -c 1 --timeout 6)

# expect_abort NAME RANK MAX_SECONDS [mpirun options --] fp_coll options...
expect_abort() {
  local name=$1 rank=$2 limit=$3; shift 3
  local extra=()
  if [[ " $* " == *" -- "* ]]; then while [ "$1" != -- ]; do extra+=("$1"); shift; done; shift; fi
  local start end rc
  start=$(date +%s.%N)
  timeout 120 "${mpi[@]}" "${extra[@]}" -np 3 "$tool" "${run[@]}" "$@" --json "$tmp/$name.json" \
    >"$tmp/$name.out" 2>"$tmp/$name.err"
  rc=$?
  end=$(date +%s.%N)
  local took; took=$($py -c "print(round($end - $start, 1))")
  echo "$name: exit $rc after $took s"
  [ $rc -ne 0 ] || fail "$name: exit code 0"
  [ $rc -ne 124 ] || fail "$name: still running after 120 s"
  $py -c "import sys; sys.exit(0 if $took <= $limit else 1)" || fail "$name: took $took s, limit $limit s"
  $validate "$tmp/$name.json" || fail "$name: document does not validate"
  $py - "$tmp/$name.json" "$rank" <<'PY' || { cat "$tmp/$name.err"; fail "$name: document"; }
import json, sys
d = json.load(open(sys.argv[1]))
rank = sys.argv[2]
assert d["status"] == "aborted" and d["partial"] is True, (d["status"], d["partial"])
assert d["results"], "results measured before the failure were lost"
assert all(r["wrong"] == 0 for r in d["results"]), "wrong results before the failure"
text = " ".join(d["errors"])
assert ("rank %s on " % rank) in text, text
print("  error:", text)
PY
  grep -q "rank $rank on" "$tmp/$name.err" || fail "$name: stderr does not name rank $rank"
}

# A hung rank: the others' watchdog fires after --timeout, the probe finds rank 1 silent.
expect_abort hang 1 14 --inject-fault hang:1:60
# Rank 0 hangs: rank 1 (lowest live rank) writes the document.
expect_abort hang0 0 14 --inject-fault hang:0:60
grep -q "document written by rank 1" "$tmp/hang0.json" || fail "hang0: document not written by rank 1"
# A rank that exits: mpirun ends the job (SIGTERM); rank 0 names the silent rank before it goes.
expect_abort exit 2 14 --inject-fault exit:2:60
# Same with a launcher that lets the survivors run on: they time out and name rank 2.
expect_abort exit_keep 2 14 --mca orte_abort_on_non_zero_status 0 -- --inject-fault exit:2:60

# A slow rank is named by the straggler view (run still succeeds).
"${mpi[@]}" -np 3 "$tool" --backend mpi --coll all_reduce -b 1K -e 4K -n 5 --straggler-pct 10 \
  --inject-fault slow:2:200000 --json "$tmp/slow.json" >/dev/null 2>"$tmp/slow.err" || { cat "$tmp/slow.err"; fail "slow run exited $?"; }
$validate "$tmp/slow.json" || fail "slow: document does not validate"
$py - "$tmp/slow.json" <<'PY' || fail "straggler not named"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "ok"
for r in d["results"]:
    assert r["straggler"]["rank"] == 2 and r["straggler"]["host"], r
    assert r["straggler"]["behind_pct"] > 10
st = [c for c in d["checks"] if c["name"] == "straggler"]
assert st and st[0]["status"] == "warn" and st[0]["labels"]["rank"] == 2, st
print("straggler:", st[0]["detail"])
PY
echo "PASS: fp_coll failure handling"
