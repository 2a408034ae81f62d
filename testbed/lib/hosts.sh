# shellcheck shell=bash
# hosts.sh: node names and addresses, for the virtual cluster and for the
# stand-in mode where FABRICPERF_TEST_HOSTS="hostA,hostB" names real RDMA hosts
# (then up/down are no-ops and nodeK is the K-th host, reached over ssh;
# localhost runs locally). Optional: FABRICPERF_TEST_IPS="ipA,ipB" (RDMA-link
# addresses, default: the hosts' IPv4 from getent), FABRICPERF_TEST_DEVICE.

tb_real_mode() { [ -n "${FABRICPERF_TEST_HOSTS:-}" ]; }

tb_real_hosts() { echo "${FABRICPERF_TEST_HOSTS//,/ }"; }

tb_node_count() {
  if tb_real_mode; then set -- $(tb_real_hosts); echo $#; return; fi
  sed -n 's/^n=//p' "$TB_STATE/config" 2>/dev/null || echo 0
}

# tb_node_index nodeK -> K, validated against the node count
tb_node_index() {
  local k=${1#node} n
  [[ $1 == node* && $k =~ ^[1-9][0-9]*$ ]] || tb_die "bad node name '$1' (expected node1..nodeN)"
  n=$(tb_node_count)
  [ "$n" -gt 0 ] || tb_die "no cluster is up (run: fp-testbed up)"
  ((k <= n)) || tb_die "$1 does not exist (cluster has $n nodes)"
  echo "$k"
}

tb_real_host() { local h; h=($(tb_real_hosts)); echo "${h[$(($1 - 1))]}"; }

tb_is_local_host() {
  case $1 in localhost|127.*|::1|"$(hostname)"|"$(hostname -f 2>/dev/null)") return 0 ;; esac
  return 1
}

tb_node_ip() {   # K [RAIL] -> IPv4 on the RDMA link (rail 0 unless RAIL is given)
  local k=$1 rail=${2:-0} ips h
  if ! tb_real_mode; then echo "$(tb_rail_subnet "$rail").$k"; return; fi
  ((rail == 0)) || tb_die "real hosts: only rail 0's IP is known (FABRICPERF_TEST_IPS)"
  if [ -n "${FABRICPERF_TEST_IPS:-}" ]; then
    ips=(${FABRICPERF_TEST_IPS//,/ }); echo "${ips[$((k - 1))]}"; return
  fi
  h=$(tb_real_host "$k")
  getent ahostsv4 "$h" | awk '{print $1; exit}'
}

# tb_cmd_ip NODE [RAIL]: NODE's IPv4 on rail RAIL (default 0).
tb_cmd_ip() {
  local k rail=${2:-0} rails
  if [ $# -lt 1 ] || [ $# -gt 2 ]; then tb_usage_die "fp-testbed ip NODE [RAIL]"; fi
  [[ $rail =~ ^[0-9]+$ ]] || tb_usage_die "RAIL must be a number (got '$rail')"
  k=$(tb_node_index "$1") || exit 1
  if ! tb_real_mode; then
    rails=$(tb_recorded_rails)
    ((rail < rails)) || tb_die "$1 has no rail $rail (the cluster has $rails rail(s), numbered from 0)"
  fi
  tb_node_ip "$k" "$rail"
}
