// One verdict, one wording (issue 17): the HTML banner and fp_suite's terminal summary both say
// what document_verdict() says, with every check counted (passed, skipped, warned, failed).
#include <gtest/gtest.h>

#include "fabricperf/results/html_report.hpp"
#include "fabricperf/results/verdict.hpp"
#include "fixtures.hpp"

namespace fabricperf::results {
namespace {

using testing::make_doc;

nlohmann::json checks(std::size_t pass, std::size_t skip, std::size_t warn, std::size_t fail) {
  nlohmann::json out = nlohmann::json::array();
  const auto add = [&](std::size_t n, const char* status) {
    for (std::size_t i = 0; i < n; ++i)
      out.push_back({{"name", std::string(status) + "_" + std::to_string(i)}, {"status", status}});
  };
  add(pass, "pass");
  add(skip, "skip");
  add(warn, "warn");
  add(fail, "fail");
  return out;
}

TEST(Verdict, CountsEveryCheckTheDemoHad) {
  // The demo: 36 checks, 18 of them skipped; the banner said "18 check(s) passed".
  const auto doc = make_doc(nlohmann::json::array(), checks(18, 18, 0, 0), "fp_suite");
  const auto v = document_verdict(doc);
  EXPECT_EQ(v.word, "PASS");
  EXPECT_EQ(v.checks.total(), 36U);
  ASSERT_FALSE(v.reasons.empty());
  EXPECT_EQ(v.reasons.front(), "36 checks: 18 passed, 18 skipped, 0 warned, 0 failed");
  const auto html = html_report(doc, {});
  EXPECT_NE(html.find("<li>36 checks: 18 passed, 18 skipped, 0 warned, 0 failed</li>"), std::string::npos);
}

TEST(Verdict, WordsInOrderOfSeriousness) {
  EXPECT_EQ(document_verdict(make_doc({}, checks(3, 0, 1, 0))).word, "PASS WITH WARNINGS");
  EXPECT_EQ(document_verdict(make_doc({}, checks(3, 0, 1, 0))).level, VerdictLevel::warn);
  EXPECT_EQ(document_verdict(make_doc({}, checks(3, 0, 1, 1))).word, "FAIL");
  auto doc = make_doc({}, checks(3, 0, 0, 0));
  doc["errors"] = {"node2: no answer"};
  EXPECT_EQ(document_verdict(doc).word, "FAIL");
  doc["errors"] = nlohmann::json::array();
  doc["partial"] = true;
  EXPECT_EQ(document_verdict(doc).word, "PARTIAL");
  doc["status"] = "aborted";
  const auto aborted = document_verdict(doc);
  EXPECT_EQ(aborted.word, "ABORTED");
  EXPECT_EQ(aborted.level, VerdictLevel::fail);
  EXPECT_EQ(aborted.reasons.at(1), "the run was aborted");
  EXPECT_EQ(document_verdict(make_doc({})).reasons.front(), "0 checks: 0 passed, 0 skipped, 0 warned, 0 failed");
}

TEST(Verdict, SameWordInTheHtmlBanner) {
  const auto doc = make_doc({}, checks(2, 1, 1, 0));
  const auto html = html_report(doc, {});
  EXPECT_NE(html.find("class=\"verdict-word\">" + document_verdict(doc).word + "<"), std::string::npos);
  EXPECT_NE(html.find("<li>4 checks: 2 passed, 1 skipped, 1 warned, 0 failed</li>"), std::string::npos);
}

TEST(Verdict, LoosenedExpectationsAreSaid) {
  auto doc = make_doc({}, checks(4, 0, 0, 0), "fp_suite");
  EXPECT_EQ(loosened_expectations_text(doc), "");
  doc["params"]["expectations_loosened"] = {{{"key", "expect.line_rate_pct"}, {"value", 0.001}, {"default", 90}},
                                            {{"key", "expect.lat_max_us"}, {"value", 100000}, {"default", 5}}};
  const std::string text = loosened_expectations_text(doc);
  EXPECT_NE(text.find("expectations loosened"), std::string::npos) << text;
  EXPECT_NE(text.find("expect.line_rate_pct 0.001 (default 90)"), std::string::npos) << text;
  EXPECT_NE(text.find("expect.lat_max_us 100000 (default 5)"), std::string::npos) << text;
  const auto v = document_verdict(doc);
  EXPECT_EQ(v.word, "PASS");
  EXPECT_EQ(v.reasons.back(), text);
  EXPECT_NE(html_report(doc, {}).find(html_escape(text)), std::string::npos);
}

}  // namespace
}  // namespace fabricperf::results
