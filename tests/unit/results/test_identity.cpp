#include <gtest/gtest.h>

#include "fabricperf/results/identity.hpp"
#include "fixtures.hpp"

namespace fabricperf::results {
namespace {

using testing::make_doc;

TEST(Identity, KnownKeysInDisplayOrderMeasurementsLeftOut) {
  const nlohmann::json row = {{"size_bytes", 65536}, {"op", "write"},       {"device", "mlx5_0"}, {"host", "n1"},
                              {"port", 1},           {"bw_avg_gbps", 97.1}, {"iterations", 5000}, {"in_place", false},
                              {"retries", 3},        {"status", "pass"}};
  const Identity id = identity_of(row, {});
  const Identity want = {{"host", "n1"},  {"device", "mlx5_0"},  {"port", "1"},
                         {"op", "write"}, {"in_place", "false"}, {"size_bytes", "65536"}};
  EXPECT_EQ(id, want);
  EXPECT_EQ(describe(id), "host=n1 device=mlx5_0 port=1 op=write in_place=false size=64K");
}

TEST(Identity, ArraysOfScalarsIdentifyNullsDoNot) {
  const nlohmann::json row = {
      {"hosts", {"a", "b"}}, {"devices", {"d0", "d1"}}, {"gpu", nullptr}, {"histogram", {{{"le", 1}, {"count", 2}}}}};
  const Identity want = {{"hosts", "a,b"}, {"devices", "d0,d1"}};
  EXPECT_EQ(identity_of(row, {}), want);
}

TEST(Identity, StringFieldsThatTellRowsApartArePromoted) {
  // "mode" is not a known key, but it separates two rows that are otherwise the same.
  const auto doc = make_doc({{{"device", "mlx5_0"}, {"mode", "rc"}, {"fw_build", "a"}, {"bw_avg_gbps", 1.0}},
                             {{"device", "mlx5_0"}, {"mode", "ud"}, {"fw_build", "a"}, {"bw_avg_gbps", 2.0}},
                             {{"device", "mlx5_1"}, {"mode", "rc"}, {"fw_build", "a"}, {"bw_avg_gbps", 3.0}}});
  const nlohmann::json* docs[] = {&doc};
  const IdentityRules rules = derive_identity_rules(docs);
  EXPECT_EQ(rules.promoted_keys, std::vector<std::string>{"mode"});  // fw_build is constant: no
  EXPECT_EQ(describe(identity_of(doc["results"][1], rules)), "device=mlx5_0 mode=ud");
}

TEST(Identity, OutcomeAndVersionStringsAreNeverPromoted) {
  const auto doc = make_doc({{{"device", "d"}, {"status", "pass"}, {"fw_ver", "1"}, {"finished_at", "x"}},
                             {{"device", "d"}, {"status", "fail"}, {"fw_ver", "2"}, {"finished_at", "y"}}});
  const nlohmann::json* docs[] = {&doc};
  EXPECT_TRUE(derive_identity_rules(docs).promoted_keys.empty());
  EXPECT_TRUE(is_never_identity_key("bw_avg_gbps"));
  EXPECT_TRUE(is_never_identity_key("bw_avg_gbps_stdev"));
  EXPECT_TRUE(is_never_identity_key("driver_version"));
  EXPECT_FALSE(is_never_identity_key("mode"));
}

TEST(Identity, ExtraAndIgnoredKeys) {
  const nlohmann::json row = {{"device", "mlx5_0"}, {"port", 1}, {"qp_count", 4}};
  IdentityRules rules;
  rules.extra_keys = {"qp_count"};
  rules.ignored_keys = {"port"};
  const Identity want = {{"device", "mlx5_0"}, {"qp_count", "4"}};
  EXPECT_EQ(identity_of(row, rules), want);
}

TEST(Identity, KeyIsUnambiguous) {
  const Identity a = {{"host", "a b"}, {"device", "c"}};
  const Identity b = {{"host", "a"}, {"device", "b c"}};
  EXPECT_NE(identity_key(a), identity_key(b));
  EXPECT_EQ(identity_key(a), identity_key(Identity{{"host", "a b"}, {"device", "c"}}));
}

TEST(Identity, ValueText) {
  EXPECT_EQ(value_text(nlohmann::json(3)), "3");
  EXPECT_EQ(value_text(nlohmann::json(3.0)), "3");
  EXPECT_EQ(value_text(nlohmann::json(2.5)), "2.5");
  EXPECT_EQ(value_text(nlohmann::json(true)), "true");
  EXPECT_EQ(value_text(nlohmann::json()), "");
  EXPECT_EQ(value_text(nlohmann::json({1, "x"})), "1,x");
}

}  // namespace
}  // namespace fabricperf::results

namespace fabricperf::results {
namespace {

TEST(Identity, LaunchOrderFieldsOnlyWithoutHosts) {
  // fp_bw rows name their hosts: rank and pair index (launch order) do not identify them.
  const nlohmann::json bw = {{"host", "n1"}, {"peer_host", "n2"},  {"rank", 0},      {"peer_rank", 1},
                             {"pair", 3},    {"device", "mlx5_0"}, {"size_bytes", 8}};
  EXPECT_EQ(describe(identity_of(bw, {})), "host=n1 peer_host=n2 device=mlx5_0 size=8");
  const nlohmann::json anonymous = {{"ranks", {0, 1}}, {"pair", 3}, {"size_bytes", 8}};
  EXPECT_EQ(describe(identity_of(anonymous, {})), "pair=3 ranks=0,1 size=8");
  const nlohmann::json coll = {{"host", "n1"}, {"coll", "allreduce"}, {"ranks", 16}};  // a count, not launch order
  EXPECT_EQ(describe(identity_of(coll, {})), "coll=allreduce host=n1 ranks=16");
}

}  // namespace
}  // namespace fabricperf::results
