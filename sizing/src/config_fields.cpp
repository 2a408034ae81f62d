#include "config_fields.hpp"

#include <cmath>
#include <string_view>

#include "fabricperf/error.hpp"

namespace fabricperf::sizing::detail {
namespace {

// A short, single-line rendering of a value for messages.
std::string shown(const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

// Sane upper limits for the integers of a config.json, each far above every published model
// (largest seen in brackets), so that a hostile or mistyped value is refused instead of wrapping
// the parameter count or exhausting memory. With these limits no count of fp_sizing overflows
// 64 bits (the largest product, routed experts × 3 × hidden × intermediate × layers, < 2^61).
// Documented in sizing/README.md ("Limits").
struct FieldLimit {
  std::string_view key;
  std::uint64_t max;
};
constexpr std::uint64_t kDefaultFieldLimit = std::uint64_t{1} << 20;
constexpr FieldLimit kFieldLimits[] = {
    {"num_hidden_layers", 1024},         // [126]
    {"num_nextn_predict_layers", 1024},  // [1]
    {"first_k_dense_replace", 1024},     // [3]
    {"hidden_size", 65536},              // [16384]
    {"num_attention_heads", 1024},       // [128]
    {"num_key_value_heads", 1024},       // [128]
    {"head_dim", 65536},                 // [256]
    {"kv_lora_rank", 65536},             // [512]
    {"q_lora_rank", 65536},              // [1536]
    {"qk_nope_head_dim", 65536},         // [128]
    {"qk_rope_head_dim", 65536},         // [64]
    {"v_head_dim", 65536},               // [128]
    {"intermediate_size", 1 << 20},      // [53248]
    {"intermediate_size_mlp", 1 << 20},  // [16384]
    {"moe_intermediate_size", 1 << 20},  // [2048]
    {"shared_expert_intermediate_size", 1 << 20},
    {"n_routed_experts", 4096},                           // [384]
    {"num_local_experts", 4096},                          // [128]
    {"num_experts", 4096},                                // [128]
    {"n_shared_experts", 4096},                           // [1]
    {"num_experts_per_tok", 4096},                        // [8]
    {"vocab_size", std::uint64_t{1} << 23},               // [202048]
    {"max_position_embeddings", std::uint64_t{1} << 30},  // [10485760]
    {"sliding_window", std::uint64_t{1} << 30},
    {"attention_chunk_size", std::uint64_t{1} << 30},
    {"patch_size", 4096},  // [14]
    {"num_channels", 64},  // [3]
};
// Arrays (layer lists) longer than this are refused before they are walked.
constexpr std::size_t kMaxListEntries = 4096;

std::uint64_t limit_of(std::string_view key) {
  for (const FieldLimit& limit : kFieldLimits) {
    if (limit.key == key) return limit.max;
  }
  return kDefaultFieldLimit;
}

}  // namespace

void ConfigFields::check_limit(const std::string& key, std::uint64_t value) const {
  const std::uint64_t max = limit_of(key);
  if (value > max)
    fail("field \"" + name(key) + "\" is " + std::to_string(value) + ", above fp_sizing's limit of " +
         std::to_string(max));
}

void ConfigFields::check_list_size(const std::string& key, std::size_t size) const {
  if (size > kMaxListEntries)
    fail("field \"" + name(key) + "\" has " + std::to_string(size) + " entries, above fp_sizing's limit of " +
         std::to_string(kMaxListEntries));
}

ConfigFields::ConfigFields(const nlohmann::json& object, std::string origin, std::string prefix)
    : object_(object), origin_(std::move(origin)), prefix_(std::move(prefix)) {}

void ConfigFields::fail(const std::string& message) const {
  throw UsageError(origin_ + ": " + message);
}

void ConfigFields::wrong_type(const std::string& key, const char* wanted) const {
  const nlohmann::json& value = object_.at(key);
  fail("field \"" + name(key) + "\" must be " + wanted + ", got " + shown(value) + " (" + value.type_name() + ")");
}

bool ConfigFields::has(const std::string& key) const {
  const auto it = object_.find(key);
  return it != object_.end() && !it->is_null();
}

const nlohmann::json& ConfigFields::raw(const std::string& key) const {
  if (!has(key)) fail("missing field \"" + name(key) + "\"");
  return object_.at(key);
}

std::uint64_t ConfigFields::positive(const std::string& key) const {
  const nlohmann::json& value = raw(key);
  std::uint64_t out = 0;
  if (value.is_number_unsigned()) {
    out = value.get<std::uint64_t>();
  } else if (value.is_number_integer() && value.get<std::int64_t>() > 0) {
    out = static_cast<std::uint64_t>(value.get<std::int64_t>());
  }
  if (out == 0) wrong_type(key, "a positive integer");
  check_limit(key, out);
  return out;
}

std::uint64_t ConfigFields::positive_or(const std::string& key, std::uint64_t fallback) const {
  return has(key) ? positive(key) : fallback;
}

std::uint64_t ConfigFields::count_or(const std::string& key, std::uint64_t fallback) const {
  if (!has(key)) return fallback;
  const nlohmann::json& value = object_.at(key);
  std::uint64_t out = 0;
  if (value.is_number_unsigned()) {
    out = value.get<std::uint64_t>();
  } else if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
    out = static_cast<std::uint64_t>(value.get<std::int64_t>());
  } else {
    wrong_type(key, "an integer >= 0");
  }
  check_limit(key, out);
  return out;
}

double ConfigFields::positive_number_or(const std::string& key, double fallback) const {
  if (!has(key)) return fallback;
  const nlohmann::json& value = object_.at(key);
  if (value.is_number() && value.get<double>() > 0 && std::isfinite(value.get<double>())) return value.get<double>();
  wrong_type(key, "a positive number");
}

bool ConfigFields::boolean_or(const std::string& key, bool fallback) const {
  if (!has(key)) return fallback;
  const nlohmann::json& value = object_.at(key);
  if (value.is_boolean()) return value.get<bool>();
  wrong_type(key, "true or false");
}

std::string ConfigFields::string_or(const std::string& key, const std::string& fallback) const {
  if (!has(key)) return fallback;
  const nlohmann::json& value = object_.at(key);
  if (value.is_string()) return value.get<std::string>();
  wrong_type(key, "a string");
}

std::vector<std::uint64_t> ConfigFields::index_list(const std::string& key) const {
  std::vector<std::uint64_t> out;
  if (!has(key)) return out;
  const nlohmann::json& value = object_.at(key);
  if (!value.is_array()) wrong_type(key, "an array of integers");
  check_list_size(key, value.size());
  for (const auto& item : value) {
    if (item.is_number_unsigned()) {
      out.push_back(item.get<std::uint64_t>());
    } else if (item.is_number_integer() && item.get<std::int64_t>() >= 0) {
      out.push_back(static_cast<std::uint64_t>(item.get<std::int64_t>()));
    } else {
      wrong_type(key, "an array of integers >= 0");
    }
  }
  return out;
}

std::vector<std::string> ConfigFields::string_list(const std::string& key) const {
  std::vector<std::string> out;
  if (!has(key)) return out;
  const nlohmann::json& value = object_.at(key);
  if (!value.is_array()) wrong_type(key, "an array of strings");
  check_list_size(key, value.size());
  for (const auto& item : value) {
    if (!item.is_string()) wrong_type(key, "an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace fabricperf::sizing::detail
