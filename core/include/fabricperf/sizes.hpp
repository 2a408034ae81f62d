#pragma once
// Message-size parsing and sweeps in perftest (-s, -a) and nccl-tests (-b -e -f -i) style.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fabricperf {

// "4096", "64K", "1M", "2G", "1T" (binary multiples; an optional trailing "B" or "iB" is accepted).
// Throws UsageError naming the text on anything else, on zero when !allow_zero, and on overflow.
[[nodiscard]] std::uint64_t parse_size(std::string_view text, bool allow_zero = false);

// 65536 -> "64K", 1000 -> "1000": the shortest exact form.
[[nodiscard]] std::string format_size(std::uint64_t bytes);
// "2-byte messages", "64 KiB messages", "1 MiB messages": a message size in prose, never to be
// read as a message count.
[[nodiscard]] std::string messages_of_size(std::uint64_t bytes);

// nccl-tests sweep: from min_bytes to max_bytes, multiplying by factor (>1), or adding
// increment_bytes when factor == 0 (nccl-tests -i). max_bytes is always included when reached.
struct SizeSweep {
  std::uint64_t min_bytes = 8;
  std::uint64_t max_bytes = 8;
  double factor = 2.0;
  std::uint64_t increment_bytes = 0;

  // Throws UsageError for min > max, factor <= 1 without increment, or an empty sweep.
  [[nodiscard]] std::vector<std::uint64_t> sizes() const;
};

// perftest -a: every power of two from 2 bytes up to max_bytes (default 8 MiB).
[[nodiscard]] std::vector<std::uint64_t> all_power_of_two_sizes(std::uint64_t max_bytes = 8ULL << 20,
                                                                std::uint64_t min_bytes = 2);

}  // namespace fabricperf
