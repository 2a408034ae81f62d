#include <gtest/gtest.h>

#include <sstream>

#include "fabricperf/results/csv.hpp"
#include "fixtures.hpp"

namespace fabricperf::results {
namespace {

using testing::make_doc;

TEST(Csv, FieldQuoting) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
  EXPECT_EQ(csv_field(""), "");
}

TEST(Csv, OneRowPerResultIdentityColumnsFirst) {
  const auto doc = make_doc({{{"bw_avg_gbps", 97.5}, {"size_bytes", 65536}, {"device", "mlx5_0"}, {"host", "n1"}},
                             {{"bw_avg_gbps", 98}, {"size_bytes", 131072}, {"device", "mlx5_1"}, {"note", "x,y"}}});
  EXPECT_EQ(to_csv(doc),
            "tool,host,device,size_bytes,bw_avg_gbps,note\n"
            "fp_bw,n1,mlx5_0,65536,97.5,\n"
            "fp_bw,,mlx5_1,131072,98,\"x,y\"\n");
}

TEST(Csv, NestedValuesAreFlattened) {
  const auto doc = make_doc({{{"device", "d"},
                              {"ranks", {0, 1}},
                              {"extra", {{"a", 1}, {"b", {{"c", true}}}}},
                              {"histogram", {{{"le", 1.5}, {"count", 2}}}},
                              {"line_rate_pct", nullptr}}});
  EXPECT_EQ(to_csv(doc),
            "tool,ranks,device,extra.a,extra.b.c,histogram,line_rate_pct\n"
            "fp_bw,0;1,d,1,true,\"[{\"\"count\"\":2,\"\"le\"\":1.5}]\",\n");
}

TEST(Csv, ChecksTable) {
  const auto doc = make_doc({}, {{{"name", "link"},
                                  {"status", "fail"},
                                  {"expected", {{"min", 1}}},
                                  {"measured", 0},
                                  {"detail", "port \"1\" down"},
                                  {"labels", {{"host", "n1"}}}}});
  EXPECT_EQ(to_csv(doc, CsvTable::checks),
            "tool,name,detail,expected.min,labels.host,measured,status\n"
            "fp_bw,link,\"port \"\"1\"\" down\",1,n1,0,fail\n");
}

TEST(Csv, RecordedDocumentsHaveOneLinePerResult) {
  for (const char* name : {"bw_sweep.json", "lat.json", "coll.json", "suite.json"}) {
    const auto doc = testing::load_fixture(name);
    const std::string text = to_csv(doc);
    EXPECT_EQ(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')), doc["results"].size() + 1) << name;
  }
}

TEST(Csv, MergedRowsKeepTheirTool) {
  const auto doc = make_doc({{{"tool", "fp_lat"}, {"device", "d"}}});
  EXPECT_EQ(to_csv(doc), "tool,device\nfp_lat,d\n");
}

}  // namespace
}  // namespace fabricperf::results
