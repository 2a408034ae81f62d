#!/usr/bin/env bash
# DIR/run: fabricperf's GPU check from a bundle made by `scripts/device-check.sh --bundle DIR`.
# Needs only bash, coreutils, gzip, awk and ldd (the NVIDIA driver for the GPU steps): nothing is
# installed or fetched. Usage: DIR/run [--out DIR2]   (default: $OUT when set, else DIR/out)
#
# Steps and their time limits (seconds; the sum, 455, stays below the 8-minute budget):
#   unpack 30   libraries 15   cuda 20   test_gdr_gpu 90   test_collectives_gpu 120
#   fp_gdr 60   fp_coll 50   nccl_tests 50   document 20
# A step over its limit is killed and counted failed; the summary and the document are written
# on every exit (trap). GPU steps on a machine without a usable CUDA device are skipped with
# "no CUDA device (...)". Last line: "gpu-check: N passed, N failed, N skipped".
# Exit: 0 every step passed (some may be skipped on a machine without NICs or nccl-tests),
#       1 a step failed, 3 no CUDA device (the bundle itself loaded and nothing failed).
# Output: OUT/gpu-check.json (one fabricperf/1 document: GPU, driver and runtime versions, each
# step and each GPU test's outcome, fp_gdr's GPU-vs-host-staged rows, fp_coll and nccl-tests
# busbw for one GPU), OUT/gpu-check.log, and each step's output under OUT/steps/.
set -uo pipefail
# shellcheck disable=SC2034  # start, started_at, exit_code: used by lib.sh
bundle=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${OUT:-$bundle/out}
[ "${1:-}" = --out ] && [ -n "${2:-}" ] && out=$2
[ "${1:-}" = -h ] || [ "${1:-}" = --help ] && { sed -n '2,17p' "$0"; exit 0; }
mkdir -p "$out/steps" || { echo "gpu-check: cannot create $out"; exit 1; }
# shellcheck source=/dev/null
. "$bundle/lib.sh"
start=$(date +%s)
started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
log=$out/gpu-check.log
: >"$log"
trap 'finish' EXIT
trap 'stop_child; note "interrupted"; exit 1' INT TERM

# ---- unpack: NCCL travels gzipped (the bundle's size limit) ---------------------------------
lib=$bundle/lib
if [ -f "$lib/libnccl.so.2.gz" ] && [ ! -s "$lib/libnccl.so.2" ]; then
  if [ ! -w "$lib" ]; then lib=$(mktemp -d); cp -a "$bundle/lib/." "$lib/"; fi
  if timeout 30 gzip -dc "$bundle/lib/libnccl.so.2.gz" >"$lib/libnccl.so.2.part" 2>>"$log" &&
     mv "$lib/libnccl.so.2.part" "$lib/libnccl.so.2"; then
    record unpack pass "libnccl.so.2 unpacked into $lib"
  else
    record unpack fail "gunzip of libnccl.so.2.gz failed (is gzip installed? out of disk?)"
  fi
else
  record unpack pass "nothing to unpack"
fi
export LD_LIBRARY_PATH=$lib:$lib/libibverbs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
# libstdc++/libgcc_s: the bundled ones only where the system's lack what the binaries need.
if ! system_libstdcxx_ok "$(cat "$bundle/GLIBCXX_NEEDED" 2>/dev/null)"; then
  export LD_LIBRARY_PATH=$lib/compat:$LD_LIBRARY_PATH
  note "using the bundled libstdc++ (the system's is missing or older)"
fi
# rdma-core: the bundled providers (a bare machine has no /etc/libibverbs.d), hwloc's PCI plugin.
drivers=""
for p in "$lib"/libibverbs/lib*-rdmav*.so; do
  [ -e "$p" ] && drivers=$drivers${drivers:+:}${p%-rdmav*.so}
done
[ -n "$drivers" ] && export RDMAV_DRIVERS=$drivers
[ -d "$lib/hwloc" ] && export HWLOC_PLUGINS_PATH=$lib/hwloc
export FABRICPERF_TOKEN=${FABRICPERF_TOKEN:-gpu-check-$$-$RANDOM$RANDOM}

# ---- libraries: every binary resolves with DIR/lib and the base system ----------------------
glibc_need=$(cat "$bundle/GLIBC_NEEDED" 2>/dev/null)
glibc_have=$(ldd --version 2>/dev/null | head -1 | grep -o '[0-9]\+\.[0-9]\+$')
missing=$(for b in "$bundle"/bin/*; do timeout 5 ldd "$b" 2>&1 | sed -n "s|^\s*\(.*not found\).*|$(basename "$b"): \1|p"; done | sort -u)
if [ -n "$glibc_need" ] && [ -n "$glibc_have" ] && version_lt "$glibc_have" "$glibc_need"; then
  record libraries fail "this machine's glibc $glibc_have is older than the $glibc_need the bundle was built against"
elif [ -n "$missing" ]; then
  record libraries fail "missing libraries: $(echo "$missing" | tr '\n' ';')"
else
  record libraries pass "every binary resolves (glibc ${glibc_have:-?}, needs ${glibc_need:-?})"
fi

# ---- cuda: is there a device? fp_gdr's CUDA layer answers (no nvidia-smi needed) -------------
gpu_reason=""
bounded 20 "$out/steps/cuda-probe.out" "$out/steps/cuda-probe.err" \
  "$bundle/bin/fp_gdr" --mem cuda --timeout 5 --json "$out/steps/cuda-probe.json"
cuda_err=$(head -c 400 "$out/steps/cuda-probe.err")
case $cuda_err in
  *"older than the runtime"*) gpu_reason=$(sed 's/^.*needs a CUDA GPU, but //; s/;.*//' <<<"$cuda_err") ;;
  *"no CUDA device"*) gpu_reason="no CUDA device ($(sed 's/^.*no CUDA device[:]* *//; s/;.*//' <<<"$cuda_err"))" ;;
esac
gpu_facts
if [ -n "$gpu_reason" ]; then
  record cuda skip "$gpu_reason"
else
  record cuda pass "${gpu_name:-GPU} (cc ${gpu_cc:-?}), driver ${driver_version:-?}, CUDA runtime ${runtime_version:-?}"
  bundle_arch=$(cat "$bundle/GPU_ARCH" 2>/dev/null)
  if [ -n "$gpu_cc" ] && [ -n "$bundle_arch" ] && ! grep -qw "${gpu_cc//./}" <<<"${bundle_arch//,/ }"; then
    gpu_reason="NCCL in this bundle has GPU code for sm_$bundle_arch only, this GPU is sm_${gpu_cc//./}: rebuild with --gpu-arch ${gpu_cc//./}"
    record nccl_arch fail "$gpu_reason"
  fi
fi

# ---- the gpu-labelled unit tests --------------------------------------------------------------
for t in test_gdr_gpu test_collectives_gpu; do
  limit=90; [ "$t" = test_collectives_gpu ] && limit=120
  if [ ! -x "$bundle/bin/$t" ]; then record "$t" skip "not in this bundle"; continue; fi
  gtest_step "$t" "$limit"
done

# ---- fp_gdr: GPU memory vs host-staged on this machine's NICs (loopback through one NIC) ------
nics=$(ls /sys/class/infiniband 2>/dev/null | head -1)
if [ -n "$gpu_reason" ]; then
  record fp_gdr skip "$gpu_reason"
elif [ -z "$nics" ]; then
  record fp_gdr skip "no RDMA NIC on this machine (/sys/class/infiniband is empty): no GPU-vs-host-staged table; the staging-copy costs are in test_gdr_gpu's output"
else
  gdr_loopback "$nics" 60
fi

# ---- fp_coll vs nccl-tests, all_reduce on one GPU, 1 MiB - 1 GiB -------------------------------
sweep=(-b 1M -e 1G -f 2 -n 20 -w 5 -g 1)
if [ -n "$gpu_reason" ]; then
  record fp_coll skip "$gpu_reason"
else
  run_step fp_coll 50 "$bundle/bin/fp_coll" --backend nccl --coll all_reduce "${sweep[@]}" -c 1 \
    --json "$out/steps/fp_coll.json"
fi
if [ ! -x "$bundle/bin/all_reduce_perf" ]; then
  record nccl_tests skip "nccl-tests not bundled (scripts/device-check.sh --bundle DIR --nccl-tests SRC)"
elif [ -n "$gpu_reason" ]; then
  record nccl_tests skip "$gpu_reason"
else
  run_step nccl_tests 50 "$bundle/bin/all_reduce_perf" "${sweep[@]}" -c 1
fi
exit_code=0  # finish() (the EXIT trap) writes the document and the summary
