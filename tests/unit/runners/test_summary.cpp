// fp_suite's terminal summary says the verdict of the HTML report of the same document, in the
// same words (issue 17: the terminal printed "result: PASS" where the HTML said "PASS WITH WARNINGS").
#include <gtest/gtest.h>

#include <sstream>

#include "fabricperf/results/verdict.hpp"
#include "fabricperf/runners/plan.hpp"
#include "fabricperf/runners/summary.hpp"

namespace fr = fabricperf::runners;

namespace {

nlohmann::json doc_with(const std::vector<std::string>& statuses) {
  nlohmann::json doc = {{"status", "ok"},
                        {"params", nlohmann::json::object()},
                        {"results", nlohmann::json::array()},
                        {"checks", nlohmann::json::array()},
                        {"errors", nlohmann::json::array()}};
  for (std::size_t i = 0; i < statuses.size(); ++i)
    doc["checks"].push_back({{"name", "verbs_bw_check_" + std::to_string(i)},
                             {"status", statuses[i]},
                             {"labels", {{"stage", "verbs_bw"}}}});
  return doc;
}

std::string summary_of(const nlohmann::json& doc) {
  std::ostringstream os;
  fr::print_summary(os, doc, {{"verbs_bw", 1.5, true}});
  return os.str();
}

}  // namespace

TEST(Summary, WarningsGiveTheHtmlsVerdict) {
  const auto doc = doc_with({"pass", "pass", "skip", "warn"});
  const std::string out = summary_of(doc);
  EXPECT_EQ(fabricperf::results::document_verdict(doc).word, "PASS WITH WARNINGS");
  EXPECT_NE(out.find("\nresult: PASS WITH WARNINGS (4 checks: 2 passed, 1 skipped, 1 warned, 0 failed)\n"),
            std::string::npos)
      << out;
}

TEST(Summary, CountsSkippedChecks) {
  std::vector<std::string> statuses(18, "pass");
  statuses.insert(statuses.end(), 18, "skip");
  const std::string out = summary_of(doc_with(statuses));
  EXPECT_NE(out.find("\nresult: PASS (36 checks: 18 passed, 18 skipped, 0 warned, 0 failed)\n"), std::string::npos)
      << out;
}

TEST(Summary, AbortedAndLoosened) {
  auto doc = doc_with({"pass", "fail"});
  doc["status"] = "aborted";
  doc["partial"] = true;
  EXPECT_NE(summary_of(doc).find("\nresult: ABORTED (2 checks: 1 passed, 0 skipped, 0 warned, 1 failed)\n"),
            std::string::npos);

  auto plan = fr::load_preset("quick");
  EXPECT_TRUE(fr::loosened_expectations(plan).empty());
  plan.expect.line_rate_pct = 0.001;
  plan.expect.lat_max_us = 100000;
  auto loose = doc_with({"pass"});
  loose["params"]["expectations_loosened"] = fr::loosened_expectations(plan);
  ASSERT_EQ(loose["params"]["expectations_loosened"].size(), 2U);
  EXPECT_NE(summary_of(loose).find("  expectations loosened (e.g. for emulation): expect.line_rate_pct 0.001 "
                                   "(default 90), expect.lat_max_us 100000 (default 5)"),
            std::string::npos)
      << summary_of(loose);
}
