// The JSON result entry, the human report and the per-rank environment.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "fabricperf/topology/checks.hpp"
#include "fabricperf/topology/hwloc_reader.hpp"
#include "fabricperf/topology/nccl_reader.hpp"
#include "fabricperf/topology/pairing.hpp"
#include "fabricperf/topology/report.hpp"
#include "fixtures.hpp"

namespace fabricperf::topology {
namespace {

using testing::data_path;
using testing::handmade;

std::string value_of(const RankEnvironment& env, const std::string& key) {
  for (const auto& [k, v] : env.variables) {
    if (k == key) return v;
  }
  return "<unset>";
}

TEST(Report, ResultJsonForP5) {
  const Topology t = load_hwloc_xml(data_path("aws-p5.48xl.hwloc.xml"));
  const Pairing p = pair_gpus_with_nics(t);
  const auto j = result_json(t, p, run_checks(t, p));
  EXPECT_EQ(j["host"], "aws-p5");
  EXPECT_EQ(j["source"], "hwloc-xml");
  ASSERT_EQ(j["gpus"].size(), 8u);
  ASSERT_EQ(j["nics"].size(), 32u);
  const auto& g3 = j["gpus"][3];
  EXPECT_EQ(g3["index"], 3);
  EXPECT_EQ(g3["pci"], "0000:86:00.0");
  EXPECT_EQ(g3["numa"], 0);
  EXPECT_EQ(g3["nearest_path"], "PIX");
  EXPECT_EQ(g3["nearest_nics"], (nlohmann::json{"rdmap130s0", "rdmap131s0", "rdmap132s0", "rdmap133s0"}));
  EXPECT_EQ(g3["nic"], "rdmap130s0");
  EXPECT_EQ(g3["nics"].size(), 4u);
  EXPECT_EQ(j["nics"][0]["id"], "rdmap79s0");
  EXPECT_EQ(j["nics"][0]["pci"], "0000:4f:00.0");
  EXPECT_EQ(j["nics"][0]["numa"], 0);
  ASSERT_EQ(j["matrix"].size(), 8u);
  ASSERT_EQ(j["matrix"][0].size(), 32u);
  EXPECT_EQ(j["matrix"][3][12], "PIX");
  EXPECT_EQ(j["matrix"][3][16], "SYS");
  EXPECT_EQ(j["checks"][0]["name"], "gpu_nic_one_to_one");
  EXPECT_EQ(j["checks"][0]["status"], "pass");
}

TEST(Report, SharedGpuHasNullNicAndNoGpuNicHasNoPci) {
  const Topology t = load_hwloc_xml(data_path("aws-g5.48xl.hwloc.xml"));
  const Pairing p = pair_gpus_with_nics(t);
  const auto j = result_json(t, p, {});
  EXPECT_EQ(j["gpus"][0]["nic"], "rdmap0s21");
  EXPECT_TRUE(j["gpus"][1]["nic"].is_null());
  EXPECT_EQ(j["gpus"][1]["uses"], "rdmap0s21");
  EXPECT_EQ(j["gpus"][1]["numa"], -1);
  EXPECT_EQ(j["gpus"][1]["shared_with"].size(), 7u);

  Topology bare;
  Nic rxe;
  rxe.rdma_device = "rxe0";
  bare.nics.push_back(rxe);
  bare.finalize();
  const auto k = result_json(bare, pair_gpus_with_nics(bare), {});
  EXPECT_TRUE(k["gpus"].empty());
  EXPECT_EQ(k["nics"][0]["id"], "rxe0");
  EXPECT_FALSE(k["nics"][0].contains("pci"));
  EXPECT_EQ(k["nics"][0]["software"], true);
}

TEST(Report, HumanReportHasTablesMatrixLegendAndChecks) {
  const Topology t = load_hwloc_xml(data_path("keysight-supermicro.hwloc.xml"));
  const Pairing p = pair_gpus_with_nics(t);
  std::ostringstream os;
  print_report(os, t, p, run_checks(t, p));
  const std::string text = os.str();
  for (const char* expected : {"GPUs: 1", "RDMA NICs: 2", "NIC0   NIC1   NUMA Affinity", "GPU0    NODE   NODE   1",
                               "Legend:", "  NODE = Connection traversing PCIe as well as the interconnect",
                               "NIC Legend:", "  NIC1: mlx5_1", "FAIL  gpu_nic_one_to_one"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << "missing: " << expected << "\n" << text;
  }
}

TEST(Report, EnvironmentForEveryRankOfP5) {
  const Topology t = load_hwloc_xml(data_path("aws-p5.48xl.hwloc.xml"));
  const auto envs = rank_environments(t, pair_gpus_with_nics(t));
  ASSERT_EQ(envs.size(), 8u);
  const RankEnvironment& r3 = envs[3];
  EXPECT_EQ(value_of(r3, "CUDA_DEVICE_ORDER"), "PCI_BUS_ID");
  EXPECT_EQ(value_of(r3, "CUDA_VISIBLE_DEVICES"), "3");
  EXPECT_EQ(value_of(r3, "NCCL_IB_HCA"), "=rdmap130s0,rdmap131s0,rdmap132s0,rdmap133s0");  // no port info in the export
  EXPECT_EQ(value_of(r3, "FABRICPERF_DEVICE"), "rdmap130s0");
  EXPECT_EQ(r3.path, "PIX");
  EXPECT_TRUE(r3.note.empty());
  std::ostringstream lines;
  print_environment(lines, r3);
  EXPECT_EQ(lines.str(),
            "CUDA_DEVICE_ORDER=PCI_BUS_ID\nCUDA_VISIBLE_DEVICES=3\n"
            "NCCL_IB_HCA==rdmap130s0,rdmap131s0,rdmap132s0,rdmap133s0\nFABRICPERF_DEVICE=rdmap130s0\n");
  std::ostringstream table;
  print_environment_table(table, envs);
  const std::string text = table.str();
  EXPECT_NE(text.find("local_rank"), std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 9);
}

TEST(Report, EnvironmentNotesSharingPortsAndMissingNames) {
  const Topology share = load_hwloc_xml(handmade("two-gpus-share-one-nic.hwloc.xml"));
  auto envs = rank_environments(share, pair_gpus_with_nics(share));
  EXPECT_EQ(value_of(envs[0], "NCCL_IB_HCA"), "=mlx5_0:1,mlx5_1:1");  // the whole card
  EXPECT_EQ(value_of(envs[1], "NCCL_IB_HCA"), "=mlx5_0:1");
  EXPECT_NE(envs[1].note.find("shared with GPU0"), std::string::npos);
  const Topology azure = load_nccl_topo(data_path("azure-ndv5-topo.nccl.xml"));
  envs = rank_environments(azure, pair_gpus_with_nics(azure));
  EXPECT_EQ(value_of(envs[3], "NCCL_IB_HCA"), "<unset>");  // the file names no device
  EXPECT_EQ(value_of(envs[3], "FABRICPERF_DEVICE"), "0104:00:00.0");
  EXPECT_NE(envs[3].note.find("names no RDMA device"), std::string::npos);
}

TEST(Report, EnvironmentWithoutGpuPinsRanksToNics) {
  Topology t;
  Nic rxe;
  rxe.rdma_device = "rxe0";
  rxe.ports.push_back(NicPort{1, "ACTIVE", "Ethernet", "10 Gb/sec", 10});
  t.nics.push_back(rxe);
  t.finalize();
  const auto envs = rank_environments(t, pair_gpus_with_nics(t));
  ASSERT_EQ(envs.size(), 1u);
  EXPECT_EQ(value_of(envs[0], "FABRICPERF_DEVICE"), "rxe0");
  EXPECT_EQ(value_of(envs[0], "NCCL_IB_HCA"), "=rxe0:1");
  EXPECT_EQ(value_of(envs[0], "CUDA_VISIBLE_DEVICES"), "<unset>");
}

}  // namespace
}  // namespace fabricperf::topology
