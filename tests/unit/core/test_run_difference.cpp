// A client whose parameters differ from the server's is told which ones (the server stops too).
#include <gtest/gtest.h>

#include "fabricperf/bootstrap_hello.hpp"

using fabricperf::run_difference;

TEST(RunDifference, EqualRunsHaveNone) {
  EXPECT_EQ(run_difference("fp_bw/1 op=write q=1", "fp_bw/1 op=write q=1"), "");
}

TEST(RunDifference, NamesEachDifferingParameter) {
  const auto d =
      run_difference("fp_bw/1 op=read sizes=1:65536-65536 q=1 b=0", "fp_bw/1 op=write sizes=1:65536-65536 q=2 b=0");
  EXPECT_NE(d.find("op: server read, client write"), std::string::npos) << d;
  EXPECT_NE(d.find("q: server 1, client 2"), std::string::npos) << d;
  EXPECT_EQ(d.find("sizes"), std::string::npos) << d;  // equal parameters are not listed
}

TEST(RunDifference, MissingParameterAndOtherTool) {
  EXPECT_NE(run_difference("fp_lat/1 op=send D=1", "fp_lat/1 op=send").find("D: server 1, client (not given)"),
            std::string::npos);
  EXPECT_NE(run_difference("fp_bw/1 op=write", "fp_lat/1 op=write").find("the tool differs"), std::string::npos);
  EXPECT_EQ(run_difference("", "x"), "the tool differs: server '', client 'x'");
}
