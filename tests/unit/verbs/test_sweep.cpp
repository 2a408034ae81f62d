#include <gtest/gtest.h>

#include "fabricperf/verbs/sweep.hpp"

using namespace fabricperf;
using namespace fabricperf::verbs;

TEST(Sweep, WarmupDefaultsToAQuarterOfTheDurationUpToTwoSeconds) {
  EXPECT_DOUBLE_EQ(warmup_seconds(0, -1), 0);   // iteration mode: none
  EXPECT_DOUBLE_EQ(warmup_seconds(0, 3), 0);    // --warmup means nothing without -D
  EXPECT_DOUBLE_EQ(warmup_seconds(4, -1), 1);   // D/4
  EXPECT_DOUBLE_EQ(warmup_seconds(20, -1), 2);  // capped
  EXPECT_DOUBLE_EQ(warmup_seconds(20, 0), 0);   // --warmup 0 is honoured
  EXPECT_DOUBLE_EQ(warmup_seconds(2, 5), 5);
}

TEST(Sweep, ValidationCheckNamesTheLinkAndTheFirstBadByte) {
  ValidationOutcome v;
  v.enabled = true;
  v.record_ok();
  v.record_mismatch(1, 7, 4093);
  const nlohmann::json row = {{"host", "node1"}, {"device", "rxe0"}, {"peer_host", "node2"}, {"peer_device", "rxe1"}};
  const Check c = validation_check(v, Op::send, 65536, row, 3, " -> ");
  EXPECT_EQ(c.name, "data_validation");
  EXPECT_EQ(c.status, CheckStatus::fail);
  EXPECT_EQ(c.measured, 1);
  EXPECT_EQ(c.expected, 0);
  EXPECT_EQ(c.labels.at("first_bad_offset"), 4093);
  EXPECT_EQ(c.labels.at("pair"), 3);
  EXPECT_EQ(c.labels.at("size_bytes"), 65536);
  EXPECT_EQ(c.detail.rfind("send 64K node1:rxe0 -> node2:rxe1: ", 0), 0U) << c.detail;
  EXPECT_NE(c.detail.find(v.describe()), std::string::npos);
}

TEST(Sweep, PassingValidationHasNoBadOffset) {
  ValidationOutcome v;
  v.enabled = true;
  v.record_ok();
  const Check c = validation_check(v, Op::write, 8, nlohmann::json::object(), 0, " <-> ");
  EXPECT_EQ(c.status, CheckStatus::pass);
  EXPECT_FALSE(c.labels.contains("first_bad_offset"));
}
