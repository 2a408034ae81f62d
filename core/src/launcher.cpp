#include "fabricperf/launcher.hpp"

#include <array>
#include <cerrno>
#include <cstdlib>

#include "fabricperf/error.hpp"

namespace fabricperf {
namespace {

constexpr long kMaxRanks = 1L << 24;

// One launcher's variables: rank (recognises the launcher), then size and local rank candidates.
struct LauncherVars {
  const char* name;
  const char* rank;
  std::array<const char*, 3> size;
  std::array<const char*, 3> local_rank;
};

constexpr std::array<LauncherVars, 5> kLaunchers{{
    {"openmpi", "OMPI_COMM_WORLD_RANK", {"OMPI_COMM_WORLD_SIZE"}, {"OMPI_COMM_WORLD_LOCAL_RANK"}},
    {"mvapich", "MV2_COMM_WORLD_RANK", {"MV2_COMM_WORLD_SIZE"}, {"MV2_COMM_WORLD_LOCAL_RANK"}},
    {"mpich", "PMI_RANK", {"PMI_SIZE"}, {"MPI_LOCALRANKID", "PMI_LOCAL_RANK", "SLURM_LOCALID"}},
    {"pmix", "PMIX_RANK", {"PMIX_SIZE", "SLURM_STEP_NUM_TASKS", "SLURM_NTASKS"}, {"SLURM_LOCALID"}},
    {"slurm", "SLURM_PROCID", {"SLURM_STEP_NUM_TASKS", "SLURM_NTASKS"}, {"SLURM_LOCALID"}},
}};

// The variable's value as a number in [0, kMaxRanks]; nullopt when unset or empty.
std::optional<int> read_number(const EnvReader& env, const char* var) {
  const char* text = env(var);
  if (text == nullptr || *text == '\0') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || errno != 0)
    throw UsageError(std::string("launcher variable ") + var + "='" + text + "' is not a number");
  if (value < 0 || value > kMaxRanks)
    throw UsageError(std::string("launcher variable ") + var + "=" + text + " is out of range (0.." +
                     std::to_string(kMaxRanks) + ")");
  return static_cast<int>(value);
}

// The first of `vars` that is set, with the name of the one that was.
std::pair<std::optional<int>, const char*> first_set(const EnvReader& env, const std::array<const char*, 3>& vars) {
  for (const char* var : vars) {
    if (var == nullptr) break;
    if (auto value = read_number(env, var)) return {value, var};
  }
  return {std::nullopt, nullptr};
}

// Slurm without PMI: only an srun step of two or more tasks is a job of ranks (see the header).
bool slurm_parallel_step(const EnvReader& env, int size) {
  const char* step = env("SLURM_STEP_ID");
  if (step == nullptr) step = env("SLURM_STEPID");
  return step != nullptr && *step != '\0' && size >= 2;
}

LauncherInfo read_launcher(const EnvReader& env, const LauncherVars& vars, int rank) {
  LauncherInfo info;
  info.launcher = vars.name;
  info.rank = rank;
  const auto [size, size_var] = first_set(env, vars.size);
  if (size) {
    if (*size < 1) throw UsageError(std::string("launcher variable ") + size_var + "=0: a job has at least one rank");
    if (rank >= *size)
      throw UsageError(std::string("launcher variable ") + vars.rank + "=" + std::to_string(rank) +
                       " is not below the job size " + size_var + "=" + std::to_string(*size));
    info.size = *size;
  }
  const auto [local, local_var] = first_set(env, vars.local_rank);
  if (local && info.size > 0 && *local >= info.size)
    throw UsageError(std::string("launcher variable ") + local_var + "=" + std::to_string(*local) +
                     " is not below the job size " + std::to_string(info.size));
  info.local_rank = local;
  return info;
}

}  // namespace

EnvReader process_env() {
  return [](const char* name) { return std::getenv(name); };
}

std::optional<LauncherInfo> detect_launcher(const EnvReader& env) {
  for (const auto& vars : kLaunchers) {
    const auto rank = read_number(env, vars.rank);
    if (!rank) continue;
    LauncherInfo info = read_launcher(env, vars, *rank);
    if (info.launcher == "slurm" && !slurm_parallel_step(env, info.size)) return std::nullopt;
    return info;
  }
  return std::nullopt;
}

std::optional<LauncherInfo> detect_launcher() {
  return detect_launcher(process_env());
}

bool launched_by_mpi_launcher() {
  return detect_launcher().has_value();
}

}  // namespace fabricperf
