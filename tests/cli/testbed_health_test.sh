#!/usr/bin/env bash
# The testbed's link-health logic without guests: console watchdog parsing (wall clock from the
# kernel timestamp), node states for a cluster whose qemu is gone, per-rail states from cut
# markers and watchdog lines (with stand-in qemu processes), and the link/diagnose/ip/up verbs'
# usage and refusal paths. The live paths (cut, probe, heal) run in tests/rdma/testbed_link_fault_test.sh.
set -uo pipefail
src=${FP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export FABRICPERF_TESTBED_STATE=$tmp/state FABRICPERF_TESTBED_CACHE=$tmp/cache
unset FABRICPERF_TEST_HOSTS
fails=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi; }

(
  for f in common hosts rails qemu ssh health; do source "$src/testbed/lib/$f.sh"; done
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
  echo "wedge1=$(tb_console_wedges 1)"
  echo "wedge2=$(tb_console_wedges 2)"
  echo "wedge3=$(tb_console_wedges 3)"
  printf 'n=3\nmem=2048\n' > "$TB_STATE/config"
  tb_health 3 --no-probe | tr '\t' '|'

  # Live stand-ins for qemu (a process whose command line says qemu-system), then per-rail states.
  for k in 1 2 3; do
    bash -c 'exec -a qemu-system-x86_64 sleep 60' &
    echo $! > "$TB_STATE/node$k/qemu.pid"
  done
  sleep 0.2
  echo '[   70.100000] virtio_net virtio2 eth1: NETDEV WATCHDOG: CPU: 0: transmit queue 0 timed out 5100 ms' > "$TB_STATE/node2/console.log"
  echo '14:05:00' > "$TB_STATE/node3/link-cut-rail0"
  echo "one-rail:"
  tb_health 3 --no-probe | tr '\t' '|'
  rm -f "$TB_STATE/node3/link-cut-rail0"
  printf 'n=3\nmem=2048\nrails=2\nnuma=2\n' > "$TB_STATE/config"
  echo 'FP-READY node1' > "$TB_STATE/node1/console.log"
  echo '14:06:00' > "$TB_STATE/node1/link-cut-rail1"
  echo '[   71.100000] virtio_net virtio3 eth0: NETDEV WATCHDOG: CPU: 0: transmit queue 0 timed out 5100 ms' >> "$TB_STATE/node2/console.log"
  echo '[   72.100000] virtio_net virtio4 eth2: NETDEV WATCHDOG: CPU: 0: transmit queue 0 timed out 5100 ms' > "$TB_STATE/node3/console.log"
  echo "two-rail:"
  tb_health 3 --no-probe | tr '\t' '|'
  kill %1 %2 %3
) > "$tmp/out" 2>&1
cat "$tmp/out"
check "wall clock of the first watchdog line = qemu start + kernel uptime" "grep -qx 'wedge1=eth0 since 14:03:07' '$tmp/out'"
check "a line without a timestamp still names the netdev" "grep -q '^wedge2=eth1 since before ' '$tmp/out'"
check "a clean console is not wedged" "grep -qx 'wedge3=' '$tmp/out'"
check "nodes without a live qemu are stopped" "[ \$(grep -c '|stopped|qemu is not running' '$tmp/out') -eq 3 ]"
one=$(sed -n '/^one-rail:/,/^two-rail:/p' "$tmp/out")
two=$(sed -n '/^two-rail:/,$p' "$tmp/out")
check "one rail: a wedged eth0 is a dead RDMA link, named as always" \
  "grep -qx 'node1|link-dead|RDMA link (eth0) dead since 14:03:07 (NETDEV WATCHDOG: transmit queue timed out)' <<<\"\$one\""
check "one rail: a wedged eth1 is the management link" "grep -q '^node2|running|management link (eth1) dead since 14:03:14' <<<\"\$one\""
check "one rail: a cut rail 0 is a dead link" "grep -qx \"node3|link-dead|RDMA link cut by 'fp-testbed link' at 14:05:00\" <<<\"\$one\""
check "two rails: one cut rail degrades the node and names the rail" \
  "grep -qx \"node1|link-degraded|RDMA rail 1 cut by 'fp-testbed link' at 14:06:00\" <<<\"\$two\""
check "two rails: both rails wedged is a dead node, each rail named" \
  "grep -qx 'node2|link-dead|RDMA rail 0 (eth0) dead since 14:03:15 (NETDEV WATCHDOG: transmit queue timed out); RDMA rail 1 (eth1) dead since 14:03:14 (NETDEV WATCHDOG: transmit queue timed out)' <<<\"\$two\""
check "two rails: eth2 is the management link" "grep -q '^node3|running|management link (eth2) dead' <<<\"\$two\""

T=$src/testbed/fp-testbed
"$T" link node1 >"$tmp/o" 2>&1; rc=$?
check "link without an action is a usage error (exit 2)" "[ $rc -eq 2 ] && grep -q 'usage: fp-testbed link NODE' '$tmp/o'"
"$T" link node1 sideways >"$tmp/o" 2>&1; rc=$?
check "an unknown action is a usage error (exit 2)" "[ $rc -eq 2 ] && grep -q \"got 'sideways'\" '$tmp/o'"
"$T" link node1 x down >"$tmp/o" 2>&1; rc=$?
check "a non-numeric rail is a usage error (exit 2)" "[ $rc -eq 2 ]"
printf 'n=3\nmem=2048\nrails=2\nnuma=2\n' > "$tmp/state/config"
check "ip NODE RAIL: the rail's address" "[ \"\$('$T' ip node3 1)\" = 10.77.1.3 ] && [ \"\$('$T' ip node3)\" = 10.77.0.3 ]"
"$T" ip node3 2 >"$tmp/o" 2>&1; rc=$?
check "ip of a rail the cluster lacks fails naming it" "[ $rc -eq 1 ] && grep -q 'node3 has no rail 2 (the cluster has 2 rail' '$tmp/o'"
"$T" link node1 2 down >"$tmp/o" 2>&1; rc=$?
check "link on a rail the cluster lacks fails naming it" "[ $rc -eq 1 ] && grep -q 'node1 has no rail 2' '$tmp/o'"
for bad in "--rails 9" "--rails 0" "--numa x" "-n 0"; do
  "$T" up $bad >"$tmp/o" 2>&1; rc=$?
  check "up $bad is a usage error (exit 2)" "[ $rc -eq 2 ] && grep -q 'usage: ' '$tmp/o'"
done
FABRICPERF_TESTBED_MEM=1024 "$T" up --numa 8 >"$tmp/o" 2>&1; rc=$?
check "up --numa 8 with 1024 MiB names the memory per NUMA node" "[ $rc -eq 2 ] && grep -q 'under 256 MiB per NUMA node' '$tmp/o'"
rm -f "$tmp/state/config"
"$T" link node1 down >"$tmp/o" 2>&1; rc=$?
check "link with no cluster fails naming the cause" "[ $rc -eq 1 ] && grep -q 'no cluster is up' '$tmp/o'"
"$T" diagnose >"$tmp/o" 2>&1; rc=$?
check "diagnose with no cluster says so (exit 1)" "[ $rc -eq 1 ] && grep -q 'no cluster is up' '$tmp/o'"
"$T" heal >"$tmp/o" 2>&1; rc=$?
check "heal with no cluster fails naming the cause" "[ $rc -eq 1 ] && grep -q 'no cluster is up' '$tmp/o'"
[ "$fails" -eq 0 ] && echo "PASS: testbed health" || { echo "FAIL: $fails check(s)"; exit 1; }
