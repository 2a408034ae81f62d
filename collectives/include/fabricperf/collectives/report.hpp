#pragma once
// The human table in nccl-tests' shape (same columns, widths and number formats), so output can
// be read and diffed like nccl-tests'.
#include <cstdint>
#include <string>
#include <string_view>

namespace fabricperf::collectives {

// nccl-tests getFloatStr: "%*.2f", falling back to .1f, .0f, then exponent form to fit `width`.
[[nodiscard]] std::string format_fixed_width(double value, int width);

// The three header lines (group labels, column names, units).
[[nodiscard]] std::string table_header();
// "        1024           256     float     sum      -1" (root -1 for unrooted collectives).
[[nodiscard]] std::string row_preamble(std::uint64_t size_bytes, std::uint64_t count, std::string_view type,
                                       std::string_view op, int root);
// "    12.34    0.08    0.12      0" or "... N/A" when wrong < 0 (not checked).
[[nodiscard]] std::string row_body(double time_us, double algbw, double busbw, std::int64_t wrong);
// "# Out of bounds values : 0 OK" and "# Avg bus bandwidth    : 1.234 ".
[[nodiscard]] std::string table_footer(std::int64_t wrong_total, double avg_busbw);

}  // namespace fabricperf::collectives
