#!/usr/bin/env bash
# fp-testbed's link control, detection and recovery on the live cluster: cutting node1's RDMA
# link makes `status` say link-dead for node1 (and why), real RDMA traffic fails and `diagnose`
# names node1's cut; restoring it brings the link back without a reboot; cutting it again and
# running `heal` boots a healthy cluster (same settings) on which RDMA works again.
source "$(dirname "$0")/lib.sh"
if [ -n "${FABRICPERF_TEST_HOSTS:-}" ]; then echo "SKIP: link control needs the virtual cluster"; exit 0; fi
T=$FP_TESTBED
out=$(fp_scratch)

# pingpong NAME ATTEMPTS: one ibv_rc_pingpong exchange node1 -> node2.
pingpong() {
  fp_bg node2 ibv_rc_pingpong -d "$FP_DEV" -g "$FP_GID" -n 5
  local server=$FP_BG_PID rc
  sleep 1
  fp_retry "$2" fp_run_t 20 node1 ibv_rc_pingpong -d "$FP_DEV" -g "$FP_GID" -n 5 "$(fp_ip node2)" \
    >"$out/$1.log" 2>&1
  rc=$?
  [ "$rc" -eq 0 ] || kill -TERM "$server" 2>/dev/null
  wait "$server" || rc=1
  return "$rc"
}

"$T" status >"$out/status0.txt" || { cat "$out/status0.txt"; fail "the cluster is not ready at the start"; }
pingpong before 5 || fail "RDMA does not work before the cut (see $out/before.log)"

"$T" link node1 down || fail "link node1 down failed"
"$T" status >"$out/status1.txt"; rc=$?
cat "$out/status1.txt"
[ "$rc" -eq 1 ] || fail "status exits $rc with node1's link cut (want 1)"
grep -q "^node1 link-dead .*cut by 'fp-testbed link'" "$out/status1.txt" || fail "status does not say node1's link is cut"
grep -q "^node2 link-dead .*no path .* to node1" "$out/status1.txt" || fail "status does not say node2 has no path to node1"
if pingpong while-cut 1; then fail "RDMA traffic crossed a cut link"; fi
"$T" diagnose >"$out/diagnose.txt"; rc=$?
[ "$rc" -eq 1 ] && grep -q "^node1: RDMA link cut by 'fp-testbed link' at [0-9:]*$" "$out/diagnose.txt" ||
  fail "diagnose (rc $rc) does not name node1's cut: $(cat "$out/diagnose.txt")"

"$T" link node1 up || fail "link node1 up failed"
for _ in $(seq 30); do "$T" status >"$out/status2.txt" && break; sleep 1; done
grep -q '^node1 ready' "$out/status2.txt" && grep -q '^node2 ready' "$out/status2.txt" ||
  fail "the link did not come back after 'link node1 up': $(cat "$out/status2.txt")"
pingpong restored 5 || fail "RDMA does not work after the link was restored (see $out/restored.log)"

"$T" link node1 down || fail "second link node1 down failed"
"$T" heal 2>"$out/heal.txt" || { cat "$out/heal.txt"; fail "heal could not reboot the cluster"; }
cat "$out/heal.txt"
grep -q 'rebooting' "$out/heal.txt" || fail "heal did not reboot a cluster with a cut link"
"$T" status >"$out/status3.txt" || fail "not ready after heal: $(cat "$out/status3.txt")"
pingpong healed 5 || fail "RDMA does not work on the healed cluster (see $out/healed.log)"
pass "link cut detected and named, restored without a reboot, healed by a reboot"
