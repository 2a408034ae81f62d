#!/usr/bin/env bash
# fp_bw / fp_lat against perftest (ib_{write,send,read}_{bw,lat}) on the same link, same sizes
# and options, alternating which tool goes first in every round. Prints per test and size the
# median of fp/perftest ratios with their spread (min-max), and the client's CPU time per
# message for both tools: user+sys (from /usr/bin/time) of a full run minus that of a run with a
# quarter of the messages (round 0, once per point), over the difference in messages, so process
# start-up cancels out.
#
# Default link: the Soft-RoCE testbed (testbed/fp-testbed; boots it if needed, under the shared
# testbed lock, and lets it go at the end). Real hosts: FABRICPERF_TEST_HOSTS=hostA,hostB (see
# testbed/README.md), plus FABRICPERF_TEST_DEVICE / FABRICPERF_TEST_GID.
#
# Env: FP_BUILD_DIR (default <repo>/build), ROUNDS (3), BW_SIZES ("64 4096 65536"),
#      LAT_SIZES ("2 4096"), TESTS ("write_bw send_bw read_bw write_lat send_lat read_lat"),
#      BW_BYTES (bytes per bandwidth run, sets -n; default 8M, at least 200 and at most 5000
#      messages), LAT_ITERS (300), OUT (results folder, default $FP_BUILD_DIR/bench/verbs_vs_perftest).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
FP_BUILD_DIR=${FP_BUILD_DIR:-$root/build}
T=$root/testbed/fp-testbed
ROUNDS=${ROUNDS:-3}
BW_SIZES=${BW_SIZES:-"64 4096 65536"}
LAT_SIZES=${LAT_SIZES:-"2 4096"}
TESTS=${TESTS:-"write_bw send_bw read_bw write_lat send_lat read_lat"}
BW_BYTES=${BW_BYTES:-8388608}
LAT_ITERS=${LAT_ITERS:-300}
DEV=${FABRICPERF_TEST_DEVICE:-rxe0}
GID=${FABRICPERF_TEST_GID:-1}
OUT=${OUT:-$FP_BUILD_DIR/bench/verbs_vs_perftest}
# fp tools listening on the RDMA link need a run secret (core/README.md, bootstrap authentication).
RUN_TOKEN=${FABRICPERF_TOKEN:-bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}
FP_BW=$FP_BUILD_DIR/bw/fp_bw
FP_LAT=$FP_BUILD_DIR/latency/fp_lat
for b in "$FP_BW" "$FP_LAT"; do [ -x "$b" ] || { echo "run.sh: $b not built" >&2; exit 2; }; done

summarize() {  # RAW_CSV START ROUNDS
/usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
by = {}
for r in rows:
    if not r["value"]:
        continue
    by.setdefault((r["test"], int(r["size"])), {}).setdefault(r["tool"], {})[int(r["round"])] = r
print(f"Measured {sys.argv[2]}, {sys.argv[3]} alternating rounds per point.")
print("bw: Gb/s average (higher is better); lat: t_typical us (lower is better).")
print("ratio = fp / perftest per round; median [min-max]. CPU = client user+sys per message (us),")
print("marginal: (full run - quarter run) / (message difference), start-up cancels out; median over rounds.\n")
print("| test | size | fp median | perftest median | ratio median [spread] | fp CPU us/msg | perftest CPU us/msg |")
print("| --- | ---: | ---: | ---: | --- | ---: | ---: |")
for (test, size), tools in sorted(by.items(), key=lambda kv: (kv[0][0], kv[0][1])):
    fp, pt = tools.get("fp", {}), tools.get("perftest", {})
    common = sorted((set(fp) & set(pt)) - {0})
    if not common:
        print(f"| {test} | {size} | - | - | no paired rounds | - | - |")
        continue
    ratios = [float(fp[k]["value"]) / float(pt[k]["value"]) for k in common if float(pt[k]["value"]) > 0]
    med = lambda xs: statistics.median(xs) if xs else float("nan")
    fmt = lambda x: "n/a" if x != x else f"{x:.1f}"
    def cpu(d):
        base = d.get(0)
        if not base or not base["cpu_s"]:
            return float("nan")
        per = [(float(d[k]["cpu_s"]) - float(base["cpu_s"])) * 1e6 / (int(d[k]["messages"]) - int(base["messages"]))
               for k in common if d[k]["cpu_s"] and int(d[k]["messages"]) > int(base["messages"])]
        m = med(per)
        return m if m > 0 else float("nan")  # noise larger than the difference: n/a
    print(f"| {test} | {size} | {med([float(fp[k]['value']) for k in common]):.4g} | "
          f"{med([float(pt[k]['value']) for k in common]):.4g} | {med(ratios):.2f} [{min(ratios):.2f}-{max(ratios):.2f}] | "
          f"{fmt(cpu(fp))} | {fmt(cpu(pt))} |")
PY
}

# SUMMARY_ONLY=RAW.csv: only print the table of an earlier run.
if [ -n "${SUMMARY_ONLY:-}" ]; then summarize "$SUMMARY_ONLY" "(see $SUMMARY_ONLY)" "$ROUNDS"; exit 0; fi

# Under the testbed lock unless already inside it (the lock fd must not leak into qemu: -o).
if [ -z "${FABRICPERF_TEST_HOSTS:-}" ] && [ -z "${FP_BENCH_LOCKED:-}" ]; then
  export FP_BENCH_LOCKED=1
  exec flock -o /tmp/fabricperf-testbed.lock "$0" "$@"
fi
if [ -z "${FABRICPERF_TEST_HOSTS:-}" ]; then
  "$T" up --owner-pid $$ >/dev/null || { echo "run.sh: testbed did not come up" >&2; exit 1; }
  trap '"$T" down --owner-pid $$ >/dev/null 2>&1' EXIT
fi
mkdir -p "$OUT"
raw=$OUT/raw.csv
echo "test,size,round,tool,value,cpu_s,messages" >"$raw"
server_ip=$("$T" ip node2)

iters_for() {  # bandwidth: about BW_BYTES per run
  local n=$((BW_BYTES / $1))
  ((n < 200)) && n=200
  ((n > 5000)) && n=5000
  echo "$n"
}

# one TOOL TEST SIZE ROUND [DIVISOR]: server on node2, client on node1; appends a raw row.
# DIVISOR > 1 runs n/DIVISOR messages: round "0", the CPU baseline (start-up cost) per point.
one() {
  local tool=$1 test=$2 size=$3 round=$4 div=${5:-1} kind=${2##*_} op=${2%_*}
  local n tag=$OUT/$test-$size-$round-$tool
  if [ "$kind" = bw ]; then n=$(iters_for "$size"); else n=$LAT_ITERS; fi
  n=$((n / div))
  local srv cli
  if [ "$tool" = fp ]; then
    local bin=$FP_BW; [ "$kind" = lat ] && bin=$FP_LAT
    srv=("$bin" --op "$op" -d "$DEV" -x "$GID" -s "$size" -n "$n" --timeout 60 --token "$RUN_TOKEN")
    cli=("${srv[@]}" --json "$tag.json" "$server_ip")
  else
    srv=("ib_${test}" -d "$DEV" -x "$GID" -s "$size" -n "$n" -F)
    [ "$kind" = bw ] && srv+=(--report_gbits)
    cli=("${srv[@]}" "$server_ip")
  fi
  "$T" run node2 --timeout 300 -- "${srv[@]}" >"$tag.server.log" 2>&1 &
  local spid=$!
  local ok=0 try
  for try in 1 2 3 4 5; do
    [ "$tool" = perftest ] && sleep 1
    if "$T" run node1 --timeout 300 -- /usr/bin/time -f "%U %S" -o "$tag.time" "${cli[@]}" >"$tag.client.log" 2>&1; then
      ok=1; break
    fi
    [ "$tool" = fp ] && break   # fp tools retry the connection themselves
  done
  wait "$spid"
  if [ "$ok" != 1 ]; then echo "  $test $size round $round $tool: FAILED (see $tag.client.log)" >&2; return; fi
  local value
  if [ "$tool" = fp ]; then
    value=$(/usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(r['bw_avg_gbps'] if sys.argv[2]=='bw' else r['t_typical_us'])" "$tag.json" "$kind")
  elif [ "$kind" = bw ]; then
    value=$(awk -v s="$size" '$1 == s && NF >= 5 {v=$4} END {print v}' "$tag.client.log")
  else
    value=$(awk -v s="$size" '$1 == s && NF >= 7 {v=$5} END {print v}' "$tag.client.log")
  fi
  local cpu; cpu=$(awk 'NF == 2 {print $1 + $2}' "$tag.time" | tail -1)
  echo "$test,$size,$round,$tool,$value,$cpu,$n" >>"$raw"
  printf '  %-10s %7s round %s %-8s %s\n' "$test" "$size" "$round" "$tool" "$value"
}

start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for test in $TESTS; do
  sizes=$BW_SIZES; [ "${test##*_}" = lat ] && sizes=$LAT_SIZES
  for size in $sizes; do
    one fp "$test" "$size" 0 4; one perftest "$test" "$size" 0 4
    for ((round = 1; round <= ROUNDS; round++)); do
      if ((round % 2)); then one fp "$test" "$size" "$round"; one perftest "$test" "$size" "$round"
      else one perftest "$test" "$size" "$round"; one fp "$test" "$size" "$round"; fi
    done
  done
done

summarize "$raw" "$start" "$ROUNDS" | tee "$OUT/summary.md"
