#!/usr/bin/env bash
# fp_lat between node1 (client) and node2 (server) over rxe: write ping-pong on polled memory,
# send (RC and UD), read, atomics, with --validate; write and send -a sweeps; -D duration (histogram
# percentiles); an mpirun-launched pair. Checks the documents (schema, fields, ordered
# percentiles), never the speed.
source "$(dirname "$0")/lib.sh"

LAT=$FP_BUILD_DIR/latency/fp_lat
[ -x "$LAT" ] || fail "$LAT not built"
out=$(fp_scratch)
COMMON=(-d "$FP_DEV" -x "$FP_GID" --timeout 30)

# pair NAME ARGS...: server on node2, client on node1 (see fp_pair).
pair() { local name=$1; shift; fp_pair "$LAT" "$out" "$name" "${COMMON[@]}" "$@"; }

FIELDS="('device','op','size_bytes','iterations','t_min_us','t_max_us','t_typical_us','t_avg_us','t_stdev_us','p50_us','p90_us','p99_us','p99_9_us','p99_99_us','histogram')"
ORDERED="all(r['t_min_us'] <= r['p50_us'] <= r['p90_us'] <= r['p99_us'] <= r['p99_9_us'] <= r['p99_99_us'] <= r['t_max_us'] and r['t_min_us'] > 0 for r in d['results'])"
check_doc() {
  local file=$1 op=$2 sizes=$3
  assert_json "$file" "d['status'] == 'ok' and not d['partial'] and d['tool'] == 'fp_lat'"
  assert_json "$file" "all(r['op'] == '$op' for r in d['results'])"
  assert_json "$file" "all(all(k in r for k in $FIELDS) for r in d['results'])"
  assert_json "$file" "$ORDERED"
  assert_json "$file" "all(r['iterations'] > 0 and sum(b['count'] for b in r['histogram']) == r['iterations'] for r in d['results'])"
  assert_json "$file" "sorted(r['size_bytes'] for r in d['results']) == sorted([$sizes])"
}

t0=$SECONDS
pair write -s 2 -n 300 --op write --validate
check_doc "$out/write.client.json" write 2
assert_json "$out/write.client.json" "d['results'][0]['latency'] == 'half_round_trip'"
assert_json "$out/write.client.json" "d['checks'] and all(c['status'] == 'pass' for c in d['checks'])"
grep -q "t_typical" "$out/write.client.log" || fail "write: no perftest-style table"
pass "write latency 2 B --validate"

pair send -s 1K -n 200 --op send --validate
check_doc "$out/send.client.json" send 1024
assert_json "$out/send.client.json" "all(c['status'] == 'pass' for c in d['checks']) and d['results'][0]['validation']['messages_checked'] >= 400"
pass "send latency 1K --validate (both directions checked)"

pair ud -s 512 -n 200 --op send -c UD
check_doc "$out/ud.client.json" send 512
assert_json "$out/ud.client.json" "d['params']['connection'].upper() == 'UD'"
pass "send latency over UD"

pair read -s 4K -n 200 --op read --validate
check_doc "$out/read.client.json" read 4096
assert_json "$out/read.client.json" "d['results'][0]['latency'] == 'round_trip' and all(c['status'] == 'pass' for c in d['checks'])"
pass "read latency 4K --validate (full round trip)"

pair fa -n 200 --op atomic_fa --validate
check_doc "$out/fa.client.json" atomic_fa 8
assert_json "$out/fa.client.json" "all(c['status'] == 'pass' for c in d['checks'])"
pair cs -n 100 --op atomic_cs --validate
check_doc "$out/cs.client.json" atomic_cs 8
pass "atomic fetch-add and compare-swap (returned values checked)"

pair sweep -a --max-size 1K -n 50 --op write
check_doc "$out/sweep.client.json" write "$("$FP_PY" -c 'print(",".join(str(2**i) for i in range(1, 11)))')"
pass "-a --max-size 1K: 10 sizes in one document"

# Send sweep: one receive queue for every size (receives left by a size take the next one's first).
pair sendsweep -a --max-size 4K -n 50 --op send --validate
check_doc "$out/sendsweep.client.json" send "$("$FP_PY" -c 'print(",".join(str(2**i) for i in range(1, 13)))')"
assert_json "$out/sendsweep.client.json" "all(c['status'] == 'pass' for c in d['checks'])"
pass "send -a --max-size 4K --validate: 12 sizes"

pair duration -s 64 -D 3 --warmup 0.5 --op send
check_doc "$out/duration.client.json" send 64
assert_json "$out/duration.client.json" "d['params']['duration_s'] == 3 and d['results'][0]['iterations'] > 10"
pass "-D 3: histogram percentiles in duration mode"

timeout 240 "$FP_TESTBED" mpirun -np 2 -- "$LAT" "${COMMON[@]}" -s 8 -n 200 --op write --json "$out/mpi.json" \
  >"$out/mpi.log" 2>&1 || { cat "$out/mpi.log"; fail "mpirun fp_lat failed"; }
validate_docs "$out/mpi.json"
check_doc "$out/mpi.json" write 8
assert_json "$out/mpi.json" "d['params']['bootstrap'] == 'mpi' and {d['results'][0]['host'], d['results'][0]['peer_host']} == {'node1', 'node2'}"
pass "mpirun -np 2 fp_lat"

echo "verbs_lat_test: $((SECONDS - t0)) s"
