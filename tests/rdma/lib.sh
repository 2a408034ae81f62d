# shellcheck shell=bash disable=SC2034
# tests/rdma/lib.sh: helpers for Soft-RoCE integration tests. Source it:
#   source "$(dirname "$0")/lib.sh"
# ctest sets FP_TESTBED, FP_BUILD_DIR, FP_SOURCE_DIR (defaults below allow
# running a test by hand from the repository).
set -uo pipefail
FP_SOURCE_DIR=${FP_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
FP_BUILD_DIR=${FP_BUILD_DIR:-$FP_SOURCE_DIR/build}
FP_TESTBED=${FP_TESTBED:-$FP_SOURCE_DIR/testbed/fp-testbed}
FP_PY=/usr/bin/python3
FP_DEV=${FABRICPERF_TEST_DEVICE:-rxe0}   # RDMA device in the nodes
FP_GID=${FABRICPERF_TEST_GID:-1}         # GID index (1 = IPv4-mapped RoCEv2)

# Standalone (non-MPI) runs listen on the RDMA link and so need a run secret; the guests do not
# inherit the host's environment over ssh, so fp_run/fp_run_t/fp_bg pass it explicitly.
export FABRICPERF_TOKEN=${FABRICPERF_TOKEN:-fp-rdma-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "PASS: $*"; }

# fp_run NODE CMD...: run in NODE (cwd kept if under the repo), exit code passed back.
fp_run() { local node=$1; shift; "$FP_TESTBED" run "$node" -- env FABRICPERF_TOKEN="$FABRICPERF_TOKEN" "$@"; }
# fp_run_t SECONDS NODE CMD...: same, killed (exit 124) after SECONDS.
fp_run_t() { local t=$1 node=$2; shift 2; "$FP_TESTBED" run "$node" --timeout "$t" -- env FABRICPERF_TOKEN="$FABRICPERF_TOKEN" "$@"; }
fp_ip() { "$FP_TESTBED" ip "$@"; }   # fp_ip NODE [RAIL]
# fp_mpirun [mpirun options] -- PROG ARGS...
fp_mpirun() { "$FP_TESTBED" mpirun "$@"; }

# fp_bg NODE CMD...: start CMD in NODE in the background (e.g. a server);
# sets FP_BG_PID. fp_wait_bg PID waits and returns its exit code. Background
# commands still running when the test exits are killed (remote side too).
FP_BG_PIDS=()
fp_bg() {
  local node=$1; shift
  "$FP_TESTBED" run "$node" --timeout 600 -- env FABRICPERF_TOKEN="$FABRICPERF_TOKEN" "$@" </dev/null &
  FP_BG_PID=$!
  FP_BG_PIDS+=("$FP_BG_PID")
}
fp_wait_bg() { wait "$1"; }
fp_kill_bg() {
  local p
  for p in "${FP_BG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${FP_BG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  FP_BG_PIDS=()
}
# On a failing exit, say whether the cluster's links were to blame ("testbed: node1: RDMA link
# dead since 14:03:07 (NETDEV WATCHDOG ...)" or "testbed: all 2 nodes ready, ...").
fp_on_exit() {
  local rc=$?
  fp_kill_bg
  if [ "$rc" -ne 0 ] && [ -z "${FABRICPERF_TEST_HOSTS:-}" ]; then
    "$FP_TESTBED" diagnose 2>&1 | sed 's/^/testbed: /' >&2
  fi
  exit "$rc"
}
trap fp_on_exit EXIT

# A test never starts on a cluster with a dead or wedged link: `heal` reboots it with the same
# settings first (so ctest's retry of a test that hit a dead link runs on a healthy cluster).
if [ -z "${FABRICPERF_TEST_HOSTS:-}" ] && [ "${FP_HEAL:-1}" = 1 ]; then
  "$FP_TESTBED" heal || fail "the virtual cluster has a dead link and could not be rebooted"
fi

# fp_retry N CMD...: retry CMD up to N times, 1 s apart (a client whose server
# may not listen yet under emulation).
fp_retry() {
  local n=$1 i rc=1; shift
  for ((i = 0; i < n; i++)); do "$@" && return 0; rc=$?; sleep 1; done
  return $rc
}

# fp_scratch: a fresh folder for this test under the build folder; the nodes
# see it at the same path, so files written there in a node are on the host.
fp_scratch() {
  local d; d=$FP_BUILD_DIR/rdma-tests/$(basename "$0" .sh)
  rm -rf "$d"; mkdir -p "$d"; echo "$d"
}

# assert_json FILE 'python expression on d': d is the parsed JSON document.
assert_json() {
  local file=$1 expr=$2
  [ -s "$file" ] || fail "assert_json: $file is missing or empty"
  "$FP_PY" - "$file" "$expr" <<'PY' || fail "assert_json: $expr is not true for $file"
import json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
sys.exit(0 if eval(sys.argv[2], {"d": d}) else 1)
PY
}

# validate_docs FILE...: every file is a schema-valid result document.
validate_docs() { "$FP_PY" "$FP_SOURCE_DIR/tests/tools/validate_document.py" "$@" || fail "schema: $*"; }

# fp_pair TOOL OUT NAME ARGS...: TOOL as server on node2 and client on node1 (towards node2),
# both with ARGS and --json OUT/NAME.{server,client}.json; both must exit 0 and both documents
# must validate. The client's output is kept in OUT/NAME.client.log.
fp_pair() {
  local tool=$1 out=$2 name=$3; shift 3
  local server_ip; server_ip=$(fp_ip node2) || fail "no IP for node2"
  fp_bg node2 "$tool" "$@" --json "$out/$name.server.json"
  local server=$FP_BG_PID
  fp_run_t 180 node1 "$tool" "$@" --json "$out/$name.client.json" "$server_ip" \
    >"$out/$name.client.log" 2>&1 || { cat "$out/$name.client.log"; fail "$name: client failed"; }
  fp_wait_bg "$server" || fail "$name: server failed"
  validate_docs "$out/$name.client.json" "$out/$name.server.json"
}
