// Issue 14, row 3 for fp_suite: what rank 0 gathers from the other ranks (start-up reports,
// measured rows) is size-, depth- and type-checked before it is used or stored; before, a rank
// sending rows nested 100k deep crashed rank 0 when it wrote the document.
#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/runners/peer_reports.hpp"

using namespace fabricperf;
using namespace fabricperf::runners;

namespace {

template <class F>
void expect_refused(F parse, const std::string& why) {
  try {
    (void)parse();
    FAIL() << "accepted";
  } catch (const PeerError& e) {
    EXPECT_EQ(e.peer(), "rank 3 on node4");
    EXPECT_NE(std::string(e.what()).find("rank 3 on node4"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(PeerReports, WellFormedRoundReportIsKept) {
  const auto r = peer_round_report(R"({"rows":[{"stage":"verbs_bw","gbps":97.5}],"errors":["x failed"]})", "rank 1");
  ASSERT_EQ(r.rows.size(), 1U);
  EXPECT_EQ(r.rows[0]["gbps"], 97.5);
  EXPECT_EQ(r.errors, std::vector<std::string>{"x failed"});
}

TEST(PeerReports, HostileRoundReportsAreRefusedNamingTheRank) {
  const std::string peer = "rank 3 on node4";
  const std::string deep = R"({"rows":[{"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}]}";
  expect_refused([&] { return peer_round_report(deep, peer); }, "deeper than");
  expect_refused([&] { return peer_round_report(R"({"rows":[1]})", peer); }, "not an object");
  expect_refused([&] { return peer_round_report(R"({"errors":[{"a":1}]})", peer); }, "not a string");
  expect_refused([&] { return peer_round_report("[", peer); }, "invalid");
}

TEST(PeerReports, HostileStartupReportsAreRefusedNamingTheRank) {
  const std::string peer = "rank 3 on node4";
  EXPECT_EQ(peer_startup_report(R"({"rails":2,"gpus":8,"fingerprint":{}})", peer)["rails"], 2);
  expect_refused([&] { return peer_startup_report(R"({"rails":"2"})", peer); }, "rails is not an integer");
  expect_refused([&] { return peer_startup_report(R"({"rail_error":7})", peer); }, "rail_error");
  expect_refused([&] { return peer_startup_report(std::string(50000, '['), peer); }, "deeper than");
}
