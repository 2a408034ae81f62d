#!/usr/bin/env bash
# fp_topo exit codes: 0 when every check passes (warn/skip allowed), 1 when one fails, 2 for
# usage and input errors (one line on stderr).
set -uo pipefail
tool=$FP_BUILD_DIR/topology/fp_topo
data=$FP_SOURCE_DIR/tests/data/topology
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failures=0

expect() {  # expect RC DESCRIPTION ARGS...
  local want=$1 what=$2; shift 2
  "$tool" "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "FAIL: $what: exit $rc, want $want"; sed 's/^/  stderr: /' "$tmp/err" | head -5; failures=$((failures + 1)); return
  fi
  if [ "$want" -eq 2 ]; then
    local lines; lines=$(grep -c . "$tmp/err")
    if [ "$lines" -ne 1 ]; then echo "FAIL: $what: $lines lines on stderr, want 1"; cat "$tmp/err"; failures=$((failures + 1)); return; fi
  fi
  echo "PASS: $what (exit $rc)"
}

expect 0 "AWS p5: 1:1 at PIX" --hwloc-xml "$data/aws-p5.48xl.hwloc.xml"
expect 0 "AWS p6-b200: 1:1 at PIX after matching" --hwloc-xml "$data/aws-p6-b200.48xl.hwloc.xml"
expect 0 "Azure NDv5 NCCL file" --nccl-topo "$data/azure-ndv5-topo.nccl.xml"
expect 0 "hwloc v1 export" --hwloc-xml "$data/handmade/pix.v1.hwloc.xml"
expect 0 "PXB is a warning" --hwloc-xml "$data/handmade/pxb.hwloc.xml"
expect 0 "unknown OS device type: loud warning, still a result" --hwloc-xml "$data/handmade/unknown-osdev-type.hwloc.xml"
grep -q " WARN topology: .*osdev_type" "$tmp/err" || { echo "FAIL: no warning about the unknown osdev_type"; failures=$((failures + 1)); }
expect 1 "AWS g5: PHB, shared NIC" --hwloc-xml "$data/aws-g5.48xl.hwloc.xml"
expect 1 "AWS p4d: two GPUs per EFA" --hwloc-xml "$data/aws-p4d.24xl.hwloc.xml"
expect 1 "Keysight: NODE" --hwloc-xml "$data/keysight-supermicro.hwloc.xml"
expect 1 "VM hiding switches: PHB" --hwloc-xml "$data/handmade/vm-hidden-switches-phb.hwloc.xml"
expect 1 "NIC on the other socket" --hwloc-xml "$data/handmade/nic-other-socket-sys.hwloc.xml"
expect 1 "two GPUs share one NIC" --hwloc-xml "$data/handmade/two-gpus-share-one-nic.hwloc.xml"
expect 1 "NCCL: GPUs share a remote NIC" --nccl-topo "$data/handmade/gpus-share-remote-nic.nccl.xml"
expect 2 "truncated XML" --hwloc-xml "$data/handmade/truncated.hwloc.xml"
grep -q "truncated.hwloc.xml:[0-9]*: malformed XML" "$tmp/err" || { echo "FAIL: malformed XML error does not name file and line"; failures=$((failures + 1)); }
expect 2 "hwloc 3 export" --hwloc-xml "$data/hwloc-nvidia-dgx2.v3.hwloc.xml"
expect 2 "export hwloc reads only in part" --hwloc-xml "$data/handmade/dropped-pci-device.hwloc.xml"
expect 2 "NCCL bad bus id" --nccl-topo "$data/handmade/bad-busid.nccl.xml"
expect 2 "NCCL file given as lstopo export" --hwloc-xml "$data/azure-ndv5-topo.nccl.xml"
grep -q -- "--nccl-topo" "$tmp/err" || { echo "FAIL: no hint to use --nccl-topo"; failures=$((failures + 1)); }
expect 2 "missing file" --hwloc-xml "$tmp/does-not-exist.xml"
expect 2 "both inputs" --hwloc-xml a.xml --nccl-topo b.xml
expect 2 "--local-rank without --emit-env" --local-rank 1
expect 2 "negative --local-rank" --emit-env --local-rank -1

# The live machine: whatever it holds, never a usage error.
"$tool" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]; then echo "PASS: live run (exit $rc)"; else echo "FAIL: live run exit $rc"; cat "$tmp/err"; failures=$((failures + 1)); fi

[ "$failures" -eq 0 ] || { echo "FAIL: $failures problem(s)"; exit 1; }
echo "PASS: fp_topo exit codes"
