#!/usr/bin/env bash
# fp_bw -vv on the virtual cluster: the debug trace shows each side's device and GID choice, its
# QPs going RESET -> INIT -> RTR -> RTS with QP numbers and PSNs, its memory registrations, the
# sweep's sizes and the engine's start, each line with the side's host and rank (node2[0] the
# server, node1[1] the client; under mpirun node1[0] and node2[1]), on stderr only: the client's
# `--json -` stdout is still exactly the document.
source "$(dirname "$0")/lib.sh"

BW=$FP_BUILD_DIR/bw/fp_bw
[ -x "$BW" ] || fail "$BW not built"
out=$(fp_scratch)
server_ip=$(fp_ip node2) || fail "no IP for node2"
COMMON=(-d "$FP_DEV" -x "$FP_GID" --timeout 30 -p 18641 -s 4K -n 100 --op write)
stamp='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z'

# expect FILE PREFIX REGEX WHAT: a line "STAMP PREFIX REGEX" is in FILE.
expect() { grep -qE "^$stamp $2 $3" "$1" || { cat "$1"; fail "$4: no line '$2 $3' in $1"; }; }

# Both sides' device and GID choice, QP lifecycle, memory registration and sweep. PREFIX is
# "node1\[1\]", ...; EARLY the prefix before the bootstrap ran (devices are opened first: the
# standalone ranks learn their rank from the bootstrap, "node1\[-\]"; mpirun's from the start).
check_side() {
  local file=$1 me=$2 peer_rank=$3 peer_host=$4 early=$5
  expect "$file" "$early" "INFO verbs: device $FP_DEV \(-d\)" "device choice"
  expect "$file" "$early" "TRACE verbs: $FP_DEV port 1: GID table: 0 [0-9a-f:]+ " "GID table"
  expect "$file" "$early" "INFO verbs: $FP_DEV port 1: Ethernet, .*GID $FP_GID [0-9a-f:]+:ffff:[0-9a-f:]+ RoCE v2 \(-x\)" "GID choice"
  expect "$file" "$me" "TRACE verbs: MR registered: data buffer of 1 QP\(s\), [0-9]+ bytes of host memory .* lkey 0x[0-9a-f]+ rkey 0x[0-9a-f]+" "data MR"
  expect "$file" "$me" "TRACE verbs: registering data buffer .*access LOCAL_WRITE\|REMOTE_WRITE" "MR access flags"
  expect "$file" "$me" "TRACE verbs: QP [0-9]+ on $FP_DEV port 1: RESET -> INIT" "RESET -> INIT"
  expect "$file" "$me" "TRACE verbs: QP [0-9]+ on $FP_DEV towards QP [0-9]+ of rank $peer_rank on $peer_host \($FP_DEV\): INIT -> RTR \(remote psn 0x[0-9a-f]+, path MTU [0-9]+, GID index $FP_GID -> [0-9a-f:]+:ffff:" "INIT -> RTR"
  expect "$file" "$me" "TRACE verbs: QP [0-9]+ on $FP_DEV towards QP [0-9]+ of rank $peer_rank on $peer_host \($FP_DEV\): RTR -> RTS \(local psn 0x[0-9a-f]+" "RTR -> RTS"
  expect "$file" "$me" "INFO sweep: write 4K: phase 1/1, measuring with rank $peer_rank on $peer_host" "measured size"
  expect "$file" "$me" "TRACE engine: write bandwidth, .* starting, 100 iterations per QP, no warm-up" "engine start"
  # Two QPs per side (data + control), each through INIT, RTR and RTS.
  [ "$(grep -cE "^$stamp $me TRACE verbs: .*(RESET -> INIT|INIT -> RTR|RTR -> RTS)" "$file")" -eq 6 ] ||
    fail "$file: want 2 QPs x 3 transitions"
}

# 1. Standalone client/server (TCP bootstrap): the server is rank 0, the client rank 1.
fp_bg node2 "$BW" "${COMMON[@]}" -vv >"$out/server.out" 2>"$out/server.err"
server=$FP_BG_PID
fp_run_t 180 node1 env FABRICPERF_DEBUG=trace "$BW" "${COMMON[@]}" --json - "$server_ip" \
  >"$out/client.json" 2>"$out/client.err" || { cat "$out/client.err"; fail "client failed"; }
fp_wait_bg "$server" || { cat "$out/server.err"; fail "server failed"; }
validate_docs "$out/client.json"
assert_json "$out/client.json" "d['status'] == 'ok' and d['results'][0]['size_bytes'] == 4096"
grep -qE "^$stamp" "$out/client.json" && fail "a log line reached the client's --json - stdout"
expect "$out/server.err" "node2\[0\]" "INFO bootstrap: listening on every interface, TCP port 18641" "server bootstrap"
expect "$out/client.err" "node1\[-\]" "INFO bootstrap: connecting to server $server_ip:18641" "client before its rank"
expect "$out/client.err" "node1\[1\]" "INFO bootstrap: welcomed by server $server_ip:18641 as rank 1 of 2" "client rank"
check_side "$out/client.err" "node1\[1\]" 0 node2 "node1\[-\]"
check_side "$out/server.err" "node2\[0\]" 1 node1 "node2\[-\]"
pass "fp_bw -vv / FABRICPERF_DEBUG=trace client/server: QP transitions, MRs, sizes per rank; --json - intact"

# 2. Under mpirun the rank comes from the launcher: node1 is rank 0, node2 rank 1.
timeout 240 "$FP_TESTBED" mpirun -np 2 -- "$BW" "${COMMON[@]}" -vv --json "$out/mpi.json" \
  >"$out/mpi.out" 2>"$out/mpi.err" || { cat "$out/mpi.out" "$out/mpi.err"; fail "mpirun fp_bw -vv failed"; }
cat "$out/mpi.out" >>"$out/mpi.err"  # mpirun may forward a rank's stderr on its stdout
expect "$out/mpi.err" "node1\[0\]" "INFO bootstrap: MPI: rank 0 of 2" "MPI bootstrap, rank 0"
expect "$out/mpi.err" "node2\[1\]" "INFO bootstrap: MPI: rank 1 of 2" "MPI bootstrap, rank 1"
check_side "$out/mpi.err" "node1\[0\]" 1 node2 "node1\[0\]"
check_side "$out/mpi.err" "node2\[1\]" 0 node1 "node2\[1\]"
pass "mpirun fp_bw -vv: the launcher's rank on every line"
