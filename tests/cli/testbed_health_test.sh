#!/usr/bin/env bash
# The testbed's link-health logic without guests: console watchdog parsing (wall clock from the
# kernel timestamp), node states for a cluster whose qemu is gone, and the link/diagnose verbs'
# usage and refusal paths. The live paths (cut, probe, heal) run in tests/rdma/testbed_link_fault_test.sh.
set -uo pipefail
src=${FP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export FABRICPERF_TESTBED_STATE=$tmp/state FABRICPERF_TESTBED_CACHE=$tmp/cache
unset FABRICPERF_TEST_HOSTS
fails=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi; }

(
  for f in common hosts qemu ssh health; do source "$src/testbed/lib/$f.sh"; done
  mkdir -p "$TB_STATE/node1" "$TB_STATE/node2" "$TB_STATE/node3"
  started=$(date -d '2026-12-05 14:02:04' +%s)
  echo "$started" > "$TB_STATE/node1/started"
  printf '%s\n' 'FP-READY node1' \
    '[   63.512201] virtio_net virtio2 eth0: NETDEV WATCHDOG: CPU: 0: transmit queue 0 timed out 5344 ms' \
    '[   68.512201] virtio_net virtio2 eth0: NETDEV WATCHDOG: CPU: 0: transmit queue 0 timed out 10344 ms' \
    > "$TB_STATE/node1/console.log"
  echo "$started" > "$TB_STATE/node2/started"
  echo 'virtio_net virtio3 eth1: NETDEV WATCHDOG: CPU: 0: transmit queue 0 timed out 5100 ms' > "$TB_STATE/node2/console.log"
  echo 'FP-READY node3' > "$TB_STATE/node3/console.log"
  echo "wedge1=$(tb_console_wedge 1)"
  echo "wedge2=$(tb_console_wedge 2)"
  tb_console_wedge 3 && echo "wedge3=found" || echo "wedge3=none"
  printf 'n=3\nmem=2048\n' > "$TB_STATE/config"
  tb_health 3 --no-probe | tr '\t' '|'
) > "$tmp/out" 2>&1
cat "$tmp/out"
check "wall clock of the first watchdog line = qemu start + kernel uptime" "grep -qx 'wedge1=eth0 since 14:03:07' '$tmp/out'"
check "a line without a timestamp still names the netdev" "grep -q '^wedge2=eth1 since before ' '$tmp/out'"
check "a clean console is not wedged" "grep -qx 'wedge3=none' '$tmp/out'"
check "nodes without a live qemu are stopped" "[ \$(grep -c '|stopped|qemu is not running' '$tmp/out') -eq 3 ]"

T=$src/testbed/fp-testbed
"$T" link node1 >"$tmp/o" 2>&1; rc=$?
check "link without an action is a usage error (exit 2)" "[ $rc -eq 2 ] && grep -q 'usage: fp-testbed link NODE' '$tmp/o'"
"$T" link node1 sideways >"$tmp/o" 2>&1; rc=$?
check "an unknown action is a usage error (exit 2)" "[ $rc -eq 2 ] && grep -q \"got 'sideways'\" '$tmp/o'"
"$T" link node1 x down >"$tmp/o" 2>&1; rc=$?
check "a non-numeric rail is a usage error (exit 2)" "[ $rc -eq 2 ]"
rm -f "$tmp/state/config"
"$T" link node1 down >"$tmp/o" 2>&1; rc=$?
check "link with no cluster fails naming the cause" "[ $rc -eq 1 ] && grep -q 'no cluster is up' '$tmp/o'"
"$T" diagnose >"$tmp/o" 2>&1; rc=$?
check "diagnose with no cluster says so (exit 1)" "[ $rc -eq 1 ] && grep -q 'no cluster is up' '$tmp/o'"
"$T" heal >"$tmp/o" 2>&1; rc=$?
check "heal with no cluster fails naming the cause" "[ $rc -eq 1 ] && grep -q 'no cluster is up' '$tmp/o'"
[ "$fails" -eq 0 ] && echo "PASS: testbed health" || { echo "FAIL: $fails check(s)"; exit 1; }
