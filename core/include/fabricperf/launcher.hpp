#pragma once
// Which parallel launcher started this process, and this process's place in the job: the one
// place that knows every launcher's environment variables. Each launcher is recognised by its
// rank variable and read only from its own variables (first match in this order):
//   OpenMPI (mpirun/prterun): OMPI_COMM_WORLD_RANK, OMPI_COMM_WORLD_SIZE, OMPI_COMM_WORLD_LOCAL_RANK
//   MVAPICH:                  MV2_COMM_WORLD_RANK, MV2_COMM_WORLD_SIZE, MV2_COMM_WORLD_LOCAL_RANK
//   MPICH/Hydra, Intel MPI, srun --mpi=pmi2: PMI_RANK, PMI_SIZE, MPI_LOCALRANKID (or PMI_LOCAL_RANK)
//   PMIx (srun --mpi=pmix):   PMIX_RANK; size from PMIX_SIZE, else the Slurm step's task count
//   Slurm without PMI:        SLURM_PROCID, SLURM_STEP_NUM_TASKS (else SLURM_NTASKS), SLURM_LOCALID
// The local rank falls back to SLURM_LOCALID for the PMI/PMIx launchers started by srun.
//
// Slurm alone counts as "launched as a rank of a parallel job" only inside an srun step
// (SLURM_STEP_ID set) of two or more tasks: SLURM_PROCID is also set in a batch script and in a
// one-task step (a server started with `srun -n1`), where the process is not part of a job of
// ranks and must use the TCP exchange.
#include <functional>
#include <optional>
#include <string>

namespace fabricperf {

// Looks up one environment variable; nullptr when unset. Injected so tests use real variable sets.
using EnvReader = std::function<const char*(const char*)>;
[[nodiscard]] EnvReader process_env();

struct LauncherInfo {
  std::string launcher;  // "openmpi" | "mvapich" | "mpich" | "pmix" | "slurm"
  int rank = 0;
  int size = 0;                   // world size; 0 when the launcher does not say (PMIx outside Slurm)
  std::optional<int> local_rank;  // rank among the job's processes on this node, when known
};

// nullopt when no launcher started this process as a rank of a parallel job. Throws UsageError
// naming the variable when a value is not a number or out of range (negative, rank >= size).
[[nodiscard]] std::optional<LauncherInfo> detect_launcher(const EnvReader& env);
[[nodiscard]] std::optional<LauncherInfo> detect_launcher();  // this process's environment

// True when this process was started as a rank by mpirun/mpiexec/srun (detect_launcher() has a value).
[[nodiscard]] bool launched_by_mpi_launcher();

}  // namespace fabricperf
