// The table has nccl-tests' exact shape (src/util.cu writeResultHeader / writeBenchmarkLine*).
#include <gtest/gtest.h>

#include <algorithm>

#include "fabricperf/collectives/report.hpp"

using namespace fabricperf::collectives;

TEST(Report, FixedWidthNumbersAsNcclTests) {
  EXPECT_EQ(format_fixed_width(10.384, 7), "  10.38");
  EXPECT_EQ(format_fixed_width(123456.7, 7), " 123457");  // .2f and .1f do not fit: .0f
  EXPECT_EQ(format_fixed_width(0.0, 6), "  0.00");
  EXPECT_EQ(format_fixed_width(1234.5, 6), "1234.5");
  EXPECT_EQ(format_fixed_width(123456.0, 6), "123456");
  EXPECT_EQ(format_fixed_width(12345678.0, 7), "1.2e+07");
}

TEST(Report, RowMatchesNcclTestsLine) {
  // nccl-tests: "     1048576        262144     float     sum      -1    50.12   20.92   36.61      0    49.77 ..."
  const std::string row = row_preamble(1048576, 262144, "float", "sum", -1) + row_body(50.12, 20.92, 36.61, 0) +
                          row_body(49.77, 21.07, 36.87, 0);
  EXPECT_EQ(row,
            "     1048576        262144     float     sum      -1    50.12   20.92   36.61       0    49.77   21.07   "
            "36.87       0");
  EXPECT_EQ(row_body(1.0, 2.0, 3.0, -1), "     1.00    2.00    3.00    N/A");
}

TEST(Report, HeaderAndFooter) {
  const std::string h = table_header();
  EXPECT_NE(h.find("out-of-place"), std::string::npos);
  EXPECT_NE(h.find("#wrong"), std::string::npos);
  EXPECT_NE(h.find("(elements)"), std::string::npos);
  EXPECT_EQ(std::count(h.begin(), h.end(), '\n'), 3);
  EXPECT_EQ(table_footer(0, 12.5), "# Out of bounds values : 0 OK\n# Avg bus bandwidth    : 12.5 \n");
  EXPECT_NE(table_footer(3, 1).find("3 FAILED"), std::string::npos);
}
