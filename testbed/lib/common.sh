# shellcheck shell=bash disable=SC2034
# common.sh: settings from the environment, paths, messages, bounded waits.
# Sourced by fp-testbed; every other lib file relies on these names.

TB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TB_REPO=$(cd "$TB_DIR/.." && pwd)          # shared read-write at the same path

TB_CACHE=${FABRICPERF_TESTBED_CACHE:-$HOME/.cache/fabricperf/testbed}
TB_STATE=${FABRICPERF_TESTBED_STATE:-/tmp/fabricperf-testbed}
TB_NODES_DEFAULT=${FABRICPERF_TESTBED_NODES:-2}
TB_MEM=${FABRICPERF_TESTBED_MEM:-2048}                  # MiB per guest
TB_BOOT_TIMEOUT=${FABRICPERF_TESTBED_BOOT_TIMEOUT:-300}  # s, whole `up`
TB_NETDEV=${FABRICPERF_TESTBED_NETDEV:-socket}          # qemu backend of the RDMA links: socket | dgram
TB_RAILS=${FABRICPERF_TESTBED_RAILS:-1}                 # RDMA rails per guest (ethR, rxeR, 10.77.R.K)
TB_NUMA=${FABRICPERF_TESTBED_NUMA:-1}                   # NUMA nodes per guest (NIC R on node R mod M)
TB_PY=/usr/bin/python3

tb_msg() { echo "fp-testbed: $*" >&2; }
tb_die() { echo "fp-testbed: error: $*" >&2; exit 1; }
tb_usage_die() { echo "fp-testbed: usage: $*" >&2; exit 2; }

# tb_wait TIMEOUT_S DESCRIPTION CMD...: retry CMD every 0.2 s until it
# succeeds; on timeout print one line and return 1.
tb_wait() {
  local timeout=$1 what=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      tb_msg "timed out after ${timeout}s waiting for $what"
      return 1
    fi
    sleep 0.2
  done
}

# Extra read-write shares (colon-separated absolute paths), e.g. a build folder
# outside the repository. Always includes the repository root first.
tb_shares() {
  local s
  echo "$TB_REPO"
  local IFS=:
  for s in ${FABRICPERF_TESTBED_SHARES:-}; do
    [ -n "$s" ] || continue
    s=$(cd "$s" 2>/dev/null && pwd) || continue
    case "$s/" in "$TB_REPO"/*) continue ;; esac
    echo "$s"
  done
}

# Start time of a process (field 22 of /proc/PID/stat), empty if gone.
# Used with the PID to tell a live process from a reused PID.
tb_proc_start() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  set -- $stat
  echo "${20}"
}
