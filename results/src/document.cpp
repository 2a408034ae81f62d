#include "fabricperf/results/document.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

#include "fabricperf/error.hpp"
#include "fabricperf/result_document.hpp"
#include "fabricperf/results/validate.hpp"

namespace fabricperf::results {

nlohmann::json read_document_json(const std::string& path) {
  return read_json_file(path, "result document", kMaxDocumentBytes, kMaxJsonDepth);
}

void check_document(const nlohmann::json& doc, const std::string& name) {
  if (!doc.is_object()) throw UsageError(name + ": not a fabricperf result document (not an object)");
  const auto schema = doc.find("schema");
  if (schema == doc.end() || (*schema != kSchemaId && *schema != kSchemaV1Id)) {
    std::string found = schema == doc.end() ? std::string("missing") : schema->dump();
    if (found.size() > 80) found = found.substr(0, 80) + "...";
    throw UsageError(name + ": not a " + std::string(kSchemaId) + " or " + std::string(kSchemaV1Id) +
                     " result document (schema is " + found + ")");
  }
  const auto problems = validate_document(doc);
  if (!problems.empty()) {
    std::string message =
        name + ": does not match the " + schema->get<std::string>() + " schema: " + to_string(problems.front());
    if (problems.size() > 1) message += " (and " + std::to_string(problems.size() - 1) + " more problems)";
    throw UsageError(message);
  }
}

nlohmann::json load_document(const std::string& path) {
  nlohmann::json doc = read_document_json(path);
  check_document(doc, "result document " + path);
  return doc;
}

nlohmann::json parse_document(std::string_view text, const std::string& name) {
  nlohmann::json doc = parse_json_bounded(text, name, kMaxJsonDepth);
  check_document(doc, name);
  return doc;
}

void require_bounded_depth(const nlohmann::json& doc, std::string_view what) {
  if (const std::size_t depth = json_depth(doc); depth > kMaxJsonDepth)
    throw UsageError(std::string(what) + ": JSON nested " + std::to_string(depth) + " levels, deeper than " +
                     std::to_string(kMaxJsonDepth));
}

std::string dump_document(const nlohmann::json& doc) {
  constexpr std::size_t kMaxIndentedDepth = 12;
  const int indent = json_depth(doc) <= kMaxIndentedDepth ? 2 : -1;
  return doc.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

namespace {

bool read_digits(std::string_view text, std::size_t& pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += count;
  out = value;
  return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

std::optional<double> parse_rfc3339(std::string_view text) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(text, pos, 4, year) || !expect(text, pos, '-') || !read_digits(text, pos, 2, month) ||
      !expect(text, pos, '-') || !read_digits(text, pos, 2, day))
    return std::nullopt;
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) return std::nullopt;
  ++pos;
  if (!read_digits(text, pos, 2, hour) || !expect(text, pos, ':') || !read_digits(text, pos, 2, minute) ||
      !expect(text, pos, ':') || !read_digits(text, pos, 2, second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  double fraction = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    double scale = 0.1;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      fraction += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int offset_s = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!read_digits(text, pos, 2, oh) || !expect(text, pos, ':') || !read_digits(text, pos, 2, om))
      return std::nullopt;
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  return static_cast<double>(seconds) + fraction;
}

std::string format_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == 0) return "0";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::optional<double> number_field(const nlohmann::json& row, std::string_view key) {
  if (!row.is_object()) return std::nullopt;
  const auto it = row.find(key);
  if (it == row.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::string string_field(const nlohmann::json& doc, std::string_view key, std::string_view fallback) {
  if (doc.is_object()) {
    const auto it = doc.find(key);
    if (it != doc.end() && it->is_string()) return it->get<std::string>();
  }
  return std::string(fallback);
}

}  // namespace fabricperf::results
