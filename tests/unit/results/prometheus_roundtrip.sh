#!/usr/bin/env bash
# Prometheus round trip for `fp_report export --format prometheus`:
#   1. every recorded document exports (promtool's lint is results_prometheus_lint's job),
#   2. a real Pushgateway on 127.0.0.1 accepts the pushes (curl),
#   3. a real Prometheus (temporary storage, 1 s scrape, honor_labels) scrapes it, and its HTTP
#      API returns the documents' values and the hostile label values unchanged.
# Everything runs on loopback with free ports, bounded in time, and is killed at the end.
# Exit 77 (ctest SKIP_RETURN_CODE) only when the Debian packages are absent.
# Usage: prometheus_roundtrip.sh FP_REPORT SOURCE_DIR
set -u
fp=${1:?fp_report binary}
src=${2:?source dir}
data=$src/tests/data/results
py=/usr/bin/python3

for bin in prometheus prometheus-pushgateway curl; do
  command -v "$bin" >/dev/null || { echo "SKIP: $bin is not installed (Debian: prometheus prometheus-pushgateway curl)"; exit 77; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# wait_http URL SECONDS
wait_http() {
  local deadline=$((SECONDS + $2))
  until curl -sf -o /dev/null --max-time 2 "$1"; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.3
  done
}

# 1. Export.
docs="suite bw_sweep lat coll topo escaping"
for d in $docs; do
  "$fp" export --format prometheus "$data/$d.json" -o "$work/$d.prom" || fail "export $d"
done

# 2. Pushgateway.
pg_port=$(free_port)
prometheus-pushgateway --web.listen-address="127.0.0.1:$pg_port" --persistence.file="$work/pushgateway.data" \
  >"$work/pushgateway.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$pg_port/-/ready" 30 || { cat "$work/pushgateway.log"; fail "pushgateway did not start"; exit 1; }
for d in $docs; do
  code=$(curl -s -o "$work/push.out" -w '%{http_code}' --max-time 10 --data-binary "@$work/$d.prom" \
    "http://127.0.0.1:$pg_port/metrics/job/fabricperf/instance/$d")
  case $code in 200|202) ;; *) fail "pushgateway rejected $d.prom: HTTP $code $(head -c 300 "$work/push.out")";; esac
done

# 3. Prometheus scraping the Pushgateway every second.
prom_port=$(free_port)
cat >"$work/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: pushgateway
    honor_labels: true
    static_configs:
      - targets: ['127.0.0.1:$pg_port']
YML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$prom_port/-/ready" 60 || { tail -20 "$work/prometheus.log"; fail "prometheus did not start"; exit 1; }

# query PROMQL: prints the API's JSON result array once non-empty (waits up to 60 s for the scrape).
query() {
  local deadline=$((SECONDS + 60)) out
  while :; do
    out=$(curl -sG --max-time 5 "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1")
    if [ -n "$out" ] && $py -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["status"]=="success" and d["data"]["result"] else 1)' "$out" 2>/dev/null; then
      echo "$out"
      return 0
    fi
    [ $SECONDS -lt "$deadline" ] || { echo "$out"; return 1; }
    sleep 0.5
  done
}
# expect_value PROMQL JSONFILE PYTHON-EXPRESSION-FOR-EXPECTED (d = the document)
expect_value() {
  local out
  out=$(query "$1") || { fail "no result for $1: $out"; return; }
  $py - "$out" "$2" "$3" <<'PY' || fail "value of $1"
import json, sys
result = json.loads(sys.argv[1])["data"]["result"]
d = json.load(open(sys.argv[2]))
want = eval(sys.argv[3])
assert len(result) == 1, f"{len(result)} series: {result}"
got = float(result[0]["value"][1])
assert abs(got - want) <= 1e-9 * max(1, abs(want)), f"got {got}, want {want}"
print(f"ok: {sys.argv[3]} = {got}")
PY
}

# Base units: Gbit/s x 10^9 / 8 and GB/s x 10^9 are bytes/s, microseconds / 10^6 seconds.
expect_value 'fabricperf_bw_avg_bytes_per_second{job="fabricperf",instance="suite",stage="verbs_bw",host="gpu-node-03",peer="gpu-node-04",rail="2"}' \
  "$data/suite.json" '[r for r in d["results"] if r.get("stage")=="verbs_bw" and r["host"]=="gpu-node-03" and r["peer_host"]=="gpu-node-04" and r["rail"]==2][0]["bw_avg_gbps"]*1e9/8'
expect_value 'fabricperf_check_status{instance="suite",check="pair_bw",host="gpu-node-03",peer="gpu-node-04",rail="2"}' \
  "$data/suite.json" '2'
expect_value 'fabricperf_coll_busbw_bytes_per_second{instance="coll",coll="allreduce",size="1073741824",in_place="false"}' \
  "$data/coll.json" '[r for r in d["results"] if r["coll"]=="allreduce" and r["size_bytes"]==2**30 and not r["in_place"]][0]["busbw_GBps"]*1e9'
expect_value 'fabricperf_latency_p99_seconds{instance="lat",size="4096"}' \
  "$data/lat.json" '[r for r in d["results"] if r["size_bytes"]==4096][0]["p99_us"]/1e6'
expect_value 'fabricperf_latency_seconds_count{instance="lat",size="2"}' "$data/lat.json" '1000'
expect_value 'fabricperf_latency_seconds_bucket{instance="lat",size="2",le="+Inf"}' "$data/lat.json" '1000'
expect_value 'fabricperf_bw_avg_bytes_per_second{instance="bw_sweep",aggregate="true",size="8388608"}' \
  "$data/bw_sweep.json" '[r for r in d["results"] if r.get("aggregate") and r["size_bytes"]==8388608][0]["bw_avg_gbps"]*1e9/8'
expect_value 'fabricperf_topo_gpus{instance="topo",host="gpu-node-02"}' "$data/topo.json" '8'
expect_value 'fabricperf_run_finished_timestamp_seconds{instance="suite"}' "$data/suite.json" '1773484877.54'

# Hostile label values come back byte for byte.
out=$(query 'fabricperf_bw_avg_bytes_per_second{instance="escaping"}') || fail "no escaping series: $out"
$py - "$out" "$data/escaping.json" <<'PY' || fail "label values changed on the way through Prometheus"
import json, sys
result = json.loads(sys.argv[1])["data"]["result"]
d = json.load(open(sys.argv[2]))
want = {r["host"]: r["bw_avg_gbps"] * 1e9 / 8 for r in d["results"]}
got = {s["metric"]["host"]: float(s["value"][1]) for s in result}
assert got == want, f"got {got!r}, want {want!r}"
print(f"ok: {len(got)} hostile host labels round-tripped")
PY

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; tail -5 "$work/prometheus.log"; exit 1; }
echo "PASS: Prometheus round trip (Pushgateway, Prometheus API)"
