// Presets and plan files: parsing, overrides, and one-line errors that name the key.
#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/runners/plan.hpp"

namespace fr = fabricperf::runners;

namespace {

const std::string kPlans = std::string(FABRICPERF_SOURCE_DIR) + "/tests/data/runners/plans/";

// The UsageError message of `fn`, or "" when it did not throw one.
template <typename Fn>
std::string usage_error(Fn&& fn) {
  try {
    fn();
  } catch (const fabricperf::UsageError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Presets, AllBuiltInPresetsLoad) {
  const auto names = fr::preset_names();
  for (const char* want : {"quick", "go-live", "regression"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  for (const auto& n : names) {
    const auto plan = fr::load_preset(n);
    EXPECT_EQ(plan.name, n);
    EXPECT_FALSE(plan.stages.empty());
  }
  const auto quick = fr::load_preset("quick");
  EXPECT_EQ(quick.verbs.max_rounds, 3u);
  EXPECT_EQ(quick.verbs.bw.sizes, std::vector<std::uint64_t>{65536});
  const auto golive = fr::load_preset("go-live");
  EXPECT_EQ(golive.verbs.max_rounds, 0u);
  EXPECT_EQ(golive.verbs.bw.sizes.size(), 3u);
  EXPECT_EQ(golive.stress.permutations, 4u);
}

TEST(Presets, UnknownPresetListsTheKnownOnes) {
  const auto msg = usage_error([] { (void)fr::load_preset("golive"); });
  EXPECT_NE(msg.find("unknown preset 'golive'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("go-live"), std::string::npos) << msg;
}

TEST(PlanFile, ExtendsAPresetAndOverrides) {
  const auto plan = fr::load_plan_file(kPlans + "short-golive.json");
  EXPECT_EQ(plan.name, "short-golive");
  EXPECT_EQ(plan.verbs.bw.sizes, std::vector<std::uint64_t>{65536});
  EXPECT_EQ(plan.verbs.bw.iterations, 100u);
  EXPECT_EQ(plan.verbs.lat.iterations, 100u);
  EXPECT_EQ(plan.verbs.lat.sizes.size(), 2u) << "kept from go-live";
  EXPECT_DOUBLE_EQ(plan.expect.line_rate_pct, 50);
  EXPECT_DOUBLE_EQ(plan.expect.busbw_min_GBps.at("all_reduce"), 10);
  EXPECT_EQ(plan.collectives.ops.size(), 4u);
}

TEST(PlanFile, ExtendsAnotherFileRelativeToItself) {
  const auto plan = fr::load_plan_file(kPlans + "extends-file.json");
  EXPECT_EQ(plan.stress.seed, 7u);
  EXPECT_EQ(plan.verbs.bw.iterations, 100u);
}

TEST(PlanFile, ErrorsAreOneLineAndNameTheKey) {
  const auto typo = usage_error([] { (void)fr::load_plan_file(kPlans + "typo.json"); });
  EXPECT_NE(typo.find("typo.json"), std::string::npos) << typo;
  EXPECT_NE(typo.find("unknown key 'verbs.bw.iteration'"), std::string::npos) << typo;
  EXPECT_NE(typo.find("iterations"), std::string::npos) << "lists the known keys: " << typo;

  const auto type = usage_error([] { (void)fr::load_plan_file(kPlans + "bad-type.json"); });
  EXPECT_NE(type.find("verbs.bw.iterations: expected a positive integer, got \"ten\""), std::string::npos) << type;

  const auto syntax = usage_error([] { (void)fr::load_plan_file(kPlans + "bad-json.json"); });
  EXPECT_NE(syntax.find("not valid JSON"), std::string::npos) << syntax;
  EXPECT_NE(syntax.find("line 3"), std::string::npos) << syntax;

  const auto stage = usage_error([] { (void)fr::load_plan_file(kPlans + "bad-stage.json"); });
  EXPECT_NE(stage.find("stages[1]"), std::string::npos) << stage;

  const auto missing = usage_error([] { (void)fr::load_plan_file(kPlans + "missing.json"); });
  EXPECT_NE(missing.find("cannot read"), std::string::npos) << missing;

  const auto yaml = usage_error([] { (void)fr::load_plan_file(kPlans + "plan.yaml"); });
  EXPECT_FALSE(yaml.empty());

  for (const auto& m : {typo, type, syntax, stage, missing})
    EXPECT_EQ(m.find('\n'), std::string::npos) << "multi-line: " << m;
}

TEST(PlanFile, BadValuesInline) {
  const auto size = usage_error([] { (void)fr::parse_plan(R"({"verbs": {"bw": {"sizes": ["64Q"]}}})", "plan x"); });
  EXPECT_NE(size.find("plan x: verbs.bw.sizes[0]"), std::string::npos) << size;
  const auto pct = usage_error([] { (void)fr::parse_plan(R"({"expect": {"line_rate_pct": -1}})", "plan x"); });
  EXPECT_NE(pct.find("expect.line_rate_pct"), std::string::npos) << pct;
  const auto top = usage_error([] { (void)fr::parse_plan("[1, 2]", "plan x"); });
  EXPECT_NE(top.find("JSON object"), std::string::npos) << top;
  const auto range =
      usage_error([] { (void)fr::parse_plan(R"({"collectives": {"min_size": "1G", "max_size": "1M"}})", "plan x"); });
  EXPECT_NE(range.find("collectives.min_size"), std::string::npos) << range;
  const auto ext = usage_error([] { (void)fr::parse_plan(R"({"extends": "nothing-like-this"})", "plan x"); });
  EXPECT_NE(ext.find("neither a preset"), std::string::npos) << ext;
}

TEST(PlanSettings, SetOverridesWithJsonOrText) {
  auto plan = fr::load_preset("go-live");
  fr::apply_setting(plan, "verbs.bw.iterations=50");
  fr::apply_setting(plan, R"(verbs.bw.sizes=["4K","1M"])");
  fr::apply_setting(plan, "collectives.max_size=16M");
  fr::apply_setting(plan, "expect.soft_rdma=judge");
  fr::apply_setting(plan, "expect.busbw_min_GBps.all_gather=12.5");
  EXPECT_EQ(plan.verbs.bw.iterations, 50u);
  EXPECT_EQ(plan.verbs.bw.sizes, (std::vector<std::uint64_t>{4096, 1 << 20}));
  EXPECT_EQ(plan.collectives.max_bytes, 16u << 20);
  EXPECT_EQ(plan.expect.soft_rdma, fr::SoftRdmaPolicy::judge);
  EXPECT_DOUBLE_EQ(plan.expect.busbw_min_GBps.at("all_gather"), 12.5);
  const auto bad = usage_error([&] { fr::apply_setting(plan, "verbs.bw.iterations=0"); });
  EXPECT_NE(bad.find("--set verbs.bw.iterations: verbs.bw.iterations: expected a positive integer"), std::string::npos)
      << bad;
  const auto unknown = usage_error([&] { fr::apply_setting(plan, "verbs.nope=1"); });
  EXPECT_NE(unknown.find("unknown key 'verbs.nope'"), std::string::npos) << unknown;
  const auto syntax = usage_error([&] { fr::apply_setting(plan, "verbs.bw.iterations"); });
  EXPECT_NE(syntax.find("KEY.PATH=VALUE"), std::string::npos) << syntax;
  EXPECT_EQ(plan.verbs.bw.iterations, 50u) << "a failed --set leaves the plan as it was";
}

TEST(PlanSettings, SelectStages) {
  auto plan = fr::load_preset("quick");
  fr::select_stages(plan, {}, {"gdr", "stress"});
  EXPECT_EQ(plan.stages, (std::vector<std::string>{"preflight", "verbs_bw", "verbs_lat", "collectives"}));
  fr::select_stages(plan, {"stress", "preflight"}, {});
  EXPECT_EQ(plan.stages, (std::vector<std::string>{"preflight", "stress"})) << "always in run order";
  const auto msg = usage_error([&] { fr::select_stages(plan, {"verbs"}, {}); });
  EXPECT_NE(msg.find("unknown stage 'verbs'"), std::string::npos) << msg;
}

TEST(PlanJson, RoundTrips) {
  for (const auto& n : fr::preset_names()) {
    const auto plan = fr::load_preset(n);
    const auto again = fr::parse_plan(fr::to_json(plan).dump(), "round trip");
    EXPECT_EQ(fr::to_json(again), fr::to_json(plan)) << n;
  }
}
