# shellcheck shell=bash
# qemu.sh: start one guest (TCG; KVM here is kvm_pvm and cannot boot a stock
# kernel). State in $TB_STATE/nodeK/: qemu.pid, ssh.port, console.log.

# tb_qemu_start K N KVER INITRAMFS SSH_PORT LINK_NETDEV_OPTS
tb_qemu_start() {
  local k=$1 n=$2 kver=$3 initrd=$4 sshp=$5 link=$6
  local d=$TB_STATE/node$k mac
  mac=$(printf '%02x' "$k")
  mkdir -p "$d"
  rm -f "$d/qemu.pid" "$d/console.log" "$d/qmp.sock"
  date +%s > "$d/started"
  echo "$sshp" > "$d/ssh.port"
  local append="console=ttyS0 loglevel=4 printk.time=1 panic=-1 mitigations=off fp.node=$k fp.n=$n"
  local args=() s i=0
  while read -r s; do
    args+=(-virtfs "local,path=$s,mount_tag=share$i,security_model=none")
    append+=" fp.share=$s"
    i=$((i + 1))
  done < <(tb_shares)
  # fd 9 (the state lock) must not leak into the daemon
  qemu-system-x86_64 -name "fp-node$k" -nodefaults -no-user-config \
    -accel tcg,thread=multi -cpu max -smp 1 -m "$TB_MEM" \
    -display none -vga none -monitor none -qmp "unix:$d/qmp.sock,server=on,wait=off" -no-reboot \
    -serial "file:$d/console.log" \
    -kernel "$TB_CACHE/kernel/$kver/vmlinuz" -initrd "$initrd" -append "$append" \
    -netdev "$(tb_link_netdev "$link")" \
    -device "virtio-net-pci,netdev=link,mac=52:54:00:77:00:$mac,addr=0x4" \
    -netdev "user,id=mgmt,restrict=on,net=10.0.2.0/24,hostfwd=tcp:127.0.0.1:$sshp-10.0.2.15:22" \
    -device "virtio-net-pci,netdev=mgmt,mac=52:54:00:78:00:$mac,addr=0x5" \
    -virtfs "local,path=/usr,mount_tag=usr,security_model=none,readonly=on" \
    "${args[@]}" \
    -daemonize -pidfile "$d/qemu.pid" 9>&- </dev/null >"$d/qemu.out" 2>&1 ||
    { tb_msg "qemu for node$k failed to start: $(tail -n 3 "$d/qemu.out" | tr '\n' ' ')"; return 1; }
}

# tb_link_netdev "localaddr=127.0.0.1:A,udp=127.0.0.1:B": the -netdev of the RDMA link, a UDP
# socket from port A to port B on 127.0.0.1, as qemu's legacy `socket` backend (default) or
# its newer `dgram` backend (FABRICPERF_TESTBED_NETDEV=dgram; qemu >= 7.2), for comparisons.
tb_link_netdev() {
  local a b
  a=$(sed -n 's/^localaddr=127.0.0.1:\([0-9]*\),.*/\1/p' <<<"$1")
  b=$(sed -n 's/.*,udp=127.0.0.1:\([0-9]*\)$/\1/p' <<<"$1")
  case $TB_NETDEV in
    socket) echo "socket,id=$TB_LINK_NETDEV,$1" ;;
    dgram) echo "dgram,id=$TB_LINK_NETDEV,local.type=inet,local.host=127.0.0.1,local.port=$a,remote.type=inet,remote.host=127.0.0.1,remote.port=$b" ;;
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
