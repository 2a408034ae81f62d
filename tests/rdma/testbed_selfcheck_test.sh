#!/usr/bin/env bash
# The test bed itself: perftest, ibv_rc_pingpong and mpirun across the nodes
# (fp-testbed selfcheck), proof that bytes really moved over RDMA, and that a
# file a node writes under the build folder is readable on the host.
source "$(dirname "$0")/lib.sh"

out=$(fp_scratch)
"$FP_TESTBED" selfcheck --log-dir "$out" || fail "fp-testbed selfcheck failed (logs in $out)"

# ib_write_bw's result line: "#bytes #iterations BW-peak BW-average MsgRate"
for check in ib_write_bw ib_write_bw_rdma_cm; do
  bw=$(awk '$1 == 65536 && $2 == 500 {print $4}' "$out/$check.client.log")
  [ -n "$bw" ] || fail "$check: no result line in $out/$check.client.log"
  awk -v bw="$bw" 'BEGIN {exit !(bw > 0)}' || fail "$check: average BW is $bw MB/s"
  pass "$check moved data ($bw MB/s; speed is not asserted)"
done

if [ -z "${FABRICPERF_TEST_HOSTS:-}" ]; then
  fp_run node2 /usr/bin/python3 -c \
    'import json, socket, sys; json.dump({"host": socket.gethostname(), "ok": True}, open(sys.argv[1], "w"))' \
    "$out/from-node2.json" || fail "node2 could not write $out/from-node2.json"
  assert_json "$out/from-node2.json" 'd["host"] == "node2" and d["ok"]'
  pass "file written in node2 is visible on the host"
fi
