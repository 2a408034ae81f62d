#!/.fp/busybox sh
# Guest /init (PID 1, busybox sh). Boots a testbed node from the initramfs:
# modules, host /usr over 9p (read-only), shared folders (read-write, same
# path), eth0 = RDMA link (10.77.0.K, MTU 9000) with rxe0, eth1 = management
# (qemu user-net, ssh forwarded from the host), sshd. Prints FP-READY or
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

node=; n=; shares=
for arg in $($B cat /proc/cmdline); do
  case $arg in
    fp.node=*) node=${arg#fp.node=} ;;
    fp.n=*) n=${arg#fp.n=} ;;
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
  while [ $k -le $n ]; do echo "10.77.0.$k node$k"; k=$((k + 1)); done
} > /etc/hosts
$B mkdir -p /etc/fabricperf
k=1; : > /etc/fabricperf/hostfile
while [ $k -le $n ]; do echo "node$k slots=1" >> /etc/fabricperf/hostfile; k=$((k + 1)); done

# NICs by MAC: 52:54:00:77:* = RDMA link -> eth0, 52:54:00:78:* = mgmt -> eth1.
for d in /sys/class/net/eth*; do
  case $($B cat $d/address) in
    52:54:00:77:*) /usr/sbin/ip link set ${d##*/} name fplink ;;
    52:54:00:78:*) /usr/sbin/ip link set ${d##*/} name fpmgmt ;;
  esac
done
/usr/sbin/ip link set fplink name eth0 || fail "no RDMA link NIC"
/usr/sbin/ip link set fpmgmt name eth1 || fail "no management NIC"
/usr/sbin/ip link set lo up
$B sysctl -qw net.ipv6.conf.eth0.accept_dad=0 net.ipv6.conf.eth1.disable_ipv6=1
/usr/sbin/ip link set eth0 mtu 9000 up
/usr/sbin/ip addr add 10.77.0.$node/24 dev eth0
/usr/sbin/ip link set eth1 up
/usr/sbin/ip addr add 10.0.2.15/24 dev eth1     # no default route: nothing leaves

/usr/bin/rdma link add rxe0 type rxe netdev eth0 || fail "rdma link add rxe0"

echo "fp-init: rxe0 added on eth0 (uptime $($B cut -d" " -f1 /proc/uptime))"
ulimit -l unlimited
$B mkdir -p /run/sshd /root/.ssh
$B chmod 700 /root/.ssh
$B cp /.fp/ssh/client_config /root/.ssh/config
/usr/sbin/sshd -f /.fp/ssh/sshd_config -E /run/sshd.log || fail "sshd did not start"

gid1=/sys/class/infiniband/rxe0/ports/1/gids/1
t=0
until /usr/bin/rdma link show rxe0/1 2>/dev/null | $B grep -q 'state ACTIVE' &&
      ! $B grep -q '^0000:0000:0000:0000:0000:0000:0000:0000$' $gid1 2>/dev/null &&
      [ -e $gid1 ]; do
  t=$((t + 1)); [ $t -gt 300 ] && fail "rxe0 not ACTIVE with GID 1 after 30 s"
  $B usleep 100000
done

echo "FP-READY node$node (uptime $($B cut -d" " -f1 /proc/uptime)) $(/usr/bin/rdma link show rxe0/1)"
exec $B init
