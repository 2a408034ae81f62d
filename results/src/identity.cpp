#include "fabricperf/results/identity.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "fabricperf/results/document.hpp"
#include "fabricperf/results/metrics.hpp"
#include "fabricperf/sizes.hpp"

namespace fabricperf::results {
namespace {

// Display order: where, between whom, over what, what operation, how big.
constexpr std::array<std::string_view, 41> kKnownKeys = {
    "kind",      "stage",      "tool",          "coll",      "backend",   "host",       "peer_host",
    "hosts",     "pair",       "rank",          "peer_rank", "ranks",     "device",     "peer_device",
    "devices",   "port",       "peer_port",     "rail",      "gpu",       "peer_gpu",   "nic",
    "op",        "direction",  "bidirectional", "latency",   "transport", "connection", "qp_type",
    "qps",       "mtu",        "memory",        "dtype",     "redop",     "root",       "in_place",
    "aggregate", "size_bytes", "metric",        "what",      "check",     "name"};

constexpr std::array<std::string_view, 26> kNeverKeys = {
    "status",    "verdict",    "detail", "details", "note",   "notes",    "message", "error", "errors",
    "timestamp", "time",       "date",   "unit",    "units",  "repeat",   "repeats", "run",   "trial",
    "sample",    "iterations", "wrong",  "count",   "fw_ver", "firmware", "driver",  "kernel"};

constexpr std::array<std::string_view, 8> kNeverSuffixes = {"_at",        "_version", "_ver",   "_time",
                                                            "_timestamp", "_detail",  "_error", "_status"};

bool is_scalar(const nlohmann::json& v) {
  return v.is_string() || v.is_boolean() || v.is_number();
}

bool identifying_value(const nlohmann::json& v) {
  if (is_scalar(v)) return true;
  if (v.is_array()) return std::all_of(v.begin(), v.end(), is_scalar);
  return false;
}

bool contains(const std::vector<std::string>& list, std::string_view key) {
  return std::find(list.begin(), list.end(), key) != list.end();
}

std::size_t display_rank(std::string_view key) {
  const auto it = std::find(kKnownKeys.begin(), kKnownKeys.end(), key);
  return static_cast<std::size_t>(it - kKnownKeys.begin());  // unknown keys after every known one
}

}  // namespace

std::span<const std::string_view> known_identity_keys() {
  return kKnownKeys;
}

bool is_known_identity_key(std::string_view key) {
  return std::find(kKnownKeys.begin(), kKnownKeys.end(), key) != kKnownKeys.end();
}

bool is_never_identity_key(std::string_view key) {
  if (std::find(kNeverKeys.begin(), kNeverKeys.end(), key) != kNeverKeys.end()) return true;
  if (find_metric(key) != nullptr) return true;
  for (const auto suffix : kNeverSuffixes)
    if (key.size() > suffix.size() && key.substr(key.size() - suffix.size()) == suffix) return true;
  return key.ends_with("_stdev");
}

std::string value_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_integer()) return value.dump();
  if (value.is_number()) return format_number(value.get<double>());
  if (value.is_array()) {
    std::string text;
    for (const auto& item : value) text += (text.empty() ? "" : ",") + value_text(item);
    return text;
  }
  if (value.is_null()) return "";
  return value.dump();
}

IdentityRules derive_identity_rules(std::span<const nlohmann::json* const> docs, std::vector<std::string> extra,
                                    std::vector<std::string> ignored) {
  IdentityRules rules{std::move(extra), std::move(ignored), {}};
  std::set<std::string> promoted;
  for (const nlohmann::json* doc : docs) {
    if (doc == nullptr || !doc->contains("results") || !(*doc)["results"].is_array()) continue;
    // Rows the known keys lump together, and the string/bool values each other field takes among them.
    std::map<std::string, std::map<std::string, std::set<std::string>>> groups;
    for (const auto& row : (*doc)["results"]) {
      if (!row.is_object()) continue;
      const std::string key = identity_key(identity_of(row, rules));
      auto& fields = groups[key];
      for (const auto& [field, value] : row.items()) {
        if (!(value.is_string() || value.is_boolean()) || is_known_identity_key(field) ||
            is_never_identity_key(field) || contains(rules.ignored_keys, field))
          continue;
        fields[field].insert(value.dump());
      }
    }
    for (const auto& [key, fields] : groups)
      for (const auto& [field, values] : fields)
        if (values.size() > 1) promoted.insert(field);
  }
  rules.promoted_keys.assign(promoted.begin(), promoted.end());
  return rules;
}

// Rank numbers and pair indices depend on launch order; where a row names its hosts they add
// nothing and would keep the same measurement of two runs apart.
bool launch_order_key(std::string_view key, const nlohmann::json& value) {
  return key == "rank" || key == "peer_rank" || key == "pair" || (key == "ranks" && value.is_array());
}

Identity identity_of(const nlohmann::json& row, const IdentityRules& rules) {
  Identity identity;
  if (!row.is_object()) return identity;
  const bool names_hosts = row.contains("host") || row.contains("hosts");
  const bool plain = rules.extra_keys.empty() && rules.ignored_keys.empty() && rules.promoted_keys.empty();
  std::vector<std::pair<std::size_t, std::size_t>> order;  // (display rank, index in identity)
  for (const auto& [key, value] : row.items()) {
    if (value.is_null()) continue;
    const std::size_t rank = display_rank(key);
    const bool known = rank < kKnownKeys.size();
    if (plain) {
      if (!known) continue;
    } else {
      if (contains(rules.ignored_keys, key)) continue;
      if (!known && !contains(rules.extra_keys, key) && !contains(rules.promoted_keys, key)) continue;
    }
    if (names_hosts && launch_order_key(key, value) && (plain || !contains(rules.extra_keys, key))) continue;
    if (!identifying_value(value)) continue;
    order.emplace_back(rank, identity.size());
    identity.emplace_back(key, value_text(value));
  }
  // Known keys in display order, then the others by name (items() is already sorted by name).
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  Identity sorted;
  sorted.reserve(identity.size());
  for (const auto& [rank, index] : order) sorted.push_back(std::move(identity[index]));
  return sorted;
}

Identity common_fields(const std::vector<const Identity*>& identities) {
  if (identities.size() < 2) return {};
  Identity common = *identities.front();
  for (const Identity* id : identities)
    std::erase_if(common, [&](const auto& kv) { return std::find(id->begin(), id->end(), kv) == id->end(); });
  return common;
}

Identity without(const Identity& identity, const Identity& common) {
  Identity out;
  for (const auto& kv : identity)
    if (std::find(common.begin(), common.end(), kv) == common.end()) out.push_back(kv);
  return out;
}

std::string identity_key(const Identity& identity) {
  // Length-prefixed: no key or value text can be mistaken for a separator.
  std::string key;
  for (const auto& [k, v] : identity) {
    key += std::to_string(k.size()) + ':' + k + std::to_string(v.size()) + ':' + v;
  }
  return key;
}

std::string describe(const Identity& identity) {
  std::string text;
  for (const auto& [key, value] : identity) {
    if (!text.empty()) text += ' ';
    if (key == "size_bytes") {
      std::string shown = value;
      try {
        shown = format_size(std::stoull(value));
      } catch (const std::exception&) {
      }
      text += "size=" + shown;
    } else {
      text += key + "=" + value;
    }
  }
  return text.empty() ? "(no identity fields)" : text;
}

}  // namespace fabricperf::results
