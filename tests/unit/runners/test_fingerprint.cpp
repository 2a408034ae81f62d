// Majority diffing of host fingerprints, and the toolchain versions added to them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fabricperf/runners/fingerprint.hpp"

namespace fr = fabricperf::runners;
using nlohmann::json;

namespace {

json host(const std::string& name, const std::string& kernel, const std::string& fw = "28.39.1002", double rate = 400) {
  json port = {{"port", 1}, {"state", "4: ACTIVE"}, {"link_layer", "InfiniBand"}, {"rate_gbps", rate}};
  return {
      {"hostname", name},
      {"kernel", kernel},
      {"os", "Debian GNU/Linux 12"},
      {"rdma_core_version", "44.0"},
      {"rdma_devices", json::array({{{"name", "mlx5_0"}, {"fw_ver", fw}, {"ports", json::array({port})}},
                                    {{"name", "mlx5_1"}, {"fw_ver", "28.39.1002"}, {"ports", json::array({port})}}})}};
}

const fr::FieldVerdict* find(const std::vector<fr::FieldVerdict>& v, const std::string& field) {
  for (const auto& x : v)
    if (x.field == field) return &x;
  return nullptr;
}

}  // namespace

TEST(Fingerprint, FieldsFlattenDevices) {
  const auto f = fr::fingerprint_fields(host("a", "6.1", "28.40.1000"));
  EXPECT_EQ(f.at("kernel"), "6.1");
  EXPECT_EQ(f.at("nic_firmware"), "28.39.1002,28.40.1000");
  EXPECT_EQ(f.at("active_rdma_ports"), "2");
  EXPECT_EQ(f.at("port_rate_gbps"), "400");
  EXPECT_FALSE(f.contains("nvidia_driver"));
  EXPECT_FALSE(f.contains("nvidia_peermem"));
}

TEST(Fingerprint, HostThatDiffersFromTheMajorityIsNamed) {
  std::vector<json> hosts;
  for (int i = 0; i < 5; ++i) hosts.push_back(host("node" + std::to_string(i), "6.1.0-18-amd64"));
  hosts[3]["kernel"] = "6.1.0-13-amd64";
  hosts[4]["rdma_devices"][0]["fw_ver"] = "28.35.1012";
  hosts[2]["rdma_devices"][1]["ports"][0]["rate_gbps"] = 200;  // a link that trained at half speed
  const auto verdicts = fr::compare_fingerprints(hosts);

  const auto* kernel = find(verdicts, "kernel");
  ASSERT_NE(kernel, nullptr);
  EXPECT_EQ(kernel->majority, "6.1.0-18-amd64");
  EXPECT_EQ(kernel->agreeing, 4u);
  ASSERT_EQ(kernel->differing.size(), 1u);
  EXPECT_EQ(kernel->differing[0].first, "node3");
  EXPECT_EQ(kernel->differing[0].second, "6.1.0-13-amd64");

  const auto check = fr::fingerprint_check(*kernel, fabricperf::CheckStatus::fail);
  EXPECT_EQ(check.name, "preflight_same_kernel");
  EXPECT_EQ(check.status, fabricperf::CheckStatus::fail);
  EXPECT_NE(check.detail.find("node3 6.1.0-13-amd64"), std::string::npos) << check.detail;
  EXPECT_NE(check.detail.find("1 of 5 hosts"), std::string::npos) << check.detail;
  EXPECT_EQ(check.measured["node3"], "6.1.0-13-amd64");

  const auto* fw = find(verdicts, "nic_firmware");
  ASSERT_NE(fw, nullptr);
  ASSERT_EQ(fw->differing.size(), 1u);
  EXPECT_EQ(fw->differing[0].first, "node4");

  const auto* rate = find(verdicts, "port_rate_gbps");
  ASSERT_NE(rate, nullptr);
  ASSERT_EQ(rate->differing.size(), 1u);
  EXPECT_EQ(rate->differing[0].first, "node2");
  EXPECT_EQ(rate->differing[0].second, "200,400");

  const auto* os = find(verdicts, "os");
  ASSERT_NE(os, nullptr);
  EXPECT_TRUE(os->differing.empty());
  EXPECT_EQ(fr::fingerprint_check(*os, fabricperf::CheckStatus::fail).status, fabricperf::CheckStatus::pass);
}

TEST(Fingerprint, TieHasNoMajorityAndWarnPolicy) {
  std::vector<json> hosts = {host("node1", "6.1"), host("node2", "6.2")};
  const auto verdicts = fr::compare_fingerprints(hosts);
  const auto* kernel = find(verdicts, "kernel");
  ASSERT_NE(kernel, nullptr);
  EXPECT_TRUE(kernel->no_majority);
  EXPECT_EQ(kernel->differing.size(), 2u);
  const auto check = fr::fingerprint_check(*kernel, fabricperf::CheckStatus::warn);
  EXPECT_EQ(check.status, fabricperf::CheckStatus::warn);
  EXPECT_NE(check.detail.find("no majority"), std::string::npos);
}

TEST(Fingerprint, AbsentFieldCountsAsAValue) {
  std::vector<json> hosts = {host("a", "6.1"), host("b", "6.1"), host("c", "6.1")};
  hosts[0]["nvidia_driver"] = "550.54";
  hosts[1]["nvidia_driver"] = "550.54";
  const auto verdicts = fr::compare_fingerprints(hosts);
  const auto* drv = find(verdicts, "nvidia_driver");
  ASSERT_NE(drv, nullptr);
  ASSERT_EQ(drv->differing.size(), 1u);
  EXPECT_EQ(drv->differing[0].first, "c");
  EXPECT_EQ(drv->differing[0].second, "(absent)");
  EXPECT_EQ(find(verdicts, "cuda_version"), nullptr) << "absent everywhere: not compared";
}

TEST(Fingerprint, ManyDifferingHostsAreSummarized) {
  std::vector<json> hosts;
  for (int i = 0; i < 40; ++i) hosts.push_back(host("n" + std::to_string(i), i < 28 ? "6.1" : "6.2"));
  const auto verdicts = fr::compare_fingerprints(hosts);
  const auto check = fr::fingerprint_check(*find(verdicts, "kernel"), fabricperf::CheckStatus::fail);
  EXPECT_NE(check.detail.find("12 of 40 hosts"), std::string::npos) << check.detail;
  EXPECT_NE(check.detail.find("and 4 more"), std::string::npos) << check.detail;
  EXPECT_EQ(check.measured.size(), 12u);
}

TEST(Fingerprint, ToolchainVersionsFromFiles) {
  const std::string data = std::string(FABRICPERF_SOURCE_DIR) + "/tests/data/runners";
  EXPECT_EQ(fr::cuda_toolkit_version(data + "/cuda-json"), "12.4.131");
  EXPECT_EQ(fr::cuda_toolkit_version(data + "/cuda-link"), "13.0");
  EXPECT_EQ(fr::cuda_toolkit_version(data + "/nowhere"), "");
  EXPECT_EQ(fr::nccl_header_version({data + "/nowhere", data + "/nccl-include"}), "2.21.5");
  EXPECT_EQ(fr::nccl_header_version({data + "/nowhere"}), "");
}

TEST(Fingerprint, SuiteFingerprintHasTheCoreFields) {
  const auto h = fr::collect_suite_fingerprint();
  EXPECT_TRUE(h.contains("hostname"));
  EXPECT_TRUE(h.contains("kernel"));
  EXPECT_TRUE(h.contains("rdma_devices"));
}
