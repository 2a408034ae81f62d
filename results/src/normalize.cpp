#include "fabricperf/results/normalize.hpp"

#include <string>
#include <tuple>

#include "fabricperf/results/validate.hpp"

namespace fabricperf::results {
namespace {

bool is_latency_row(const nlohmann::json& row) {
  return !row.contains("coll") && (row.contains("t_typical_us") || row.contains("t_avg_us") || row.contains("latency"));
}

// `aggregate` is true (or, in some fabricperf/1 rows, an object) on rows that sum others.
bool is_aggregate(const nlohmann::json& row) {
  const auto it = row.find("aggregate");
  return it != row.end() && (it->is_object() || (it->is_boolean() && it->get<bool>()));
}

bool is_bandwidth_row(const nlohmann::json& row) {
  return !row.contains("coll") && row.contains("bw_avg_gbps") && !is_aggregate(row);
}

std::string text_field(const nlohmann::json& row, const char* key) {
  const auto it = row.find(key);
  return it != row.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void normalize_row(nlohmann::json& row) {
  if (!row.is_object() || row.contains("kind")) return;  // fp_report rows describe other rows
  for (const auto& [flag, when_true, when_false] : {std::tuple{"half_round_trip", "half_round_trip", "round_trip"},
                                                    std::tuple{"round_trip", "round_trip", "half_round_trip"}}) {
    const auto it = row.find(flag);
    if (it == row.end() || !it->is_boolean()) continue;
    if (!row.contains("latency")) row["latency"] = it->get<bool>() ? when_true : when_false;
    row.erase(flag);
  }
  if (is_latency_row(row)) {
    if (!row.contains("qps")) row["qps"] = 1;
    if (!row.contains("bidirectional")) row["bidirectional"] = false;
    return;
  }
  if (!is_bandwidth_row(row)) return;
  if (!row.contains("qps")) row["qps"] = 1;
  if (!row.contains("bidirectional")) row["bidirectional"] = false;
  const std::string stage = text_field(row, "stage");
  if ((stage == "verbs_bw" || stage == "stress" || stage == "gdr") && row.contains("iterations")) {
    if (!row.contains("messages")) row["messages"] = row["iterations"];
    row.erase("iterations");
  }
}

}  // namespace

bool is_v1_document(const nlohmann::json& doc) {
  if (!doc.is_object()) return false;
  const auto it = doc.find("schema");
  return it != doc.end() && *it == kSchemaV1Id;
}

void normalize_document(nlohmann::json& doc) {
  if (!is_v1_document(doc)) return;
  const auto results = doc.find("results");
  if (results == doc.end() || !results->is_array()) return;
  for (auto& row : *results) normalize_row(row);
}

std::optional<nlohmann::json> normalized_against(const nlohmann::json& doc, const nlohmann::json& other) {
  if (!is_v1_document(doc) || is_v1_document(other)) return std::nullopt;
  nlohmann::json copy = doc;
  normalize_document(copy);
  return copy;
}

}  // namespace fabricperf::results
