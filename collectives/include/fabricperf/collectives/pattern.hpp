#pragma once
// Verifiable data: every rank fills its send buffer from (seed, rank, index), and every rank can
// compute what any element of its result must be without talking to the others. Reductions are
// exact in every datatype and any summation order: per element at most A ranks contribute a
// non-identity value, and A and the value range are chosen per datatype and op so every partial
// result is exactly representable (half: |sum| <= 2048, bfloat16: <= 256, products are powers
// of two). Float avg has two contributors and a 2-ulp tolerance, as in nccl-tests.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fabricperf/collectives/collective.hpp"
#include "fabricperf/collectives/types.hpp"

namespace fabricperf::collectives {

struct PatternSpec {
  Collective coll = Collective::all_reduce;
  DataType type = DataType::float32;
  RedOp op = RedOp::sum;
  int nranks = 1;
  int root = 0;
  std::uint64_t seed = 1;
};

// One element value before it is stored in its datatype: integers as 64-bit two's complement,
// floating types as double (always an exactly representable value of the target type).
struct Scalar {
  std::int64_t i = 0;
  double f = 0;
};

// How many ranks may contribute a non-identity value to one element, and the largest magnitude.
struct ReductionLimits {
  int max_contributors = 1;
  std::int64_t max_value = 1;
};
[[nodiscard]] ReductionLimits reduction_limits(DataType type, RedOp op) noexcept;

// Stores/loads one element (unaligned access is fine). Floating values round to nearest even.
void store_element(DataType type, const Scalar& value, std::byte* dst) noexcept;
[[nodiscard]] Scalar load_element(DataType type, const std::byte* src) noexcept;

// Input element `index` of `rank`'s send buffer.
[[nodiscard]] Scalar input_value(const PatternSpec& spec, int rank, std::size_t index) noexcept;
// Reduction over all ranks of input element `index` (reduction collectives only).
[[nodiscard]] Scalar reduced_value(const PatternSpec& spec, std::size_t index) noexcept;

// Fills `count` elements of `rank`'s send data, starting at element `first`, into dst.
void fill_input(const PatternSpec& spec, int rank, std::size_t first, std::size_t count, std::byte* dst) noexcept;
// Fills bytes with a pattern no correct result contains in practice (0xA5 bytes... as NaN for floats).
void fill_poison(std::span<std::byte> bytes) noexcept;

// Where `rank`'s result lies in its receive buffer and whether it is checked at all.
struct CheckRegion {
  bool checked = false;        // e.g. reduce/gather results exist on the root only
  std::size_t first = 0;       // element offset in the receive buffer
  std::size_t count = 0;
};
[[nodiscard]] CheckRegion check_region(const PatternSpec& spec, const CollShape& shape, int rank, bool in_place) noexcept;

// Expected element `j` of `rank`'s result region.
[[nodiscard]] Scalar expected_value(const PatternSpec& spec, const CollShape& shape, int rank, std::size_t j) noexcept;

// Whether `got` matches `want` for this spec: bitwise for data movement and integers, by value
// for floating reductions, within 2 units in the last place for floating avg.
[[nodiscard]] bool element_matches(const PatternSpec& spec, const std::byte* got, const Scalar& want) noexcept;

// Number of wrong elements in `rank`'s result region of `recv` (the whole receive buffer).
[[nodiscard]] std::uint64_t count_wrong(const PatternSpec& spec, const CollShape& shape, int rank, bool in_place,
                                        std::span<const std::byte> recv) noexcept;

// Units in the last place between two values of a floating type (0 when equal, huge for NaN).
[[nodiscard]] std::uint64_t ulp_distance(DataType type, const std::byte* a, const std::byte* b) noexcept;

}  // namespace fabricperf::collectives
