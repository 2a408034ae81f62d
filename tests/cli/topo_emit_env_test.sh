#!/usr/bin/env bash
# fp_topo --emit-env: KEY=VALUE lines for one local rank (nothing else on stdout), or a table.
set -uo pipefail
tool=$FP_BUILD_DIR/topology/fp_topo
data=$FP_SOURCE_DIR/tests/data/topology
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$tool" --hwloc-xml "$data/aws-p5.48xl.hwloc.xml" --emit-env --local-rank 3 >"$tmp/r3" 2>"$tmp/err" || fail "rank 3 exited $?"
cat > "$tmp/want" <<'WANT'
CUDA_DEVICE_ORDER=PCI_BUS_ID
CUDA_VISIBLE_DEVICES=3
NCCL_IB_HCA==rdmap130s0,rdmap131s0,rdmap132s0,rdmap133s0
FABRICPERF_DEVICE=rdmap130s0
WANT
diff -u "$tmp/want" "$tmp/r3" || fail "rank 3 lines differ"
[ ! -s "$tmp/err" ] || fail "unexpected stderr: $(cat "$tmp/err")"
# The lines work as an environment.
got=$(env -i sh -c 'set -a; . "$1"; echo "$CUDA_VISIBLE_DEVICES $FABRICPERF_DEVICE"' sh "$tmp/r3")
[ "$got" = "3 rdmap130s0" ] || fail "sourcing the lines gave '$got'"
echo "PASS: rank 3 on p5"

"$tool" --hwloc-xml "$data/aws-p5.48xl.hwloc.xml" --emit-env >"$tmp/table" || fail "table exited $?"
[ "$(grep -c '^[0-7] ' "$tmp/table")" -eq 8 ] || { cat "$tmp/table"; fail "table does not have 8 ranks"; }
head -1 "$tmp/table" | grep -q "CUDA_VISIBLE_DEVICES" || fail "table has no header"
echo "PASS: table of all ranks"

"$tool" --hwloc-xml "$data/aws-p5.48xl.hwloc.xml" --emit-env --local-rank 8 >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "rank 8 of 8 GPUs exited $rc, want 2"
grep -q "8 GPU" "$tmp/err" || fail "rank error does not say how many GPUs: $(cat "$tmp/err")"
echo "PASS: rank out of range"

# A shared NIC still gets a mapping; the sharing is said on stderr.
"$tool" --hwloc-xml "$data/handmade/two-gpus-share-one-nic.hwloc.xml" --emit-env --local-rank 1 >"$tmp/r1" 2>"$tmp/err" \
  || fail "shared rank exited $?"
grep -qx 'NCCL_IB_HCA==mlx5_0:1' "$tmp/r1" || fail "shared rank: $(cat "$tmp/r1")"
grep -q "shared with GPU0" "$tmp/err" || fail "sharing not reported: $(cat "$tmp/err")"
echo "PASS: shared NIC noted"

"$tool" --hwloc-xml "$data/aws-p5.48xl.hwloc.xml" --emit-env --json - >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "--emit-env --json - exited $rc, want 2"
"$tool" --hwloc-xml "$data/aws-p5.48xl.hwloc.xml" --emit-env --local-rank 0 --json "$tmp/doc.json" >"$tmp/r0" || fail "with --json"
/usr/bin/python3 "$FP_SOURCE_DIR/tests/tools/validate_document.py" "$tmp/doc.json" || fail "document invalid"
[ "$(wc -l <"$tmp/r0")" -eq 4 ] || fail "rank 0 printed $(wc -l <"$tmp/r0") lines"
echo "PASS: fp_topo --emit-env"
