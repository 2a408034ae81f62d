// fp_suite's link rows are fp_bw's / fp_lat's rows plus the stage's labels, never a second
// computation: the same measurement gives the same vocabulary fields with the same values.
#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/runners/link_runner.hpp"
#include "fabricperf/verbs/rows.hpp"

using namespace fabricperf;

namespace {
verbs::LaneMeasurement lane(const char* host, int rank, std::uint64_t messages, double seconds) {
  verbs::LaneMeasurement m;
  m.host = host;
  m.rank = rank;
  m.device = "rxe0";
  m.line_rate_gbps = 100;
  m.transmitted = messages > 0;
  m.tx.messages = messages;
  m.tx.bytes = messages * 65536;
  m.tx.seconds = seconds;
  m.tx.bw_avg_gbps = verbs::bandwidth_gbps(m.tx.bytes, seconds);
  m.tx.bw_peak_gbps = m.tx.bw_avg_gbps;
  m.tx.msg_rate_mpps = verbs::message_rate_mpps(messages, seconds);
  return m;
}
}  // namespace

TEST(LinkRows, SuiteBandwidthRowIsFpBwsRowPlusLabels) {
  verbs::RowIdentity id;
  id.op = "write";
  id.size_bytes = 65536;
  id.qps = 1;
  const auto tool = verbs::make_bw_row(id, lane("node1", 0, 300, 0.1), lane("node2", 1, 0, 0)).to_json();
  const auto suite = runners::suite_row(tool, "verbs_bw", {{"rail", 0}}, true);
  for (const auto& [k, v] : tool.items()) EXPECT_EQ(suite.at(k), v) << k;
  EXPECT_EQ(suite.size(), tool.size() + 3);  // stage, rail, soft_rdma
  EXPECT_EQ(suite["stage"], "verbs_bw");
  EXPECT_EQ(suite["rail"], 0);
  EXPECT_EQ(suite["soft_rdma"], true);
}

TEST(LinkRows, LabelsCannotOverwriteAMeasuredField) {
  verbs::RowIdentity id;
  id.size_bytes = 65536;
  const auto tool = verbs::make_bw_row(id, lane("node1", 0, 300, 0.1), lane("node2", 1, 0, 0)).to_json();
  EXPECT_THROW((void)runners::suite_row(tool, "verbs_bw", {{"bw_avg_gbps", 1.0}}, false), Error);
}
