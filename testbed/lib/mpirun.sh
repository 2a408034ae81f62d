# shellcheck shell=bash
# mpirun.sh: `mpirun [mpirun options] -- PROG ARGS`: OpenMPI's mpirun on node1
# across all nodes, one slot per node unless -np etc. say otherwise. MPI's own
# traffic goes over TCP on eth0 (Debian's OpenMPI cannot do RDMA on rxe); the
# program does its own RDMA.

tb_cmd_mpirun() {
  local opts=() n
  if [[ " $* " == *" -- "* ]]; then
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
  fi
  [ $# -gt 0 ] || tb_die "usage: fp-testbed mpirun [mpirun options] -- PROG ARGS..."
  # shellcheck disable=SC2054
  local base=(mpirun --allow-run-as-root --mca btl self,vader,tcp --mca pml ob1)
  if tb_real_mode; then
    if [ -n "${FABRICPERF_TEST_MPI_IF:-}" ]; then
      base+=(--mca btl_tcp_if_include "$FABRICPERF_TEST_MPI_IF"
             --mca oob_tcp_if_include "$FABRICPERF_TEST_MPI_IF")
    fi
    base+=(--host "$FABRICPERF_TEST_HOSTS")
  else
    n=$(tb_node_count)
    [ "$n" -gt 0 ] || tb_die "no cluster is up (run: fp-testbed up)"
    base+=(--mca btl_tcp_if_include eth0 --mca oob_tcp_if_include eth0
           --hostfile /etc/fabricperf/hostfile)
  fi
  tb_cmd_run node1 -- "${base[@]}" "${opts[@]}" "$@"
}
