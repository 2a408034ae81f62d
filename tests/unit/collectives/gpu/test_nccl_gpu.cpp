// NCCL backend on a real GPU (label "gpu"): every collective, datatype and op with one rank and
// checked results, the aggregated and blocking loops, and the CUDA graph path. Skips cleanly
// without a CUDA device. For several GPUs run fp_coll under mpirun (bench/coll_vs_nccl_tests).
#include <gtest/gtest.h>

#include "fabricperf/bootstrap.hpp"
#include "fabricperf/collectives/harness.hpp"
#include "fabricperf/collectives/nccl_backend.hpp"
#include "fabricperf/run_output.hpp"

using namespace fabricperf;
using namespace fabricperf::collectives;

namespace {

struct Fixture {
  std::unique_ptr<Bootstrap> bootstrap = make_single_process_bootstrap();
  NullProbe probe;
  Watchdog watchdog{std::chrono::seconds(60), nullptr, &probe};
  std::unique_ptr<Backend> backend;
  RunOutput out{"fp_coll", {"test_collectives_gpu"}, "", false};

  Fixture() {
    NcclBackendConfig config;
    config.no_nic_pinning = true;
    backend = make_nccl_backend(config, *bootstrap, watchdog);
  }

  // Runs the harness; returns the results array.
  nlohmann::json run(BenchConfig config) {
    Harness harness(std::move(config), *bootstrap, *backend, watchdog, out.human());
    const nlohmann::json rows = harness.run().rows;
    EXPECT_EQ(harness.wrong_total(), 0);
    return rows;
  }
};

void expect_all_checked_correct(const nlohmann::json& results) {
  ASSERT_FALSE(results.empty());
  for (const auto& r : results) {
    EXPECT_GT(r["time_us"].get<double>(), 0.0) << r.dump();
    if (r["in_place"].get<bool>() && (r["coll"] == "alltoall" || r["coll"] == "sendrecv")) {
      EXPECT_EQ(r["wrong"], -1) << "in-place alltoall/sendrecv is not checked on NCCL (as nccl-tests)";
    } else {
      EXPECT_EQ(r["wrong"], 0) << r.dump();
    }
  }
}

#define SKIP_WITHOUT_GPU() \
  if (visible_cuda_devices() == 0) GTEST_SKIP() << "no CUDA device visible"

}  // namespace

TEST(NcclGpu, EveryCollectiveDatatypeAndOpIsCorrect) {
  SKIP_WITHOUT_GPU();
  Fixture f;
  BenchConfig c;
  c.colls.assign(std::begin(kAllCollectives), std::end(kAllCollectives));
  c.types.assign(std::begin(kAllDataTypes), std::end(kAllDataTypes));
  c.ops.assign(std::begin(kAllRedOps), std::end(kAllRedOps));
  c.sizes = {1024, 1 << 20};
  c.iters = 2;
  c.check = 1;
  const auto results = f.run(c);
  expect_all_checked_correct(results);
  // 2 sizes x in/out-of-place: 3 reduction colls x 10 types x 5 ops + 6 others x 10 types.
  EXPECT_EQ(results.size(), 2U * 2U * (3U * 10U * 5U + 6U * 10U));
}

TEST(NcclGpu, AggregatedAndBlockingLoops) {
  SKIP_WITHOUT_GPU();
  Fixture f;
  BenchConfig c;
  c.colls = {Collective::all_reduce, Collective::all_gather};
  c.sizes = {64 << 10};
  c.iters = 3;
  c.agg_iters = 4;
  expect_all_checked_correct(f.run(c));
  c.blocking = 1;
  expect_all_checked_correct(f.run(c));
}

TEST(NcclGpu, CudaGraphLaunch) {
  SKIP_WITHOUT_GPU();
  Fixture f;
  ASSERT_TRUE(f.backend->supports_graphs());
  BenchConfig c;
  c.colls.assign(std::begin(kAllCollectives), std::end(kAllCollectives));
  c.sizes = {4096, 1 << 20};
  c.iters = 5;
  c.graph_launches = 3;
  c.agg_iters = 2;
  const auto results = f.run(c);
  expect_all_checked_correct(results);
  for (const auto& r : results) EXPECT_EQ(r["graph_launches"], 3);
}

// Issue 20, defect 1: NCCL's ncclCommAbort/ncclCommDestroy wait until the captured work of a CUDA
// graph is released, i.e. until the graph is destroyed. After graph launches, abort() and the
// teardown must return (on the old order this hangs until ctest's timeout kills it).
TEST(NcclGpu, AbortAfterCudaGraphLaunchesEnds) {
  SKIP_WITHOUT_GPU();
  Fixture f;
  BenchConfig c;
  c.colls = {Collective::all_reduce};
  c.sizes = {1 << 20};
  c.iters = 3;
  c.graph_launches = 2;
  expect_all_checked_correct(f.run(c));
  f.backend->abort();
  f.backend.reset();
  SUCCEED() << "abort and teardown after graph launches returned";
}

TEST(NcclGpu, DescribesVersionsAndDevice) {
  SKIP_WITHOUT_GPU();
  Fixture f;
  const auto d = f.backend->describe();
  EXPECT_EQ(d["backend"], "nccl");
  EXPECT_FALSE(d["nccl_version"].get<std::string>().empty());
  const auto devices = f.backend->devices();
  ASSERT_EQ(devices.size(), 1U);
  EXPECT_EQ(devices[0]["device"], 0);
  EXPECT_FALSE(devices[0]["pci"].get<std::string>().empty());
}
