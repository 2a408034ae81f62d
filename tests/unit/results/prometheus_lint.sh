#!/usr/bin/env bash
# `promtool check metrics` (Debian: prometheus) on every Prometheus export fp_report makes of a real
# document: every recorded document under tests/data and what the tools write on this machine
# (fp_topo on recorded hwloc XML, fp_suite --dry-run, fp_info, fp_sizing, fp_coll's reference
# backend over TCP, fp_report compare and merge). Passes only when promtool accepts each export
# with no lint message at all. Exit 77 (ctest SKIP_RETURN_CODE) only when promtool is absent.
# Usage: prometheus_lint.sh SOURCE_DIR FP_REPORT [NAME=TOOL_BINARY]...
set -u
src=${1:?source dir}
fp=${2:?fp_report binary}
shift 2
declare -A tool
for a in "$@"; do tool[${a%%=*}]=${a#*=}; done

command -v promtool >/dev/null || { echo "SKIP: promtool is not installed (Debian package: prometheus)"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
mkdir "$work/docs"

# Recorded documents (the invalid_* fixtures are not documents).
for f in "$src"/tests/data/results/*.json "$src"/tests/data/runners/golive-baseline.json \
  "$src"/tests/data/results/v2/bw_windows.json; do
  case $(basename "$f") in invalid_*) continue ;; esac
  cp "$f" "$work/docs/recorded-$(basename "$f")"
done

# run NAME DOC ARGS...: the tool NAME writes DOC (a failing run still writes its document).
run() {
  local name=$1 doc=$2; shift 2
  local bin=${tool[$name]:-}
  [ -n "$bin" ] && [ -x "$bin" ] || { fail "$name is not built (${bin:-not given})"; return; }
  timeout 120 "$bin" "$@" >"$work/$name.out" 2>&1
  [ -s "$doc" ] || fail "$name $* wrote no document: $(tail -3 "$work/$name.out")"
}
d=$work/docs
run fp_topo "$d/topo-p5.json" --hwloc-xml "$src/tests/data/topology/aws-p5.48xl.hwloc.xml" --json "$d/topo-p5.json"
run fp_suite "$d/suite-plan.json" --dry-run --nodes 4 --rails 2 --json "$d/suite-plan.json"
run fp_info "$d/info.json" --json "$d/info.json"
run fp_sizing "$d/sizing.json" --model DeepSeek-R1 --json "$d/sizing.json"
port=$(/usr/bin/python3 "$src/tests/tools/free_tcp_port.py")
run fp_coll "$d/coll-ref.json" --ranks 1 --port "$port" --backend ref --coll all -b 64 -e 4K -f 64 -n 2 -c 1 \
  --timeout 30 --json "$d/coll-ref.json"
"$fp" compare "$src/tests/data/results/baseline_bw.json" "$src/tests/data/results/regressed_bw.json" \
  --json "$d/compare.json" >/dev/null 2>&1
[ -s "$d/compare.json" ] || fail "fp_report compare wrote no document"
"$fp" merge "$src/tests/data/results/bw_sweep.json" "$src/tests/data/results/lat.json" \
  "$src/tests/data/results/coll.json" -o "$d/merged.json" >/dev/null 2>&1 || fail "fp_report merge"

n=0
for doc in "$d"/*.json; do
  name=$(basename "$doc" .json)
  "$fp" export --format prometheus "$doc" -o "$work/$name.prom" 2>"$work/$name.err" ||
    { fail "export $name: $(cat "$work/$name.err")"; continue; }
  promtool check metrics <"$work/$name.prom" >"$work/$name.lint" 2>&1
  rc=$?
  if [ $rc -ne 0 ] || grep -q . "$work/$name.lint"; then
    fail "promtool on $name.prom (exit $rc):"
    sed 's/^/    /' "$work/$name.lint" | head -20
  fi
  n=$((n + 1))
done
[ "$n" -ge 15 ] || fail "only $n documents were exported"
[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "PASS: promtool check metrics: no message on $n exports"
