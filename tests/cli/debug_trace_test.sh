#!/usr/bin/env bash
# The debug trace (-v/-vv, FABRICPERF_DEBUG): lines go to stderr only, formatted
# "2026-12-05T21:40:01.123456Z HOST[RANK] LEVEL subsystem: message", never into `--json -`
# stdout; off by default; a bad FABRICPERF_DEBUG is one usage line with exit 2; every tool takes
# -v (also after a subcommand); ranks of a TCP-bootstrapped run carry their rank; the run secret
# never appears in a log line or the document. Needs no RDMA device.
set -uo pipefail
py=/usr/bin/python3
topo=$FP_BUILD_DIR/topology/fp_topo
report=$FP_BUILD_DIR/results/fp_report
coll=$FP_BUILD_DIR/collectives/fp_coll
fixture=$FP_SOURCE_DIR/tests/data/topology/aws-p5.48xl.hwloc.xml
host=$(hostname)
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
unset FABRICPERF_DEBUG

stamp='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z'
# log_lines FILE LEVEL: the log lines of LEVEL (WARN|INFO|TRACE) in FILE.
log_lines() { grep -E "^$stamp [^ ]+\[([0-9]+|-)\] $2 [a-z_]+: " "$1"; }
count() { log_lines "$1" "$2" | wc -l; }
json_ok() { $py -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["tool"] == sys.argv[2] else 1)' "$1" "$2"; }

# 1. -vv: trace lines on stderr, stdout is exactly the JSON document.
"$topo" -vv --hwloc-xml "$fixture" --json - >"$tmp/vv.out" 2>"$tmp/vv.err" || fail "fp_topo -vv exited $?"
json_ok "$tmp/vv.out" fp_topo || fail "fp_topo -vv --json -: stdout is not the document"
[ "$(count "$tmp/vv.err" TRACE)" -ge 8 ] || { cat "$tmp/vv.err"; fail "-vv: fewer than 8 TRACE lines (one per GPU)"; }
log_lines "$tmp/vv.err" INFO | grep -qE "^$stamp $host\[-\] INFO main: fp_topo .* -vv --hwloc-xml" ||
  fail "-vv: no INFO line with the command line, host and rank '-'"
log_lines "$tmp/vv.err" TRACE | grep -q " TRACE topology: GPU0 (0000:53:00.0): nearest path PIX" ||
  fail "-vv: no pairing trace for GPU0"
grep -qE "$stamp" "$tmp/vv.out" && fail "a log line reached stdout"
echo "PASS: -vv traces on stderr, --json - stdout parses"

# 2. FABRICPERF_DEBUG=trace gives the same lines without -v; info gives INFO without TRACE.
FABRICPERF_DEBUG=trace "$topo" --hwloc-xml "$fixture" --json - >"$tmp/env.out" 2>"$tmp/env.err" || fail "env trace run"
json_ok "$tmp/env.out" fp_topo || fail "FABRICPERF_DEBUG=trace: stdout is not the document"
[ "$(count "$tmp/env.err" TRACE)" -eq "$(count "$tmp/vv.err" TRACE)" ] || fail "FABRICPERF_DEBUG=trace and -vv differ"
FABRICPERF_DEBUG=INFO "$topo" --hwloc-xml "$fixture" --json - >/dev/null 2>"$tmp/info.err" || fail "env info run"
[ "$(count "$tmp/info.err" INFO)" -ge 2 ] && [ "$(count "$tmp/info.err" TRACE)" -eq 0 ] ||
  fail "FABRICPERF_DEBUG=INFO: want INFO lines and no TRACE line"
"$topo" -v --hwloc-xml "$fixture" --json - >/dev/null 2>"$tmp/v.err" || fail "-v run"
[ "$(count "$tmp/v.err" INFO)" -ge 2 ] && [ "$(count "$tmp/v.err" TRACE)" -eq 0 ] || fail "-v: want INFO, no TRACE"
FABRICPERF_DEBUG=warn "$topo" -vv --hwloc-xml "$fixture" --json - >/dev/null 2>"$tmp/mix.err" || fail "mixed run"
[ "$(count "$tmp/mix.err" TRACE)" -gt 0 ] || fail "-vv with FABRICPERF_DEBUG=warn: the more verbose wins"
echo "PASS: FABRICPERF_DEBUG=trace|info, -v, the more verbose of flag and environment"

# 3. Off by default: no INFO/TRACE line; stdout unchanged by the trace.
"$topo" --hwloc-xml "$fixture" --json - >"$tmp/off.out" 2>"$tmp/off.err" || fail "default run"
[ "$(count "$tmp/off.err" INFO)" -eq 0 ] && [ "$(count "$tmp/off.err" TRACE)" -eq 0 ] || fail "lines without -v"
$py - "$tmp/off.out" "$tmp/vv.out" <<'PY' || fail "the document differs with -vv (beyond times and command line)"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for d in (a, b):
    for k in ("started_at", "finished_at", "command_line"):
        d.pop(k)
sys.exit(0 if a == b else 1)
PY
echo "PASS: off by default"

# 4. A bad FABRICPERF_DEBUG: one line, exit 2, naming the variable.
FABRICPERF_DEBUG=loud "$topo" --hwloc-xml "$fixture" >"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
[ $rc -eq 2 ] || fail "FABRICPERF_DEBUG=loud exited $rc, want 2"
[ "$(grep -c . "$tmp/bad.err")" -eq 1 ] || fail "FABRICPERF_DEBUG=loud: want one line: $(cat "$tmp/bad.err")"
grep -q "^fp_topo: FABRICPERF_DEBUG=loud is not a log level (warn, info or trace)" "$tmp/bad.err" ||
  fail "message: $(cat "$tmp/bad.err")"
[ -s "$tmp/bad.out" ] && fail "FABRICPERF_DEBUG=loud still printed a report"
echo "PASS: FABRICPERF_DEBUG=loud is a usage error"

# 5. Every tool takes -v, also after a subcommand (fp_report) and without peers (fp_sizing).
"$report" validate "$FP_SOURCE_DIR/tests/data/results/bw_sweep.json" -v >/dev/null 2>"$tmp/rep.err" ||
  fail "fp_report validate DOC -v: $(cat "$tmp/rep.err")"
log_lines "$tmp/rep.err" INFO | grep -q " INFO main: fp_report " || fail "fp_report -v: no INFO line"
"$report" -vv validate "$FP_SOURCE_DIR/tests/data/results/bw_sweep.json" >/dev/null 2>&1 || fail "fp_report -vv validate"
"$FP_BUILD_DIR/sizing/fp_sizing" -v --list-models >/dev/null 2>"$tmp/siz.err" || fail "fp_sizing -v"
log_lines "$tmp/siz.err" INFO | grep -q " INFO main: fp_sizing " || fail "fp_sizing -v: no INFO line"
for tool in bw/fp_bw latency/fp_lat gdr/fp_gdr collectives/fp_coll runners/fp_suite info/fp_info; do
  "$FP_BUILD_DIR/$tool" --help | grep -q -- "-v,--verbose" || fail "$tool --help does not list -v,--verbose"
done
echo "PASS: -v on every tool"

# 6. Ranks: a 2-process fp_coll over the TCP bootstrap (reference backend, no GPU/MPI), rank 0
#    with --json - and -vv, the client with FABRICPERF_DEBUG=trace and --token on its command line.
secret="cli-trace-$$-$RANDOM$RANDOM"
port=$($py "$FP_SOURCE_DIR/tests/tools/free_tcp_port.py")
args=(--ranks 2 --port "$port" --backend ref --coll all_reduce -b 64 -e 256 -n 2 -w 1 --timeout 30)
FABRICPERF_TOKEN=$secret "$coll" "${args[@]}" -vv --json - >"$tmp/r0.out" 2>"$tmp/r0.err" &
P0=$!
pids+=("$P0")
FABRICPERF_DEBUG=trace "$coll" "${args[@]}" --server 127.0.0.1 --token "$secret" >"$tmp/r1.out" 2>"$tmp/r1.err" &
P1=$!
pids+=("$P1")
wait "$P0" || { cat "$tmp/r0.err"; fail "rank 0 exited $?"; }
wait "$P1" || { cat "$tmp/r1.err"; fail "rank 1 exited $?"; }
json_ok "$tmp/r0.out" fp_coll || fail "fp_coll -vv --json -: stdout is not the document"
log_lines "$tmp/r0.err" INFO | grep -qE "^$stamp $host\[0\] INFO bootstrap: listening on every interface, TCP port $port" ||
  fail "rank 0: no listening line with rank 0"
log_lines "$tmp/r0.err" INFO | grep -q "\[0\] INFO bootstrap: hello from $host .*joined as rank 1" ||
  fail "rank 0: no hello line"
log_lines "$tmp/r1.err" INFO | grep -qE "^$stamp $host\[-\] INFO bootstrap: connecting to server 127.0.0.1:$port" ||
  fail "rank 1: no connecting line before its rank is known"
log_lines "$tmp/r1.err" INFO | grep -qE "^$stamp $host\[1\] INFO bootstrap: welcomed by server 127.0.0.1:$port as rank 1 of 2" ||
  fail "rank 1: no welcome line with rank 1"
log_lines "$tmp/r1.err" TRACE | grep -q "\[1\] TRACE collectives: warm-up of all_reduce 64 bytes" || fail "rank 1: no warm-up trace"
[ "$(log_lines "$tmp/r1.err" INFO | grep -c "\[1\] INFO collectives: all_reduce .*: measuring")" -eq 6 ] ||
  fail "rank 1: want one 'measuring' line per size and placement (3 sizes x 2)"
grep -q -- "$secret" "$tmp/r0.err" "$tmp/r1.err" "$tmp/r0.out" && fail "the run secret appears in a log line or the document"
grep -q -- "--token \*\*\*" "$tmp/r1.err" || fail "rank 1: the command line does not show --token ***"
echo "PASS: per-rank prefixes over the TCP bootstrap, --json - intact, secret hidden"
