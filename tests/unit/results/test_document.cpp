#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/results/document.hpp"
#include "fixtures.hpp"

namespace fabricperf::results {
namespace {

TEST(Rfc3339, ParsesUtcAndOffsets) {
  EXPECT_DOUBLE_EQ(*parse_rfc3339("1970-01-01T00:00:00Z"), 0.0);
  EXPECT_DOUBLE_EQ(*parse_rfc3339("2026-03-14T09:00:30.500Z"), 1773478830.5);
  EXPECT_DOUBLE_EQ(*parse_rfc3339("2026-03-14T11:00:30.500+02:00"), 1773478830.5);
  EXPECT_DOUBLE_EQ(*parse_rfc3339("2026-03-14T08:00:30.5-01:00"), 1773478830.5);
  EXPECT_DOUBLE_EQ(*parse_rfc3339("2000-02-29T12:00:00Z"), 951825600.0);
}

TEST(Rfc3339, RejectsOtherText) {
  EXPECT_FALSE(parse_rfc3339(""));
  EXPECT_FALSE(parse_rfc3339("2026-03-14"));
  EXPECT_FALSE(parse_rfc3339("2026-03-14T09:00:30"));  // no zone
  EXPECT_FALSE(parse_rfc3339("2026-13-14T09:00:30Z"));
  EXPECT_FALSE(parse_rfc3339("2026-03-14T09:00:30Zjunk"));
  EXPECT_FALSE(parse_rfc3339("2026-03-14T09:00:30.Z"));
}

TEST(FormatNumber, ShortestRoundTrip) {
  EXPECT_EQ(format_number(97.5), "97.5");
  EXPECT_EQ(format_number(0), "0");
  EXPECT_EQ(format_number(3), "3");
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(format_number(1e-7), "1e-07");
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_number(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_number(std::nan("")), "NaN");
}

TEST(Fields, NumberFieldIgnoresBoolsAndStrings) {
  const nlohmann::json row = {{"a", 1}, {"b", 2.5}, {"c", true}, {"d", "3"}};
  EXPECT_EQ(number_field(row, "a"), 1.0);
  EXPECT_EQ(number_field(row, "b"), 2.5);
  EXPECT_FALSE(number_field(row, "c"));
  EXPECT_FALSE(number_field(row, "d"));
  EXPECT_FALSE(number_field(row, "missing"));
  EXPECT_EQ(string_field(row, "d"), "3");
  EXPECT_EQ(string_field(row, "a", "x"), "x");
}

TEST(LoadDocument, AcceptsRecordedDocuments) {
  for (const char* name : {"bw_sweep.json", "lat.json", "coll.json", "topo.json", "suite.json", "escaping.json"})
    EXPECT_NO_THROW((void)load_document(testing::data_path(name))) << name;
}

TEST(LoadDocument, BadInputIsAUsageErrorOnOneLine) {
  for (const char* name :
       {"invalid_not_json.json", "invalid_wrong_schema.json", "invalid_types.json", "missing.json"}) {
    try {
      (void)load_document(testing::data_path(name));
      ADD_FAILURE() << name << " was accepted";
    } catch (const UsageError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(name), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
}

TEST(LoadDocument, SchemaProblemsAreCounted) {
  try {
    (void)load_document(testing::data_path("invalid_types.json"));
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("and 2 more problems"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace fabricperf::results
