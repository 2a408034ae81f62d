# shellcheck shell=bash
# selfcheck.sh: `selfcheck [--log-dir DIR]`: real RDMA between node1 (client)
# and node2 (server) with perftest and ibv_rc_pingpong, plus mpirun hostname
# on all nodes; on a multi-rail cluster also ibv_rc_pingpong over every further rail (rxeR to
# node2's address on rail R). Prints PASS/FAIL per check; non-zero exit on any failure.
# Each check's output is kept in DIR/<check>.{server,client}.log
# (default $TB_STATE/selfcheck).

TB_SC_FAILED=0

# tb_sc_pair NAME "SERVER CMD" "CLIENT CMD" [RAIL] (the client gets node2's IP on RAIL, default 0)
tb_sc_pair() {
  local name=$1 server=$2 client=$3 t0=$SECONDS spid src crc ip
  ip=$(tb_node_ip 2 "${4:-0}")
  "$TB_SELF" run node2 --timeout 120 -- $server \
    >"$TB_SC_DIR/$name.server.log" 2>&1 </dev/null &
  spid=$!
  sleep 1
  # the server may need a few seconds to listen under TCG: retry connecting
  "$TB_SELF" run node1 --timeout 150 -- bash -c \
    'for i in $(seq 15); do "$@" && exit 0; rc=$?; sleep 1; done; exit $rc' retry \
    $client "$ip" >"$TB_SC_DIR/$name.client.log" 2>&1 </dev/null
  crc=$?
  if [ $crc -ne 0 ]; then kill -TERM "$spid" 2>/dev/null; fi
  wait "$spid"; src=$?
  tb_sc_result "$name" $((crc || src)) "$t0" "client rc=$crc server rc=$src" "$TB_SC_DIR/$name.client.log"
}

tb_sc_result() {   # NAME RC T0 DETAIL LOG
  if [ "$2" -eq 0 ]; then
    echo "PASS $1 ($((SECONDS - $3)) s)"
  else
    TB_SC_FAILED=1
    echo "FAIL $1 ($((SECONDS - $3)) s, $4); last lines of $5:"
    tail -n 8 "$5" | sed 's/^/    /'
  fi
}

tb_cmd_selfcheck() {
  TB_SC_DIR=$TB_STATE/selfcheck
  [ "${1:-}" = --log-dir ] && TB_SC_DIR=${2:?--log-dir needs a folder}
  mkdir -p "$TB_SC_DIR"
  local n dev=${FABRICPERF_TEST_DEVICE:-rxe0} gid=${FABRICPERF_TEST_GID:-1}
  n=$(tb_node_count)
  ((n >= 2)) || tb_die "selfcheck needs at least 2 nodes (have $n; run: fp-testbed up)"

  tb_sc_pair ib_write_bw_rdma_cm "ib_write_bw -d $dev -R -n 500" "ib_write_bw -d $dev -R -n 500"
  tb_sc_pair ib_write_bw "ib_write_bw -d $dev -x $gid -n 500" "ib_write_bw -d $dev -x $gid -n 500"
  tb_sc_pair ib_send_lat "ib_send_lat -d $dev -x $gid -n 200" "ib_send_lat -d $dev -x $gid -n 200"
  tb_sc_pair ibv_rc_pingpong "ibv_rc_pingpong -d $dev -g $gid -n 100" "ibv_rc_pingpong -d $dev -g $gid -n 100"
  local r rails=1
  tb_real_mode || rails=$(tb_recorded_rails)
  for ((r = 1; r < rails; r++)); do
    tb_sc_pair "ibv_rc_pingpong_rail$r" "ibv_rc_pingpong -d rxe$r -g $gid -n 100" "ibv_rc_pingpong -d rxe$r -g $gid -n 100" "$r"
  done

  local t0=$SECONDS rc want got log=$TB_SC_DIR/mpirun_hostname.client.log
  "$TB_SELF" mpirun -- hostname >"$log" 2>&1 </dev/null; rc=$?
  if tb_real_mode; then want=$n; got=$(grep -c . "$log")
  else want=$(seq -f 'node%g' 1 "$n" | sort | tr '\n' ' '); got=$(sort "$log" | tr '\n' ' '); fi
  [ $rc -eq 0 ] && [ "$want" != "$got" ] && rc=1
  tb_sc_result mpirun_hostname "$rc" "$t0" "expected $want, got $got" "$log"

  if [ $TB_SC_FAILED -eq 0 ]; then echo "selfcheck: all passed"; else echo "selfcheck: FAILED"; fi
  return $TB_SC_FAILED
}
