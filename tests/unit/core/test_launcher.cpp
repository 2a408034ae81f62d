// Launcher detection from real launchers' variable sets (copied from the environment each
// launcher gives its ranks), injected so no test touches the process environment.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "fabricperf/error.hpp"
#include "fabricperf/launcher.hpp"

using fabricperf::detect_launcher;
using fabricperf::EnvReader;
using fabricperf::UsageError;

namespace {
EnvReader env_of(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    const auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

void expect_info(const std::map<std::string, std::string>& vars, const char* launcher, int rank, int size,
                 std::optional<int> local) {
  const auto info = detect_launcher(env_of(vars));
  ASSERT_TRUE(info.has_value()) << launcher;
  EXPECT_EQ(info->launcher, launcher);
  EXPECT_EQ(info->rank, rank) << launcher;
  EXPECT_EQ(info->size, size) << launcher;
  EXPECT_EQ(info->local_rank, local) << launcher;
}

void expect_usage_error(const std::map<std::string, std::string>& vars, const std::string& names) {
  try {
    (void)detect_launcher(env_of(vars));
    ADD_FAILURE() << "no error for " << names;
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find(names), std::string::npos) << e.what();
  }
}
}  // namespace

TEST(Launcher, OpenMpi) {
  expect_info({{"OMPI_COMM_WORLD_RANK", "3"},
               {"OMPI_COMM_WORLD_SIZE", "4"},
               {"OMPI_COMM_WORLD_LOCAL_RANK", "1"},
               {"OMPI_COMM_WORLD_LOCAL_SIZE", "2"},
               {"PMIX_RANK", "3"}},
              "openmpi", 3, 4, 1);
}

TEST(Launcher, MpichHydra) {
  expect_info({{"PMI_RANK", "1"}, {"PMI_SIZE", "2"}, {"MPI_LOCALRANKID", "0"}, {"MPI_LOCALNRANKS", "1"}}, "mpich", 1, 2,
              0);
}

TEST(Launcher, MvapichAndSrunPmi2) {
  expect_info({{"MV2_COMM_WORLD_RANK", "5"}, {"MV2_COMM_WORLD_SIZE", "8"}, {"MV2_COMM_WORLD_LOCAL_RANK", "1"}},
              "mvapich", 5, 8, 1);
  // srun --mpi=pmi2 gives PMI_RANK/PMI_SIZE; the local rank comes from Slurm.
  expect_info({{"PMI_RANK", "2"}, {"PMI_SIZE", "4"}, {"SLURM_PROCID", "2"}, {"SLURM_LOCALID", "0"}}, "mpich", 2, 4, 0);
}

TEST(Launcher, PmixUnderSrunTakesSlurmsSize) {
  expect_info({{"PMIX_RANK", "1"},
               {"PMIX_NAMESPACE", "slurm.pmix.42.0"},
               {"SLURM_PROCID", "1"},
               {"SLURM_STEP_ID", "0"},
               {"SLURM_STEP_NUM_TASKS", "2"},
               {"SLURM_NTASKS", "8"},
               {"SLURM_LOCALID", "1"}},
              "pmix", 1, 2, 1);
  // PMIx outside Slurm without a size variable: launched, size unknown.
  expect_info({{"PMIX_RANK", "0"}}, "pmix", 0, 0, std::nullopt);
}

TEST(Launcher, SlurmCountsOnlyInAnSrunStepOfSeveralTasks) {
  expect_info({{"SLURM_PROCID", "1"}, {"SLURM_STEP_ID", "0"}, {"SLURM_STEP_NUM_TASKS", "2"}, {"SLURM_LOCALID", "0"}},
              "slurm", 1, 2, 0);
  // A batch script: SLURM_PROCID and SLURM_NTASKS, but no step.
  EXPECT_FALSE(detect_launcher(env_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "4"}, {"SLURM_JOB_ID", "42"}})));
  // `srun -n1 fp_bw` (a server): a one-task step is not a job of ranks.
  EXPECT_FALSE(detect_launcher(
      env_of({{"SLURM_PROCID", "0"}, {"SLURM_STEP_ID", "3"}, {"SLURM_STEP_NUM_TASKS", "1"}, {"SLURM_NTASKS", "1"}})));
}

TEST(Launcher, NoneWithoutARankVariable) {
  EXPECT_FALSE(detect_launcher(env_of({})));
  EXPECT_FALSE(detect_launcher(env_of({{"OMPI_COMM_WORLD_SIZE", "2"}, {"SLURM_LOCALID", "0"}})));
  EXPECT_FALSE(detect_launcher(env_of({{"OMPI_COMM_WORLD_RANK", ""}})));
}

TEST(Launcher, MalformedValuesNameTheVariable) {
  expect_usage_error({{"OMPI_COMM_WORLD_RANK", "one"}, {"OMPI_COMM_WORLD_SIZE", "2"}}, "OMPI_COMM_WORLD_RANK='one'");
  expect_usage_error({{"PMI_RANK", "1"}, {"PMI_SIZE", "2x"}}, "PMI_SIZE='2x'");
  expect_usage_error({{"PMI_RANK", "-1"}, {"PMI_SIZE", "2"}}, "PMI_RANK=-1 is out of range");
  expect_usage_error({{"PMI_RANK", "99999999999999999999"}}, "PMI_RANK='99999999999999999999'");
  expect_usage_error({{"OMPI_COMM_WORLD_RANK", "2"}, {"OMPI_COMM_WORLD_SIZE", "2"}},
                     "OMPI_COMM_WORLD_RANK=2 is not below the job size OMPI_COMM_WORLD_SIZE=2");
  expect_usage_error({{"PMI_RANK", "0"}, {"PMI_SIZE", "0"}}, "PMI_SIZE=0");
  expect_usage_error(
      {{"OMPI_COMM_WORLD_RANK", "0"}, {"OMPI_COMM_WORLD_SIZE", "2"}, {"OMPI_COMM_WORLD_LOCAL_RANK", "7"}},
      "OMPI_COMM_WORLD_LOCAL_RANK=7");
}
