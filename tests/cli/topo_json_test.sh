#!/usr/bin/env bash
# fp_topo --json: schema-valid result documents with one results[] entry per host holding
# gpus[], nics[] and the matrix, and the checks in checks[].
set -euo pipefail
tool=$FP_BUILD_DIR/topology/fp_topo
data=$FP_SOURCE_DIR/tests/data/topology
validate="/usr/bin/python3 $FP_SOURCE_DIR/tests/tools/validate_document.py"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

check() {  # check FILE 'python expression on d'
  /usr/bin/python3 - "$1" "$2" <<'PY' || { echo "FAIL: $2 is not true for $1"; exit 1; }
import json, sys
d = json.load(open(sys.argv[1]))
r = d["results"][0] if d["results"] else {}
c = {x["name"]: x for x in d["checks"]}
sys.exit(0 if eval(sys.argv[2], {"d": d, "r": r, "c": c}) else 1)
PY
}

"$tool" --hwloc-xml "$data/aws-p5.48xl.hwloc.xml" --json "$tmp/p5.json" >"$tmp/p5.txt"
$validate "$tmp/p5.json"
check "$tmp/p5.json" 'd["tool"] == "fp_topo" and len(d["results"]) == 1 and d["hosts"] == []'
check "$tmp/p5.json" 'len(r["gpus"]) == 8 and len(r["nics"]) == 32 and len(r["matrix"]) == 8 and len(r["matrix"][0]) == 32'
check "$tmp/p5.json" 'all(g["nearest_path"] == "PIX" and len(g["nearest_nics"]) == 4 and g["nic"] == g["nearest_nics"][0] for g in r["gpus"])'
check "$tmp/p5.json" 'r["gpus"][0]["pci"] == "0000:53:00.0" and r["gpus"][0]["numa"] == 0 and r["nics"][0] == {**r["nics"][0], "id": "rdmap79s0", "pci": "0000:4f:00.0", "numa": 0}'
check "$tmp/p5.json" 'c["gpu_nic_one_to_one"]["status"] == "pass" and c["pcie_link"]["status"] == "skip" and c["gpu_nic_one_to_one"]["labels"]["host"] == "aws-p5"'
grep -q "NIC Legend:" "$tmp/p5.txt" || { echo "FAIL: no matrix legend in the human output"; exit 1; }
echo "PASS: p5 document"

"$tool" --hwloc-xml "$data/aws-g5.48xl.hwloc.xml" --json "$tmp/g5.json" >/dev/null || true
$validate "$tmp/g5.json"
check "$tmp/g5.json" 'c["gpu_nic_one_to_one"]["status"] == "fail" and all(g["nearest_path"] == "PHB" for g in r["gpus"])'
check "$tmp/g5.json" 'r["gpus"][0]["nic"] == "rdmap0s21" and r["gpus"][1]["nic"] is None and r["gpus"][1]["numa"] == -1'
echo "PASS: g5 document"

"$tool" --nccl-topo "$data/azure-ndv5-topo.nccl.xml" --json "$tmp/ndv5.json" >/dev/null
$validate "$tmp/ndv5.json"
check "$tmp/ndv5.json" '[g["nic"] for g in r["gpus"]] == ["01%02x:00:00.0" % i for i in range(1, 9)] and r["gpus"][3]["pci"] == "0008:00:00.0"'
echo "PASS: NDv5 document"

# --json - : stdout is the document alone, the tables go to stderr.
"$tool" --hwloc-xml "$data/keysight-supermicro.hwloc.xml" --json - 2>"$tmp/k.txt" >"$tmp/k.json" || true
$validate "$tmp/k.json"
check "$tmp/k.json" 'r["host"] == "ixia-2025" and r["matrix"] == [["NODE", "NODE"]] and c["gpu_nic_one_to_one"]["status"] == "fail"'
grep -q "GPUs: 1" "$tmp/k.txt" || { echo "FAIL: human output did not move to stderr"; exit 1; }
echo "PASS: --json -"

# The live machine: a valid document with this host in hosts[].
"$tool" --json "$tmp/live.json" >/dev/null || true
$validate "$tmp/live.json"
check "$tmp/live.json" 'len(d["hosts"]) == 1 and r["source"] == "live" and len(d["checks"]) == 7'
echo "PASS: fp_topo --json"
