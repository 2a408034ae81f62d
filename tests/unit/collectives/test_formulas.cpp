// Sizes, counts and bandwidth exactly as nccl-tests computes them (src/*.cu GetCollByteCount/GetBw).
#include <gtest/gtest.h>

#include "fabricperf/collectives/collective.hpp"
#include "fabricperf/collectives/types.hpp"
#include "fabricperf/error.hpp"

using namespace fabricperf::collectives;

TEST(BusFactor, MatchesNcclTestsDefinitions) {
  for (const int n : {1, 2, 3, 4, 8, 16, 1024}) {
    const double dn = n;
    EXPECT_DOUBLE_EQ(bus_factor(Collective::all_reduce, n), 2.0 * (dn - 1) / dn) << n;
    for (const auto c : {Collective::all_gather, Collective::reduce_scatter, Collective::alltoall, Collective::gather,
                         Collective::scatter})
      EXPECT_DOUBLE_EQ(bus_factor(c, n), (dn - 1) / dn) << to_string(c) << " " << n;
    for (const auto c : {Collective::broadcast, Collective::reduce, Collective::sendrecv})
      EXPECT_DOUBLE_EQ(bus_factor(c, n), 1.0) << to_string(c) << " " << n;
  }
}

TEST(Bandwidth, AlgbwIsSizeOverTimeInGBps) {
  // nccl-tests all_reduce 8 ranks, 128 MiB in 1000 us: algbw 134.22 GB/s, busbw 234.88 GB/s.
  const auto bw = bandwidth(Collective::all_reduce, 134217728, 1000e-6, 8);
  EXPECT_NEAR(bw.algbw_GBps, 134.217728, 1e-9);
  EXPECT_NEAR(bw.busbw_GBps, 134.217728 * 1.75, 1e-9);
  const auto ag = bandwidth(Collective::all_gather, 1 << 30, 0.01, 4);
  EXPECT_NEAR(ag.algbw_GBps, 107.3741824, 1e-9);
  EXPECT_NEAR(ag.busbw_GBps, 107.3741824 * 0.75, 1e-9);
  const auto zero = bandwidth(Collective::broadcast, 1024, 0.0, 2);
  EXPECT_EQ(zero.algbw_GBps, 0.0);
}

TEST(CollShape, AllReduceBroadcastReduceSendrecvUseTheWholeSize) {
  for (const auto c : {Collective::all_reduce, Collective::broadcast, Collective::reduce, Collective::sendrecv}) {
    const auto s = coll_shape(c, 1000, 4, 3);
    EXPECT_EQ(s.param_count, 250U) << to_string(c);
    EXPECT_EQ(s.send_count, 250U);
    EXPECT_EQ(s.recv_count, 250U);
    EXPECT_EQ(s.size_bytes(), 1000U);
    EXPECT_EQ(s.send_inplace_offset, 0U);
    EXPECT_EQ(s.recv_inplace_offset, 0U);
  }
  // Sizes not a multiple of the element size are rounded down (count = size / wordSize).
  EXPECT_EQ(coll_shape(Collective::all_reduce, 1001, 8, 2).param_count, 125U);
}

TEST(CollShape, PerRankChunksAre16ByteAlignedAsInNcclTests) {
  // float, 3 ranks, 1000 bytes: count 250, base = (250/3) & ~3 = 80.
  const auto ag = coll_shape(Collective::all_gather, 1000, 4, 3);
  EXPECT_EQ(ag.param_count, 80U);
  EXPECT_EQ(ag.send_count, 80U);
  EXPECT_EQ(ag.recv_count, 240U);
  EXPECT_EQ(ag.send_inplace_offset, 80U);
  EXPECT_EQ(ag.recv_inplace_offset, 0U);
  EXPECT_EQ(ag.size_bytes(), 960U);  // the size column is the total across ranks

  const auto rs = coll_shape(Collective::reduce_scatter, 1000, 4, 3);
  EXPECT_EQ(rs.param_count, 80U);
  EXPECT_EQ(rs.send_count, 240U);
  EXPECT_EQ(rs.recv_count, 80U);
  EXPECT_EQ(rs.send_inplace_offset, 0U);
  EXPECT_EQ(rs.recv_inplace_offset, 80U);
  EXPECT_EQ(rs.size_bytes(), 960U);

  const auto a2a = coll_shape(Collective::alltoall, 1 << 20, 4, 8);
  EXPECT_EQ(a2a.param_count, 32768U);
  EXPECT_EQ(a2a.send_count, 262144U);
  EXPECT_EQ(a2a.recv_count, 262144U);
  EXPECT_EQ(a2a.size_bytes(), 1U << 20);

  // int8: 16 elements per chunk; double: 2.
  EXPECT_EQ(coll_shape(Collective::all_gather, 100, 1, 3).param_count, 32U);  // 33 & ~15
  EXPECT_EQ(coll_shape(Collective::all_gather, 100, 8, 3).param_count, 4U);   // (12/3=4) & ~1
  EXPECT_EQ(coll_shape(Collective::all_gather, 8, 4, 4).param_count, 0U);     // too small: size 0

  const auto g = coll_shape(Collective::gather, 4096, 4, 4);
  EXPECT_EQ(g.param_count, 256U);
  EXPECT_EQ(g.recv_count, 1024U);
  EXPECT_EQ(g.send_inplace_offset, 256U);
  const auto sc = coll_shape(Collective::scatter, 4096, 4, 4);
  EXPECT_EQ(sc.send_count, 1024U);
  EXPECT_EQ(sc.recv_count, 256U);
  EXPECT_EQ(sc.recv_inplace_offset, 256U);
}

TEST(CollShape, AlgbwOfEveryCollectiveIsItsSizeColumnOverTime) {
  // nccl-tests' GetBw multiplies count*typesize by nranks for the "total" collectives; that is
  // exactly the size column.
  for (const auto c : kAllCollectives) {
    const auto s = coll_shape(c, 1 << 20, 4, 4);
    const double t = 1e-3;
    const bool total = c == Collective::all_gather || c == Collective::reduce_scatter || c == Collective::alltoall ||
                       c == Collective::gather || c == Collective::scatter;
    const double nccl_tests_algbw =
        static_cast<double>(s.param_count * 4 * (total ? 4 : 1)) / 1.0e9 / t;
    EXPECT_DOUBLE_EQ(bandwidth(c, s.size_bytes(), t, 4).algbw_GBps, nccl_tests_algbw) << to_string(c);
  }
}

TEST(CollectiveNames, ParseAndList) {
  EXPECT_EQ(parse_collective("all_reduce"), Collective::all_reduce);
  EXPECT_EQ(parse_collective("allreduce"), Collective::all_reduce);
  EXPECT_EQ(parse_collective("All-Gather"), Collective::all_gather);
  EXPECT_EQ(parse_collective("bcast"), Collective::broadcast);
  EXPECT_EQ(parse_collective("alltoall"), Collective::alltoall);
  EXPECT_EQ(parse_collectives("all").size(), 9U);
  const auto list = parse_collectives("reduce,all_reduce,reduce");
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[0], Collective::reduce);
  try {
    (void)parse_collectives("all_reduce,allgatherx");
    FAIL();
  } catch (const fabricperf::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("'allgatherx'"), std::string::npos);
  }
  EXPECT_TRUE(uses_reduction(Collective::reduce_scatter));
  EXPECT_FALSE(uses_reduction(Collective::sendrecv));
  EXPECT_TRUE(is_rooted(Collective::scatter));
  EXPECT_FALSE(is_rooted(Collective::alltoall));
}

TEST(Types, NcclTestsNamesSizesAndAliases) {
  EXPECT_EQ(parse_data_type("half"), DataType::float16);
  EXPECT_EQ(parse_data_type("bf16"), DataType::bfloat16);
  EXPECT_EQ(parse_data_type("FLOAT"), DataType::float32);
  EXPECT_EQ(parse_data_type("char"), DataType::int8);
  EXPECT_EQ(to_string(DataType::float16), "half");
  EXPECT_EQ(to_string(DataType::float64), "double");
  EXPECT_EQ(element_size(DataType::bfloat16), 2U);
  EXPECT_EQ(element_size(DataType::uint64), 8U);
  EXPECT_EQ(parse_data_types("all").size(), 10U);
  EXPECT_EQ(parse_red_ops("all").size(), 5U);
  EXPECT_EQ(parse_red_op("avg"), RedOp::avg);
  EXPECT_THROW((void)parse_data_type("float8"), fabricperf::UsageError);
  EXPECT_THROW((void)parse_red_op("mulsum"), fabricperf::UsageError);
  EXPECT_THROW((void)parse_red_ops(","), fabricperf::UsageError);
}
