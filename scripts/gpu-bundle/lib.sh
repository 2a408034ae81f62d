# shellcheck shell=bash
# Helpers of DIR/run (sourced; see run.sh): step bookkeeping, the result document, parsers.
# Uses $bundle, $out, $log, $start, $started_at from run.sh. bash + coreutils + awk only.
# shellcheck disable=SC2154

passed=0 failed=0 skipped=0
exit_code=1  # until run.sh reaches its end
gpu_name="" gpu_cc="" gpu_count="" gpu_pci="" gpu_memory="" driver_version="" cuda_driver_version=""
runtime_version=$(sed -n 's/^cuda_runtime=//p' "$bundle/BUNDLE_INFO" 2>/dev/null)
nccl_version=$(sed -n 's/^nccl=//p' "$bundle/BUNDLE_INFO" 2>/dev/null)
: >"$out/.checks"
: >"$out/.results"

note() { echo "$*" | tee -a "$log"; }

# bounded SECONDS OUT ERR CMD...: CMD under `timeout`, in the background so that the run's own
# INT/TERM trap fires at once (bash runs traps only between commands or during `wait`).
child=""
bounded() {
  local limit=$1 o=$2 e=$3 rc
  shift 3
  timeout -k 5 "$limit" "$@" >"$o" 2>"$e" </dev/null &
  child=$!
  wait "$child"
  rc=$?
  child=""
  return "$rc"
}
stop_child() { [ -n "$child" ] && kill -TERM "$child" 2>/dev/null; }

# A JSON string: printable ASCII kept, tab/newline escaped, anything else dropped.
json_str() {
  local s
  s=$(printf '%s' "$1" | LC_ALL=C tr -cd '\11\12\40-\176')
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\t'/\\t}
  s=${s//$'\n'/\\n}
  printf '"%s"' "$s"
}

# check NAME STATUS DETAIL LABELS_JSON: one check of the document.
check() {
  printf '{"name":"%s","status":"%s","expected":"pass","measured":"%s","detail":%s,"labels":%s}\n' \
    "$1" "$2" "$2" "$(json_str "$3")" "$4" >>"$out/.checks"
}

# record STEP STATUS(pass|fail|skip|warn) DETAIL: a step's outcome, counted in the summary.
record() {
  case $2 in pass | warn) passed=$((passed + 1)) ;; fail) failed=$((failed + 1)) ;; *) skipped=$((skipped + 1)) ;; esac
  check "step_$(tr -c 'a-z0-9_\n' _ <<<"$1")" "$2" "$3" "{\"step\":$(json_str "$1")}"
  note "== $1: $2 $3"
}

# a < b for dotted versions ("2.31" < "2.36").
version_lt() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$1" ]; }

# True when the system's libstdc++ has every GLIBCXX version the binaries need ($1: highest).
system_libstdcxx_ok() {
  local need=$1 f
  [ -n "$need" ] || return 0
  f=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
  [ -n "$f" ] && [ -r "$f" ] && LC_ALL=C grep -aq "$need" "$f"
}

# GPU, driver and CUDA versions: nvidia-smi when present, else /proc and test_gdr_gpu's output.
gpu_facts() {
  local line
  if command -v nvidia-smi >/dev/null 2>&1; then
    line=$(timeout 10 nvidia-smi --query-gpu=name,driver_version,compute_cap,pci.bus_id,memory.total \
      --format=csv,noheader 2>/dev/null | head -1)
    IFS=',' read -r gpu_name driver_version gpu_cc gpu_pci gpu_memory <<<"$line"
    gpu_name=${gpu_name# } driver_version=${driver_version# } gpu_cc=${gpu_cc# } gpu_pci=${gpu_pci# }
    gpu_memory=${gpu_memory# }
    gpu_count=$(timeout 10 nvidia-smi -L 2>/dev/null | grep -c '^GPU ')
    cuda_driver_version=$(timeout 10 nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9.]*\).*/\1/p' | head -1)
  fi
  [ -n "$driver_version" ] ||
    driver_version=$(sed -n 's/.*Kernel Module[^0-9]*\([0-9][0-9.]*\).*/\1/p' /proc/driver/nvidia/version 2>/dev/null | head -1)
  [ -n "$gpu_count" ] && [ "$gpu_count" -gt 0 ] || gpu_count=1
}

# From test_gdr_gpu's "GPU 0: NAME PCI cc X.Y ..." line when nvidia-smi was missing.
gpu_facts_from_test() {
  local line
  line=$(grep -m1 '^GPU 0: ' "$1" 2>/dev/null) || return 0
  [ -n "$gpu_cc" ] || gpu_cc=$(sed -n 's/.* cc \([0-9]*\.[0-9]*\).*/\1/p' <<<"$line")
  [ -n "$gpu_name" ] || gpu_name=$(sed -n 's/^GPU 0: \(.*\) [0-9a-f]\{4\}:[0-9a-f]\{2\}:.*/\1/p' <<<"$line")
}

# run_step NAME SECONDS CMD...: pass on exit 0; a timeout or another exit fails.
run_step() {
  local name=$1 limit=$2 rc
  shift 2
  echo "\$ $*" >>"$log"
  bounded "$limit" "$out/steps/$name.out" "$out/steps/$name.err" "$@"
  rc=$?
  cat "$out/steps/$name.out" "$out/steps/$name.err" >>"$log"
  if [ "$rc" -eq 0 ]; then
    record "$name" pass "exit 0 ($(tail -1 "$out/steps/$name.out" | cut -c1-120))"
  elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    record "$name" fail "timed out after $limit s"
  else
    record "$name" fail "exit $rc: $(tail -1 "$out/steps/$name.err" | cut -c1-300)"
  fi
  return "$rc"
}

# gtest_step BINARY SECONDS: every test's outcome is a check; the step fails on a failed test
# or a timeout, and is skipped when every test skipped (no CUDA device).
gtest_step() {
  local name=$1 limit=$2 rc f=$out/steps/$1.out p s x
  echo "\$ $bundle/bin/$name" >>"$log"
  bounded "$limit" "$f" "$f.err" "$bundle/bin/$name" --gtest_color=no
  rc=$?
  cat "$f.err" >>"$f"
  cat "$f" >>"$log"
  [ "$name" = test_gdr_gpu ] && gpu_facts_from_test "$f"
  while read -r status test; do
    check gpu_test "$status" "$name $test" "{\"binary\":$(json_str "$name"),\"test\":$(json_str "$test")}"
  done < <(awk '/ ms\)$/ && /^\[ +(OK|SKIPPED|FAILED) +\]/ {
             s = $2 == "OK" ? "pass" : ($2 == "SKIPPED" ? "skip" : "fail"); print s, $4 }' "$f")
  p=$(grep -c '^\[ \+OK \] .* ms)$' "$f")
  s=$(grep -c '^\[ \+SKIPPED \] .* ms)$' "$f")
  x=$(grep -c '^\[ \+FAILED \+\] .* ms)$' "$f")
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    record "$name" fail "timed out after $limit s ($p passed, $x failed before)"
  elif [ "$rc" -ne 0 ] || [ "$x" -gt 0 ]; then
    record "$name" fail "exit $rc: $x failed: $(grep '^\[ \+FAILED \+\] .* ms)$' "$f" | awk '{print $4}' | tr '\n' ' ')$(tail -1 "$f" | cut -c1-200)"
  elif [ "$p" -eq 0 ]; then
    record "$name" skip "${gpu_reason:-every test skipped}: $s tests skipped"
  else
    record "$name" pass "$p passed, $s skipped"
  fi
}

# gdr_loopback NIC SECONDS: fp_gdr server and client on this machine through one NIC, GPU
# memory against the host-staged baseline (sizes 2 B - 8 MiB).
gdr_loopback() {
  local nic=$1 limit=$2 port=$((20000 + RANDOM % 20000)) rc
  local args=(--mem cuda -d "$nic" -a --max-size 8M -n 1000 -p "$port" --timeout 20)
  echo "\$ fp_gdr ${args[*]} (server) + 127.0.0.1 (client)" >>"$log"
  timeout -k 5 "$limit" "$bundle/bin/fp_gdr" "${args[@]}" --json "$out/steps/fp_gdr.json" \
    >"$out/steps/fp_gdr-server.out" 2>&1 </dev/null &
  local server=$!
  trap 'stop_child; kill -TERM $server 2>/dev/null; note "interrupted"; exit 1' INT TERM
  sleep 1
  bounded $((limit - 5)) "$out/steps/fp_gdr.out" "$out/steps/fp_gdr.err" "$bundle/bin/fp_gdr" "${args[@]}" 127.0.0.1
  rc=$?
  wait "$server"
  local src=$?
  trap 'stop_child; note "interrupted"; exit 1' INT TERM
  cat "$out/steps/fp_gdr-server.out" "$out/steps/fp_gdr.out" "$out/steps/fp_gdr.err" >>"$log"
  if [ "$rc" -eq 0 ] && [ "$src" -eq 0 ]; then
    record fp_gdr pass "GPU vs host-staged through $nic (loopback): $(grep -c . "$out/steps/fp_gdr.out") lines"
  elif [ "$rc" -eq 124 ] || [ "$src" -eq 124 ]; then
    record fp_gdr fail "timed out after $limit s (loopback through $nic)"
  else
    record fp_gdr fail "client exit $rc, server exit $src: $(tail -1 "$out/steps/fp_gdr.err" | cut -c1-300)"
  fi
}

# The rows of an nccl-tests style table (fp_coll prints the same) as JSON result lines.
table_rows() {  # FILE BACKEND
  awk -v backend="$2" -v gpus="$gpu_count" '
    $1 ~ /^[0-9]+$/ && NF >= 13 {
      printf "{\"backend\":\"%s\",\"coll\":\"all_reduce\",\"gpus\":%d,\"size_bytes\":%d,\"in_place\":false,\"time_us\":%s,\"algbw_GBps\":%s,\"busbw_GBps\":%s}\n", backend, gpus, $1, $6, $7, $8
      printf "{\"backend\":\"%s\",\"coll\":\"all_reduce\",\"gpus\":%d,\"size_bytes\":%d,\"in_place\":true,\"time_us\":%s,\"algbw_GBps\":%s,\"busbw_GBps\":%s}\n", backend, gpus, $1, $10, $11, $12
    }' "$1"
}

# fp_coll vs nccl-tests per size: the table on stdout and the log, a check on the ratio of
# algbw (busbw is 0 by definition with one rank) at 64 MiB and above.
compare_coll() {
  local fp=$out/steps/fp_coll.out nt=$out/steps/nccl_tests.out
  [ -s "$fp" ] && [ -s "$nt" ] || return 0
  table_rows "$nt" nccl-tests >>"$out/.results"
  local worst
  worst=$(awk 'FNR == 1 { file++ }
    $1 ~ /^[0-9]+$/ && NF >= 13 { if (file == 1) nt[$1] = $7; else fp[$1] = $7; bus[file, $1] = $8 }
    END {
      printf "%12s %12s %12s %7s %10s %10s\n", "size(B)", "nt algbw", "fp algbw", "ratio", "nt busbw", "fp busbw" > "/dev/stderr"
      worst = ""
      for (s in fp) if (s in nt) sizes[++n] = s + 0
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (sizes[j] < sizes[i]) { t = sizes[i]; sizes[i] = sizes[j]; sizes[j] = t }
      for (i = 1; i <= n; i++) {
        s = sizes[i]; r = nt[s] > 0 ? fp[s] / nt[s] : 0
        printf "%12d %12.2f %12.2f %7.3f %10.2f %10.2f\n", s, nt[s], fp[s], r, bus[1, s], bus[2, s] > "/dev/stderr"
        if (s >= 67108864 && (worst == "" || r < worst)) worst = r
      }
      print worst
    }' "$nt" "$fp" 2>"$out/steps/coll_vs_nccl_tests.txt")
  cat "$out/steps/coll_vs_nccl_tests.txt" | tee -a "$log"
  if [ -z "$worst" ]; then
    check coll_vs_nccl_tests skip "no common sizes of 64 MiB or more" '{}'
  elif awk -v w="$worst" 'BEGIN { exit !(w >= 0.9) }'; then
    check coll_vs_nccl_tests pass "fp_coll algbw >= 0.9 x nccl-tests from 64 MiB (worst ratio $worst)" '{}'
  else
    check coll_vs_nccl_tests warn "fp_coll algbw below 0.9 x nccl-tests from 64 MiB (worst ratio $worst)" '{}'
  fi
}

# The gpu-check document (fabricperf/1), merged with fp_gdr's and fp_coll's by fp_report.
write_document() {
  local status=ok doc=$out/gpu-check.json base=$out/steps/gpu-check-base.json inputs=()
  [ "$failed" -gt 0 ] && status=failed
  [ "$exit_code" -eq 1 ] && [ "$failed" -eq 0 ] && status=aborted
  compare_coll
  {
    printf '{"schema":"fabricperf/1","tool":"fp_gpu_check","version":%s,' "$(json_str "$(sed -n 's/^version=//p' "$bundle/BUNDLE_INFO" 2>/dev/null || echo 0.0.0)")"
    printf '"started_at":"%s","finished_at":"%s","status":"%s","partial":%s,' "$started_at" \
      "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$status" "$([ "$status" = aborted ] && echo true || echo false)"
    printf '"command_line":[%s],' "$(json_str "$bundle/run")"
    printf '"hosts":[{"hostname":%s,"kernel":%s,"nvidia_driver":%s,"cuda_version":%s,"nccl_version":%s}],' \
      "$(json_str "$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)")" "$(json_str "$(uname -r)")" \
      "$(json_str "${driver_version:-unknown}")" "$(json_str "${cuda_driver_version:-unknown}")" "$(json_str "${nccl_version:-unknown}")"
    printf '"params":{"gpu":{"name":%s,"compute_capability":%s,"pci":%s,"memory":%s,"count":%s},' \
      "$(json_str "${gpu_name:-none}")" "$(json_str "${gpu_cc:-}")" "$(json_str "${gpu_pci:-}")" \
      "$(json_str "${gpu_memory:-}")" "${gpu_count:-0}"
    printf '"nvidia_driver":%s,"cuda_driver_version":%s,"cuda_runtime_version":%s,"nccl_version":%s,' \
      "$(json_str "${driver_version:-unknown}")" "$(json_str "${cuda_driver_version:-unknown}")" \
      "$(json_str "${runtime_version:-unknown}")" "$(json_str "${nccl_version:-unknown}")"
    printf '"no_gpu_reason":%s,"bundle":{' "$(json_str "${gpu_reason:-}")"
    awk -F= 'NF >= 2 { gsub(/["\\]/, ""); printf "%s\"%s\":\"%s\"", n++ ? "," : "", $1, substr($0, length($1) + 2) }' \
      "$bundle/BUNDLE_INFO" 2>/dev/null
    printf '}},"results":[%s],' "$(paste -sd, "$out/.results")"
    printf '"checks":[%s],"errors":[' "$(paste -sd, "$out/.checks")"
    [ "$failed" -gt 0 ] && printf '%s' "$(json_str "$failed step(s) failed: see the checks")"
    printf ']}\n'
  } >"$base"
  [ -s "$out/steps/fp_gdr.json" ] && inputs+=("$out/steps/fp_gdr.json")
  [ -s "$out/steps/fp_coll.json" ] && inputs+=("$out/steps/fp_coll.json")
  if [ ${#inputs[@]} -gt 0 ] && [ -x "$bundle/bin/fp_report" ] &&
     timeout 20 "$bundle/bin/fp_report" merge "$base" "${inputs[@]}" --tool fp_gpu_check -o "$doc" >>"$log" 2>&1; then
    note "result document: $doc (merged: gpu-check${inputs[*]:+ + ${inputs[*]##*/}})"
  else
    cp "$base" "$doc"
    note "result document: $doc$([ ${#inputs[@]} -gt 0 ] && echo " (fp_report merge failed: the gpu-check part only)")"
  fi
}

finish() {
  trap - EXIT INT TERM
  [ "$exit_code" -eq 0 ] && [ "$failed" -gt 0 ] && exit_code=1
  [ "$exit_code" -eq 0 ] && [ -n "${gpu_reason:-}" ] && [ "$failed" -eq 0 ] && exit_code=3
  [ "$exit_code" -eq 1 ] && [ "$failed" -eq 0 ] && failed=1 && note "== run: stopped before its end"
  write_document
  note "elapsed $(($(date +%s) - start)) s; log $log"
  note "gpu-check: $passed passed, $failed failed, $skipped skipped"
  exit "$exit_code"
}
