// What another rank sends is checked before use (issue 14, row 3): a rank sending host info
// nested 100k deep crashed rank 0, 20k deep made an 800 MB document.
#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/host_info.hpp"
#include "fabricperf/peer_json.hpp"

using namespace fabricperf;

namespace {

std::string nested(std::size_t depth) {
  return R"({"hostname":"evil","kernel":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
}

void expect_refused(const std::string& text, const std::string& why) {
  try {
    (void)parse_peer_host_info(text, "rank 1 on node2");
    FAIL() << "accepted: " << text.substr(0, 200);
  } catch (const PeerError& e) {
    EXPECT_EQ(e.peer(), "rank 1 on node2");
    EXPECT_NE(std::string(e.what()).find("rank 1 on node2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(PeerHostInfo, OwnHostInfoIsAccepted) {
  const auto mine = collect_host_info();
  EXPECT_EQ(parse_peer_host_info(mine.dump(), "rank 1"), mine);
}

TEST(PeerHostInfo, DeepNestingIsRefusedNamingThePeer) {
  expect_refused(nested(100000), "deeper than");
  expect_refused(nested(20000), "deeper than");
  expect_refused(nested(6), "deeper than");
  expect_refused(nested(3), "host.kernel has the wrong type");
}

TEST(PeerHostInfo, WrongTypesUnknownFieldsAndOversizeAreRefused) {
  expect_refused(R"(["not an object"])", "not an object");
  expect_refused(R"({"hostname":"a","kernel":5})", "host.kernel has the wrong type");
  expect_refused(R"({"hostname":"a","surprise":"x"})", "unknown field");
  expect_refused(R"({"kernel":"x"})", "no hostname");
  expect_refused(R"({"hostname":")" + std::string(300, 'a') + "\"}", "over 256 bytes");
  expect_refused(R"({"hostname":"a","rdma_devices":[{"name":"m","ports":[{"port":"1"}]}]})", "ports[].port");
  expect_refused(R"({"hostname":"a","rdma_devices":{}})", "not a list");
  expect_refused(R"({"hostname":")" + std::string(300000, 'a') + "\"}", "bytes (at most");
}
