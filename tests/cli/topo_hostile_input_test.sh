#!/usr/bin/env bash
# fp_topo against hostile and careless input (issue 14 rows 6-10): every case exits 2 with one line
# on stderr naming the problem, never a signal, a hang, a file created by --emit-env, or a wrong
# answer with exit 0.
set -uo pipefail
tool=$FP_BUILD_DIR/topology/fp_topo
data=$FP_SOURCE_DIR/tests/data/topology
hostile=$data/hostile
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failures=0
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_refusal DESCRIPTION TEXT ARGS...: exit 2, exactly one line on stderr, containing TEXT.
expect_refusal() {
  local what=$1 want=$2; shift 2
  timeout 30 "$tool" "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ "$rc" -ne 2 ]; then bad "$what: exit $rc, want 2 ($(head -c 300 "$tmp/err"))"; return; fi
  local lines; lines=$(grep -c . "$tmp/err")
  if [ "$lines" -ne 1 ]; then bad "$what: $lines lines on stderr, want 1: $(cat "$tmp/err")"; return; fi
  if ! grep -qF -- "$want" "$tmp/err"; then bad "$what: stderr does not mention '$want': $(cat "$tmp/err")"; return; fi
  echo "PASS: $what"
}

# Row 6: --emit-env output is eval'd by launch scripts; a net name must not run a command.
work=$tmp/eval; mkdir "$work"
out=$(cd "$work" && timeout 30 "$tool" --nccl-topo "$hostile/emit-env-injection.nccl.xml" --emit-env --local-rank 0 2>"$tmp/err")
rc=$?
(cd "$work" && eval "$out") >/dev/null 2>&1
if [ -e "$work/PWNED" ]; then bad "--emit-env output ran a command from the topology file"; fi
if [ $rc -ne 2 ]; then bad "--emit-env with a hostile net name: exit $rc, want 2"; fi
grep -qF 'mlx5_0$(touch PWNED);x' "$tmp/err" || bad "--emit-env refusal does not name the value: $(cat "$tmp/err")"
[ -z "$out" ] || bad "--emit-env printed something despite refusing: $out"
[ -e "$work/PWNED" ] || [ $rc -ne 2 ] || echo "PASS: --emit-env refuses a net name with shell syntax"
expect_refusal "--emit-env table with a hostile net name" "refusing --emit-env" \
  --nccl-topo "$hostile/emit-env-injection.nccl.xml" --emit-env

# Row 7: libhwloc 2.9 itself crashes (SIGSEGV) on this export with its first complete_cpuset
# attribute removed; fp_topo must refuse it instead of dying.
sed '0,/ complete_cpuset="[^"]*"/s/ complete_cpuset="[^"]*"//' "$data/keysight-supermicro.hwloc.xml" >"$tmp/no-complete-cpuset.xml"
[ "$(grep -c complete_cpuset "$tmp/no-complete-cpuset.xml")" -lt "$(grep -c complete_cpuset "$data/keysight-supermicro.hwloc.xml")" ] \
  || bad "the fixture edit removed nothing"
expect_refusal "hwloc XML that crashes libhwloc" "libhwloc crashed while loading it (signal 11): the file is malformed" \
  --hwloc-xml "$tmp/no-complete-cpuset.xml"

# Row 8: special files are refused at once, never read until memory runs out or blocked on.
expect_refusal "--hwloc-xml /dev/zero" "not a regular file" --hwloc-xml /dev/zero
expect_refusal "--nccl-topo /dev/zero" "not a regular file" --nccl-topo /dev/zero
mkfifo "$tmp/fifo"
expect_refusal "--hwloc-xml FIFO" "FIFO" --hwloc-xml "$tmp/fifo"
expect_refusal "--nccl-topo FIFO" "FIFO" --nccl-topo "$tmp/fifo"
expect_refusal "--hwloc-xml directory" "directory" --hwloc-xml "$tmp"
truncate -s 65M "$tmp/huge.xml"
expect_refusal "--hwloc-xml above the size cap" "more than the limit" --hwloc-xml "$tmp/huge.xml"

# Row 9: numbers out of range are refused, naming file, element, attribute and value.
expect_refusal "numaid 2^32" 'numaid="4294967296"' --nccl-topo "$hostile/numaid-overflow.nccl.xml"
grep -qF "numaid-overflow.nccl.xml:" "$tmp/err" || bad "numaid error does not name the file"
expect_refusal "speed 1e308" 'speed="1e308"' --nccl-topo "$hostile/speed-overflow.nccl.xml"
sed 's/port="1"/port="99999999999"/' "$data/handmade/gpus-share-remote-nic.nccl.xml" >"$tmp/port.nccl.xml"
expect_refusal "port 99999999999" 'port="99999999999"' --nccl-topo "$tmp/port.nccl.xml"
sed 's/speed="400000"/speed="nan"/' "$data/handmade/gpus-share-remote-nic.nccl.xml" >"$tmp/nan.nccl.xml"
expect_refusal "speed nan" 'speed="nan"' --nccl-topo "$tmp/nan.nccl.xml"
sed '0,/vendor="0x15b3"/s//vendor="0x115b3"/' "$data/handmade/gpus-share-remote-nic.nccl.xml" >"$tmp/vendor.nccl.xml"
expect_refusal "vendor id above 16 bits" 'vendor="0x115b3"' --nccl-topo "$tmp/vendor.nccl.xml"
sed 's/<topology version="2.0">/<topology version="99999999999999999999.0">/' "$data/aws-g5.48xl.hwloc.xml" >"$tmp/version.xml"
grep -q 'version="99999999999999999999.0"' "$tmp/version.xml" || bad "the version edit changed nothing"
expect_refusal "hwloc XML version 10^20" "is not supported" --hwloc-xml "$tmp/version.xml"

# GPUs x NICs bounds the pairing work: 20,000 of each (4.5 MB) used to run for minutes.
/usr/bin/python3 - "$tmp/many.nccl.xml" <<'PY'
import sys
lines = ['<system version="1"><cpu numaid="0">']
for i in range(20000):
    bus = "%04x:%02x:00" % (i // 256, i % 256)
    lines.append('<pci busid="%s.0" class="0x030200"><gpu dev="0"/></pci>' % bus)
    lines.append('<pci busid="%s.1" class="0x020700"><nic><net name="mlx5_%d"/></nic></pci>' % (bus, i))
lines.append('</cpu></system>')
open(sys.argv[1], "w").write("\n".join(lines))
PY
expect_refusal "20,000 GPUs and NICs" "20000 GPUs, above fp_topo's limit of 256" --nccl-topo "$tmp/many.nccl.xml"

# Found by fuzz_nccl_topo: attribute values must be UTF-8 (XML's encoding; JSON output needs it).
expect_refusal "attribute not UTF-8" "value of attribute 'arch' is not valid UTF-8" --nccl-topo "$hostile/invalid-utf8.nccl.xml"

# Row 10: an empty path is not "no path" (which would read this machine instead).
expect_refusal "--hwloc-xml ''" "--hwloc-xml" --hwloc-xml ''
expect_refusal "--nccl-topo ''" "--nccl-topo" --nccl-topo ''

# The real files still load.
timeout 30 "$tool" --nccl-topo "$data/azure-ndv5-topo.nccl.xml" >/dev/null 2>&1 || bad "azure-ndv5 no longer loads"
timeout 30 "$tool" --hwloc-xml "$data/aws-p5.48xl.hwloc.xml" >/dev/null 2>&1 || bad "aws-p5 no longer loads"

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "PASS: fp_topo hostile input"
