#!/usr/bin/env bash
# fp_report validate (C++) must agree with the reference validator (python3-jsonschema) on every
# recorded document and on mutated copies (missing keys, wrong types, bad enums, patterns...).
set -u
fp=${FP_BUILD_DIR:?}/results/fp_report
src=${FP_SOURCE_DIR:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 - "$src/tests/data/results" "$work" <<'PY'
import copy, json, pathlib, random, sys
data, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
rng = random.Random(7)
docs = {p.name: json.loads(p.read_text()) for p in sorted(data.glob("*.json")) if not p.name.startswith("invalid_")}
mutations = [
    lambda d: d.pop("errors"),
    lambda d: d.__setitem__("extra_top_level", 1),
    lambda d: d.__setitem__("status", "done"),
    lambda d: d.__setitem__("partial", "no"),
    lambda d: d.__setitem__("started_at", "2026-03-14 09:00:00"),
    lambda d: d.__setitem__("tool", "bw"),
    lambda d: d.__setitem__("version", "v1"),
    lambda d: d.__setitem__("command_line", []),
    lambda d: d["results"][0].__setitem__("size_bytes", -1),
    lambda d: d["results"][0].__setitem__("size_bytes", 4.5),
    lambda d: d["results"][0].__setitem__("size_bytes", 4.0),   # valid: an integral number
    lambda d: d["results"][0].__setitem__("bw_avg_gbps", "fast"),
    lambda d: d["results"][0].__setitem__("line_rate_pct", None),  # valid
    lambda d: d["results"][0].__setitem__("in_place", 1),
    lambda d: d["results"][0].__setitem__("histogram", [{"le": 1.0, "count": 0}]),
    lambda d: d["results"][0].__setitem__("port", 0),
    lambda d: d["results"][0].__setitem__("stage", "Verbs BW"),
    lambda d: d["results"][0].__setitem__("matrix", [["PIX", 3]]),
    lambda d: d["results"][0].__setitem__("gpus", [{"numa": 0}]),
    lambda d: d["results"].append("not an object"),
    lambda d: d["hosts"].append({"hostname": ""}),
    lambda d: d["hosts"].append({"hostname": "h", "kernel": "k", "rdma_devices": [{"name": "m", "ports": [{"port": 1}]}]}),
    lambda d: d["checks"].append({"name": "ok_name", "status": "pass", "expected": None, "measured": None}),
    lambda d: d["checks"].append({"name": "UPPER", "status": "pass", "expected": None, "measured": None, "detail": ""}),
    lambda d: d["checks"].append({"name": "x", "status": "pass", "expected": None, "measured": None, "detail": "", "labels": []}),
    lambda d: d["errors"].append(""),
    lambda d: d["errors"].append(3),
    lambda d: d.__setitem__("params", []),
]
n = 0
for name, doc in docs.items():
    (work / f"orig_{name}").write_text(json.dumps(doc))
    for i, m in enumerate(mutations):
        if rng.random() > 0.35 and name != "bw_sweep.json":
            continue
        d = copy.deepcopy(doc)
        if not d["results"] and "results" in m.__code__.co_names:
            continue
        try:
            m(d)
        except (IndexError, KeyError):
            continue
        (work / f"mut{i:02d}_{name}").write_text(json.dumps(d))
        n += 1
print(f"{len(docs)} documents, {n} mutated copies")
PY

failures=0
count=0
for f in "$work"/*.json; do
  /usr/bin/python3 "$src/tests/tools/validate_document.py" "$f" >"$work/py.txt" 2>&1; py=$?
  "$fp" validate "$f" >"$work/cc.txt" 2>&1; cc=$?
  count=$((count + 1))
  if [ "$py" -ne "$cc" ]; then
    echo "FAIL: $(basename "$f"): python exit $py, fp_report exit $cc"
    sed 's/^/  python: /' "$work/py.txt" | head -5
    sed 's/^/  fp_report: /' "$work/cc.txt" | head -5
    failures=$((failures + 1))
  elif [ "$py" -ne 0 ]; then
    # Same number of problems reported.
    np=$(grep -c . "$work/py.txt"); nc=$(grep -c . "$work/cc.txt")
    [ "$np" -eq "$nc" ] || { echo "FAIL: $(basename "$f"): python reports $np problem(s), fp_report $nc"; cat "$work/py.txt" "$work/cc.txt"; failures=$((failures + 1)); }
  fi
done
[ "$failures" -eq 0 ] || { echo "$failures of $count documents disagree"; exit 1; }
echo "PASS: fp_report validate agrees with the Python reference on $count documents"
