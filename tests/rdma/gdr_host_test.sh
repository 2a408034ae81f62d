#!/usr/bin/env bash
# fp_gdr in the Soft-RoCE cluster (no GPU there): --mem host runs the shared fp_bw/fp_lat
# engines for real between node1 and node2 (bandwidth write, latency send, read with
# --validate), both sides write schema-valid documents with fp_gdr's entry fields; GPU memory
# kinds end with exit 1 and one line saying why ("no CUDA device", or "built without CUDA support"
# in a build without the toolkit); a --remote-mem mismatch stops both sides.
source "$(dirname "$0")/lib.sh"

tool=$FP_BUILD_DIR/gdr/fp_gdr
[ -x "$tool" ] || { echo "SKIP: fp_gdr is not built"; exit 0; }
out=$(fp_scratch)
server=$(fp_ip node1)
common=(-d "$FP_DEV" -x "$FP_GID" --timeout 90)

# 1. Bandwidth, RDMA write, host memory on both sides.
fp_bg node1 "$tool" "${common[@]}" -p 18611 --mem host -s 64K -n 200 --json "$out/bw.server.json"
fp_run_t 180 node2 "$tool" "${common[@]}" -p 18611 --mem host --remote-mem host -s 64K -n 200 \
  --json "$out/bw.client.json" "$server" >"$out/bw.client.log" 2>&1 || { cat "$out/bw.client.log"; fail "bw client"; }
fp_wait_bg "$FP_BG_PID" || fail "bw server exited $?"
for side in server client; do
  validate_docs "$out/bw.$side.json"
  assert_json "$out/bw.$side.json" 'd["status"] == "ok" and d["tool"] == "fp_gdr" and len(d["results"]) == 1'
  assert_json "$out/bw.$side.json" 'all(r["mem"] == "host" and r["peer_mem"] == "host" and r["mode"] == "direct" and r["gpu"] == -1 and r["test"] == "bw" and r["op"] == "write" and r["size_bytes"] == 65536 and r["bw_avg_gbps"] > 0 and r["device"] == "'"$FP_DEV"'" for r in d["results"])'
  assert_json "$out/bw.$side.json" 'd["params"]["mem"] == "host" and d["params"]["host_staged"] is False'
done
assert_json "$out/bw.client.json" 'd["results"][0]["host"] == "node2" and d["results"][0]["peer_host"] == "node1"'
grep -q 'direct' "$out/bw.client.log" || fail "no table row in the client output"
pass "bw write with host memory between node1 and node2"

# 2. Latency, send/receive ping-pong, two sizes.
fp_bg node1 "$tool" "${common[@]}" -p 18612 --mem host --test lat -a --max-size 64 -n 100 --json "$out/lat.server.json"
fp_run_t 180 node2 "$tool" "${common[@]}" -p 18612 --mem host --test lat -a --max-size 64 -n 100 \
  --json "$out/lat.client.json" "$server" >"$out/lat.client.log" 2>&1 || { cat "$out/lat.client.log"; fail "lat client"; }
fp_wait_bg "$FP_BG_PID" || fail "lat server exited $?"
validate_docs "$out/lat.client.json"
assert_json "$out/lat.client.json" 'd["status"] == "ok" and sorted(r["size_bytes"] for r in d["results"]) == [2, 4, 8, 16, 32, 64]'
assert_json "$out/lat.client.json" 'all(r["test"] == "lat" and r["op"] == "send" and r["mode"] == "direct" and r["t_typical_us"] > 0 and r["p99_us"] >= r["t_min_us"] and r["iterations"] == 100 for r in d["results"])'
pass "lat send with host memory, 6 sizes"

# 2b. Bandwidth with send/receive over a sweep of sizes (receive queues across runs).
fp_bg node1 "$tool" "${common[@]}" -p 18615 --mem host --op send -a --max-size 16K -n 50 --json "$out/send.server.json"
fp_run_t 240 node2 "$tool" "${common[@]}" -p 18615 --mem host --op send -a --max-size 16K -n 50 \
  --json "$out/send.client.json" "$server" >"$out/send.client.log" 2>&1 || { cat "$out/send.client.log"; fail "send sweep client"; }
fp_wait_bg "$FP_BG_PID" || fail "send sweep server exited $?"
validate_docs "$out/send.client.json"
assert_json "$out/send.client.json" 'd["status"] == "ok" and len(d["results"]) == 14 and all(r["op"] == "send" and r["bw_avg_gbps"] > 0 for r in d["results"])'
pass "bw send sweep, 14 sizes"

# 3. RDMA read with --validate: every message checked by the receiver.
fp_bg node1 "$tool" "${common[@]}" -p 18613 --mem host --op read --validate -s 4K -n 100 --json "$out/read.server.json"
fp_run_t 180 node2 "$tool" "${common[@]}" -p 18613 --mem host --op read --validate -s 4K -n 100 \
  --json "$out/read.client.json" "$server" >"$out/read.client.log" 2>&1 || { cat "$out/read.client.log"; fail "read client"; }
fp_wait_bg "$FP_BG_PID" || fail "read server exited $?"
validate_docs "$out/read.client.json"
assert_json "$out/read.client.json" 'd["status"] == "ok" and d["results"][0]["op"] == "read"'
assert_json "$out/read.client.json" 'any(c["name"] == "data_validation" and c["status"] == "pass" for c in d["checks"])'
pass "read --validate with host memory"

# 3b. Under mpirun (one command line for both ranks): rank 0 writes the document.
timeout 240 "$FP_TESTBED" mpirun -np 2 -- "$tool" "${common[@]}" --mem host --remote-mem host -s 8K -n 50 \
  --json "$out/mpi.json" >"$out/mpi.log" 2>&1 || { cat "$out/mpi.log"; fail "mpirun fp_gdr failed"; }
validate_docs "$out/mpi.json"
assert_json "$out/mpi.json" 'd["status"] == "ok" and d["params"]["bootstrap"] == "mpi" and len(d["results"]) == 1'
assert_json "$out/mpi.json" '{d["results"][0]["host"], d["results"][0]["peer_host"]} == {"node1", "node2"} and d["results"][0]["mode"] == "direct"'
pass "mpirun -np 2 fp_gdr --mem host"

# 4. GPU memory in a guest without a GPU: one line, exit 1, before any peer is contacted.
fp_run_t 60 node1 "$tool" --mem cuda -d "$FP_DEV" --json "$out/nocuda.json" >"$out/nocuda.out" 2>"$out/nocuda.err"
rc=$?
[ "$rc" -eq 1 ] || fail "--mem cuda in a guest: exit $rc, expected 1"
# The case that applies: a build without the CUDA toolkit says so, a CUDA build "no CUDA device".
if [ "${FP_HAVE_CUDA:-1}" = 0 ]; then expect='fp_gdr was built without CUDA support'; else expect='no CUDA device'; fi
[ "$(wc -l <"$out/nocuda.err")" -eq 1 ] && grep -q "$expect" "$out/nocuda.err" ||
  { cat "$out/nocuda.err"; fail "--mem cuda in a guest: expected one '$expect' line"; }
validate_docs "$out/nocuda.json"
assert_json "$out/nocuda.json" 'd["status"] == "failed" and d["checks"][0]["name"] == "cuda_device"'
pass "--mem cuda in a guest: $(cat "$out/nocuda.err")"

# 5. --remote-mem that does not match what the peer uses: both sides stop, exit 2, one line.
fp_bg node1 "$tool" "${common[@]}" -p 18614 --mem host -s 4K -n 10
fp_run_t 180 node2 "$tool" "${common[@]}" -p 18614 --mem host --remote-mem cuda -s 4K -n 10 "$server" \
  >"$out/mismatch.out" 2>"$out/mismatch.err"
rc=$?
fp_wait_bg "$FP_BG_PID"
src=$?
[ "$rc" -eq 2 ] && [ "$src" -eq 2 ] || { cat "$out/mismatch.err"; fail "--remote-mem mismatch: exits $rc/$src, expected 2/2"; }
grep -q -- '--remote-mem cuda but' "$out/mismatch.err" || { cat "$out/mismatch.err"; fail "mismatch message"; }
pass "--remote-mem mismatch stops both sides"
