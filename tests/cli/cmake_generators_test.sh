#!/usr/bin/env bash
# The way most people build: plain `cmake -S . -B build` with the default generator (Unix
# Makefiles) must configure and generate, with CUDA found (when the toolkit is on this machine)
# and with CUDA off; Ninja with CUDA off too (the main build is Ninja with CUDA auto).
set -uo pipefail
src=${FP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
configure() {   # NAME CMAKE-ARGS...
  local name=$1; shift
  if cmake -S "$src" -B "$tmp/$name" -DCMAKE_BUILD_TYPE=Release "$@" >"$tmp/$name.log" 2>&1; then
    echo "ok   $name ($(grep -m1 '^  CUDA:' "$tmp/$name.log" | sed 's/^ *//'))"
  else
    echo "FAIL $name:"; grep -A6 -m3 'CMake Error' "$tmp/$name.log" | sed 's/^/    /'
    fails=$((fails + 1))
  fi
}
configure makefiles-cuda-auto -G "Unix Makefiles"
configure makefiles-cuda-off -G "Unix Makefiles" -DFABRICPERF_WITH_CUDA=OFF
configure ninja-cuda-off -G Ninja -DFABRICPERF_WITH_CUDA=OFF
if [ -x /usr/local/cuda/bin/nvcc ] && ! grep -q '^  CUDA: ON' "$tmp/makefiles-cuda-auto.log"; then
  echo "FAIL makefiles-cuda-auto: the CUDA toolkit is installed but was not found"; fails=$((fails + 1))
fi
[ "$fails" -eq 0 ] && echo "PASS: cmake configures and generates with both generators" || exit 1
