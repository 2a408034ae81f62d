#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "fabricperf/results/validate.hpp"
#include "fixtures.hpp"
#include "pattern.hpp"

namespace fabricperf::results {
namespace {

TEST(Pattern, TheSchemaPatterns) {
  const Pattern tool("^fp_[a-z_]+$");
  EXPECT_TRUE(tool.search("fp_bw"));
  EXPECT_TRUE(tool.search("fp_suite_x"));
  EXPECT_FALSE(tool.search("fp_"));
  EXPECT_FALSE(tool.search("fp_Bw"));
  EXPECT_FALSE(tool.search("xfp_bw"));
  EXPECT_FALSE(tool.search("fp_bw\n"));

  const Pattern version("^[0-9]+\\.[0-9]+\\.[0-9]+");
  EXPECT_TRUE(version.search("0.1.0"));
  EXPECT_TRUE(version.search("10.20.30-rc1+g1234"));  // no $: a prefix is enough
  EXPECT_FALSE(version.search("1.2"));
  EXPECT_FALSE(version.search("v1.2.3"));

  const Pattern time("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$");
  EXPECT_TRUE(time.search("2026-03-14T09:00:00.000Z"));
  EXPECT_TRUE(time.search("2026-03-14T09:00:00+02:00"));
  EXPECT_TRUE(time.search("2026-03-14T09:00:00.5-11:30"));
  EXPECT_FALSE(time.search("2026-03-14T09:00:00"));
  EXPECT_FALSE(time.search("2026-03-14T09:00:00.Z"));
  EXPECT_FALSE(time.search("2026-3-14T09:00:00Z"));
  EXPECT_FALSE(time.search("2026-03-14T09:00:00ZZ"));
}

TEST(Pattern, SearchSemanticsAndSyntax) {
  EXPECT_TRUE(Pattern("b+c").search("aaabbbcd"));  // unanchored: anywhere
  EXPECT_FALSE(Pattern("b+c$").search("aaabbbcd"));
  EXPECT_TRUE(Pattern("^(ab|cd)*$").search(""));
  EXPECT_TRUE(Pattern("^(ab|cd)*$").search("abcdab"));
  EXPECT_FALSE(Pattern("^(ab|cd)*$").search("abc"));
  EXPECT_TRUE(Pattern("^a{2,3}$").search("aaa"));
  EXPECT_FALSE(Pattern("^a{2,3}$").search("aaaa"));
  EXPECT_TRUE(Pattern("^a{2,}$").search("aaaaa"));
  EXPECT_TRUE(Pattern("^[^0-9]\\d\\.$").search("x7."));
  EXPECT_TRUE(Pattern("^(?:a*)*b$").search("aaab"));  // an empty loop terminates
  EXPECT_THROW(Pattern("(ab"), std::invalid_argument);
  EXPECT_THROW(Pattern("[ab"), std::invalid_argument);
  EXPECT_THROW(Pattern("*a"), std::invalid_argument);
  EXPECT_THROW(Pattern("\\p{L}"), std::invalid_argument);
}

// std::regex recursed once per character: a 30,000-character string overflowed the stack.
TEST(Pattern, LongTextNeedsNoStack) {
  const std::string text = "fp_" + std::string(1'000'000, 'a');
  EXPECT_TRUE(Pattern("^fp_[a-z_]+$").search(text));
  EXPECT_FALSE(Pattern("^fp_[a-z_]+$").search(text + "A"));
  EXPECT_FALSE(Pattern("(a|aa)*b").search(std::string(20'000, 'a')));  // no exponential backtracking
}

TEST(Validate, LongToolNameGetsAnAnswerNotACrash) {
  nlohmann::json doc = testing::make_doc(nlohmann::json::array());
  doc["tool"] = "fp_" + std::string(30'000, 'a');
  EXPECT_TRUE(validate_document(doc).empty());
  doc["tool"] = "fp_" + std::string(30'000, 'a') + "!";
  const auto problems = validate_document(doc);
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_EQ(problems.front().where, "tool");
  EXPECT_LT(to_string(problems.front()).size(), 200U);  // the value is shortened in the message
}

}  // namespace
}  // namespace fabricperf::results
