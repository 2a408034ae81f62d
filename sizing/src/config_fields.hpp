#pragma once
// Typed, validated reads of config.json fields; every failure is a one-line UsageError naming the
// file and the field. Internal to fpsizing.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fabricperf::sizing::detail {

class ConfigFields {
 public:
  // `prefix` is how fields are named in messages ("" or "text_config.").
  ConfigFields(const nlohmann::json& object, std::string origin, std::string prefix);

  [[nodiscard]] bool has(const std::string& key) const;  // present and not null
  [[nodiscard]] const nlohmann::json& raw(const std::string& key) const;
  [[nodiscard]] std::uint64_t positive(const std::string& key) const;  // required, integer > 0
  [[nodiscard]] std::uint64_t positive_or(const std::string& key, std::uint64_t fallback) const;
  [[nodiscard]] std::uint64_t count_or(const std::string& key, std::uint64_t fallback) const;  // integer >= 0
  [[nodiscard]] double positive_number_or(const std::string& key, double fallback) const;
  [[nodiscard]] bool boolean_or(const std::string& key, bool fallback) const;
  [[nodiscard]] std::string string_or(const std::string& key, const std::string& fallback) const;
  // An array of integers >= 0 (e.g. mlp_only_layers); empty when absent.
  [[nodiscard]] std::vector<std::uint64_t> index_list(const std::string& key) const;
  [[nodiscard]] std::vector<std::string> string_list(const std::string& key) const;

  [[nodiscard]] std::string name(const std::string& key) const { return prefix_ + key; }
  [[nodiscard]] const std::string& origin() const noexcept { return origin_; }
  [[noreturn]] void fail(const std::string& message) const;

 private:
  // Integers above their field's sane limit (config_fields.cpp: kFieldLimits) and arrays of more
  // than 4096 entries are refused, naming the file, the field and the value.
  void check_limit(const std::string& key, std::uint64_t value) const;
  void check_list_size(const std::string& key, std::size_t size) const;
  [[noreturn]] void wrong_type(const std::string& key, const char* wanted) const;

  const nlohmann::json& object_;
  std::string origin_;
  std::string prefix_;
};

}  // namespace fabricperf::sizing::detail
