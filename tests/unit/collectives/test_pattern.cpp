// Verifiable data: for every op and datatype, the expected result generator agrees with a
// reduction done the way a GPU or MPI does it (in the datatype, rounding after every step, in
// any order); every collective, simulated on the host with its data movement and in-place layout,
// checks as correct, and a single corrupted element is counted.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "fabricperf/collectives/float16.hpp"
#include "fabricperf/collectives/pattern.hpp"

using namespace fabricperf::collectives;

namespace {

using Bytes = std::vector<std::byte>;

// One reduction step in the datatype: computed exactly, stored (rounded/wrapped) in T.
void combine_into(DataType type, RedOp op, std::byte* acc, const std::byte* x, int nranks) {
  Scalar a = load_element(type, acc);
  const Scalar b = load_element(type, x);
  Scalar r;
  if (is_floating(type)) {
    switch (op) {
      case RedOp::sum:
      case RedOp::avg: r.f = a.f + b.f; break;
      case RedOp::prod: r.f = a.f * b.f; break;
      case RedOp::max: r.f = std::max(a.f, b.f); break;
      case RedOp::min: r.f = std::min(a.f, b.f); break;
    }
    if (type == DataType::float32) r.f = static_cast<double>(static_cast<float>(r.f));
  } else {
    const auto ua = static_cast<std::uint64_t>(a.i);
    const auto ub = static_cast<std::uint64_t>(b.i);
    switch (op) {
      case RedOp::sum:
      case RedOp::avg: r.i = static_cast<std::int64_t>(ua + ub); break;
      case RedOp::prod: r.i = static_cast<std::int64_t>(ua * ub); break;
      case RedOp::max: r.i = std::max(a.i, b.i); break;
      case RedOp::min: r.i = std::min(a.i, b.i); break;
    }
  }
  (void)nranks;
  store_element(type, r, acc);
}

// avg's pre-multiply as NCCL does it for floating types: x * (1/n) in float (double for double).
void premultiply(DataType type, std::byte* x, int nranks) {
  Scalar s = load_element(type, x);
  if (type == DataType::float64) {
    s.f = s.f * (1.0 / nranks);
  } else {
    s.f = static_cast<double>(static_cast<float>(s.f) * static_cast<float>(1.0 / nranks));
  }
  store_element(type, s, x);
}

void postdivide(DataType type, std::byte* x, int nranks) {
  Scalar s = load_element(type, x);
  s.i = s.i / nranks;
  store_element(type, s, x);
}

// Reduction of element `index` over ranks in the given order, the GPU way.
Bytes reduce_element(const PatternSpec& spec, std::size_t index, const std::vector<int>& order) {
  const std::size_t elt = element_size(spec.type);
  Bytes acc(elt);
  Bytes x(elt);
  bool first = true;
  const bool float_avg = spec.op == RedOp::avg && is_floating(spec.type);
  for (const int r : order) {
    store_element(spec.type, input_value(spec, r, index), x.data());
    if (float_avg) premultiply(spec.type, x.data(), spec.nranks);
    if (first) {
      acc = x;
      first = false;
    } else {
      combine_into(spec.type, spec.op, acc.data(), x.data(), spec.nranks);
    }
  }
  if (spec.op == RedOp::avg && !is_floating(spec.type)) postdivide(spec.type, acc.data(), spec.nranks);
  return acc;
}

std::vector<int> ranks_in_order(int n, bool reverse) {
  std::vector<int> order(static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r) order[static_cast<std::size_t>(r)] = reverse ? n - 1 - r : r;
  return order;
}

}  // namespace

class ReductionExactness : public ::testing::TestWithParam<std::tuple<DataType, RedOp>> {};

TEST_P(ReductionExactness, ExpectedValueMatchesAnyReductionOrder) {
  const auto [type, op] = GetParam();
  for (const int n : {1, 2, 3, 5, 8, 17, 64, 300}) {
    PatternSpec spec{Collective::all_reduce, type, op, n, 0, 0xC0FFEE + static_cast<std::uint64_t>(n)};
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < 400; ++i) {
      Bytes want(element_size(type));
      store_element(type, reduced_value(spec, i), want.data());
      for (const bool reverse : {false, true}) {
        const Bytes got = reduce_element(spec, i, ranks_in_order(n, reverse));
        if (!element_matches(spec, got.data(), reduced_value(spec, i))) ++mismatches;
        if (op != RedOp::avg || !is_floating(type)) {
          EXPECT_EQ(std::memcmp(got.data(), want.data(), want.size()), 0)
              << to_string(type) << " " << to_string(op) << " n=" << n << " i=" << i;
        }
      }
    }
    EXPECT_EQ(mismatches, 0U) << to_string(type) << " " << to_string(op) << " n=" << n;
  }
}

TEST_P(ReductionExactness, ValuesStayInsideTheExactRange) {
  const auto [type, op] = GetParam();
  const ReductionLimits lim = reduction_limits(type, op);
  // Largest magnitude of any partial sum/product must be exactly representable.
  double exact_limit = 0;
  switch (type) {
    case DataType::int8: exact_limit = 127; break;
    case DataType::uint8: exact_limit = 255; break;
    case DataType::float16: exact_limit = 2048; break;
    case DataType::bfloat16: exact_limit = 256; break;
    case DataType::float32: exact_limit = 16777216; break;
    default: exact_limit = 2147483647; break;
  }
  double worst = 0;
  switch (op) {
    case RedOp::sum:
    case RedOp::avg: worst = static_cast<double>(lim.max_contributors) * static_cast<double>(lim.max_value); break;
    case RedOp::prod: worst = std::ldexp(1.0, lim.max_contributors); break;
    case RedOp::max:
    case RedOp::min: worst = static_cast<double>(lim.max_value) + 1; break;
  }
  if (op == RedOp::prod && type == DataType::float16) exact_limit = 65504;  // powers of two are exact up to max
  if (op == RedOp::prod && (type == DataType::bfloat16 || type == DataType::float32)) exact_limit = 1e38;
  EXPECT_LE(worst, exact_limit) << to_string(type) << " " << to_string(op);
}

INSTANTIATE_TEST_SUITE_P(AllTypesAndOps, ReductionExactness,
                         ::testing::Combine(::testing::ValuesIn(kAllDataTypes), ::testing::ValuesIn(kAllRedOps)),
                         [](const auto& p) {
                           return std::string(to_string(std::get<0>(p.param))) + "_" +
                                  std::string(to_string(std::get<1>(p.param)));
                         });

TEST(Pattern, AvgOfFloatsAllowsTwoUlps) {
  const PatternSpec spec{Collective::all_reduce, DataType::float16, RedOp::avg, 3, 0, 7};
  const Scalar want = reduced_value(spec, 5);
  Bytes exact(2);
  store_element(spec.type, want, exact.data());
  std::uint16_t bits = 0;
  std::memcpy(&bits, exact.data(), 2);
  for (const int delta : {1, 2}) {
    const std::uint16_t near = static_cast<std::uint16_t>(bits + delta);
    EXPECT_TRUE(element_matches(spec, reinterpret_cast<const std::byte*>(&near), want)) << delta;
  }
  const std::uint16_t far = static_cast<std::uint16_t>(bits + 3);
  EXPECT_FALSE(element_matches(spec, reinterpret_cast<const std::byte*>(&far), want));
}

TEST(Pattern, InputsDependOnRankIndexAndSeed) {
  const PatternSpec a{Collective::all_gather, DataType::int32, RedOp::sum, 4, 0, 1};
  PatternSpec b = a;
  b.seed = 2;
  int same_rank = 0, same_seed = 0;
  for (std::size_t i = 0; i < 100; ++i) {
    same_rank += input_value(a, 0, i).i == input_value(a, 1, i).i;
    same_seed += input_value(a, 0, i).i == input_value(b, 0, i).i;
  }
  EXPECT_LT(same_rank, 3);
  EXPECT_LT(same_seed, 3);
  // Movement values of floating types are exact integers (no NaN, no rounding).
  const PatternSpec h{Collective::broadcast, DataType::float16, RedOp::sum, 2, 0, 3};
  for (std::size_t i = 0; i < 1000; ++i) {
    const double v = input_value(h, 1, i).f;
    EXPECT_EQ(v, std::floor(v));
    EXPECT_LE(std::fabs(v), 2048.0);
  }
}

TEST(Pattern, UlpDistance) {
  const float one = 1.0F;
  const float next = std::nextafter(1.0F, 2.0F);
  const float minus = -0.0F;
  const float plus = 0.0F;
  EXPECT_EQ(ulp_distance(DataType::float32, reinterpret_cast<const std::byte*>(&one),
                         reinterpret_cast<const std::byte*>(&next)),
            1U);
  EXPECT_EQ(ulp_distance(DataType::float32, reinterpret_cast<const std::byte*>(&minus),
                         reinterpret_cast<const std::byte*>(&plus)),
            0U);
}

// ---- every collective simulated on the host ---------------------------------------------------

namespace {

struct Simulated {
  std::vector<Bytes> recv;  // per rank: the whole receive buffer after the collective
};

// Runs `coll` the reference way on the host: inputs from the pattern, nccl-tests' buffer layout.
Simulated simulate(const PatternSpec& spec, const CollShape& s, bool in_place) {
  const int n = spec.nranks;
  const std::size_t elt = s.element_bytes;
  const std::size_t pc = s.param_count;
  const std::size_t buffer = std::max(s.send_count, s.recv_count) * elt;
  std::vector<Bytes> send(static_cast<std::size_t>(n), Bytes(s.send_count * elt));
  for (int r = 0; r < n; ++r) fill_input(spec, r, 0, s.send_count, send[static_cast<std::size_t>(r)].data());
  Simulated out;
  out.recv.assign(static_cast<std::size_t>(n), Bytes(in_place ? buffer : s.recv_count * elt));
  for (auto& b : out.recv) fill_poison(b);
  if (in_place)  // the input sits inside the receive buffer
    for (int r = 0; r < n; ++r)
      std::memcpy(out.recv[static_cast<std::size_t>(r)].data() + s.send_inplace_offset * static_cast<std::size_t>(r) * elt,
                  send[static_cast<std::size_t>(r)].data(), s.send_count * elt);
  const auto result_at = [&](int r) {
    return out.recv[static_cast<std::size_t>(r)].data() +
           (in_place ? s.recv_inplace_offset * static_cast<std::size_t>(r) * elt : 0);
  };
  const auto reduce_into = [&](std::byte* dst, std::size_t first, std::size_t count) {
    for (std::size_t j = 0; j < count; ++j) {
      const Bytes v = reduce_element(spec, first + j, ranks_in_order(n, false));
      std::memcpy(dst + j * elt, v.data(), elt);
    }
  };
  for (int r = 0; r < n; ++r) {
    const auto R = static_cast<std::size_t>(r);
    switch (spec.coll) {
      case Collective::all_reduce: reduce_into(result_at(r), 0, pc); break;
      case Collective::reduce:
        if (r == spec.root) reduce_into(result_at(r), 0, pc);
        break;
      case Collective::reduce_scatter: reduce_into(result_at(r), R * pc, pc); break;
      case Collective::broadcast:
        std::memcpy(result_at(r), send[static_cast<std::size_t>(spec.root)].data(), pc * elt);
        break;
      case Collective::all_gather:
        for (int q = 0; q < n; ++q)
          std::memcpy(result_at(r) + static_cast<std::size_t>(q) * pc * elt, send[static_cast<std::size_t>(q)].data(), pc * elt);
        break;
      case Collective::gather:
        if (r == spec.root)
          for (int q = 0; q < n; ++q)
            std::memcpy(result_at(r) + static_cast<std::size_t>(q) * pc * elt, send[static_cast<std::size_t>(q)].data(),
                        pc * elt);
        break;
      case Collective::alltoall:
        for (int q = 0; q < n; ++q)
          std::memcpy(result_at(r) + static_cast<std::size_t>(q) * pc * elt,
                      send[static_cast<std::size_t>(q)].data() + R * pc * elt, pc * elt);
        break;
      case Collective::sendrecv:
        std::memcpy(result_at(r), send[static_cast<std::size_t>((r - 1 + n) % n)].data(), pc * elt);
        break;
      case Collective::scatter:
        std::memcpy(result_at(r), send[static_cast<std::size_t>(spec.root)].data() + R * pc * elt, pc * elt);
        break;
    }
  }
  return out;
}

}  // namespace

class EveryCollective : public ::testing::TestWithParam<Collective> {};

TEST_P(EveryCollective, SimulatedResultChecksCorrectAndCorruptionIsCounted) {
  const Collective coll = GetParam();
  for (const DataType type : kAllDataTypes) {
    for (const RedOp op : uses_reduction(coll) ? std::vector<RedOp>(std::begin(kAllRedOps), std::end(kAllRedOps))
                                               : std::vector<RedOp>{RedOp::sum}) {
      for (const int n : {1, 3, 4}) {
        for (const bool in_place : {false, true}) {
          const PatternSpec spec{coll, type, op, n, n - 1, 42};
          const CollShape s = coll_shape(coll, 1024, element_size(type), n);
          Simulated sim = simulate(spec, s, in_place);
          for (int r = 0; r < n; ++r) {
            auto& buf = sim.recv[static_cast<std::size_t>(r)];
            ASSERT_EQ(count_wrong(spec, s, r, in_place, buf), 0U)
                << to_string(coll) << " " << to_string(type) << " " << to_string(op) << " n=" << n << " rank " << r
                << (in_place ? " in-place" : "");
            const CheckRegion region = check_region(spec, s, r, in_place);
            if (!region.checked || region.count == 0) continue;
            // Corrupt one element of the result: exactly one wrong.
            std::byte* e = buf.data() + (region.first + region.count / 2) * s.element_bytes;
            for (std::size_t k = 0; k < s.element_bytes; ++k) e[k] = static_cast<std::byte>(~static_cast<unsigned>(e[k]));
            EXPECT_EQ(count_wrong(spec, s, r, in_place, buf), 1U) << to_string(coll) << " " << to_string(type);
          }
        }
      }
    }
  }
}

TEST_P(EveryCollective, UntouchedReceiveBufferIsAllWrong) {
  const Collective coll = GetParam();
  const PatternSpec spec{coll, DataType::float32, RedOp::sum, 4, 0, 9};
  const CollShape s = coll_shape(coll, 4096, 4, 4);
  Bytes poison(s.recv_count * 4);
  fill_poison(poison);
  const CheckRegion region = check_region(spec, s, 0, false);
  EXPECT_EQ(count_wrong(spec, s, 0, false, poison), region.checked ? region.count : 0U);
}

INSTANTIATE_TEST_SUITE_P(All, EveryCollective, ::testing::ValuesIn(kAllCollectives),
                         [](const auto& p) { return std::string(to_string(p.param)); });

TEST(CheckRegion, RootOnlyAndInPlaceOffsets) {
  const PatternSpec reduce{Collective::reduce, DataType::float32, RedOp::sum, 4, 2, 1};
  const CollShape s = coll_shape(Collective::reduce, 1024, 4, 4);
  EXPECT_FALSE(check_region(reduce, s, 0, false).checked);
  EXPECT_TRUE(check_region(reduce, s, 2, false).checked);
  const PatternSpec rs{Collective::reduce_scatter, DataType::float32, RedOp::sum, 4, 0, 1};
  const CollShape rss = coll_shape(Collective::reduce_scatter, 1024, 4, 4);
  EXPECT_EQ(check_region(rs, rss, 3, true).first, 3 * rss.param_count);
  EXPECT_EQ(check_region(rs, rss, 3, false).first, 0U);
}
