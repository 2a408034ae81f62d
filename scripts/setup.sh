#!/usr/bin/env bash
# Installs every Debian package fabricperf's build, tests, benchmarks and demo need.
# Idempotent: quiet and fast when everything is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libibverbs-dev librdmacm-dev rdma-core ibverbs-utils rdmacm-utils ibverbs-providers
  perftest python3-pyverbs
  libhwloc-dev libhwloc-plugins hwloc
  libopenmpi-dev openmpi-bin
  nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-jsonschema
  qemu-system-x86 qemu-utils busybox-static kmod cpio
  openssh-server openssh-client iproute2 procps
  slurmctld slurmd slurm-client munge          # Slurm inside the testbed guests (fp-testbed srun)
  clang-format clang-tidy clang libclang-rt-14-dev
  prometheus prometheus-pushgateway curl chromium
  dpkg-dev help2man lintian                    # the Debian package and its test (cmake/Packaging.cmake)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
echo "setup: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
