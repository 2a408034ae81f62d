#!/usr/bin/env bash
# Issue 14: a stranger cannot join, crash or kill a run; a signal in the bootstrap leaves a document.
# 1. A TCP bootstrap on every interface without a secret is refused: exit 2, one line saying to
#    pass --token or FABRICPERF_TOKEN (fp_coll, fp_suite); on --bind 127.0.0.1 no secret is needed.
# 2. A client with the wrong --token is turned away (exit 2, "authentication failed"), and the
#    real client still joins.
# 3. SIGTERM while fp_coll / fp_suite rank 0 waits in the bootstrap for a peer that never comes:
#    exit 143 and a schema-valid document with status "aborted", partial true (was: no document).
set -uo pipefail
coll=$FP_BUILD_DIR/collectives/fp_coll
suite=$FP_BUILD_DIR/runners/fp_suite
py=/usr/bin/python3
validate="$py $FP_SOURCE_DIR/tests/tools/validate_document.py"
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
port() { /usr/bin/python3 "$FP_SOURCE_DIR/tests/tools/free_tcp_port.py"; }
unset FABRICPERF_TOKEN
small=(--backend ref -b 1K -e 1K -n 2 -w 1)

# 1. No secret on every interface: refused before listening.
for cmd in "$coll ${small[*]} --ranks 2 --port $(port)" "$suite --ranks 2 --port $(port) --quiet"; do
  $cmd >/dev/null 2>"$tmp/nosecret.err"; rc=$?
  [ $rc -eq 2 ] || fail "no secret: '$cmd' exited $rc, want 2: $(cat "$tmp/nosecret.err")"
  [ "$(grep -c . "$tmp/nosecret.err")" -eq 1 ] || fail "no secret: not one line: $(cat "$tmp/nosecret.err")"
  grep -q -- "--token" "$tmp/nosecret.err" && grep -q FABRICPERF_TOKEN "$tmp/nosecret.err" \
    || fail "no secret: the message does not say how to pass one: $(cat "$tmp/nosecret.err")"
done
p=$(port)
"$coll" "${small[@]}" --timeout 10 --ranks 2 --port "$p" --bind 127.0.0.1 --json "$tmp/loop.json" >"$tmp/loop0.out" 2>&1 &
P0=$!; pids+=("$P0")
"$coll" "${small[@]}" --ranks 2 --port "$p" --server 127.0.0.1 >"$tmp/loop1.out" 2>&1 || fail "loopback client: $(cat "$tmp/loop1.out")"
wait "$P0" || fail "loopback rank 0 without a secret: $(cat "$tmp/loop0.out")"
$validate "$tmp/loop.json" >/dev/null || fail "loopback document does not validate"
echo "PASS: no secret refused on every interface, accepted on loopback"

# 2. Wrong secret: turned away; the right one joins.
p=$(port)
"$coll" "${small[@]}" --ranks 2 --port "$p" --token right-secret-1234 --json "$tmp/auth.json" >"$tmp/auth0.out" 2>&1 &
P0=$!; pids+=("$P0")
FABRICPERF_TOKEN=wrong-secret "$coll" "${small[@]}" --ranks 2 --port "$p" --server 127.0.0.1 >/dev/null 2>"$tmp/wrong.err"
rc=$?
[ $rc -eq 2 ] || fail "wrong secret: client exited $rc, want 2: $(cat "$tmp/wrong.err")"
grep -q "authentication failed" "$tmp/wrong.err" || fail "wrong secret: $(cat "$tmp/wrong.err")"
FABRICPERF_TOKEN=right-secret-1234 "$coll" "${small[@]}" --ranks 2 --port "$p" --server 127.0.0.1 >"$tmp/auth1.out" 2>&1 \
  || fail "right secret (from FABRICPERF_TOKEN): $(cat "$tmp/auth1.out")"
wait "$P0" || fail "rank 0 after a rejected stranger: $(cat "$tmp/auth0.out")"
echo "PASS: wrong secret rejected, the real client joined"

# 3. SIGTERM while waiting in the bootstrap.
check_aborted() {  # NAME FILE
  [ -s "$2" ] || fail "$1: SIGTERM in the bootstrap left no document"
  $validate "$2" >/dev/null || fail "$1: the document does not validate: $($validate "$2" 2>&1 | tail -3)"
  $py - "$2" <<'PY' || fail "$1: document is not an aborted partial one: $(head -c 600 "$2")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "aborted" and d["partial"] is True, (d["status"], d["partial"])
assert any("SIGTERM" in e for e in d["errors"]), d["errors"]
PY
}
export FABRICPERF_TOKEN=sigterm-test-secret
"$coll" "${small[@]}" --ranks 2 --port "$(port)" --timeout 60 --json "$tmp/coll_term.json" >/dev/null 2>"$tmp/coll_term.err" &
P0=$!; pids+=("$P0")
sleep 1
kill -TERM "$P0"
wait "$P0"; rc=$?
[ $rc -eq 143 ] || fail "fp_coll: SIGTERM in the bootstrap exited $rc, want 143: $(cat "$tmp/coll_term.err")"
check_aborted fp_coll "$tmp/coll_term.json"
"$suite" --ranks 2 --port "$(port)" --timeout 60 --quiet --json "$tmp/suite_term.json" >/dev/null 2>"$tmp/suite_term.err" &
P0=$!; pids+=("$P0")
sleep 1
kill -TERM "$P0"
wait "$P0"; rc=$?
[ $rc -eq 143 ] || fail "fp_suite: SIGTERM in the bootstrap exited $rc, want 143: $(cat "$tmp/suite_term.err")"
check_aborted fp_suite "$tmp/suite_term.json"
echo "PASS: SIGTERM in the bootstrap leaves an aborted, valid document (fp_coll, fp_suite)"
