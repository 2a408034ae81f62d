# shellcheck shell=bash
# health.sh: the RDMA link's health, from the host.
# - Control: `link NODE [RAIL] down|up` cuts or restores a node's RDMA link through qemu's
#   QMP `set_link` (the guest sees carrier loss, rxe0's port goes DOWN); nodeK/link-cut records it.
# - Detection: a cut recorded by `link`, a wedged TX queue on a guest's console (kernel
#   "NETDEV WATCHDOG"), and a live probe: every node opens a TCP connection over eth0 (the
#   netdev rxe0 runs on) to every other node and reads rxe0's port state.
# - Recovery: `heal` (and `up`) reboot a cluster that has any of these with the same settings,
#   keeping its holds, so a dead link is never reused. Incidents go to $TB_STATE/incidents.log.

TB_PROBE_TIMEOUT=${FABRICPERF_TESTBED_PROBE_TIMEOUT:-8}   # s per TCP connect in the probe (TCG under load is slow)

tb_rail_count() { echo 1; }

tb_usage_die() { echo "fp-testbed: usage: $*" >&2; exit 2; }

tb_cmd_link() {   # NODE [RAIL] down|up
  local node=${1:-} rail=0 action= k d up
  case $# in
    2) action=$2 ;;
    3) rail=$2; action=$3 ;;
    *) tb_usage_die "fp-testbed link NODE [RAIL] down|up" ;;
  esac
  case $action in down) up=false ;; up) up=true ;; *) tb_usage_die "fp-testbed link NODE [RAIL] down|up (got '$action')" ;; esac
  tb_real_mode && tb_die "link control needs the virtual cluster (FABRICPERF_TEST_HOSTS is set)"
  [[ $rail =~ ^[0-9]+$ ]] || tb_usage_die "RAIL must be a number (got '$rail')"
  k=$(tb_node_index "$node") || exit 1
  ((rail < $(tb_rail_count))) || tb_die "$node has no rail $rail (the cluster has $(tb_rail_count) rail(s), numbered from 0)"
  tb_qemu_pid "$k" >/dev/null || tb_die "$node is not running"
  d=$TB_STATE/node$k
  "$TB_PY" "$TB_DIR/lib/qmp.py" "$d/qmp.sock" set_link "{\"name\": \"$TB_LINK_NETDEV\", \"up\": $up}" >/dev/null ||
    tb_die "could not set $node rail $rail $action"
  if [ "$action" = down ]; then
    date '+%H:%M:%S' > "$d/link-cut"
    echo "$(date '+%F %T') node$k rail $rail: link cut by 'fp-testbed link'" >> "$TB_STATE/incidents.log"
    tb_msg "node$k rail $rail: link cut (restore: fp-testbed link node$k $rail up)"
  else
    rm -f "$d/link-cut"
    tb_msg "node$k rail $rail: link restored"
  fi
}

# tb_console_wedge K: if node K's console shows a wedged TX queue, prints
# "<netdev> since HH:MM:SS" (wall clock = qemu start + the kernel's timestamp).
tb_console_wedge() {
  local d=$TB_STATE/node$1 line up started when dev
  line=$(grep -a -m1 'NETDEV WATCHDOG' "$d/console.log" 2>/dev/null) || return 1
  dev=$(sed -n 's/.* \(eth[0-9]*\)[ :].*/\1/p' <<<"$line")
  up=$(sed -n 's/^\[ *\([0-9][0-9]*\)\.[0-9]*\].*/\1/p' <<<"$line")
  started=$(cat "$d/started" 2>/dev/null)
  if [ -n "$up" ] && [ -n "$started" ]; then when=$(date -d "@$((started + up))" '+%H:%M:%S')
  else when="before $(date -r "$d/console.log" '+%H:%M:%S')"; fi
  echo "${dev:-eth?} since $when"
}

# tb_probe K N OUT: node K connects to every other node's sshd over eth0 and reads rxe0's
# port state. Writes OUT: "ssh-failed", or "port STATE" plus one "unreachable J" per peer.
tb_probe() {
  local k=$1 n=$2 out=$3 j script peers=
  for ((j = 1; j <= n; j++)); do ((j == k)) || peers+=" $j"; done
  script="for j in$peers; do (timeout $TB_PROBE_TIMEOUT bash -c \"exec 3<>/dev/tcp/$TB_SUBNET.\$j/22\" 2>/dev/null || echo unreachable \$j) & done; wait;"
  script+=" echo port \$(sed 's/^[0-9]*: *//' /sys/class/infiniband/rxe0/ports/1/state 2>/dev/null || echo missing)"
  tb_ssh_cmd "$k"
  timeout $((TB_PROBE_TIMEOUT + 20)) "${TB_SSH[@]}" "$script" </dev/null >"$out" 2>/dev/null || echo ssh-failed >"$out"
}

# tb_health N [--no-probe]: one line per problem, "nodeK<TAB>state<TAB>reason", state being
# stopped | running (ssh does not answer) | link-dead. Prints nothing for a healthy cluster.
tb_health() {
  local n=$1 probe=${2:-} k j tmp wedge
  local -A state reason
  for ((k = 1; k <= n; k++)); do
    if ! tb_qemu_pid "$k" >/dev/null; then state[$k]=stopped; reason[$k]="qemu is not running"; continue; fi
    if [ -e "$TB_STATE/node$k/link-cut" ]; then
      state[$k]=link-dead; reason[$k]="RDMA link cut by 'fp-testbed link' at $(cat "$TB_STATE/node$k/link-cut")"
    elif wedge=$(tb_console_wedge "$k"); then
      if [[ $wedge == eth0* ]]; then state[$k]=link-dead; reason[$k]="RDMA link (eth0) dead ${wedge#* } (NETDEV WATCHDOG: transmit queue timed out)"
      else state[$k]=running; reason[$k]="management link (${wedge%% *}) dead ${wedge#* } (NETDEV WATCHDOG)"; fi
    fi
  done
  if [ "$probe" != --no-probe ]; then
    tmp=$(mktemp -d)
    for ((k = 1; k <= n; k++)); do
      [ "${state[$k]:-}" = stopped ] || tb_probe "$k" "$n" "$tmp/$k" &
    done
    wait
    local -A unreachable
    for ((k = 1; k <= n; k++)); do
      [ -s "$tmp/$k" ] || continue
      if grep -q '^ssh-failed' "$tmp/$k"; then
        [ -n "${state[$k]:-}" ] || { state[$k]=running; reason[$k]="ssh does not answer (guest hung or management link down)"; }
        continue
      fi
      local port; port=$(sed -n 's/^port //p' "$tmp/$k")
      if [ "$port" != ACTIVE ] && [ -z "${state[$k]:-}" ]; then
        state[$k]=link-dead; reason[$k]="rxe0 port is ${port:-missing}, not ACTIVE"
      fi
      for j in $(sed -n 's/^unreachable //p' "$tmp/$k"); do unreachable[$k]+=" $j"; done
    done
    rm -rf "$tmp"
    # A node that reaches no peer (or, with 2 nodes, either end of the one pair) is link-dead;
    # a marker found above already says why.
    for ((k = 1; k <= n; k++)); do
      [ -n "${unreachable[$k]:-}" ] || continue
      local count; count=$(wc -w <<<"${unreachable[$k]}")
      if [ -z "${state[$k]:-}" ]; then
        if ((count == n - 1)); then state[$k]=link-dead; else state[$k]=link-degraded; fi
        reason[$k]="no path over the RDMA link (eth0) to$(sed 's/ \([0-9]*\)/ node\1/g' <<<"${unreachable[$k]}")"
      fi
    done
  fi
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
  if [ -z "$problems" ]; then echo "all $n nodes ready, every RDMA link answers"; return 0; fi
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
  FABRICPERF_TESTBED_SHARES=$(sed -n 's/^share=//p' "$TB_STATE/config" | paste -sd:)
  tb_stop_all
  tb_boot "$n" || { tb_stop_all; exit 1; }
}
