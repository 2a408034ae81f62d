#!/usr/bin/env bash
# device-check.sh: fabricperf's GPU checks, for a machine with an NVIDIA GPU and no RDMA NIC.
# Needs only this repository and the CUDA toolkit (/usr/local/cuda, or CUDA_HOME). One run,
# about 2-8 minutes:
#   1. facts: GPU, driver, CUDA, nvidia_peermem, kernel dma-buf config (informational);
#   2. full build when the project's dependencies are installed: configure with CUDA, build
#      every gpu-labelled unit test (test_gdr_gpu, test_collectives_gpu, ...) and fp_gdr, run
#      `ctest -L gpu`, then fp_gdr on the GPU without a NIC (must explain itself, exit 1 or 2);
#   3. otherwise (a bare CUDA image without verbs/hwloc/GoogleTest/JSON): build fp_gdr's CUDA
#      layer and tests/unit/gdr/test_gpu_cuda.cpp with nvcc and g++ alone against the minigtest
#      stand-in, and run them (the collectives GPU test then cannot be built: reported as SKIP);
#   4. a summary; exit 0 when no step failed.
# Usage: scripts/device-check.sh [--build-dir DIR] [--jobs N] [--standalone]
# Logs: $OUT/device-check.log when OUT is set (the device tool's output folder), else DIR/logs.
#
# The self-contained bundle (for a GPU machine with a driver and nothing else: no packages, no
# network; the way to use a lent GPU machine):
#   scripts/device-check.sh --bundle DIR [--build-dir B] [--nccl-tests SRC] [--gpu-arch 90] [--jobs N]
# builds here (CUDA toolkit + NCCL + the project's dependencies, no GPU needed) the gpu-labelled
# tests, fp_gdr, fp_coll, fp_report and, from an nccl-tests source tree, all_reduce_perf, with
# every non-system library, in under 64 MiB; then start DIR/run there (8 minutes at most; last
# line "gpu-check: N passed, N failed, N skipped"; one result document). See
# scripts/gpu-bundle/README.md.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
for a in "$@"; do
  [ "$a" = --bundle ] && exec "$root/scripts/gpu-bundle/build.sh" "$@"
done
build=$root/build-device
jobs=$(nproc 2>/dev/null || echo 4)
force_standalone=0
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) build=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --standalone) force_standalone=1; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "device-check.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
cuda=${CUDA_HOME:-/usr/local/cuda}
logdir=${OUT:-$build/logs}
mkdir -p "$build" "$logdir"
log=$logdir/device-check.log
: >"$log"
start=$(date +%s)
declare -a summary=()
failed=0
note() { echo "$*" | tee -a "$log"; }
record() {  # record STEP STATUS DETAIL
  summary+=("$(printf '%-16s %-5s %s' "$1" "$2" "$3")")
  [ "$2" = FAIL ] && failed=1
  note "== $1: $2 $3"
}
elapsed() { echo $(( $(date +%s) - start )); }
run_logged() {  # run_logged SECONDS CMD...: output to the log, exit code back
  local t=$1; shift
  echo "\$ $*" >>"$log"
  timeout "$t" "$@" >>"$log" 2>&1
}

# ---- 1. facts --------------------------------------------------------------------------------
note "fabricperf device-check in $root ($(uname -r), $(nproc) cores)"
gpu_line=$(nvidia-smi --query-gpu=name,driver_version,pci.bus_id,compute_cap --format=csv,noheader 2>/dev/null | head -1)
[ -n "$gpu_line" ] || gpu_line="(nvidia-smi: no GPU listed)"
nvcc_ver=$("$cuda/bin/nvcc" --version 2>/dev/null | sed -n 's/.*release \([0-9.]*\).*/\1/p')
peermem=no; [ -d /sys/module/nvidia_peermem ] && peermem=yes
open_module=unknown
[ -r /proc/driver/nvidia/version ] && { grep -q 'Open Kernel Module' /proc/driver/nvidia/version && open_module=yes || open_module=no; }
note "GPU: $gpu_line | nvcc ${nvcc_ver:-missing} | nvidia_peermem loaded: $peermem | open kernel module: $open_module"
nvidia-smi -q -d MEMORY 2>/dev/null | grep -A3 -i bar1 >>"$log" || true
[ -x "$cuda/bin/nvcc" ] || { record toolkit FAIL "no nvcc under $cuda (set CUDA_HOME)"; }

# ---- 2. full build ---------------------------------------------------------------------------
mode=standalone
gpu_targets=()
if [ "$force_standalone" = 0 ] && command -v cmake >/dev/null && command -v ninja >/dev/null; then
  if run_logged 240 cmake -S "$root" -B "$build/full" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DFABRICPERF_WITH_CUDA=ON -DFABRICPERF_TESTBED=OFF -DFABRICPERF_BUILD_BENCH=OFF \
      -DCUDAToolkit_ROOT="$cuda"; then
    mapfile -t gpu_targets < <(ninja -C "$build/full" -t targets all 2>/dev/null |
      sed -n 's/^\(test_[A-Za-z0-9_]*gpu[A-Za-z0-9_]*\): .*/\1/p' | sort -u)
    if [ ${#gpu_targets[@]} -gt 0 ]; then
      mode=full
    else
      note "configure worked but made no gpu test targets (GoogleTest missing?): standalone build instead"
    fi
  else
    note "full configure failed (dependencies missing on this machine; see the log): standalone build instead"
    grep -E 'Could NOT find|not found|FATAL_ERROR|CMake Error' "$log" | head -5 | sed 's/^/   /' | tee -a /dev/stderr >/dev/null
  fi
else
  [ "$force_standalone" = 1 ] || note "cmake/ninja not found: standalone build"
fi

if [ "$mode" = full ]; then
  targets=("${gpu_targets[@]}")
  ninja -C "$build/full" -t targets all 2>/dev/null | grep -q '^fp_gdr:' && targets+=(fp_gdr)
  note "building ${targets[*]} with $jobs jobs ($(elapsed) s so far)"
  if run_logged 360 ninja -C "$build/full" -j "$jobs" "${targets[@]}"; then
    record build PASS "full CMake build with CUDA: ${targets[*]} ($(elapsed) s)"
  else
    record build FAIL "ninja ${targets[*]} failed (see the log)"
  fi
  if [ "$failed" = 0 ]; then
    ( cd "$build/full" && timeout 300 ctest -L gpu -V --timeout 240 ) >"$build/ctest-gpu.txt" 2>&1
    rc=$?
    cat "$build/ctest-gpu.txt" >>"$log"
    line=$(grep -E 'tests passed, [0-9]+ tests failed out of' "$build/ctest-gpu.txt" | tail -1)
    ran=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' <<<"$line")
    skipped=$(grep -cE '\(Skipped\)$' "$build/ctest-gpu.txt")
    if [ "$rc" -eq 0 ] && [ "${ran:-0}" -gt 0 ]; then
      record "ctest -L gpu" PASS "$line; $skipped skipped"
      [ "$skipped" -ge "$ran" ] && record "gpu seen" FAIL "every GPU test skipped: CUDA sees no device"
    else
      record "ctest -L gpu" FAIL "${line:-no tests ran} (exit $rc)"
      grep -E '^[0-9]+/[0-9]+ Test .*(Failed|Timeout|Exception)|Failure' "$build/ctest-gpu.txt" | head -10 | sed 's/^/   /'
    fi
    for t in test_collectives_gpu; do
      printf '%s\n' "${gpu_targets[@]}" | grep -qx "$t" || record "$t" SKIP "not configured here (needs NCCL)"
    done
  fi
  # fp_gdr with a GPU but no RDMA NIC: it must explain itself (exit 1 or 2, one line), never crash.
  if [ "$failed" = 0 ] && [ -x "$build/full/gdr/fp_gdr" ]; then
    for mem in cuda cuda-host; do
      timeout 60 "$build/full/gdr/fp_gdr" --mem "$mem" --timeout 5 --json "$build/fp_gdr-$mem.json" \
        >"$build/fp_gdr-$mem.out" 2>"$build/fp_gdr-$mem.err" </dev/null
      rc=$?
      cat "$build/fp_gdr-$mem.out" "$build/fp_gdr-$mem.err" >>"$log"
      msg=$(head -c 300 "$build/fp_gdr-$mem.err")
      if { [ "$rc" -eq 1 ] || [ "$rc" -eq 2 ]; } && [ "$(wc -l <"$build/fp_gdr-$mem.err")" -eq 1 ] &&
         ! grep -q 'no CUDA device' "$build/fp_gdr-$mem.err"; then
        record "fp_gdr $mem" PASS "no NIC: exit $rc: $msg"
      elif [ "$rc" -eq 0 ]; then
        record "fp_gdr $mem" FAIL "exit 0 without a peer?"
      else
        record "fp_gdr $mem" FAIL "exit $rc: $msg"
      fi
    done
  fi
else
  # ---- 3. standalone: the CUDA layer and its GPU tests, nvcc + g++ only ----------------------
  sa=$build/standalone
  mkdir -p "$sa"
  cxx=${CXX:-g++}
  cc=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d '.[:space:]')
  gencode=(-gencode arch=compute_75,code=compute_75 -gencode arch=compute_90,code=sm_90)
  [ -n "$cc" ] && [ "$cc" != 90 ] && gencode+=(-gencode "arch=compute_$cc,code=sm_$cc")
  inc=(-I"$root/gdr/include" -I"$root/core/include" -I"$root/gdr/src" -I"$cuda/include")
  ok=1
  run_logged 240 "$cuda/bin/nvcc" -std=c++17 -O2 "${gencode[@]}" -Xcompiler -fPIC -I"$root/gdr/src" \
    -c "$root/gdr/src/pattern_kernels.cu" -o "$sa/pattern_kernels.o" || ok=0
  for src in gdr/src/cuda.cpp gdr/src/cuda_common.cpp gdr/src/dmabuf_range.cpp tests/unit/gdr/test_gpu_cuda.cpp \
             tests/unit/gdr/minigtest/main.cpp; do
    [ $ok = 1 ] || break
    run_logged 240 "$cxx" -std=c++20 -O2 -Wall -Wextra "${inc[@]}" -I"$root/tests/unit/gdr/minigtest" \
      -c "$root/$src" -o "$sa/$(basename "$src" .cpp).o" || ok=0
  done
  [ $ok = 1 ] && run_logged 120 "$cxx" -o "$sa/gpu_selftest" "$sa"/*.o -L"$cuda/lib64" -L"$cuda/lib64/stubs" \
    -lcudart_static -ldl -lpthread -lrt || ok=0
  if [ $ok = 1 ]; then
    record build PASS "standalone (nvcc $nvcc_ver + $cxx): CUDA layer + test_gpu_cuda.cpp ($(elapsed) s)"
    timeout 300 "$sa/gpu_selftest" >"$build/gpu_selftest.txt" 2>&1
    rc=$?
    cat "$build/gpu_selftest.txt" >>"$log"
    line=$(tail -1 "$build/gpu_selftest.txt")
    if [ "$rc" -eq 0 ]; then
      record "gpu tests" PASS "$line"
      grep -q ' 0 passed' <<<"$line" && record "gpu seen" FAIL "every GPU test skipped: CUDA sees no device"
    else
      record "gpu tests" FAIL "exit $rc: $line"
      grep -E 'Failure|FAILED' "$build/gpu_selftest.txt" | head -10 | sed 's/^/   /'
    fi
  else
    record build FAIL "standalone compile failed (see $log)"
  fi
  record "ctest -L gpu" SKIP "full build not possible here: collectives' GPU test and the provider tests not run"
fi

# ---- 4. summary ------------------------------------------------------------------------------
{
  echo "==================== fabricperf device-check summary ($(elapsed) s) ===================="
  echo "GPU              $gpu_line"
  echo "CUDA             nvcc ${nvcc_ver:-?}; nvidia_peermem loaded: $peermem; open kernel module: $open_module"
  echo "mode             $mode"
  printf '%s\n' "${summary[@]}"
  echo "verdict          $([ "$failed" = 0 ] && echo PASS || echo FAIL)   (log: $log)"
} | tee -a "$log"
grep -E '^(GPU 0:|staging|dma-buf)' "$build/gpu_selftest.txt" "$build/ctest-gpu.txt" 2>/dev/null | sed 's/^[^:]*://' | head -8
exit "$failed"
