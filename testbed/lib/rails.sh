# shellcheck shell=bash
# rails.sh: the RDMA rails. Rail R of every node is its own link: node K's NIC ethR (Soft-RoCE
# device rxeR, IP 10.77.R.K/24, qemu netdev railR) reaches rail R of the other nodes and nothing
# else. Two nodes: a UDP point-to-point pair per rail; more: one udp-hub.py per rail
# ($TB_STATE/hub-railR.pid). Rail 0 is the rail every single-rail tool and test uses.

tb_rail_netdev() { echo "rail$1"; }          # R -> qemu netdev id (for set_link)
tb_rail_subnet() { echo "10.77.$1"; }        # R -> the rail's /24

# The running cluster's rails and NUMA nodes per guest (1 for a cluster booted before rails).
tb_recorded_rails() { local r; r=$(sed -n 's/^rails=//p' "$TB_STATE/config" 2>/dev/null); echo "${r:-1}"; }
tb_recorded_numa() { local m; m=$(sed -n 's/^numa=//p' "$TB_STATE/config" 2>/dev/null); echo "${m:-1}"; }

# tb_rail_label R: how problems name a rail: "RDMA link" on a single-rail cluster (as always),
# "RDMA rail R" when there are several.
tb_rail_label() {
  if (($(tb_recorded_rails) > 1)); then echo "RDMA rail $1"; else echo "RDMA link"; fi
}

# tb_links_start N RAILS: wires every rail (starting a hub per rail for N>2) and sets
# TB_LINK["K,R"] to node K's UDP socket options on rail R ("localaddr=127.0.0.1:A,udp=127.0.0.1:B").
tb_links_start() {
  local n=$1 rails=$2 r k
  declare -gA TB_LINK=()
  for ((r = 0; r < rails; r++)); do
    local -a udp=()
    if ((n <= 2)); then   # point to point, ports swapped on the peer (one node: to nobody)
      mapfile -t udp < <(tb_free_ports udp 2)
      TB_LINK["1,$r"]="localaddr=127.0.0.1:${udp[0]},udp=127.0.0.1:${udp[1]}"
      TB_LINK["2,$r"]="localaddr=127.0.0.1:${udp[1]},udp=127.0.0.1:${udp[0]}"
    else                  # every node talks to this rail's small switch on 127.0.0.1
      mapfile -t udp < <(tb_free_ports udp $((n + 1)))
      setsid "$TB_PY" "$TB_DIR/lib/udp-hub.py" "${udp[@]}" \
        </dev/null >"$TB_STATE/hub-rail$r.log" 2>&1 9>&- &
      echo $! > "$TB_STATE/hub-rail$r.pid"
      for ((k = 1; k <= n; k++)); do
        TB_LINK["$k,$r"]="localaddr=127.0.0.1:${udp[$k]},udp=127.0.0.1:${udp[0]}"
      done
    fi
  done
}

tb_hubs_stop() {
  local f pid
  for f in "$TB_STATE"/hub-rail*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null)
    if [ -n "$pid" ] && grep -q udp-hub "/proc/$pid/cmdline" 2>/dev/null; then kill "$pid"; fi
    rm -f "$f"
  done
}
