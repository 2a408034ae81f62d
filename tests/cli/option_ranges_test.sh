#!/usr/bin/env bash
# Numeric options out of range, negative, NaN or infinite are refused before anything runs:
# exit 2 and one line on stderr that names the option or the value (issue 14, rows 10 and 14).
# CLI11 alone takes "-1" into unsigned options and "nan" past its range checks.
set -uo pipefail
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failures=0

refused() {  # refused TOOL PATTERN ARGS...
  local tool=$1 pattern=$2; shift 2
  local bin=$FP_BUILD_DIR/$tool
  [ -x "$bin" ] || { echo "SKIP: $tool not built"; return; }
  timeout 20 "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; local rc=$?
  local lines; lines=$(grep -c . "$tmp/err")
  if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q -- "$pattern" "$tmp/err"; then
    echo "FAIL: $(basename "$tool") $*: exit $rc, $lines stderr lines, want exit 2 and one line matching '$pattern'"
    sed 's/^/  stderr: /' "$tmp/err" | head -3; failures=$((failures + 1)); return
  fi
  echo "PASS: $(basename "$tool") $*: $(cat "$tmp/err")"
}

suite=runners/fp_suite
dry=(--dry-run --nodes 4 --rails 2)
refused $suite "--port: '70000'" "${dry[@]}" --port 70000
refused $suite "--port: '0'" "${dry[@]}" --port 0
refused $suite "--port: '-1'" "${dry[@]}" --port -1
refused $suite "--rails: '-3'" --dry-run --nodes 4 --rails -3
refused $suite "--nodes: '0'" --dry-run --nodes 0 --rails 2
refused $suite "--gpus-per-node: '-8'" "${dry[@]}" --gpus-per-node -8
refused $suite "--line-rate-gbps: '-1'" "${dry[@]}" --line-rate-gbps -1
refused $suite "--line-rate-gbps: 'nan'" "${dry[@]}" --line-rate-gbps nan
refused $suite "--iterations: '-1'" "${dry[@]}" --iterations -1
refused $suite "--max-rounds: '-1'" "${dry[@]}" --max-rounds -1
refused $suite "--seed: '-1'" "${dry[@]}" --seed -1
refused $suite "--bw-duration: 'inf'" "${dry[@]}" --bw-duration inf
refused $suite "--expect-line-rate-pct: '-5'" "${dry[@]}" --expect-line-rate-pct -5
refused $suite "--expect-lat-max-us: 'nan'" "${dry[@]}" --expect-lat-max-us nan
refused $suite "--outlier-k: 'nan'" "${dry[@]}" --outlier-k nan
refused $suite "--gid-index: '-7'" "${dry[@]}" --gid-index -7
refused $suite "--ranks: '-2'" --ranks -2
refused $suite "--timeout: 'inf'" "${dry[@]}" --timeout inf

coll=collectives/fp_coll
ref=(--backend ref -n 1 -w 0)
refused $coll "-i 1 from 1 to 1G is more than 10000 sizes" "${ref[@]}" -b 1 -e 1G -i 1
refused $coll "-e 1T: larger than this host's memory" "${ref[@]}" -b 1 -e 1T -i 1
refused $coll "-e 1T: larger than this host's memory" "${ref[@]}" -b 1 -e 1T
refused $coll "-b 64M is above -e 1M" "${ref[@]}" -b 64M -e 1M
refused $coll "stepfactor: '1'" "${ref[@]}" -b 1K -e 1M -f 1
refused $coll "stepfactor: 'nan'" "${ref[@]}" -b 1K -e 1M -f nan
refused $coll "stepfactor: '0.5'" "${ref[@]}" -b 1K -e 1M -f 0.5
refused $coll "-f 1.0001 from 1 to 1G is more than 10000 sizes" "${ref[@]}" -b 1 -e 1G -f 1.0001
refused $coll "--straggler-pct: 'nan'" "${ref[@]}" --straggler-pct nan
refused $coll "--check-avg-busbw: '-1'" "${ref[@]}" --check-avg-busbw -1
refused $coll "--port" "${ref[@]}" --port 70000
refused $coll "--iters" "${ref[@]}" -n 0
refused $coll "--iters" "${ref[@]}" -n -1
refused $coll "--ngpus" "${ref[@]}" -g -1
refused $coll "--warmup_iters" "${ref[@]}" -w -1
refused $coll "--agg_iters" "${ref[@]}" -m 0
refused $coll "--check" "${ref[@]}" -c -1
refused $coll "--root: '-1'" "${ref[@]}" -r -1
refused $coll "--root: 'nan'" "${ref[@]}" -r nan
refused $coll "--ranks" "${ref[@]}" --ranks 0

for tool in bw/fp_bw latency/fp_lat gdr/fp_gdr; do
  refused $tool "message size 5G is above 4294967295 bytes" -s 5G
  refused $tool "message size 4G is above 4294967295 bytes" -s 4G
  refused $tool "message size 8G is above 4294967295 bytes" -a --max-size 8G
  refused $tool "--duration: 'nan'" -D nan
  refused $tool "--duration: '-1'" -D -1
  refused $tool "--duration: 'inf'" -D inf
  refused $tool "--warmup: 'nan'" -D 5 --warmup nan
  refused $tool "--iters: '-1' is not an integer" -n -1
  refused $tool "--iters: '0' is not an integer" -n 0
  refused $tool "--ib-port" -i 0
  refused $tool "--gid-index" -x -1
  refused $tool "--port" -p 70000
  refused $tool "--rx-depth" -r -1
  refused $tool "--inline_size" -I -1
done
for tool in bw/fp_bw gdr/fp_gdr; do
  refused $tool "--qp" -q -1
  refused $tool "--qp" -q 0
  refused $tool "--tx-depth" -t -1
  refused $tool "--post_list" -l -1
  refused $tool "--cq-mod" -Q -1
done
refused bw/fp_bw "--outs" -o -1
refused gdr/fp_gdr "--gpu: '-1'" --gpu -1
refused gdr/fp_gdr "--gpu: 'nan'" --gpu nan
refused gdr/fp_gdr "--staging-iters" --staging-iters 0

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all passed"
