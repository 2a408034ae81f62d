#include <gtest/gtest.h>

#include "fabricperf/bw/report.hpp"
#include "fabricperf/verbs/rows.hpp"

using namespace fabricperf::bw;
using namespace fabricperf::verbs;

namespace {
BwRow row_at(double gbps) {
  BwRow r;
  r.id.host = "a";
  r.id.device = "d0";
  r.id.peer_host = "b";
  r.id.peer_device = "d0";
  r.id.size_bytes = 65536;
  r.iterations = 1000;
  r.bw_avg_gbps = r.bw_peak_gbps = gbps;
  return r;
}
}  // namespace

TEST(BwTable, MiBAndGbColumnsSayWhatTheyPrint) {
  const auto row = row_at(8.388608).to_json();
  const auto gb = table_line(row, true, false);
  EXPECT_NE(gb.find("8.39"), std::string::npos) << gb;
  const auto mib = table_line(row, false, false);
  EXPECT_NE(mib.find("1000.00"), std::string::npos) << mib;  // 8.388608 Gb/s = 1000 MiB/s
  EXPECT_NE(table_header(true, false).find("Gb/sec"), std::string::npos);
  EXPECT_NE(table_header(false, false).find("MiB/sec"), std::string::npos);
  EXPECT_EQ(table_header(false, false).find("MB/sec"), std::string::npos);
  EXPECT_NE(table_line(row, true, true).find("a:d0 -> b:d0"), std::string::npos);
}
