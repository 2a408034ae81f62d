#include "fabricperf/collectives/report.hpp"

#include <cstdio>

namespace fabricperf::collectives {

std::string format_fixed_width(double value, int width) {
  char text[64];
  const auto fits = [&](const char* format) {
    const int n = std::snprintf(text, sizeof text, format, width, value);
    return n >= 0 && n <= width;
  };
  if (fits("%*.2f") || fits("%*.1f") || fits("%*.0f")) return text;
  std::snprintf(text, sizeof text, width >= 7 ? "%*.1e" : "%*.0e", width, value);
  return text;
}

std::string table_header() {
  char text[1024];
  int n = std::snprintf(text, sizeof text, "# %10s  %12s  %8s  %6s  %6s           out-of-place                       in-place          \n",
                        "", "", "", "", "");
  n += std::snprintf(text + n, sizeof text - static_cast<std::size_t>(n),
                     "# %10s  %12s  %8s  %6s  %6s  %7s  %6s  %6s  %6s  %7s  %6s  %6s  %6s \n", "size", "count", "type",
                     "redop", "root", "time", "algbw", "busbw", "#wrong", "time", "algbw", "busbw", "#wrong");
  std::snprintf(text + n, sizeof text - static_cast<std::size_t>(n),
                "# %10s  %12s  %8s  %6s  %6s  %7s  %6s  %6s  %6s  %7s  %6s  %6s  %6s \n", "(B)", "(elements)", "", "",
                "", "(us)", "(GB/s)", "(GB/s)", "", "(us)", "(GB/s)", "(GB/s)", "");
  return text;
}

std::string row_preamble(std::uint64_t size_bytes, std::uint64_t count, std::string_view type, std::string_view op,
                         int root) {
  char text[256];
  std::snprintf(text, sizeof text, "%12llu  %12llu  %8.*s  %6.*s  %6i", static_cast<unsigned long long>(size_bytes),
                static_cast<unsigned long long>(count), static_cast<int>(type.size()), type.data(),
                static_cast<int>(op.size()), op.data(), root);
  return text;
}

std::string row_body(double time_us, double algbw, double busbw, std::int64_t wrong) {
  char text[128];
  const std::string t = format_fixed_width(time_us, 7);
  const std::string a = format_fixed_width(algbw, 6);
  const std::string b = format_fixed_width(busbw, 6);
  if (wrong >= 0) {
    std::snprintf(text, sizeof text, "  %7s  %6s  %6s  %6g", t.c_str(), a.c_str(), b.c_str(), static_cast<double>(wrong));
  } else {
    std::snprintf(text, sizeof text, "  %7s  %6s  %6s    N/A", t.c_str(), a.c_str(), b.c_str());
  }
  return text;
}

std::string table_footer(std::int64_t wrong_total, double avg_busbw) {
  char text[256];
  const int n = std::snprintf(text, sizeof text, "# %-20s : %lld %s\n", "Out of bounds values",
                              static_cast<long long>(wrong_total), wrong_total != 0 ? "FAILED" : "OK");
  std::snprintf(text + n, sizeof text - static_cast<std::size_t>(n), "# %-20s : %g \n", "Avg bus bandwidth", avg_busbw);
  return text;
}

}  // namespace fabricperf::collectives
