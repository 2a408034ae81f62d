#!/usr/bin/env bash
# Configures and builds the libFuzzer build of fabricperf: Debian's clang, libFuzzer, ASan and
# UBSan (every finding fatal); only the fuzz targets and the libraries they link are built.
# Usage: build-fuzzers.sh SOURCE_DIR BUILD_DIR [CLANG++ [CLANG [LAUNCHER]]]
# Fails (never skips) when clang or its libFuzzer runtime is missing.
set -euo pipefail
src=$1
build=$2
cxx=${3:-}
cc=${4:-}
launcher=${5:-}
[ -n "$cxx" ] || cxx=$(command -v clang++ || true)
[ -n "$cc" ] || cc=$(command -v clang || true)
jobs=${FABRICPERF_FUZZ_JOBS:-$(nproc)}

install_hint="install Debian's clang and libclang-rt-14-dev (scripts/setup.sh)"
if [ -z "$cxx" ] || ! command -v "$cxx" >/dev/null || [ -z "$cc" ] || ! command -v "$cc" >/dev/null; then
  echo "fuzz build: clang/clang++ not found: $install_hint" >&2
  exit 1
fi

# The libFuzzer + sanitizer runtimes come from a separate package: probe them first, so a
# missing one is named instead of surfacing as a link error deep in the build.
mkdir -p "$build"
probe="$build/probe"
printf '%s\n' '#include <cstddef>' '#include <cstdint>' \
  'extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }' >"$probe.cpp"
if ! "$cxx" -std=c++20 -fsanitize=fuzzer,address,undefined "$probe.cpp" -o "$probe" 2>"$probe.log"; then
  cat "$probe.log" >&2
  echo "fuzz build: $cxx cannot link a libFuzzer target with ASan/UBSan: $install_hint" >&2
  exit 1
fi

flags="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer"
args=(
  -S "$src" -B "$build" -G Ninja
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx"
  -DCMAKE_BUILD_TYPE=RelWithDebInfo
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g"
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags"
  -DFABRICPERF_FUZZ_BUILD=ON
  -DFABRICPERF_WITH_CUDA=OFF -DFABRICPERF_WITH_NCCL=OFF -DFABRICPERF_WITH_MPI=OFF
  -DFABRICPERF_BUILD_BENCH=OFF -DFABRICPERF_TESTBED=OFF -DFABRICPERF_BUILD_TESTS=ON
)
if [ -n "$launcher" ]; then
  args+=(-DCMAKE_C_COMPILER_LAUNCHER="$launcher" -DCMAKE_CXX_COMPILER_LAUNCHER="$launcher")
fi
echo "fuzz build: configuring $build with $cxx"
if ! cmake "${args[@]}" >"$build/configure.log" 2>&1; then
  cat "$build/configure.log" >&2
  echo "fuzz build: configure failed" >&2
  exit 1
fi
echo "fuzz build: building fabricperf_fuzzers (-j $jobs)"
cmake --build "$build" --target fabricperf_fuzzers -j "$jobs"
ls "$build/fuzzers"
