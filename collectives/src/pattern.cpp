#include "fabricperf/collectives/pattern.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "fabricperf/collectives/float16.hpp"

namespace fabricperf::collectives {
namespace {

constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::uint64_t element_hash(std::uint64_t seed, int rank, std::size_t index) noexcept {
  return splitmix64(seed ^ splitmix64((static_cast<std::uint64_t>(static_cast<unsigned>(rank)) << 40) ^
                                      static_cast<std::uint64_t>(index)));
}

Scalar make(DataType type, std::int64_t v) noexcept {
  Scalar s;
  if (is_floating(type)) {
    s.f = static_cast<double>(v);
  } else {
    s.i = v;
  }
  return s;
}

// Rounds a double to the nearest value of a floating type (via float for the 16-bit types:
// the values used here are exact in float, so this is a single rounding).
double round_to(DataType type, double v) noexcept {
  switch (type) {
    case DataType::float16: return half_bits_to_float(float_to_half_bits(static_cast<float>(v)));
    case DataType::bfloat16: return bfloat16_bits_to_float(float_to_bfloat16_bits(static_cast<float>(v)));
    case DataType::float32: return static_cast<double>(static_cast<float>(v));
    default: return v;
  }
}

// Data movement: arbitrary but exactly representable values.
Scalar movement_value(DataType type, std::uint64_t h) noexcept {
  switch (type) {
    case DataType::float16: return make(type, static_cast<std::int64_t>(h % 4097) - 2048);
    case DataType::bfloat16: return make(type, static_cast<std::int64_t>(h % 513) - 256);
    case DataType::float32: return make(type, static_cast<std::int64_t>(h % ((1ULL << 25) + 1)) - (1LL << 24));
    case DataType::float64: return make(type, static_cast<std::int64_t>(h >> 11) - (1LL << 52));
    default: {
      Scalar s;
      s.i = static_cast<std::int64_t>(h);
      return s;
    }
  }
}

struct Contributors {
  int stride = 1;  // ranks r with (r + index) % stride == 0 contribute
};

Contributors contributors(DataType type, RedOp op, int nranks) noexcept {
  const int a = std::max(1, std::min(reduction_limits(type, op).max_contributors, nranks));
  return {(nranks + a - 1) / a};
}

int first_contributor(int stride, std::size_t index) noexcept {
  const auto s = static_cast<std::size_t>(stride);
  return static_cast<int>((s - index % s) % s);
}

std::int64_t active_value(DataType type, RedOp op, std::int64_t v, std::uint64_t h) noexcept {
  const bool sgn = is_signed(type);
  const auto span = [&](std::int64_t n) { return static_cast<std::int64_t>(h % static_cast<std::uint64_t>(n)); };
  switch (op) {
    case RedOp::sum: return sgn ? span(2 * v + 1) - v : span(v + 1);
    case RedOp::avg:
      if (is_floating(type)) return 1 + span(v);
      return sgn ? span(2 * v + 1) - v : span(v + 1);
    case RedOp::prod: {
      static constexpr std::int64_t signed_values[] = {-1, 1, 2};
      static constexpr std::int64_t unsigned_values[] = {1, 2};
      return sgn ? signed_values[span(3)] : unsigned_values[span(2)];
    }
    case RedOp::max:
    case RedOp::min: return sgn ? span(2 * v + 1) - v : 1 + span(v);
  }
  return 0;
}

std::int64_t identity_value(DataType type, RedOp op, std::int64_t v) noexcept {
  switch (op) {
    case RedOp::sum:
    case RedOp::avg: return 0;
    case RedOp::prod: return 1;
    case RedOp::max: return is_signed(type) ? -v - 1 : 0;
    case RedOp::min: return v + 1;
  }
  return 0;
}

bool is_movement(Collective coll) noexcept { return !uses_reduction(coll); }

}  // namespace

ReductionLimits reduction_limits(DataType type, RedOp op) noexcept {
  const bool wide = element_size(type) == 8;
  switch (op) {
    case RedOp::sum:
      switch (type) {
        case DataType::int8: return {16, 7};
        case DataType::uint8: return {16, 15};
        case DataType::float16: return {64, 31};
        case DataType::bfloat16: return {16, 15};
        default: return {64, wide ? 1000000 : 1000};
      }
    case RedOp::avg:
      if (is_floating(type)) {
        switch (type) {
          case DataType::float16: return {2, 1000};
          case DataType::bfloat16: return {2, 100};
          default: return {2, 1000000};
        }
      }
      return reduction_limits(type, RedOp::sum);
    case RedOp::prod:
      switch (type) {
        case DataType::int8:
        case DataType::uint8: return {6, 2};
        case DataType::float16: return {15, 2};
        default: return {30, 2};
      }
    case RedOp::max:
    case RedOp::min:
      switch (type) {
        case DataType::int8: return {64, 100};
        case DataType::uint8: return {64, 200};
        case DataType::float16: return {64, 2000};
        case DataType::bfloat16: return {64, 250};
        default: return {64, 1000000};
      }
  }
  return {1, 1};
}

void store_element(DataType type, const Scalar& value, std::byte* dst) noexcept {
  switch (type) {
    case DataType::float16: {
      const std::uint16_t bits = float_to_half_bits(static_cast<float>(value.f));
      std::memcpy(dst, &bits, 2);
      return;
    }
    case DataType::bfloat16: {
      const std::uint16_t bits = float_to_bfloat16_bits(static_cast<float>(value.f));
      std::memcpy(dst, &bits, 2);
      return;
    }
    case DataType::float32: {
      const auto f = static_cast<float>(value.f);
      std::memcpy(dst, &f, 4);
      return;
    }
    case DataType::float64: std::memcpy(dst, &value.f, 8); return;
    default: {
      const auto bits = static_cast<std::uint64_t>(value.i);  // little endian: low bytes first
      std::memcpy(dst, &bits, element_size(type));
      return;
    }
  }
}

Scalar load_element(DataType type, const std::byte* src) noexcept {
  Scalar s;
  switch (type) {
    case DataType::float16: {
      std::uint16_t bits = 0;
      std::memcpy(&bits, src, 2);
      s.f = half_bits_to_float(bits);
      return s;
    }
    case DataType::bfloat16: {
      std::uint16_t bits = 0;
      std::memcpy(&bits, src, 2);
      s.f = bfloat16_bits_to_float(bits);
      return s;
    }
    case DataType::float32: {
      float f = 0;
      std::memcpy(&f, src, 4);
      s.f = f;
      return s;
    }
    case DataType::float64: std::memcpy(&s.f, src, 8); return s;
    case DataType::int8: s.i = static_cast<std::int8_t>(src[0]); return s;
    case DataType::uint8: s.i = static_cast<std::uint8_t>(src[0]); return s;
    case DataType::int32: {
      std::int32_t v = 0;
      std::memcpy(&v, src, 4);
      s.i = v;
      return s;
    }
    case DataType::uint32: {
      std::uint32_t v = 0;
      std::memcpy(&v, src, 4);
      s.i = v;
      return s;
    }
    case DataType::int64:
    case DataType::uint64: std::memcpy(&s.i, src, 8); return s;
  }
  return s;
}

Scalar input_value(const PatternSpec& spec, int rank, std::size_t index) noexcept {
  const std::uint64_t h = element_hash(spec.seed, rank, index);
  if (is_movement(spec.coll)) return movement_value(spec.type, h);
  const std::int64_t v = reduction_limits(spec.type, spec.op).max_value;
  const Contributors c = contributors(spec.type, spec.op, spec.nranks);
  const bool active = (static_cast<std::size_t>(rank) + index) % static_cast<std::size_t>(c.stride) == 0;
  return make(spec.type, active ? active_value(spec.type, spec.op, v, h) : identity_value(spec.type, spec.op, v));
}

Scalar reduced_value(const PatternSpec& spec, std::size_t index) noexcept {
  const std::int64_t v = reduction_limits(spec.type, spec.op).max_value;
  const Contributors c = contributors(spec.type, spec.op, spec.nranks);
  const bool floating = is_floating(spec.type);
  // Non-contributing ranks hold the identity, which changes nothing: combine the contributors only.
  bool first = true;
  std::int64_t acc_i = 0;
  double acc_f = 0;
  const double inv_n_float = static_cast<double>(static_cast<float>(1.0 / spec.nranks));
  for (int r = first_contributor(c.stride, index); r < spec.nranks; r += c.stride) {
    const std::int64_t x = active_value(spec.type, spec.op, v, element_hash(spec.seed, r, index));
    if (first) {
      first = false;
      acc_i = x;
      if (spec.op == RedOp::avg && floating) {
        acc_f = spec.type == DataType::float64 ? static_cast<double>(x) * (1.0 / spec.nranks)
                                                : round_to(spec.type, static_cast<double>(static_cast<float>(x) *
                                                                                          static_cast<float>(inv_n_float)));
        acc_f = round_to(spec.type, acc_f);
      } else {
        acc_f = static_cast<double>(x);
      }
      continue;
    }
    switch (spec.op) {
      case RedOp::sum: acc_i += x; acc_f += static_cast<double>(x); break;
      case RedOp::prod: acc_i *= x; acc_f *= static_cast<double>(x); break;
      case RedOp::max: acc_i = std::max(acc_i, x); acc_f = std::max(acc_f, static_cast<double>(x)); break;
      case RedOp::min: acc_i = std::min(acc_i, x); acc_f = std::min(acc_f, static_cast<double>(x)); break;
      case RedOp::avg:
        acc_i += x;
        if (floating) {
          const double p = spec.type == DataType::float64
                               ? static_cast<double>(x) * (1.0 / spec.nranks)
                               : round_to(spec.type, static_cast<double>(static_cast<float>(x) *
                                                                         static_cast<float>(inv_n_float)));
          acc_f = round_to(spec.type, acc_f + p);
        }
        break;
    }
  }
  Scalar s;
  if (spec.op == RedOp::avg && !floating) acc_i /= spec.nranks;  // NCCL: integer sum, then divide (truncates)
  s.i = acc_i;
  s.f = floating ? round_to(spec.type, acc_f) : 0;
  return s;
}

void fill_input(const PatternSpec& spec, int rank, std::size_t first, std::size_t count, std::byte* dst) noexcept {
  const std::size_t elt = element_size(spec.type);
  for (std::size_t k = 0; k < count; ++k) store_element(spec.type, input_value(spec, rank, first + k), dst + k * elt);
}

void fill_poison(std::span<std::byte> bytes) noexcept { std::memset(bytes.data(), 0xFF, bytes.size()); }

CheckRegion check_region(const PatternSpec& spec, const CollShape& shape, int rank, bool in_place) noexcept {
  const std::size_t n = static_cast<std::size_t>(spec.nranks);
  const std::size_t pc = shape.param_count;
  const auto r = static_cast<std::size_t>(rank);
  switch (spec.coll) {
    case Collective::all_reduce:
    case Collective::broadcast:
    case Collective::sendrecv: return {true, 0, pc};
    case Collective::reduce: return {rank == spec.root, 0, pc};
    case Collective::all_gather:
    case Collective::alltoall: return {true, 0, pc * n};
    case Collective::gather: return {rank == spec.root, 0, pc * n};
    case Collective::reduce_scatter:
    case Collective::scatter: return {true, in_place ? r * shape.recv_inplace_offset : 0, pc};
  }
  return {};
}

Scalar expected_value(const PatternSpec& spec, const CollShape& shape, int rank, std::size_t j) noexcept {
  const std::size_t pc = shape.param_count == 0 ? 1 : shape.param_count;
  const auto r = static_cast<std::size_t>(rank);
  switch (spec.coll) {
    case Collective::all_reduce:
    case Collective::reduce: return reduced_value(spec, j);
    case Collective::reduce_scatter: return reduced_value(spec, r * shape.param_count + j);
    case Collective::broadcast: return input_value(spec, spec.root, j);
    case Collective::all_gather:
    case Collective::gather: return input_value(spec, static_cast<int>(j / pc), j % pc);
    case Collective::alltoall: return input_value(spec, static_cast<int>(j / pc), r * shape.param_count + j % pc);
    case Collective::sendrecv: return input_value(spec, (rank - 1 + spec.nranks) % spec.nranks, j);
    case Collective::scatter: return input_value(spec, spec.root, r * shape.param_count + j);
  }
  return {};
}

std::uint64_t ulp_distance(DataType type, const std::byte* a, const std::byte* b) noexcept {
  const std::size_t width = element_size(type);
  std::uint64_t ua = 0;
  std::uint64_t ub = 0;
  std::memcpy(&ua, a, width);
  std::memcpy(&ub, b, width);
  const unsigned bits = static_cast<unsigned>(width * 8);
  const std::uint64_t sign = 1ULL << (bits - 1);
  const auto is_nan = [&](std::uint64_t u) {
    return std::isnan(load_element(type, reinterpret_cast<const std::byte*>(&u)).f);
  };
  if (is_nan(ua) || is_nan(ub)) return std::numeric_limits<std::uint64_t>::max();
  // Map sign-magnitude onto a monotonic signed line.
  const auto ordered = [&](std::uint64_t u) -> std::int64_t {
    const auto magnitude = static_cast<std::int64_t>(u & (sign - 1));
    return (u & sign) != 0 ? -magnitude : magnitude;
  };
  const std::int64_t da = ordered(ua);
  const std::int64_t db = ordered(ub);
  return da > db ? static_cast<std::uint64_t>(da - db) : static_cast<std::uint64_t>(db - da);
}

bool element_matches(const PatternSpec& spec, const std::byte* got, const Scalar& want) noexcept {
  std::byte stored[8] = {};
  store_element(spec.type, want, stored);
  const std::size_t width = element_size(spec.type);
  if (is_movement(spec.coll) || !is_floating(spec.type)) return std::memcmp(got, stored, width) == 0;
  if (spec.op == RedOp::avg) return ulp_distance(spec.type, got, stored) <= 2;
  return load_element(spec.type, got).f == load_element(spec.type, stored).f;
}

std::uint64_t count_wrong(const PatternSpec& spec, const CollShape& shape, int rank, bool in_place,
                          std::span<const std::byte> recv) noexcept {
  const CheckRegion region = check_region(spec, shape, rank, in_place);
  if (!region.checked) return 0;
  const std::size_t elt = element_size(spec.type);
  const std::size_t available = recv.size() / elt;
  std::uint64_t wrong = 0;
  for (std::size_t j = 0; j < region.count; ++j) {
    const std::size_t at = region.first + j;
    if (at >= available) {
      ++wrong;
      continue;
    }
    if (!element_matches(spec, recv.data() + at * elt, expected_value(spec, shape, rank, j))) ++wrong;
  }
  return wrong;
}

}  // namespace fabricperf::collectives
