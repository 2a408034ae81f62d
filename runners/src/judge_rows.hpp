#pragma once
// Reading result rows for the judge (judge.cpp, judge_windows.cpp): fields as text or numbers,
// link labels, the rows at a stage's largest size, and the Check they produce.
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fabricperf/result_document.hpp"

namespace fabricperf::runners::judging {

// A number with `decimals` digits after the point.
[[nodiscard]] std::string num(double v, int decimals = 1);
// A field as text ("" absent; integers without a point).
[[nodiscard]] std::string str(const nlohmann::json& row, const char* key);
// A numeric field; NaN when absent or not a number.
[[nodiscard]] double value(const nlohmann::json& row, const char* key);
[[nodiscard]] bool is_aggregate(const nlohmann::json& row);
// "node1 mlx5_0 -> node2 mlx5_0" (data flows from host to peer_host for writes).
[[nodiscard]] std::string link_label(const nlohmann::json& row);
[[nodiscard]] std::uint64_t size_of(const nlohmann::json& row);

// Rows with `metric`, matching `keep`, at the largest size among them.
template <typename Keep>
std::vector<const nlohmann::json*> at_largest_size(const nlohmann::json& rows, const char* metric, Keep&& keep,
                                                   std::uint64_t* size_out) {
  std::uint64_t largest = 0;
  bool any = false;
  for (const auto& r : rows)
    if (keep(r) && std::isfinite(value(r, metric))) {
      largest = std::max(largest, size_of(r));
      any = true;
    }
  std::vector<const nlohmann::json*> out;
  if (!any) return out;
  for (const auto& r : rows)
    if (keep(r) && std::isfinite(value(r, metric)) && size_of(r) == largest) out.push_back(&r);
  if (size_out) *size_out = largest;
  return out;
}

[[nodiscard]] Check make_check(const std::string& name, CheckStatus status, nlohmann::json expected,
                               nlohmann::json measured, std::string detail, nlohmann::json labels);

}  // namespace fabricperf::runners::judging
