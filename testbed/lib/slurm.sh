# shellcheck shell=bash
# slurm.sh: `srun [srun options] -- PROG ARGS` and `slurm up|status`: Debian's Slurm
# (slurmctld on node1, slurmd on every node, munge for authentication) inside the
# guests, started on first use, so a cluster that never runs srun boots no faster
# or slower than before. The guests run the host's /usr, so the packages come from
# scripts/setup.sh; /etc (with munge's key and users) is the host's copy.
# The jobs' MPI goes through PMIx (`MpiDefault=pmix`: Debian's Slurm has mpi_pmix),
# with OpenMPI's TCP traffic on eth0 as under `fp-testbed mpirun`.
# tb_cmd_run exits (it is a verb): call it in a subshell unless it is the last step.

tb_slurm_conf() {   # N CPUS -> slurm.conf text
  local n=$1 cpus=$2
  cat <<CONF
# Written by fp-testbed (testbed/lib/slurm.sh) for the virtual cluster.
ClusterName=fabricperf
SlurmctldHost=node1
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=pmix
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
MessageTimeout=30
KillWait=5
InactiveLimit=0
NodeName=node[1-$n] CPUs=$cpus State=UNKNOWN
PartitionName=fabricperf Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
}

# The guest-side start script: config, spool folders, munged, then the daemons.
tb_slurm_start_script() {   # K N CPUS
  local k=$1 n=$2 cpus=$3
  local conf
  conf=$(tb_slurm_conf "$n" "$cpus")
  cat <<SCRIPT
set -e
mkdir -p /etc/slurm /var/spool/slurmd /var/spool/slurmctld /var/log/slurm /run/munge /var/lib/munge /var/log/munge
cat > /etc/slurm/slurm.conf <<'CONF'
$conf
CONF
# munged runs as root: the host's /usr is a 9p mount that only root may read (access=client),
# and munged wants every folder above its socket searchable by all.
chmod 0755 /
chown -R root:root /etc/munge /run/munge /var/lib/munge /var/log/munge
chmod 0755 /run/munge
pgrep -x munged >/dev/null || /usr/sbin/munged
# slurmd always initializes a cgroup plugin (22.05): give it cgroup v2, outside systemd.
mkdir -p /sys/fs/cgroup
grep -q ' /sys/fs/cgroup ' /proc/mounts || mount -t cgroup2 none /sys/fs/cgroup
printf 'CgroupPlugin=cgroup/v2\nIgnoreSystemd=yes\n' > /etc/slurm/cgroup.conf
echo '+cpuset +cpu +memory +pids' > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
mkdir -p /sys/fs/cgroup/system.slice
echo '+cpuset +cpu +memory +pids' > /sys/fs/cgroup/system.slice/cgroup.subtree_control 2>/dev/null || true
if [ $k -eq 1 ]; then pgrep -x slurmctld >/dev/null || slurmctld; fi
pgrep -x slurmd >/dev/null || slurmd
SCRIPT
}

tb_slurm_ready() {   # N -> 0 when sinfo shows N responding nodes (idle, mixed or allocated)
  local n=$1 up
  up=$(tb_cmd_run node1 --timeout 20 -- sinfo -h -N -o '%N %T' 2>/dev/null |
       grep -cE ' (idle|mixed|allocated|completing)$') || true
  [ "${up:-0}" -eq "$n" ]
}

tb_cmd_slurm() {
  local what=${1:-up} n k cpus deadline
  tb_real_mode && tb_die "slurm: on real hosts use the cluster's own Slurm (srun directly)"
  n=$(tb_node_count)
  [ "$n" -gt 0 ] || tb_die "no cluster is up (run: fp-testbed up)"
  case $what in
    status)
      tb_cmd_run node1 --timeout 20 -- sinfo -N -o '%N %T %c'
      return ;;
    up) ;;
    *) tb_die "usage: fp-testbed slurm [up|status]" ;;
  esac
  if tb_slurm_ready "$n"; then return 0; fi
  command -v slurmd >/dev/null && command -v munged >/dev/null ||
    tb_die "slurm: slurmd/munged are not installed on the host (run scripts/setup.sh; the guests use the host's /usr)"
  cpus=$(tb_cmd_run node1 --timeout 20 -- nproc) || tb_die "slurm: node1 does not answer"
  for ((k = 1; k <= n; k++)); do
    (tb_cmd_run "node$k" --timeout 60 -- sh -c "$(tb_slurm_start_script "$k" "$n" "$cpus")") ||
      tb_die "slurm: could not start munged/slurmd on node$k (logs: /var/log/slurm, /var/log/munge in the guest)"
  done
  deadline=$((SECONDS + ${FABRICPERF_TESTBED_SLURM_TIMEOUT:-120}))
  until tb_slurm_ready "$n"; do
    ((SECONDS < deadline)) || {
      (tb_cmd_run node1 --timeout 20 -- sinfo -N -o '%N %T %E') >&2 || true
      tb_die "slurm: not all $n nodes answered slurmctld within ${FABRICPERF_TESTBED_SLURM_TIMEOUT:-120} s"
    }
    sleep 2
  done
}

tb_cmd_srun() {
  local opts=()
  if [[ " $* " == *" -- "* ]]; then
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
  fi
  [ $# -gt 0 ] || tb_die "usage: fp-testbed srun [srun options] -- PROG ARGS..."
  if tb_real_mode; then
    srun "${opts[@]}" "$@"
    return
  fi
  (tb_cmd_slurm up) || exit
  tb_cmd_run node1 -- env OMPI_MCA_btl=self,vader,tcp OMPI_MCA_pml=ob1 \
    OMPI_MCA_btl_tcp_if_include=eth0 OMPI_MCA_oob_tcp_if_include=eth0 \
    srun "${opts[@]}" "$@"
}
