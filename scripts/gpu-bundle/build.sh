#!/usr/bin/env bash
# Builds the self-contained GPU bundle (scripts/device-check.sh --bundle DIR runs this): on a
# machine with the CUDA toolkit, NCCL and the project's dependencies (no GPU needed), everything
# the GPU check runs, for a GPU machine that has a driver and nothing else:
#   DIR/run                 the one command to start there (scripts/gpu-bundle/run.sh)
#   DIR/bin/                the gpu-labelled test binaries, fp_gdr, fp_coll, fp_report and,
#                           with --nccl-tests SRC, nccl-tests' all_reduce_perf; stripped
#   DIR/lib/                every non-system shared library they need: rdma-core (libibverbs,
#                           librdmacm, libnl) with its provider plugins in lib/libibverbs/,
#                           hwloc with its PCI plugin in lib/hwloc/, libudev, zlib, and NCCL as
#                           libnccl.so.2.gz (GPU code of --gpu-arch only: see prune_fatbin.py);
#                           lib/compat/ libstdc++ and libgcc_s, used only where the system's are
#                           older than what the binaries need
#   DIR/BUNDLE_INFO, GLIBC_NEEDED, GLIBCXX_NEEDED, GPU_ARCH   what run checks before starting
# System libraries (glibc: libc, libm, libdl, libpthread, librt, ld-linux) are not bundled:
# DIR/run says so when the machine's glibc is older than the bundle's. MPI is not linked (one
# process drives the GPUs: the build turns MPI off). Fails when DIR would exceed 64 MiB.
#
# usage: build.sh --bundle DIR [--build-dir B] [--nccl-tests SRC] [--gpu-arch 90[,100]] [--jobs N]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$root/scripts/gpu-bundle
dir="" build=$root/build-device/bundle nccl_tests="" arch=90 jobs=$(nproc 2>/dev/null || echo 2)
die() { echo "device-check.sh --bundle: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --bundle) [ $# -ge 2 ] || die "--bundle needs a directory"; dir=$2; shift 2 ;;
    --build-dir) [ $# -ge 2 ] || die "--build-dir needs a directory"; build=$2; shift 2 ;;
    --nccl-tests) [ $# -ge 2 ] || die "--nccl-tests needs nccl-tests' source directory"; nccl_tests=$2; shift 2 ;;
    --gpu-arch) [ $# -ge 2 ] || die "--gpu-arch needs e.g. 90"; arch=$2; shift 2 ;;
    --jobs) [ $# -ge 2 ] || die "--jobs needs a number"; jobs=$2; shift 2 ;;
    *) die "unknown argument $1 (see scripts/device-check.sh --help)" ;;
  esac
done
[ -n "$dir" ] || die "--bundle DIR is required"
[[ $arch =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--gpu-arch $arch: expected compute capabilities like 90 or 90,100"
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "--jobs $jobs: expected a positive number"
if [ -n "$nccl_tests" ]; then
  [ -f "$nccl_tests/src/all_reduce.cu" ] || die "--nccl-tests $nccl_tests: not an nccl-tests source tree (no src/all_reduce.cu)"
  nccl_tests=$(cd "$nccl_tests" && pwd)
fi
cuda=${CUDA_HOME:-/usr/local/cuda}
[ -x "$cuda/bin/nvcc" ] || { echo "device-check.sh --bundle: no nvcc under $cuda (set CUDA_HOME)" >&2; exit 1; }
for t in readelf objdump strip ldd python3 gzip; do
  command -v "$t" >/dev/null || { echo "device-check.sh --bundle: $t is needed to build the bundle" >&2; exit 1; }
done
limit=$((64 * 1024 * 1024))
t0=$(date +%s)
say() { echo "# $* ($(($(date +%s) - t0)) s)" >&2; }

# ---- 1. configure and build -----------------------------------------------------------------
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache
  -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
if [ ! -f "$build/build.ninja" ]; then
  say "configuring $build"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
    -DFABRICPERF_TESTBED=OFF -DFABRICPERF_BUILD_BENCH=OFF -DFABRICPERF_WITH_CUDA=ON -DFABRICPERF_WITH_NCCL=ON \
    -DFABRICPERF_WITH_MPI=OFF -DCUDAToolkit_ROOT="$cuda" >"$build.configure.log" 2>&1 ||
    { tail -20 "$build.configure.log" >&2; echo "device-check.sh --bundle: configure failed" >&2; exit 1; }
fi
mapfile -t gpu_tests < <(ninja -C "$build" -t targets all | sed -n 's/^\(test_[A-Za-z0-9_]*gpu[A-Za-z0-9_]*\): .*/\1/p' | sort -u)
[ ${#gpu_tests[@]} -gt 0 ] || { echo "device-check.sh --bundle: no gpu test targets (GoogleTest or NCCL missing?)" >&2; exit 1; }
tools=(fp_gdr fp_coll fp_report)
say "building ${gpu_tests[*]} ${tools[*]}"
ninja -C "$build" -j "$jobs" "${gpu_tests[@]}" "${tools[@]}" >&2

# ---- 2. nccl-tests' all_reduce_perf from the given source (never fetched) --------------------
nccl_lib=$(sed -n 's/^NCCL_LIBRARY:FILEPATH=//p' "$build/CMakeCache.txt")
[ -f "$nccl_lib" ] || { echo "device-check.sh --bundle: $build was configured without NCCL" >&2; exit 1; }
nccl_lib=$(readlink -f "$nccl_lib")
nccl_inc=$(sed -n 's/^NCCL_INCLUDE_DIR:PATH=//p' "$build/CMakeCache.txt")
nccl_home=$(dirname "$nccl_inc")
if [ -n "$nccl_tests" ]; then
  nt_build=$build/nccl-tests
  gencode=""
  for a in ${arch//,/ }; do gencode="$gencode -gencode=arch=compute_$a,code=sm_$a"; done
  say "building nccl-tests' all_reduce_perf from $nccl_tests (sm_$arch)"
  make -C "$nccl_tests/src" -j "$jobs" BUILDDIR="$nt_build" CUDA_HOME="$cuda" NCCL_HOME="$nccl_home" MPI=0 \
    NVCC_GENCODE="$gencode" "$nt_build/all_reduce_perf" >"$build/nccl-tests.log" 2>&1 ||
    { tail -20 "$build/nccl-tests.log" >&2; echo "device-check.sh --bundle: nccl-tests build failed" >&2; exit 1; }
fi

# ---- 3. the bundle --------------------------------------------------------------------------
rm -rf "$dir"
mkdir -p "$dir/bin" "$dir/lib/compat" "$dir/lib/libibverbs" "$dir/lib/hwloc"
dir=$(cd "$dir" && pwd)
for t in "${gpu_tests[@]}"; do cp "$(find "$build/tests" -name "$t" -type f -perm -u+x | head -1)" "$dir/bin/"; done
cp "$build/gdr/fp_gdr" "$build/collectives/fp_coll" "$build/results/fp_report" "$dir/bin/"
[ -n "$nccl_tests" ] && cp "$nt_build/all_reduce_perf" "$dir/bin/"
strip --strip-unneeded "$dir"/bin/*

# Providers and plugins: rdma-core's (one per NIC family) and hwloc's PCI discovery.
verbs_dir=$(dirname "$(readlink -f "$(ldconfig -p | awk '/libibverbs\.so\.1 .*x86-64/ {print $NF; exit}')")")/libibverbs
cp "$verbs_dir"/lib*-rdmav*.so "$dir/lib/libibverbs/" 2>/dev/null || say "no rdma-core providers under $verbs_dir"
hwloc_pci=$(find /usr/lib /usr/lib64 -path '*hwloc*' -name hwloc_pci.so 2>/dev/null | head -1)
[ -n "$hwloc_pci" ] && cp "$hwloc_pci" "$dir/lib/hwloc/"

# Every library those need, except glibc's own (the machine's ld.so must match them).
system_re='^(linux-vdso|ld-linux[-a-z0-9_]*|libc|libm|libdl|libpthread|librt|libresolv|libutil|libcuda)\.so'
for f in "$dir"/bin/* "$dir"/lib/libibverbs/*.so "$dir"/lib/hwloc/*.so; do ldd "$f" 2>/dev/null; done |
  awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' | sort -u | while read -r name path; do
    [[ $name =~ $system_re ]] && continue
    case $name in
      libstdc++.so.6 | libgcc_s.so.1) cp -L "$path" "$dir/lib/compat/$name" ;;
      libnccl.so.2) ;;
      *) cp -L "$path" "$dir/lib/$name" ;;
    esac
  done
chmod u+w "$dir"/lib/*.so* "$dir"/lib/compat/* 2>/dev/null || true
strip --strip-unneeded "$dir"/lib/*.so* "$dir"/lib/compat/* "$dir"/lib/libibverbs/*.so "$dir"/lib/hwloc/*.so 2>/dev/null || true

# NCCL: debug info off, GPU code of the other architectures zeroed, gzipped (run unpacks it).
strip --strip-debug -o "$build/libnccl.so.2.stripped" "$nccl_lib"
python3 "$here/prune_fatbin.py" "$build/libnccl.so.2.stripped" "$build/libnccl.so.2.pruned" "$arch" >&2
gzip -6 -c "$build/libnccl.so.2.pruned" >"$dir/lib/libnccl.so.2.gz"

# What run checks: the newest glibc/libstdc++ symbol versions any file needs.
need() { find "$dir/bin" "$dir/lib" -type f ! -name '*.gz' -exec objdump -T {} + 2>/dev/null |
  grep -o "$1[0-9.]*" | sed "s/^$1//" | sort -uV | tail -1; }
need GLIBC_ >"$dir/GLIBC_NEEDED"
echo "GLIBCXX_$(need GLIBCXX_)" >"$dir/GLIBCXX_NEEDED"
echo "$arch" >"$dir/GPU_ARCH"
nccl_ver=$(awk '/#define NCCL_(MAJOR|MINOR|PATCH)/ {v = v (v ? "." : "") $3} END {print v}' "$nccl_inc/nccl.h")
{
  echo "version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")"
  echo "commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet 2>/dev/null || echo +changes)"
  echo "built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cuda_runtime=$("$cuda/bin/nvcc" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')"
  echo "nccl=$nccl_ver"
  echo "gpu_arch=$arch"
  echo "nccl_tests=$([ -n "$nccl_tests" ] && (git -C "$nccl_tests" describe --tags --always 2>/dev/null || echo "$nccl_tests") || echo none)"
  echo "gpu_tests=${gpu_tests[*]}"
} >"$dir/BUNDLE_INFO"
cp "$here/run.sh" "$dir/run"
cp "$here/lib.sh" "$dir/lib.sh"
chmod +x "$dir/run"

# ---- 4. self-check: every NEEDED library is in the bundle or glibc's; the size ----------------
missing=""
for f in "$dir"/bin/* "$dir"/lib/*.so* "$dir"/lib/compat/* "$dir"/lib/libibverbs/*.so "$dir"/lib/hwloc/*.so; do
  case $f in *.gz) continue ;; esac
  for n in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    [[ $n =~ $system_re ]] && continue
    [ -e "$dir/lib/$n" ] || [ -e "$dir/lib/compat/$n" ] || [ -e "$dir/lib/$n.gz" ] || missing="$missing $(basename "$f"):$n"
  done
done
[ -z "$missing" ] || { echo "device-check.sh --bundle: not bundled:$missing" >&2; exit 1; }
size=$(du -sb "$dir" | cut -f1)
say "bundle $dir: $((size / 1024 / 1024)) MiB ($(ls "$dir/bin" | tr '\n' ' '))"
[ "$size" -lt "$limit" ] || { echo "device-check.sh --bundle: $dir is $size bytes, over 64 MiB" >&2; exit 1; }
echo "$dir"
