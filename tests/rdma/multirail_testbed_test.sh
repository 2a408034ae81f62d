#!/usr/bin/env bash
# The multi-rail test bed itself (fixture testbed_multirail: 3 nodes x 2 rails x 2 NUMA nodes):
# every node has rxe0 on eth0 (10.77.0.K) and rxe1 on eth1 (10.77.1.K), both ACTIVE; eth0's PCI
# function sits on NUMA node 0 and eth1's on NUMA node 1, as sysfs and hwloc in the guest see it;
# rail 1 of every node reaches rail 1 of the others (RDMA), and cutting node2's rail 1 cuts only
# that rail: status/diagnose name it, rail 0 still carries RDMA, no path crosses rails; restoring
# it brings it back without a reboot.
source "$(dirname "$0")/lib.sh"
if [ -n "${FABRICPERF_TEST_HOSTS:-}" ]; then echo "SKIP: needs the multi-rail virtual cluster"; exit 0; fi
T=$FP_TESTBED
out=$(fp_scratch)

"$T" status >"$out/status0.txt" || { cat "$out/status0.txt"; fail "the cluster is not ready at the start"; }
[ "$(grep -c ' ready ' "$out/status0.txt")" -eq 3 ] || fail "want 3 ready nodes: $(cat "$out/status0.txt")"
[ "$(fp_ip node3 1)" = 10.77.1.3 ] || fail "fp-testbed ip node3 1 says '$(fp_ip node3 1)'"
if "$T" ip node3 2 2>/dev/null; then fail "fp-testbed ip node3 2 answered on a 2-rail cluster"; fi

# Devices, netdevs, addresses and NUMA placement, as the guest sees them.
for node in node1 node2 node3; do
  k=${node#node}
  fp_run_t 60 "$node" bash -c '
    for r in 0 1; do
      echo "rdma $r $(cat /sys/class/infiniband/rxe$r/ports/1/state) $(cat /sys/class/infiniband/rxe$r/ports/1/gid_attrs/ndevs/1)"
      echo "ip $r $(ip -4 -o addr show dev eth$r | awk "{print \$4}")"
      echo "numa $r $(cat /sys/class/net/eth$r/device/../numa_node)"
    done
    echo "nodes $(ls -d /sys/devices/system/node/node[0-9]* | wc -l) cpus0 $(cat /sys/devices/system/node/node0/cpulist) cpus1 $(cat /sys/devices/system/node/node1/cpulist)"
  ' >"$out/$node.txt" 2>&1 || fail "$node: reading sysfs failed: $(cat "$out/$node.txt")"
  want="rdma 0 4: ACTIVE eth0
ip 0 10.77.0.$k/24
numa 0 0
rdma 1 4: ACTIVE eth1
ip 1 10.77.1.$k/24
numa 1 1
nodes 2 cpus0 0 cpus1 1"
  [ "$(cat "$out/$node.txt")" = "$want" ] || fail "$node: got
$(cat "$out/$node.txt")
want
$want"
done
pass "3 nodes: rxe0 on eth0 (NUMA 0), rxe1 on eth1 (NUMA 1), ACTIVE, 10.77.R.K; 2 NUMA nodes with a CPU each"

# hwloc in the guest: each NIC under its own NUMA node.
fp_run_t 120 node1 lstopo-no-graphics --of xml >"$out/lstopo.xml" 2>"$out/lstopo.err" || fail "lstopo failed: $(cat "$out/lstopo.err")"
"$FP_PY" - "$out/lstopo.xml" <<'PY' || fail "hwloc does not place eth0 on NUMA node 0 and eth1 on NUMA node 1 (see $out/lstopo.xml)"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
def numa_of(netdev):
    # hwloc 2: a Package holds its NUMANode (memory child) and, under its host bridge, the NIC.
    for package in root.iter("object"):
        if package.get("type") != "Package":
            continue
        numas = [o.get("os_index") for o in package.iter("object") if o.get("type") == "NUMANode"]
        nets = [o.get("name") for o in package.iter("object") if o.get("type") == "OSDev" and o.get("name") == netdev]
        if nets and len(numas) == 1:
            return numas[0]
    return None
got = {n: numa_of(n) for n in ("eth0", "eth1")}
print("hwloc:", got)
sys.exit(0 if got == {"eth0": "0", "eth1": "1"} else 1)
PY
pass "hwloc (lstopo) in node1: eth0 under NUMA node 0, eth1 under NUMA node 1"

# pingpong NAME RAIL SERVER CLIENT ATTEMPTS: one ibv_rc_pingpong exchange on rxeRAIL, CLIENT -> SERVER.
pingpong() {
  local name=$1 rail=$2 server=$3 client=$4 attempts=$5 spid rc
  fp_bg "$server" ibv_rc_pingpong -d "rxe$rail" -g "$FP_GID" -n 5
  spid=$FP_BG_PID
  sleep 1
  fp_retry "$attempts" fp_run_t 20 "$client" ibv_rc_pingpong -d "rxe$rail" -g "$FP_GID" -n 5 "$(fp_ip "$server" "$rail")" \
    >"$out/$name.log" 2>&1
  rc=$?
  [ "$rc" -eq 0 ] || kill -TERM "$spid" 2>/dev/null
  wait "$spid" || rc=1
  return "$rc"
}
pingpong rail1 1 node3 node1 5 || fail "RDMA over rail 1 node1 -> node3 failed (see $out/rail1.log)"
pass "RDMA over rail 1 (rxe1) node1 -> node3"

"$T" link node2 1 down || fail "link node2 1 down failed"
"$T" status >"$out/status1.txt"; rc=$?
cat "$out/status1.txt"
[ "$rc" -eq 1 ] || fail "status exits $rc with node2's rail 1 cut (want 1)"
grep -q "^node2 link-degraded .*RDMA rail 1 cut by 'fp-testbed link'" "$out/status1.txt" || fail "status does not say node2's rail 1 is cut"
for node in node1 node3; do
  grep -q "^$node link-degraded .*# no path over the RDMA rail 1 (eth1) to node2$" "$out/status1.txt" ||
    fail "status does not say $node has no path to node2 on rail 1 (and nothing else)"
done
"$T" diagnose >"$out/diagnose.txt"; rc=$?
[ "$rc" -eq 1 ] && [ "$(grep -c . "$out/diagnose.txt")" -eq 3 ] &&
  grep -q "^node2: RDMA rail 1 cut by 'fp-testbed link' at [0-9:]*$" "$out/diagnose.txt" ||
  fail "diagnose (rc $rc) does not name node2's rail 1 alone: $(cat "$out/diagnose.txt")"
pingpong cut-rail0 0 node2 node1 5 || fail "rail 0 stopped carrying RDMA when node2's rail 1 was cut (see $out/cut-rail0.log)"
if pingpong cut-rail1 1 node2 node1 1; then fail "RDMA reached node2 over its cut rail 1 (a cross-rail path?)"; fi
# No cross-rail path: node1 cannot reach node2's rail-1 address at all (not even over rail 0).
if fp_run_t 30 node1 timeout 5 bash -c "exec 3<>/dev/tcp/$(fp_ip node2 1)/22" 2>/dev/null; then
  fail "node1 reached node2's rail-1 address with that rail cut"
fi
pass "node2's rail 1 cut: status/diagnose name exactly it; rail 0 still carries RDMA; rail 1 does not"

"$T" link node2 1 up || fail "link node2 1 up failed"
for _ in $(seq 30); do "$T" status >"$out/status2.txt" && break; sleep 1; done
[ "$(grep -c ' ready ' "$out/status2.txt")" -eq 3 ] || fail "rail 1 did not come back: $(cat "$out/status2.txt")"
pingpong restored 1 node2 node1 5 || fail "RDMA over rail 1 does not work after the restore (see $out/restored.log)"
pass "node2's rail 1 restored without a reboot"
