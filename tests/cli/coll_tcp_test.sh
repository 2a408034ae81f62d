#!/usr/bin/env bash
# fp_coll launched without MPI (fabricperf's TCP bootstrap: rank 0 with --ranks N, the others
# with --server HOST), here with the reference backend (collectives computed through the
# bootstrap; no GPU or MPI needed): 3 processes give correct results for every collective; a
# client that exits or hangs ends the run within --timeout with the rank named and an aborted,
# valid document; a client with different parameters is turned away; --backend auto without a GPU
# refuses a TCP launch with one line.
set -uo pipefail
# Rank 0 listens on every interface: the run needs a secret (bootstrap_auth_test covers without).
export FABRICPERF_TOKEN="cli-test-$$-$RANDOM$RANDOM"
tool=$FP_BUILD_DIR/collectives/fp_coll
py=/usr/bin/python3
validate="$py $FP_SOURCE_DIR/tests/tools/validate_document.py"
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
port() { /usr/bin/python3 "$FP_SOURCE_DIR/tests/tools/free_tcp_port.py"; }

# start3 NAME ARGS...: rank 0 and two clients; sets P0 (rank 0's pid) and PIDS.
start3() {
  local name=$1; shift
  local p; p=$(port)
  "$tool" --ranks 3 --port "$p" "$@" --json "$tmp/$name.json" >"$tmp/$name.0.out" 2>"$tmp/$name.0.err" &
  P0=$!
  "$tool" --ranks 3 --port "$p" --server 127.0.0.1 "$@" >"$tmp/$name.1.out" 2>&1 &
  P1=$!
  "$tool" --ranks 3 --port "$p" --server 127.0.0.1 "$@" >"$tmp/$name.2.out" 2>&1 &
  P2=$!
  pids+=("$P0" "$P1" "$P2")
}

# 1. Correct results over TCP, 3 processes.
start3 ok --backend ref --coll all -d float,half,bfloat16,int8,uint64 -o all -b 64 -e 4K -f 64 -n 2 -c 1 --timeout 30
wait "$P0" || { cat "$tmp/ok.0.err"; fail "rank 0 exited $?"; }
wait "$P1" || { cat "$tmp/ok.1.out"; fail "client exited $?"; }
wait "$P2" || { cat "$tmp/ok.2.out"; fail "client exited $?"; }
$validate "$tmp/ok.json" || fail "document does not validate"
$py - "$tmp/ok.json" <<'PY' || fail "results over TCP"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "ok" and d["params"]["bootstrap"] == "tcp" and d["params"]["backend"] == "ref", d["params"]
res = d["results"]
assert len({r["coll"] for r in res}) == 9 and all(r["ranks"] == 3 for r in res)
bad = [r for r in res if r["wrong"] != 0]
assert not bad, bad[:3]
print("tcp: %d results correct" % len(res))
PY

# 2. A client exits, 3. a client hangs: rank 0 names it within the timeout.
for fault in exit:2:40 hang:1:40; do
  name=${fault%%:*}
  rank=$(echo "$fault" | cut -d: -f2)
  start=$(date +%s.%N)
  start3 "$name" --backend ref --coll all_reduce -b 1K -e 64K -f 4 -n 10 -c 1 --timeout 4 --inject-fault "$fault"
  wait "$P0"; rc=$?
  took=$($py -c "print(round($(date +%s.%N) - $start, 1))")
  echo "$fault: rank 0 exit $rc after $took s"
  [ $rc -ne 0 ] || fail "$fault: rank 0 exited 0"
  $py -c "import sys; sys.exit(0 if $took <= 10 else 1)" || fail "$fault: took $took s with --timeout 4"
  $validate "$tmp/$name.json" || fail "$fault: document does not validate"
  $py - "$tmp/$name.json" "$rank" <<'PY' || { cat "$tmp/$name.0.err"; fail "$fault: document"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "aborted" and d["partial"] and d["results"], (d["status"], len(d["results"]))
text = " ".join(d["errors"])
assert ("rank %s on " % sys.argv[2]) in text, text
print("  error:", text)
PY
  kill -9 "$P1" "$P2" 2>/dev/null
  wait "$P1" "$P2" 2>/dev/null
done

# 4. A client with other parameters is rejected (exit 2, naming what differs); rank 0 stops too, at once.
p=$(port)
"$tool" --backend ref --ranks 2 --port "$p" -n 5 --timeout 3 -b 1K -e 1K >/dev/null 2>"$tmp/rej0.err" &
P0=$!
pids+=("$P0")
"$tool" --backend ref --ranks 2 --port "$p" --server 127.0.0.1 -n 6 --timeout 3 -b 1K -e 1K >/dev/null 2>"$tmp/rej1.err"
rc=$?
[ $rc -eq 2 ] || fail "mismatched client exited $rc, want 2: $(cat "$tmp/rej1.err")"
grep -q "rejected" "$tmp/rej1.err" || fail "no rejection message: $(cat "$tmp/rej1.err")"
wait "$P0"; rc=$?
[ $rc -ne 0 ] || fail "rank 0 without clients exited 0"

# 5. auto without a GPU cannot use MPI over a TCP launch: one line, exit 1.
if ! command -v nvidia-smi >/dev/null; then
  "$tool" --backend auto --ranks 2 >/dev/null 2>"$tmp/auto.err"; rc=$?
  [ $rc -eq 1 ] || fail "auto over TCP without GPU exited $rc"
  [ "$(grep -c . "$tmp/auto.err")" -eq 1 ] || fail "auto: $(cat "$tmp/auto.err")"
fi
echo "PASS: fp_coll over the TCP bootstrap"
