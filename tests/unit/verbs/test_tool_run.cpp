// The pieces of a tool run fp_bw, fp_lat and fp_gdr share before their sweep: the run token both
// sides compare, and who reports under a launcher.
#include <gtest/gtest.h>

#include <cstdlib>

#include "fabricperf/verbs/session.hpp"

using namespace fabricperf::verbs;

namespace {

// Sets one environment variable for the lifetime of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

}  // namespace

TEST(RunToken, NamesToolOpSizeRangeAndExtras) {
  EXPECT_EQ(run_token("fp_bw", "write", {2, 4, 8}, " q=2 b=0"), "fp_bw/1 op=write sizes=3:2-8 q=2 b=0");
}

TEST(RunToken, SizeRangeIsMinToMaxWhateverTheOrder) {
  EXPECT_EQ(run_token("fp_lat", "send", {64, 2, 1024}, ""), "fp_lat/1 op=send sizes=3:2-1024");
}

TEST(RunToken, DifferentExtrasGiveDifferentTokens) {
  EXPECT_NE(run_token("fp_bw", "read", {65536}, " q=1"), run_token("fp_bw", "read", {65536}, " q=2"));
}

TEST(ToolReporting, ByHandEveryProcessReports) {
  const auto r = tool_reporting();
  EXPECT_FALSE(r.mpi_launched);
  EXPECT_TRUE(r.print);
}

TEST(ToolReporting, UnderALauncherOnlyRankZeroReports) {
  {
    ScopedEnv rank("OMPI_COMM_WORLD_RANK", "3");
    ScopedEnv size("OMPI_COMM_WORLD_SIZE", "4");
    const auto r = tool_reporting();
    EXPECT_TRUE(r.mpi_launched);
    EXPECT_FALSE(r.print);
  }
  ScopedEnv rank("OMPI_COMM_WORLD_RANK", "0");
  ScopedEnv size("OMPI_COMM_WORLD_SIZE", "4");
  const auto r = tool_reporting();
  EXPECT_TRUE(r.mpi_launched);
  EXPECT_TRUE(r.print);
}
