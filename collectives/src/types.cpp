#include "fabricperf/collectives/types.hpp"

#include <array>
#include <utility>

#include "fabricperf/error.hpp"

namespace fabricperf::collectives {
namespace {

constexpr std::array<std::pair<std::string_view, DataType>, 24> kTypeNames{{
    {"int8", DataType::int8},         {"char", DataType::int8},         {"uint8", DataType::uint8},
    {"int32", DataType::int32},       {"int", DataType::int32},         {"uint32", DataType::uint32},
    {"int64", DataType::int64},       {"uint64", DataType::uint64},     {"half", DataType::float16},
    {"float16", DataType::float16},   {"fp16", DataType::float16},      {"f16", DataType::float16},
    {"float", DataType::float32},     {"float32", DataType::float32},   {"fp32", DataType::float32},
    {"f32", DataType::float32},       {"double", DataType::float64},    {"float64", DataType::float64},
    {"fp64", DataType::float64},      {"f64", DataType::float64},       {"bfloat16", DataType::bfloat16},
    {"bf16", DataType::bfloat16},     {"uint", DataType::uint32},       {"long", DataType::int64},
}};

std::string type_list() {
  std::string names;
  for (const DataType t : kAllDataTypes) names += (names.empty() ? "" : ", ") + std::string(to_string(t));
  return names;
}

std::string lower(std::string_view text) {
  std::string s(text);
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

}  // namespace

std::string_view to_string(DataType type) noexcept {
  switch (type) {
    case DataType::int8: return "int8";
    case DataType::uint8: return "uint8";
    case DataType::int32: return "int32";
    case DataType::uint32: return "uint32";
    case DataType::int64: return "int64";
    case DataType::uint64: return "uint64";
    case DataType::float16: return "half";
    case DataType::float32: return "float";
    case DataType::float64: return "double";
    case DataType::bfloat16: return "bfloat16";
  }
  return "?";
}

std::string_view to_string(RedOp op) noexcept {
  switch (op) {
    case RedOp::sum: return "sum";
    case RedOp::prod: return "prod";
    case RedOp::max: return "max";
    case RedOp::min: return "min";
    case RedOp::avg: return "avg";
  }
  return "?";
}

std::size_t element_size(DataType type) noexcept {
  switch (type) {
    case DataType::int8:
    case DataType::uint8: return 1;
    case DataType::float16:
    case DataType::bfloat16: return 2;
    case DataType::int32:
    case DataType::uint32:
    case DataType::float32: return 4;
    case DataType::int64:
    case DataType::uint64:
    case DataType::float64: return 8;
  }
  return 1;
}

bool is_floating(DataType type) noexcept {
  return type == DataType::float16 || type == DataType::float32 || type == DataType::float64 ||
         type == DataType::bfloat16;
}

bool is_signed(DataType type) noexcept {
  return is_floating(type) || type == DataType::int8 || type == DataType::int32 || type == DataType::int64;
}

DataType parse_data_type(std::string_view text) {
  const std::string key = lower(text);
  for (const auto& [name, type] : kTypeNames)
    if (name == key) return type;
  throw UsageError("unknown datatype '" + std::string(text) + "' (use " + type_list() + " or all)");
}

RedOp parse_red_op(std::string_view text) {
  const std::string key = lower(text);
  for (const RedOp op : kAllRedOps)
    if (to_string(op) == key) return op;
  throw UsageError("unknown reduction op '" + std::string(text) + "' (use sum, prod, max, min, avg or all)");
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::size_t end = comma == std::string_view::npos ? text.size() : comma;
    if (end > start) out.emplace_back(text.substr(start, end - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::vector<DataType> parse_data_types(std::string_view text) {
  if (lower(text) == "all") return {std::begin(kAllDataTypes), std::end(kAllDataTypes)};
  std::vector<DataType> out;
  for (const auto& item : split_list(text)) {
    const DataType t = parse_data_type(item);
    bool seen = false;
    for (const DataType o : out) seen = seen || o == t;
    if (!seen) out.push_back(t);
  }
  if (out.empty()) throw UsageError("empty datatype list '" + std::string(text) + "'");
  return out;
}

std::vector<RedOp> parse_red_ops(std::string_view text) {
  if (lower(text) == "all") return {std::begin(kAllRedOps), std::end(kAllRedOps)};
  std::vector<RedOp> out;
  for (const auto& item : split_list(text)) {
    const RedOp op = parse_red_op(item);
    bool seen = false;
    for (const RedOp o : out) seen = seen || o == op;
    if (!seen) out.push_back(op);
  }
  if (out.empty()) throw UsageError("empty op list '" + std::string(text) + "'");
  return out;
}

}  // namespace fabricperf::collectives
