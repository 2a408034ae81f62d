#!/usr/bin/env bash
# fp_report exit codes and error lines: compare 0/1/2, validate 0/1, export/html/merge 0 on good
# input and 2 with one stderr line naming the file on bad input; JSON outputs validate against
# the schema with the Python reference validator.
set -u
fp=${FP_BUILD_DIR:?}/results/fp_report
data=${FP_SOURCE_DIR:?}/tests/data/results
validator=${FP_SOURCE_DIR}/tests/tools/validate_document.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect RC ARGS...: runs fp_report ARGS, checks the exit code; stdout/stderr kept in $work/out, $work/err.
expect() {
  local want=$1; shift
  "$fp" "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  [ "$rc" -eq "$want" ] || fail "fp_report $* exited $rc, want $want: $(head -c 400 "$work/err")"
}
# one_line_naming NAME: stderr is exactly one line and names NAME.
one_line_naming() {
  local lines; lines=$(grep -c . "$work/err")
  [ "$lines" -eq 1 ] || fail "want one stderr line, got $lines: $(cat "$work/err")"
  grep -q -- "$1" "$work/err" || fail "stderr does not name $1: $(cat "$work/err")"
}

# compare
expect 0 compare "$data/baseline_bw.json" "$data/baseline_bw.json"
grep -q '^OK: ' "$work/out" || fail "compare of a document with itself does not say OK"
expect 0 compare "$data/baseline_bw.json" "$data/noisy_rerun_bw.json"
expect 1 compare "$data/baseline_bw.json" "$data/regressed_bw.json"
grep -q '^REGRESSION: ' "$work/out" || fail "regressed compare does not start with REGRESSION"
grep -q 'fw_ver: 28.37.1014 -> 28.41.1000 on gpu-node-01 (mlx5_0, mlx5_1), gpu-node-02 (mlx5_0, mlx5_1)' "$work/out" \
  || fail "compare does not show the firmware change"
grep -q '^Every row below: host=gpu-node-01 peer_host=gpu-node-02 op=write$' "$work/out" || fail "compare does not factor out shared fields"
grep -q '^device=mlx5_1 port=1 size=64K .*bw_avg_gbps.*REGRESSION' "$work/out" || fail "compare table lacks the mlx5_1 64K regression"
expect 1 compare "$data/suite_baseline.json" "$data/suite.json"
grep -q 'rail=2' "$work/out" || fail "suite compare does not name the weak rail"
# A wider tolerance hides the 12% drop, but mlx5_1's line-rate check now fails: still exit 1.
expect 1 compare "$data/baseline_bw.json" "$data/regressed_bw.json" --tolerance-pct 20
grep -q ' 0 regressed, ' "$work/out" || fail "--tolerance-pct 20 still flags metrics"
grep -q '^CHECK REGRESSION: bw_line_rate' "$work/out" || fail "the newly failing check is not reported"
expect 1 compare "$data/baseline_bw.json" "$data/regressed_bw.json" --metrics bw_avg_gbps --json "$work/cmp.json"
/usr/bin/python3 "$validator" "$work/cmp.json" || fail "compare --json output does not validate"
/usr/bin/python3 - "$work/cmp.json" <<'PY' || fail "compare --json content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["tool"] == "fp_report" and d["params"]["command"] == "compare"
metrics = [r for r in d["results"] if r["kind"] == "metric"]
assert metrics and all(r["metric"] == "bw_avg_gbps" for r in metrics)
reg = [r for r in metrics if r["verdict"] == "regression"]
assert reg and all(r.get("device") == "mlx5_1" or r.get("aggregate") for r in reg), reg[:2]
assert [c for c in d["checks"] if c["name"] == "no_regression"][0]["status"] == "fail"
PY
# --json - : the document on stdout, the table on stderr.
expect 1 compare "$data/baseline_bw.json" "$data/regressed_bw.json" --json -
/usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/out" || fail "compare --json - stdout is not JSON"
grep -q '^REGRESSION: ' "$work/err" || fail "compare --json - does not print the table on stderr"

for bad in invalid_not_json.json invalid_wrong_schema.json invalid_types.json does_not_exist.json; do
  expect 2 compare "$data/baseline_bw.json" "$data/$bad"
  one_line_naming "$bad"
  expect 2 compare "$data/$bad" "$data/baseline_bw.json"
  one_line_naming "$bad"
done
expect 2 compare "$data/baseline_bw.json" "$data/lat.json" --metrics no_such_metric
one_line_naming no_such_metric
expect 2 compare "$data/baseline_bw.json"
one_line_naming NEW
# A comparison that compared nothing does not pass: exit 2, one line saying why, after the table.
expect 2 compare "$data/baseline_bw.json" "$data/coll.json"
one_line_naming "nothing compared: no row of"
grep -q -- '-> NOTHING COMPARED$' "$work/out" || fail "the table of an empty comparison says: $(tail -1 "$work/out")"
expect 2 compare "$data/baseline_bw.json" "$data/lat.json"
one_line_naming "nothing compared: no compared metric"
# A fabricperf/1 baseline (a recorded go-live run) against the same run as fabricperf/2 rows.
expect 0 compare "$data/../runners/golive-baseline.json" "$data/v2/suite_golive.json" --json "$work/cmp_v1v2.json"
grep -q 'BASE is a fabricperf/1 document, read as fabricperf/2' "$work/out" || fail "compare v1/v2 does not say so"
grep -Eq '^[1-9][0-9]* metrics compared: 0 regressed, .* 0 row\(s\) only in BASE, 0 only in NEW -> OK$' "$work/out" \
  || fail "compare v1/v2 summary: $(tail -1 "$work/out")"
/usr/bin/python3 "$validator" "$work/cmp_v1v2.json" || fail "compare v1/v2 --json output does not validate"

# validate
expect 0 validate "$data/bw_sweep.json" "$data/lat.json" "$data/coll.json" "$data/topo.json" "$data/suite.json"
expect 1 validate "$data/bw_sweep.json" "$data/invalid_types.json"
[ "$(grep -c 'invalid_types.json: ' "$work/out")" -eq 3 ] || fail "validate should print 3 problems: $(cat "$work/out")"
expect 2 validate "$data/invalid_not_json.json"
one_line_naming invalid_not_json.json
# fabricperf/2: typed rows and their arithmetic.
expect 0 validate "$data/v2/bw.json" "$data/v2/lat.json" "$data/v2/suite_golive.json" "$data/../runners/golive-baseline.json"
/usr/bin/python3 - "$data/v2/bw.json" "$work/drift.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["results"][5]["messages"] = str(d["results"][5]["messages"])  # a wrong type
d["results"][6].pop("duration_s")                                  # a missing field
d["results"][7]["bw_avg_gbps"] *= 1.25                             # arithmetic off
json.dump(d, open(sys.argv[2], "w"))
PY
expect 1 validate "$work/drift.json"
grep -q 'drift.json: results/5/messages: expected integer, got string' "$work/out" || fail "wrong type: $(cat "$work/out")"
grep -q "drift.json: results/6: missing required property 'duration_s'" "$work/out" || fail "missing field: $(cat "$work/out")"
grep -q 'drift.json: results/7/bw_avg_gbps: .* but bytes x 8 / duration_s / 1e9 = .* (off by 25 %)' "$work/out" \
  || fail "arithmetic: $(cat "$work/out")"

# export
expect 0 export --format prometheus "$data/suite.json" -o "$work/suite.prom"
grep -q '^# TYPE fabricperf_bw_avg_bytes_per_second gauge$' "$work/suite.prom" || fail "prometheus export lacks TYPE line"
expect 0 export --format csv "$data/coll.json"
[ "$(wc -l <"$work/out")" -eq 45 ] || fail "coll CSV should have 1 header + 44 lines"
head -1 "$work/out" | grep -q '^tool,coll,backend,ranks,op,dtype,in_place,size_bytes,' || fail "CSV header: $(head -1 "$work/out")"
expect 0 export --format csv --table checks "$data/topo.json" -o "$work/checks.csv"
expect 2 export --format yaml "$data/coll.json"
one_line_naming yaml
expect 2 export --format csv "$data/invalid_types.json"
one_line_naming invalid_types.json

# html
expect 0 html "$data/suite.json" --baseline "$data/suite_baseline.json" -o "$work/suite.html"
grep -q 'class="verdict-word">FAIL<' "$work/suite.html" || fail "suite report verdict"
expect 2 html "$data/suite.json" --baseline "$data/invalid_wrong_schema.json" -o "$work/x.html"
one_line_naming invalid_wrong_schema.json
[ -e "$work/x.html" ] && fail "html wrote a report despite bad input"

# merge
expect 0 merge "$data/topo.json" "$data/bw_sweep.json" "$data/lat.json" "$data/coll.json" -o "$work/merged.json"
/usr/bin/python3 "$validator" "$work/merged.json" || fail "merged document does not validate"
expect 0 merge "$data/bw_sweep.json" "$data/lat.json" --tool fp_suite -o "$work/merged2.json"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["tool"]=="fp_suite"; assert {r["tool"] for r in d["results"]}=={"fp_bw","fp_lat"}' "$work/merged2.json" \
  || fail "merge --tool / row tools"
expect 2 merge "$data/bw_sweep.json" "$data/invalid_types.json" -o "$work/merged3.json"
one_line_naming invalid_types.json
expect 2 merge "$data/bw_sweep.json" --tool Suite -o "$work/merged4.json"

# no subcommand
expect 2
one_line_naming "subcommand is required"

# every subcommand answers --help
for sub in compare export html validate merge; do
  expect 0 "$sub" --help
  grep -qi usage "$work/out" || fail "$sub --help prints no usage"
done

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "PASS: fp_report exit codes"
