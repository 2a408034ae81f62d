# shellcheck shell=bash
# qemu.sh: start one guest (TCG; KVM here is kvm_pvm and cannot boot a stock
# kernel). State in $TB_STATE/nodeK/: qemu.pid, ssh.port, console.log.

# tb_qemu_start K N KVER INITRAMFS SSH_PORT RAIL0_LINK [RAIL1_LINK...]: one RDMA NIC per rail
# link (UDP socket options, see rails.sh); $TB_NUMA NUMA nodes.
tb_qemu_start() {
  local k=$1 n=$2 kver=$3 initrd=$4 sshp=$5
  shift 5
  local d=$TB_STATE/node$k mac
  mac=$(printf '%02x' "$k")
  mkdir -p "$d"
  rm -f "$d/qemu.pid" "$d/console.log" "$d/qmp.sock"
  date +%s > "$d/started"
  echo "$sshp" > "$d/ssh.port"
  local append="console=ttyS0 loglevel=4 printk.time=1 panic=-1 mitigations=off fp.node=$k fp.n=$n fp.rails=$#"
  local args=() s i=0
  while read -r s; do
    args+=(-virtfs "local,path=$s,mount_tag=share$i,security_model=none")
    append+=" fp.share=$s"
    i=$((i + 1))
  done < <(tb_shares)
  local -a machine rails
  mapfile -t machine < <(tb_qemu_numa_args "$TB_NUMA")
  mapfile -t rails < <(tb_qemu_rail_args "$k" "$TB_NUMA" "$@")
  # fd 9 (the state lock) must not leak into the daemon
  qemu-system-x86_64 -name "fp-node$k" -nodefaults -no-user-config \
    -accel tcg,thread=multi -cpu max "${machine[@]}" \
    -display none -vga none -monitor none -qmp "unix:$d/qmp.sock,server=on,wait=off" -no-reboot \
    -serial "file:$d/console.log" \
    -kernel "$TB_CACHE/kernel/$kver/vmlinuz" -initrd "$initrd" -append "$append" \
    -netdev "user,id=mgmt,restrict=on,net=10.0.2.0/24,hostfwd=tcp:127.0.0.1:$sshp-10.0.2.15:22" \
    -device "virtio-net-pci,netdev=mgmt,mac=52:54:00:78:00:$mac,addr=0x5" \
    -virtfs "local,path=/usr,mount_tag=usr,security_model=none,readonly=on" \
    "${args[@]}" "${rails[@]}" \
    -daemonize -pidfile "$d/qemu.pid" 9>&- </dev/null >"$d/qemu.out" 2>&1 ||
    { tb_msg "qemu for node$k failed to start: $(tail -n 3 "$d/qemu.out" | tr '\n' ' ')"; return 1; }
}

# tb_qemu_numa_args M: CPUs and memory, one per line. One NUMA node: 1 vCPU (as always). M nodes:
# M vCPUs, one socket with one CPU and $TB_MEM/M MiB per node.
tb_qemu_numa_args() {
  local m=$1 i
  if ((m == 1)); then printf '%s\n' -smp 1 -m "$TB_MEM"; return; fi
  printf '%s\n' -smp "$m,sockets=$m,cores=1,threads=1" -m "$((TB_MEM / m * m))"
  for ((i = 0; i < m; i++)); do
    printf '%s\n' -object "memory-backend-ram,id=mem$i,size=$((TB_MEM / m))M" \
      -numa "node,nodeid=$i,cpus=$i,memdev=mem$i"
  done
}

# tb_qemu_rail_args K M LINK...: the devices of the rails, one argument per line, placed last on
# qemu's command line (a PCI device given without bus= would otherwise land behind an expander).
# Each rail's NIC: MAC 52:54:00:77:RR:KK names rail RR to the guest's init. One NUMA node: rail
# 0's NIC in slot 4 of the main bus (as always; management in 5), rail R>0 in slot 16+R. M NUMA
# nodes: PCI expander bridge numaI (bus 32*(I+1)), whose root bus carries _PXM I, with a PCI
# bridge numaI.br behind it (an expander takes only bridges); NIC R sits on numa{R mod M}.br, so
# its sysfs numa_node is R mod M.
tb_qemu_rail_args() {
  local k=$1 m=$2 r=0 i link where
  shift 2
  if ((m > 1)); then
    for ((i = 0; i < m; i++)); do
      printf '%s\n' -device "pxb,id=numa$i,bus=pci.0,bus_nr=$((32 * (i + 1))),numa_node=$i" \
        -device "pci-bridge,id=numa$i.br,bus=numa$i,addr=0x0,chassis_nr=$((i + 1)),shpc=off"
    done
  fi
  for link in "$@"; do
    if ((m == 1)); then where=$(printf 'addr=0x%x' $((r == 0 ? 4 : 16 + r)))
    else where=$(printf 'bus=numa%d.br,addr=0x%x' $((r % m)) $((1 + r / m))); fi
    printf '%s\n' -netdev "$(tb_link_netdev "$(tb_rail_netdev "$r")" "$link")" \
      -device "$(printf 'virtio-net-pci,netdev=%s,mac=52:54:00:77:%02x:%02x,%s' "$(tb_rail_netdev "$r")" "$r" "$k" "$where")"
    r=$((r + 1))
  done
}

# tb_link_netdev ID "localaddr=127.0.0.1:A,udp=127.0.0.1:B": the -netdev of one RDMA link, a UDP
# socket from port A to port B on 127.0.0.1, as qemu's legacy `socket` backend (default) or
# its newer `dgram` backend (FABRICPERF_TESTBED_NETDEV=dgram; qemu >= 7.2), for comparisons.
tb_link_netdev() {
  local id=$1 a b
  a=$(sed -n 's/^localaddr=127.0.0.1:\([0-9]*\),.*/\1/p' <<<"$2")
  b=$(sed -n 's/.*,udp=127.0.0.1:\([0-9]*\)$/\1/p' <<<"$2")
  case $TB_NETDEV in
    socket) echo "socket,id=$id,$2" ;;
    dgram) echo "dgram,id=$id,local.type=inet,local.host=127.0.0.1,local.port=$a,remote.type=inet,remote.host=127.0.0.1,remote.port=$b" ;;
    *) tb_die "FABRICPERF_TESTBED_NETDEV must be socket or dgram (got '$TB_NETDEV')" ;;
  esac
}

tb_qemu_pid() {   # prints the pid if that node's qemu is alive
  local f=$TB_STATE/node$1/qemu.pid pid
  pid=$(cat "$f" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
    grep -q qemu-system "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

tb_qemu_stop() {   # K...: TERM all, then KILL those left after 5 s
  local k pid pids=()
  for k in "$@"; do
    pid=$(tb_qemu_pid "$k") && { kill "$pid" 2>/dev/null; pids+=("$pid"); }
  done
  for _ in $(seq 50); do
    for k in "${!pids[@]}"; do kill -0 "${pids[$k]}" 2>/dev/null || unset "pids[$k]"; done
    [ ${#pids[@]} -eq 0 ] && return 0
    sleep 0.1
  done
  kill -9 "${pids[@]}" 2>/dev/null
}
