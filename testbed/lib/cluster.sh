# shellcheck shell=bash
# cluster.sh: `up`, `down`, `status` of the virtual cluster.
# $TB_STATE/config holds what the running cluster was booted with; a second
# `up` with the same settings reuses it. All up/down work is serialized by
# flock on $TB_STATE/lock (fd 9, closed in every daemon we start).

tb_lock() {
  mkdir -p "$TB_STATE"
  exec 9>"$TB_STATE/lock"
  flock -w 900 9 || tb_die "timed out after 900s waiting for $TB_STATE/lock"
}

tb_wanted_config() {   # N
  echo "n=$1"
  echo "mem=$TB_MEM"
  echo "rails=$TB_RAILS"
  echo "numa=$TB_NUMA"
  [ "$TB_NETDEV" = socket ] || echo "netdev=$TB_NETDEV"
  tb_shares | sed 's/^/share=/'
}

tb_cluster_alive() {   # all nodes of the recorded config have a live qemu
  local n k
  n=$(sed -n 's/^n=//p' "$TB_STATE/config" 2>/dev/null)
  [ -n "$n" ] || return 1
  for ((k = 1; k <= n; k++)); do tb_qemu_pid "$k" >/dev/null || return 1; done
}

tb_cmd_up() {
  local n=$TB_NODES_DEFAULT owner=
  while [ $# -gt 0 ]; do
    case $1 in
      -n|--nodes) n=${2:?-n needs a number}; shift 2 ;;
      --rails) TB_RAILS=${2:?--rails needs a number}; shift 2 ;;
      --numa) TB_NUMA=${2:?--numa needs a number}; shift 2 ;;
      --owner-pid) owner=${2:?--owner-pid needs a pid}; shift 2 ;;
      *) tb_usage_die "fp-testbed up [-n N] [--rails R] [--numa M] [--owner-pid PID]" ;;
    esac
  done
  [[ $n =~ ^[1-9][0-9]?$ ]] || tb_usage_die "-n: expected 1..99, got '$n'"
  [[ $TB_RAILS =~ ^[1-8]$ ]] || tb_usage_die "--rails: expected 1..8, got '$TB_RAILS'"
  [[ $TB_NUMA =~ ^[1-8]$ ]] || tb_usage_die "--numa: expected 1..8, got '$TB_NUMA'"
  ((TB_MEM / TB_NUMA >= 256)) || tb_usage_die "--numa $TB_NUMA: $TB_MEM MiB leave under 256 MiB per NUMA node (raise FABRICPERF_TESTBED_MEM)"
  if [ -n "$owner" ]; then
    tb_proc_start "$owner" >/dev/null || tb_die "--owner-pid $owner: no such process"
  fi
  if tb_real_mode; then tb_msg "FABRICPERF_TEST_HOSTS set: using real hosts, nothing to boot"; return 0; fi
  local t0=$SECONDS
  tb_lock
  if tb_cluster_alive && [ "$(tb_wanted_config "$n")" = "$(cat "$TB_STATE/config")" ]; then
    local problems=
    tb_wait_ready "$n" || problems=$(printf 'node?\tstopped\tthe running cluster did not become ready')
    [ -n "$problems" ] || problems=$(tb_health "$n")
    if [ -n "$problems" ]; then
      tb_reboot_unhealthy "$n" "$problems"   # never reuse a cluster with a dead link
    else
      tb_msg "reusing the running $n-node cluster ($TB_RAILS rail(s), $TB_NUMA NUMA node(s) per guest)"
    fi
  else
    local holds
    holds=$(tb_holds_live | tr '\n' ' ')
    if tb_cluster_alive && [ -n "$holds" ]; then
      tb_die "a cluster with other settings is running, held by: $holds(run 'fp-testbed down' first)"
    fi
    tb_stop_all
    tb_hold_drop all      # holds of a cluster that is gone mean nothing now
    tb_watchers_stop
    tb_boot "$n" || { tb_stop_all; exit 1; }
  fi
  if [ -n "$owner" ]; then tb_hold_add_pid "$owner"; else tb_hold_add_manual; fi
  tb_msg "ready: $n nodes, $TB_RAILS rail(s), $TB_NUMA NUMA node(s) per guest in $((SECONDS - t0)) s"
}

# Boots N guests; a fresh cluster whose links do not all answer is booted once more.
tb_boot() {   # N
  local n=$1 attempt problems
  for attempt in 1 2; do
    tb_boot_once "$n" || return 1
    problems=$(tb_health "$n")
    [ -z "$problems" ] && return 0
    tb_msg "boot $attempt: the new cluster is unhealthy:"
    awk -F'\t' '{print "    " $1 ": " $3}' <<<"$problems" >&2
    echo "$(date '+%F %T') boot $attempt unhealthy: $(awk -F'\t' '{printf "%s: %s; ", $1, $3}' <<<"$problems")" >> "$TB_STATE/incidents.log"
    tb_stop_all
  done
  return 1
}

tb_boot_once() {   # N
  local n=$1 kver initrd k
  mkdir -p "$TB_CACHE"
  exec 8>"$TB_CACHE/.lock"; flock -w 600 8 || tb_die "cache lock busy"
  kver=$(tb_kernel_ensure) || exit 1
  tb_keys_ensure
  initrd=$(tb_initramfs_ensure "$kver") || exit 1
  exec 8>&-
  rm -rf "$TB_STATE"/node* "$TB_STATE"/hub-rail*
  tb_wanted_config "$n" > "$TB_STATE/config"

  local -a sshp links
  local r
  mapfile -t sshp < <(tb_free_ports tcp "$n")
  tb_links_start "$n" "$TB_RAILS"
  for ((k = 1; k <= n; k++)); do
    links=()
    for ((r = 0; r < TB_RAILS; r++)); do links+=("${TB_LINK[$k,$r]}"); done
    tb_qemu_start "$k" "$n" "$kver" "$initrd" "${sshp[$((k - 1))]}" "${links[@]}" || return 1
  done
  tb_wait_ready "$n"
}

# Waits until each node printed FP-READY and answers ssh; starts ssh masters.
tb_wait_ready() {
  local n=$1 k d deadline=$((SECONDS + TB_BOOT_TIMEOUT))
  for ((k = 1; k <= n; k++)); do
    d=$TB_STATE/node$k
    while ! grep -q '^FP-READY' "$d/console.log" 2>/dev/null; do
      if grep -q '^FP-ERROR' "$d/console.log" 2>/dev/null || ! tb_qemu_pid "$k" >/dev/null ||
         ((SECONDS >= deadline)); then
        tb_msg "node$k did not boot ($(grep -m1 '^FP-ERROR' "$d/console.log" 2>/dev/null ||
                 echo "no FP-READY within ${TB_BOOT_TIMEOUT}s, host load $(cut -d' ' -f1 /proc/loadavg)")); last lines of $d/console.log:"
        if [ -s "$d/console.log" ]; then tail -n 20 "$d/console.log" >&2
        else echo "    (empty: the kernel printed nothing yet; qemu: $(tail -n 2 "$d/qemu.out" 2>/dev/null))" >&2; fi
        return 1
      fi
      sleep 0.2
    done
  done
  for ((k = 1; k <= n; k++)); do
    d=$TB_STATE/node$k
    if [ ! -S "$d/ssh.ctl" ]; then
      tb_ssh_cmd "$k"
      tb_wait $((deadline - SECONDS > 5 ? deadline - SECONDS : 5)) "sshd on node$k" \
        "${TB_SSH[@]}" true </dev/null || { tail -n 5 "$d/console.log" >&2; return 1; }
      tb_ssh_master_start "$k" || return 1
    fi
    tb_ssh_cmd "$k"
    local check="mountpoint -q /usr" s r
    for ((r = 0; r < $(tb_recorded_rails); r++)); do check+=" && test -e /sys/class/infiniband/rxe$r"; done
    while read -r s; do check+=" && mountpoint -q $(printf '%q' "$s")"; done < <(tb_shares)
    timeout 30 "${TB_SSH[@]}" "$check" </dev/null ||
      { tb_msg "node$k: ssh works but an rxe device, /usr or a shared folder is missing"; return 1; }
  done
}

tb_stop_all() {
  local k nodes=()
  for d in "$TB_STATE"/node*; do
    [ -d "$d" ] || continue
    k=${d##*/node}
    tb_ssh_master_stop "$k"
    nodes+=("$k")
  done
  tb_qemu_stop "${nodes[@]}"
  for k in "${nodes[@]}"; do rm -f "$TB_STATE/node$k/qemu.pid" "$TB_STATE/node$k/ssh.port"; done
  tb_hubs_stop
  rm -f "$TB_STATE/config"
}

tb_cmd_down() {
  local owner=
  case ${1:-} in
    --owner-pid) owner=${2:?--owner-pid needs a pid} ;;
    "") ;;
    *) tb_die "usage: fp-testbed down [--owner-pid PID]" ;;
  esac
  if tb_real_mode; then return 0; fi
  [ -d "$TB_STATE" ] || return 0
  tb_lock
  if [ -n "$owner" ]; then
    tb_hold_drop "pid-$owner"
    local left
    left=$(tb_holds_live | tr '\n' ' ')
    if [ -n "$left" ]; then
      tb_watchers_stop
      tb_msg "released pid $owner; cluster still held by: $left"
      return 0
    fi
  fi
  tb_hold_drop all
  tb_watchers_stop
  tb_stop_all
  tb_msg "down"
}

tb_cmd_status() {
  local n k state port problems line
  if tb_real_mode; then
    n=$(tb_node_count)
    for ((k = 1; k <= n; k++)); do
      echo "node$k real-host $(tb_real_host "$k") $(tb_node_ip "$k")"
    done
    return 0
  fi
  n=$(tb_recorded_nodes)
  if [ -z "$n" ]; then echo "no cluster (run: fp-testbed up)"; return 1; fi
  # Every node probes every other node over the RDMA link; see health.sh.
  problems=$(tb_health "$n")
  for ((k = 1; k <= n; k++)); do
    port=$(cat "$TB_STATE/node$k/ssh.port" 2>/dev/null || echo -)
    line=$(grep -P "^node$k\t" <<<"$problems")
    if [ -n "$line" ]; then
      state=$(cut -f2 <<<"$line")
      echo "node$k $state $port $(tb_node_ip "$k")  # $(cut -f3 <<<"$line")"
    else
      echo "node$k ready $port $(tb_node_ip "$k")"
    fi
  done
  [ -z "$problems" ]
}
