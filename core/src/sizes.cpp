#include "fabricperf/sizes.hpp"

#include <cctype>
#include <cmath>
#include <limits>

#include "fabricperf/error.hpp"

namespace fabricperf {
namespace {

std::uint64_t suffix_multiplier(std::string_view suffix, std::string_view whole) {
  std::string s;
  for (char c : suffix) s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (s.size() >= 2 && s.substr(s.size() - 2) == "IB") s.resize(s.size() - 2);
  else if (s.size() >= 2 && s.back() == 'B') s.pop_back();
  if (s.empty() || s == "B") return 1;
  if (s == "K") return 1ULL << 10;
  if (s == "M") return 1ULL << 20;
  if (s == "G") return 1ULL << 30;
  if (s == "T") return 1ULL << 40;
  throw UsageError("invalid size '" + std::string(whole) + "': unknown unit '" + std::string(suffix) +
                   "' (use K, M, G or T)");
}

}  // namespace

std::uint64_t parse_size(std::string_view text, bool allow_zero) {
  const std::string whole(text);
  if (text.empty()) throw UsageError("invalid size '': empty");
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0) throw UsageError("invalid size '" + whole + "': must start with a number");
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const auto digit = static_cast<std::uint64_t>(text[i] - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10)
      throw UsageError("invalid size '" + whole + "': too large");
    value = value * 10 + digit;
  }
  const std::uint64_t multiplier = suffix_multiplier(text.substr(digits), whole);
  if (value != 0 && multiplier > std::numeric_limits<std::uint64_t>::max() / value)
    throw UsageError("invalid size '" + whole + "': too large");
  const std::uint64_t bytes = value * multiplier;
  if (bytes == 0 && !allow_zero) throw UsageError("invalid size '" + whole + "': must be positive");
  return bytes;
}

std::string format_size(std::uint64_t bytes) {
  static constexpr const char* units[] = {"", "K", "M", "G", "T"};
  int unit = 0;
  while (unit < 4 && bytes != 0 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(bytes) + units[unit];
}

std::string messages_of_size(std::uint64_t bytes) {
  const std::string text = format_size(bytes);
  const char unit = text.back();
  if (unit >= '0' && unit <= '9') return text + "-byte messages";
  return text.substr(0, text.size() - 1) + " " + unit + "iB messages";
}

std::vector<std::uint64_t> SizeSweep::sizes() const {
  if (min_bytes > max_bytes)
    throw UsageError("invalid size sweep: minimum " + format_size(min_bytes) + " is above maximum " +
                     format_size(max_bytes));
  if (increment_bytes == 0 && !(factor > 1.0) && min_bytes != max_bytes)
    throw UsageError("invalid size sweep: step factor must be > 1 (or give an increment)");
  std::vector<std::uint64_t> out;
  std::uint64_t size = min_bytes;
  while (size <= max_bytes) {
    out.push_back(size);
    std::uint64_t next = 0;
    if (increment_bytes != 0) {
      next = size + increment_bytes;
    } else if (factor > 1.0) {
      const double scaled = std::floor(static_cast<double>(size) * factor);
      next = scaled >= static_cast<double>(std::numeric_limits<std::uint64_t>::max())
                 ? std::numeric_limits<std::uint64_t>::max()
                 : static_cast<std::uint64_t>(scaled);
      if (next <= size) next = size + 1;
    } else {
      break;
    }
    if (next < size) break;  // overflow
    size = next;
  }
  if (out.empty()) throw UsageError("invalid size sweep: no sizes");
  return out;
}

std::vector<std::uint64_t> all_power_of_two_sizes(std::uint64_t max_bytes, std::uint64_t min_bytes) {
  if (min_bytes == 0 || min_bytes > max_bytes)
    throw UsageError("invalid size range " + format_size(min_bytes) + ".." + format_size(max_bytes));
  std::vector<std::uint64_t> out;
  std::uint64_t size = 1;
  while (size < min_bytes) size <<= 1;
  for (; size <= max_bytes && size != 0; size <<= 1) out.push_back(size);
  return out;
}

}  // namespace fabricperf
