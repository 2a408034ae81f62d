#!/usr/bin/env bash
# fp_topo live in a guest of the multi-rail cluster (fixture testbed_multirail): two NUMA nodes,
# two Soft-RoCE NICs, each reported on the NUMA node of its netdev's PCI function (rxe0 on 0,
# rxe1 on 1), both ports ACTIVE; --emit-env --local-rank 1 pins rank 1 to rxe1.
source "$(dirname "$0")/lib.sh"
if [ -n "${FABRICPERF_TEST_HOSTS:-}" ]; then echo "SKIP: needs the multi-rail virtual cluster"; exit 0; fi
tool=$FP_BUILD_DIR/topology/fp_topo
[ -x "$tool" ] || fail "$tool is not built"
out=$(fp_scratch)

fp_run_t 300 node2 "$tool" --json "$out/node2.json" >"$out/node2.txt" 2>"$out/node2.err" ||
  fail "fp_topo in node2 failed: $(cat "$out/node2.err") $(tail -12 "$out/node2.txt")"
cat "$out/node2.txt"
validate_docs "$out/node2.json"
assert_json "$out/node2.json" 'd["status"] == "ok" and d["results"][0]["source"] == "live" and d["results"][0]["host"] == "node2"'
assert_json "$out/node2.json" 'd["results"][0]["numa_nodes"] == 2'
assert_json "$out/node2.json" 'sorted((n["id"], n["numa"]) for n in d["results"][0]["nics"] if n["id"].startswith("rxe")) == [("rxe0", 0), ("rxe1", 1)]'
assert_json "$out/node2.json" 'all(p["state"] == "ACTIVE" for n in d["results"][0]["nics"] if n["id"].startswith("rxe") for p in n["ports"])'
assert_json "$out/node2.json" 'not any(c["status"] == "fail" for c in d["checks"])'
pass "fp_topo live in node2: 2 NUMA nodes, rxe0 on NUMA 0, rxe1 on NUMA 1, both ACTIVE"

fp_run_t 120 node2 "$tool" --emit-env --local-rank 1 >"$out/env.txt" 2>"$out/env.err" || fail "--emit-env failed: $(cat "$out/env.err")"
grep -qx "FABRICPERF_DEVICE=rxe1" "$out/env.txt" || fail "--emit-env --local-rank 1 gave: $(cat "$out/env.txt")"
pass "--emit-env --local-rank 1 pins the rank to rxe1"
