# shellcheck shell=bash
# health.sh: the health of the RDMA rails (rail R: ethR, rxeR, 10.77.R.K), from the host.
# - Control: `link NODE [RAIL] down|up` cuts or restores one rail of a node through qemu's
#   QMP `set_link` (the guest sees carrier loss on ethR, rxeR's port goes DOWN);
#   nodeK/link-cut-railR records it.
# - Detection: a cut recorded by `link`, a wedged TX queue on a guest's console (kernel
#   "NETDEV WATCHDOG"), and a live probe: on every rail, every node opens a TCP connection over
#   ethR to every other node and reads rxeR's port state.
# - Recovery: `heal` (and `up`) reboot a cluster that has any of these with the same settings,
#   keeping its holds, so a dead link is never reused. Incidents go to $TB_STATE/incidents.log.
# Problems name the rail ("RDMA rail 1 ...") on a multi-rail cluster; a single-rail cluster
# says "RDMA link" as it always did.

TB_PROBE_TIMEOUT=${FABRICPERF_TESTBED_PROBE_TIMEOUT:-8}   # s per TCP connect in the probe (TCG under load is slow)

tb_cmd_link() {   # NODE [RAIL] down|up
  local node=${1:-} rail=0 action= k d up rails
  case $# in
    2) action=$2 ;;
    3) rail=$2; action=$3 ;;
    *) tb_usage_die "fp-testbed link NODE [RAIL] down|up" ;;
  esac
  case $action in down) up=false ;; up) up=true ;; *) tb_usage_die "fp-testbed link NODE [RAIL] down|up (got '$action')" ;; esac
  tb_real_mode && tb_die "link control needs the virtual cluster (FABRICPERF_TEST_HOSTS is set)"
  [[ $rail =~ ^[0-9]+$ ]] || tb_usage_die "RAIL must be a number (got '$rail')"
  k=$(tb_node_index "$node") || exit 1
  rails=$(tb_recorded_rails)
  ((rail < rails)) || tb_die "$node has no rail $rail (the cluster has $rails rail(s), numbered from 0)"
  tb_qemu_pid "$k" >/dev/null || tb_die "$node is not running"
  d=$TB_STATE/node$k
  "$TB_PY" "$TB_DIR/lib/qmp.py" "$d/qmp.sock" set_link "{\"name\": \"$(tb_rail_netdev "$rail")\", \"up\": $up}" >/dev/null ||
    tb_die "could not set $node rail $rail $action"
  if [ "$action" = down ]; then
    date '+%H:%M:%S' > "$d/link-cut-rail$rail"
    echo "$(date '+%F %T') node$k rail $rail: link cut by 'fp-testbed link'" >> "$TB_STATE/incidents.log"
    tb_msg "node$k rail $rail: link cut (restore: fp-testbed link node$k $rail up)"
  else
    rm -f "$d/link-cut-rail$rail"
    tb_msg "node$k rail $rail: link restored"
  fi
}

# tb_console_wedges K: for each netdev whose TX queue node K's console shows wedged, prints
# "<netdev> since HH:MM:SS" (wall clock = qemu start + the kernel's timestamp of its first report).
tb_console_wedges() {
  local d=$TB_STATE/node$1 line up started when dev
  local -A seen=()
  while IFS= read -r line; do
    dev=$(sed -n 's/.* \(eth[0-9]*\)[ :].*/\1/p' <<<"$line")
    dev=${dev:-eth?}
    [ -n "${seen[$dev]:-}" ] && continue
    seen[$dev]=1
    up=$(sed -n 's/^\[ *\([0-9][0-9]*\)\.[0-9]*\].*/\1/p' <<<"$line")
    started=$(cat "$d/started" 2>/dev/null)
    if [ -n "$up" ] && [ -n "$started" ]; then when=$(date -d "@$((started + up))" '+%H:%M:%S')
    else when="before $(date -r "$d/console.log" '+%H:%M:%S')"; fi
    echo "$dev since $when"
  done < <(grep -a 'NETDEV WATCHDOG' "$d/console.log" 2>/dev/null)
}

# tb_probe K N RAILS OUT: on every rail R, node K connects to every other node's sshd over ethR
# and reads rxeR's port state. Writes OUT: "ssh-failed", or per rail "port R STATE" plus one
# "unreachable R J" per peer J it cannot reach on rail R.
tb_probe() {
  local k=$1 n=$2 rails=$3 out=$4 j r script=
  for ((r = 0; r < rails; r++)); do
    for ((j = 1; j <= n; j++)); do
      ((j == k)) && continue
      script+="(timeout $TB_PROBE_TIMEOUT bash -c 'exec 3<>/dev/tcp/$(tb_rail_subnet "$r").$j/22' 2>/dev/null || echo unreachable $r $j) & "
    done
  done
  script+="wait;"
  for ((r = 0; r < rails; r++)); do
    script+=" echo port $r \$(sed 's/^[0-9]*: *//' /sys/class/infiniband/rxe$r/ports/1/state 2>/dev/null || echo missing);"
  done
  tb_ssh_cmd "$k"
  timeout $((TB_PROBE_TIMEOUT + 20)) "${TB_SSH[@]}" "$script" </dev/null >"$out" 2>/dev/null || echo ssh-failed >"$out"
}

# tb_health N [--no-probe]: one line per problem, "nodeK<TAB>state<TAB>reason", state being
# stopped | running (ssh does not answer) | link-dead (every rail dead) | link-degraded (a rail
# dead, or some peers unreachable on a rail). Reasons of several rails are joined by "; ".
# Prints nothing for a healthy cluster.
tb_health() {
  local n=$1 probe=${2:-} rails k j r tmp wedge dev
  rails=$(tb_recorded_rails)
  local -A state reason rail_dead rail_why
  # rail_dead[K,R]: rail R of node K is dead (cut, wedged, port down, reaches no peer);
  # rail_why[K,R]: what is wrong with it, if anything.
  for ((k = 1; k <= n; k++)); do
    if ! tb_qemu_pid "$k" >/dev/null; then state[$k]=stopped; reason[$k]="qemu is not running"; continue; fi
    for ((r = 0; r < rails; r++)); do
      if [ -e "$TB_STATE/node$k/link-cut-rail$r" ]; then
        rail_dead[$k,$r]=1; rail_why[$k,$r]="$(tb_rail_label "$r") cut by 'fp-testbed link' at $(cat "$TB_STATE/node$k/link-cut-rail$r")"
      fi
    done
    while read -r dev wedge; do
      [ -n "$dev" ] || continue
      r=${dev#eth}
      if [[ $r =~ ^[0-9]+$ ]] && ((r < rails)); then
        [ -n "${rail_why[$k,$r]:-}" ] && continue
        rail_dead[$k,$r]=1; rail_why[$k,$r]="$(tb_rail_label "$r") ($dev) dead $wedge (NETDEV WATCHDOG: transmit queue timed out)"
      elif [ -z "${state[$k]:-}" ]; then
        state[$k]=running; reason[$k]="management link ($dev) dead $wedge (NETDEV WATCHDOG)"
      fi
    done < <(tb_console_wedges "$k")
  done
  if [ "$probe" != --no-probe ]; then
    tmp=$(mktemp -d)
    for ((k = 1; k <= n; k++)); do
      [ "${state[$k]:-}" = stopped ] || tb_probe "$k" "$n" "$rails" "$tmp/$k" &
    done
    wait
    for ((k = 1; k <= n; k++)); do
      [ -s "$tmp/$k" ] || continue
      if grep -q '^ssh-failed' "$tmp/$k"; then
        [ -n "${state[$k]:-}" ] || { state[$k]=running; reason[$k]="ssh does not answer (guest hung or management link down)"; }
        continue
      fi
      for ((r = 0; r < rails; r++)); do
        [ -z "${rail_why[$k,$r]:-}" ] || continue   # a marker found above already says why
        local port unreachable count
        port=$(sed -n "s/^port $r //p" "$tmp/$k")
        if [ "$port" != ACTIVE ]; then
          rail_dead[$k,$r]=1; rail_why[$k,$r]="rxe$r port is ${port:-missing}, not ACTIVE"
          continue
        fi
        unreachable=$(sed -n "s/^unreachable $r / node/p" "$tmp/$k" | sort -V | tr -d '\n')
        [ -n "$unreachable" ] || continue
        count=$(wc -w <<<"$unreachable")
        # A rail that reaches no peer (or, with 2 nodes, either end of the one pair) is dead.
        ((count == n - 1)) && rail_dead[$k,$r]=1
        rail_why[$k,$r]="no path over the $(tb_rail_label "$r") (eth$r) to$unreachable"
      done
    done
    rm -rf "$tmp"
  fi
  for ((k = 1; k <= n; k++)); do
    [ -z "${state[$k]:-}" ] || continue
    local why="" dead=0
    for ((r = 0; r < rails; r++)); do
      [ -n "${rail_why[$k,$r]:-}" ] || continue
      why+="${why:+; }${rail_why[$k,$r]}"
      [ -n "${rail_dead[$k,$r]:-}" ] && dead=$((dead + 1))
    done
    [ -n "$why" ] || continue
    if ((dead == rails)); then state[$k]=link-dead; else state[$k]=link-degraded; fi
    reason[$k]=$why
  done
  for ((k = 1; k <= n; k++)); do
    [ -n "${state[$k]:-}" ] && printf 'node%s\t%s\t%s\n' "$k" "${state[$k]}" "${reason[$k]}"
  done
  return 0
}

tb_recorded_nodes() { sed -n 's/^n=//p' "$TB_STATE/config" 2>/dev/null; }

# `diagnose`: one line per link problem ("node1: RDMA link cut by ... at 14:03:07"); exit 1
# when there is one. Tests print it when they fail.
tb_cmd_diagnose() {
  local n problems
  if tb_real_mode; then echo "real hosts: no link diagnosis"; return 0; fi
  n=$(tb_recorded_nodes)
  [ -n "$n" ] || { echo "no cluster is up"; return 1; }
  problems=$(tb_health "$n" "$@")
  if [ -z "$problems" ]; then
    local rails; rails=$(tb_recorded_rails)
    echo "all $n nodes ready, every RDMA link answers$( ((rails > 1)) && echo " on all $rails rails")"
    return 0
  fi
  awk -F'\t' '{print $1 ": " $3}' <<<"$problems"
  return 1
}

# `heal`: reboot the running cluster with its recorded settings if any node or link is
# unhealthy; nothing when healthy. Holds are kept (the holders asked for this cluster).
tb_cmd_heal() {
  local n problems
  tb_real_mode && return 0
  tb_lock
  n=$(tb_recorded_nodes)
  [ -n "$n" ] || tb_die "no cluster is up (run: fp-testbed up)"
  problems=$(tb_health "$n")
  [ -z "$problems" ] && return 0
  tb_reboot_unhealthy "$n" "$problems"
}

tb_reboot_unhealthy() {   # N PROBLEMS (caller holds the lock)
  local n=$1 problems=$2 line
  while IFS= read -r line; do
    tb_msg "$(awk -F'\t' '{print $1 ": " $3}' <<<"$line")"
    echo "$(date '+%F %T') $(awk -F'\t' '{print $1 ": " $3}' <<<"$line")" >> "$TB_STATE/incidents.log"
  done <<<"$problems"
  tb_msg "the cluster is unhealthy: rebooting it ($n nodes, same settings)"
  echo "$(date '+%F %T') rebooting the $n-node cluster" >> "$TB_STATE/incidents.log"
  # The recorded settings, not the caller's environment, define the cluster to reboot.
  TB_MEM=$(sed -n 's/^mem=//p' "$TB_STATE/config")
  TB_NETDEV=$(sed -n 's/^netdev=//p' "$TB_STATE/config"); TB_NETDEV=${TB_NETDEV:-socket}
  TB_RAILS=$(tb_recorded_rails)
  TB_NUMA=$(tb_recorded_numa)
  FABRICPERF_TESTBED_SHARES=$(sed -n 's/^share=//p' "$TB_STATE/config" | paste -sd:)
  tb_stop_all
  tb_boot "$n" || { tb_stop_all; exit 1; }
}
