#!/usr/bin/env bash
# fp_topo on the live machine inside a testbed guest: no GPU there, so a clean "no GPU" result
# (the GPU checks skip, nothing fails or errors), and the Soft-RoCE NIC rxe0 found (a software
# RDMA device: listed, port ACTIVE, never paired with a GPU). --emit-env pins a rank to it.
source "$(dirname "$0")/lib.sh"

tool=$FP_BUILD_DIR/topology/fp_topo
[ -x "$tool" ] || fail "$tool is not built"
out=$(fp_scratch)

fp_run_t 300 node1 "$tool" --json "$out/node1.json" >"$out/node1.txt" 2>"$out/node1.err"
rc=$?
[ $rc -eq 0 ] || fail "fp_topo in node1 exited $rc: $(cat "$out/node1.err") $(tail -12 "$out/node1.txt")"
/usr/bin/python3 "$FP_SOURCE_DIR/tests/tools/validate_document.py" "$out/node1.json" || fail "invalid document"
pass "fp_topo ran live in node1 (exit 0, schema-valid document)"

assert_json "$out/node1.json" 'd["status"] == "ok" and d["errors"] == [] and len(d["results"]) == 1 and len(d["hosts"]) == 1'
assert_json "$out/node1.json" 'd["results"][0]["source"] == "live"'
assert_json "$out/node1.json" "any(n['id'] == '$FP_DEV' and n['netdev'] for n in d['results'][0]['nics'])"
assert_json "$out/node1.json" "[p['state'] for n in d['results'][0]['nics'] if n['id'] == '$FP_DEV' for p in n['ports']] == ['ACTIVE']"
assert_json "$out/node1.json" 'not any(c["status"] == "fail" for c in d["checks"])'
pass "$FP_DEV found with its netdev and an ACTIVE port; no check failed"

if [ -z "${FABRICPERF_TEST_HOSTS:-}" ]; then
  # The emulated guests have no GPU: every GPU check is a skip that says so.
  assert_json "$out/node1.json" 'd["results"][0]["gpus"] == [] and d["results"][0]["matrix"] == []'
  assert_json "$out/node1.json" 'd["hosts"][0]["hostname"] == "node1" and d["results"][0]["host"] == "node1"'
  assert_json "$out/node1.json" \
    'all(c["status"] == "skip" and "no GPU" in c["detail"] for c in d["checks"] if c["name"] in ("gpu_nic_one_to_one", "gpu_nic_numa", "acs_redirect", "nic_ats", "peer_memory"))'
  assert_json "$out/node1.json" "[n['software'] for n in d['results'][0]['nics'] if n['id'] == '$FP_DEV'] == [True]"
  assert_json "$out/node1.json" '{c["name"]: c["status"] for c in d["checks"]}["ib_port"] == "pass"'
  grep -q "GPUs: none found" "$out/node1.txt" || fail "the report does not say there is no GPU"
  pass "no GPU: GPU checks skip, ib_port passes, $FP_DEV is a software RDMA NIC"

  fp_run_t 120 node1 "$tool" --emit-env --local-rank 0 >"$out/env.txt" 2>"$out/env.err" || fail "--emit-env failed: $(cat "$out/env.err")"
  grep -qx "FABRICPERF_DEVICE=$FP_DEV" "$out/env.txt" || fail "--emit-env gave: $(cat "$out/env.txt")"
  if grep -q '^CUDA_VISIBLE_DEVICES=' "$out/env.txt"; then fail "--emit-env set CUDA_VISIBLE_DEVICES without a GPU"; fi
  pass "--emit-env --local-rank 0 pins the rank to $FP_DEV"
fi
