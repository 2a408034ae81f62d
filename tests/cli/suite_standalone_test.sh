#!/usr/bin/env bash
# fp_suite without a launcher: one process, and two ranks over the TCP bootstrap on loopback.
# One host only, so the pair stages and collectives report skip checks naming why; the document
# validates, lists the host once and records the bootstrap; a second rank with a different plan
# is refused (the plan is part of the run token).
set -uo pipefail
# Rank 0 listens on every interface: the run needs a secret (bootstrap_auth_test covers without).
export FABRICPERF_TOKEN="cli-test-$$-$RANDOM$RANDOM"
: "${FP_BUILD_DIR:?}" "${FP_SOURCE_DIR:?}"
suite=$FP_BUILD_DIR/runners/fp_suite
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
validate() { $py "$FP_SOURCE_DIR/tests/tools/validate_document.py" "$1" || fail "$1 does not validate"; }

# One process.
"$suite" --quiet --json "$tmp/one.json" >"$tmp/one.txt" 2>&1
rc=$?
[ $rc -le 1 ] || { cat "$tmp/one.txt"; fail "single process exited $rc"; }
validate "$tmp/one.json"
grep -q '^fp_suite summary' "$tmp/one.txt" || fail "no summary table"
$py - "$tmp/one.json" <<'PY' || fail "single-process document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "ok" and d["params"]["bootstrap"] == "single" and len(d["hosts"]) == 1, d["status"]
skips = {c["name"]: c["detail"] for c in d["checks"] if c["status"] == "skip"}
for stage in ("verbs_bw", "verbs_lat", "stress", "collectives"):
    assert stage + "_ran" in skips, (stage, list(skips))
assert "at least 2" in skips["verbs_bw_ran"], skips["verbs_bw_ran"]
assert any(c["name"].startswith("preflight_") for c in d["checks"])
PY

# Two ranks over TCP on loopback.
port=$(/usr/bin/python3 "$FP_SOURCE_DIR/tests/tools/free_tcp_port.py")
"$suite" --ranks 2 --port "$port" --timeout 30 --quiet --json "$tmp/tcp.json" >"$tmp/r0.txt" 2>&1 &
r0=$!
"$suite" --ranks 2 --connect 127.0.0.1 --port "$port" --timeout 30 --quiet >"$tmp/r1.txt" 2>&1
rc1=$?
wait $r0
rc0=$?
[ $rc0 -le 1 ] && [ $rc1 -le 1 ] || { cat "$tmp/r0.txt" "$tmp/r1.txt"; fail "TCP ranks exited $rc0/$rc1"; }
[ $rc0 -eq $rc1 ] || fail "ranks disagree on the verdict: $rc0 vs $rc1"
validate "$tmp/tcp.json"
$py - "$tmp/tcp.json" <<'PY' || fail "TCP document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["params"]["bootstrap"] == "tcp" and d["params"]["ranks"] == 2, d["params"]
assert len(d["hosts"]) == 1, "one host, however many ranks"
layout = [c for c in d["checks"] if c["name"] == "preflight_rank_layout"][0]
assert layout["status"] == "pass" and layout["measured"]["ranks_per_node"] == 2, layout
PY

# A rank with another plan is refused by rank 0.
port=$(/usr/bin/python3 "$FP_SOURCE_DIR/tests/tools/free_tcp_port.py")
"$suite" --ranks 2 --port "$port" --timeout 10 --quiet --json "$tmp/mismatch.json" >"$tmp/m0.txt" 2>&1 &
r0=$!
"$suite" --ranks 2 --connect 127.0.0.1 --port "$port" --timeout 10 --quiet --preset go-live >"$tmp/m1.txt" 2>&1
rc1=$?
wait $r0
rc0=$?
[ $rc1 -ne 0 ] || fail "a rank with a different plan was accepted"
grep -qi "differ" "$tmp/m1.txt" || { cat "$tmp/m1.txt"; fail "the refused rank does not say why"; }
grep -qi "differ" "$tmp/m0.txt" || { cat "$tmp/m0.txt"; fail "rank 0 does not say why it stopped"; }
[ $rc0 -ne 0 ] || fail "rank 0 ran without its second rank"
echo "PASS: fp_suite single process and standalone TCP"
