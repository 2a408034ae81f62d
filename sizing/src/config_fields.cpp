#include "config_fields.hpp"

#include "fabricperf/error.hpp"

namespace fabricperf::sizing::detail {
namespace {

// A short, single-line rendering of a value for messages.
std::string shown(const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

}  // namespace

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
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > 0) return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() > 0)
    return static_cast<std::uint64_t>(value.get<std::int64_t>());
  wrong_type(key, "a positive integer");
}

std::uint64_t ConfigFields::positive_or(const std::string& key, std::uint64_t fallback) const {
  return has(key) ? positive(key) : fallback;
}

std::uint64_t ConfigFields::count_or(const std::string& key, std::uint64_t fallback) const {
  if (!has(key)) return fallback;
  const nlohmann::json& value = object_.at(key);
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0)
    return static_cast<std::uint64_t>(value.get<std::int64_t>());
  wrong_type(key, "an integer >= 0");
}

double ConfigFields::positive_number_or(const std::string& key, double fallback) const {
  if (!has(key)) return fallback;
  const nlohmann::json& value = object_.at(key);
  if (value.is_number() && value.get<double>() > 0) return value.get<double>();
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
  for (const auto& item : value) {
    if (!item.is_string()) wrong_type(key, "an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace fabricperf::sizing::detail
