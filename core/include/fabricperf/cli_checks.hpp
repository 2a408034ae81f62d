#pragma once
// CLI11 validators for option values CLI11 itself lets through: a negative number given to an
// unsigned option (CLI11 2.1 converts "-1" into 18446744073709551615) and an empty string given to
// a file or name option (which would otherwise silently mean "not given").
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace fabricperf {

// For unsigned integer options: refuses a value that starts with '-' (after blanks) and, when
// `max` is given, a value above it. e.g. `--sequences -1` -> "--sequences: -1 is negative".
[[nodiscard]] inline CLI::Validator unsigned_at_most(std::uint64_t max = UINT64_MAX) {
  return CLI::Validator(
      [max](std::string& text) -> std::string {
        const auto first = text.find_first_not_of(" \t");
        if (first != std::string::npos && text[first] == '-') return text + " is negative";
        if (max == UINT64_MAX) return {};
        try {
          std::size_t used = 0;
          const unsigned long long value = std::stoull(text, &used, 0);
          if (value > max) return text + " is above the limit of " + std::to_string(max);
        } catch (const std::exception&) {
          // Not a number: CLI11's own conversion reports it.
        }
        return {};
      },
      "N");
}

// For file and name options: refuses an empty string.
[[nodiscard]] inline CLI::Validator non_empty() {
  return CLI::Validator([](std::string& text) -> std::string { return text.empty() ? "empty value" : ""; }, "");
}

}  // namespace fabricperf
