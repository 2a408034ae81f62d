#!/.fp/busybox sh
# Guest /init (PID 1, busybox sh). Boots a testbed node from the initramfs:
# modules, host /usr over 9p (read-only), shared folders (read-write, same
# path), ethR = RDMA rail R (10.77.R.K, MTU 9000) with rxeR for R < fp.rails (default 1),
# eth<rails> = management (qemu user-net, ssh forwarded from the host), sshd. Prints FP-READY or
# FP-ERROR on the console, then becomes busybox init (reaps orphans).
# Busybox applets win over PATH here: host tools are called by full path.
B=/.fp/busybox
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

fail() { echo "FP-ERROR: $*"; exec $B init; }

$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev
$B mkdir -p /dev/pts /dev/shm
$B mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
$B mount -t tmpfs -o mode=1777 tmpfs /dev/shm
$B mount -t tmpfs -o mode=755 tmpfs /run
$B mount -t tmpfs -o mode=1777 tmpfs /tmp

node=; n=; shares=; rails=1
for arg in $($B cat /proc/cmdline); do
  case $arg in
    fp.node=*) node=${arg#fp.node=} ;;
    fp.n=*) n=${arg#fp.n=} ;;
    fp.rails=*) rails=${arg#fp.rails=} ;;
    fp.share=*) shares="$shares ${arg#fp.share=}" ;;
  esac
done
[ -n "$node" ] && [ -n "$n" ] || fail "no fp.node/fp.n on the kernel command line"

for m in $($B cat /.fp/modules.order); do
  $B insmod /.fp/modules/$m || fail "insmod $m"
done

echo "fp-init: modules loaded (uptime $($B cut -d" " -f1 /proc/uptime))"
opts=trans=virtio,version=9p2000.L,msize=512000
$B mount -t 9p -o $opts,cache=loose,ro usr /usr || fail "mount host /usr over 9p"
i=0
for s in $shares; do
  $B mkdir -p "$s"
  $B mount -t 9p -o $opts,cache=mmap share$i "$s" || fail "mount share$i at $s"
  i=$((i + 1))
done

echo "fp-init: /usr and shares mounted (uptime $($B cut -d" " -f1 /proc/uptime))"
$B hostname node$node
echo node$node > /etc/hostname
{
  echo "127.0.0.1 localhost"
  k=1
  while [ $k -le $n ]; do
    echo "10.77.0.$k node$k"
    r=1
    while [ $r -lt $rails ]; do echo "10.77.$r.$k node$k-rail$r"; r=$((r + 1)); done
    k=$((k + 1))
  done
} > /etc/hosts
$B mkdir -p /etc/fabricperf
k=1; : > /etc/fabricperf/hostfile
while [ $k -le $n ]; do echo "node$k slots=1" >> /etc/fabricperf/hostfile; k=$((k + 1)); done

# NICs by MAC: 52:54:00:77:RR:* = RDMA rail RR -> ethRR, 52:54:00:78:* = mgmt -> eth<rails>.
for d in /sys/class/net/eth*; do
  mac=$($B cat $d/address)
  case $mac in
    52:54:00:77:*) rr=$(echo $mac | $B cut -d: -f5)
                   /usr/sbin/ip link set ${d##*/} name fprail$((0x$rr)) ;;
    52:54:00:78:*) /usr/sbin/ip link set ${d##*/} name fpmgmt ;;
  esac
done
mgmt=eth$rails
/usr/sbin/ip link set fpmgmt name $mgmt || fail "no management NIC"
/usr/sbin/ip link set lo up
$B sysctl -qw net.ipv6.conf.$mgmt.disable_ipv6=1
/usr/sbin/ip link set $mgmt up
/usr/sbin/ip addr add 10.0.2.15/24 dev $mgmt     # no default route: nothing leaves
r=0
while [ $r -lt $rails ]; do
  /usr/sbin/ip link set fprail$r name eth$r || fail "no NIC for RDMA rail $r"
  $B sysctl -qw net.ipv6.conf.eth$r.accept_dad=0
  /usr/sbin/ip link set eth$r mtu 9000 up
  /usr/sbin/ip addr add 10.77.$r.$node/24 dev eth$r
  /usr/bin/rdma link add rxe$r type rxe netdev eth$r || fail "rdma link add rxe$r"
  r=$((r + 1))
done

echo "fp-init: rxe0..rxe$((rails - 1)) added on eth0..eth$((rails - 1)) (uptime $($B cut -d" " -f1 /proc/uptime))"
ulimit -l unlimited
$B mkdir -p /run/sshd /root/.ssh
$B chmod 700 /root/.ssh
$B cp /.fp/ssh/client_config /root/.ssh/config
/usr/sbin/sshd -f /.fp/ssh/sshd_config -E /run/sshd.log || fail "sshd did not start"

t=0
r=0
while [ $r -lt $rails ]; do
  gid1=/sys/class/infiniband/rxe$r/ports/1/gids/1
  until /usr/bin/rdma link show rxe$r/1 2>/dev/null | $B grep -q 'state ACTIVE' &&
        ! $B grep -q '^0000:0000:0000:0000:0000:0000:0000:0000$' $gid1 2>/dev/null &&
        [ -e $gid1 ]; do
    t=$((t + 1)); [ $t -gt 300 ] && fail "rxe$r not ACTIVE with GID 1 after 30 s"
    $B usleep 100000
  done
  r=$((r + 1))
done

echo "FP-READY node$node (uptime $($B cut -d" " -f1 /proc/uptime)) $(/usr/bin/rdma link show rxe0/1)"
exec $B init
