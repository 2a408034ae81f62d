// Check -> JSON -> Check gives the same check; malformed checks are named, not defaulted.
#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/result_document.hpp"

using namespace fabricperf;

TEST(CheckJson, RoundTripKeepsEveryField) {
  for (const auto status : {CheckStatus::pass, CheckStatus::fail, CheckStatus::warn, CheckStatus::skip}) {
    Check c;
    c.name = "link_bandwidth";
    c.status = status;
    c.expected = {{"min_gbps", 90.5}};
    c.measured = 88.25;
    c.detail = "rank 1 on node2: 88.25 Gb/s";
    c.labels = {{"host", "node2"}, {"gpu", 0}};
    const Check back = check_from_json(to_json(c));
    EXPECT_EQ(back.name, c.name);
    EXPECT_EQ(back.status, c.status);
    EXPECT_EQ(back.expected, c.expected);
    EXPECT_EQ(back.measured, c.measured);
    EXPECT_EQ(back.detail, c.detail);
    EXPECT_EQ(back.labels, c.labels);
    EXPECT_EQ(to_json(back), to_json(c));
  }
}

TEST(CheckJson, OptionalKeysMayBeAbsent) {
  const Check c = check_from_json({{"name", "x"}, {"status", "warn"}});
  EXPECT_EQ(c.status, CheckStatus::warn);
  EXPECT_TRUE(c.expected.is_null());
  EXPECT_TRUE(c.measured.is_null());
  EXPECT_EQ(c.detail, "");
  EXPECT_TRUE(c.labels.is_object() && c.labels.empty());
}

TEST(CheckJson, MalformedChecksAreUsageErrorsNamingTheKey) {
  const auto message = [](const nlohmann::json& j) {
    try {
      (void)check_from_json(j);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({{"name", "x"}, {"status", "passed"}}).find("'passed'"), std::string::npos);
  EXPECT_NE(message({{"status", "pass"}}).find("\"name\""), std::string::npos);
  EXPECT_NE(message({{"name", "x"}}).find("\"status\""), std::string::npos);
  EXPECT_NE(message({{"name", 3}, {"status", "pass"}}).find("\"name\""), std::string::npos);
  EXPECT_NE(message({{"name", "x"}, {"status", "pass"}, {"labels", "a"}}).find("\"labels\""), std::string::npos);
  EXPECT_NE(message(nlohmann::json::array()).find("not a JSON object"), std::string::npos);
}
