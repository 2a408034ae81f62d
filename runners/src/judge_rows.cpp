#include "judge_rows.hpp"

#include <algorithm>
#include <cstdio>

namespace fabricperf::runners::judging {

using nlohmann::json;

std::string num(double v, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, v);
  return text;
}

std::string str(const json& row, const char* key) {
  if (!row.contains(key)) return "";
  const auto& v = row[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  return v.dump();
}

double value(const json& row, const char* key) {
  return row.contains(key) && row[key].is_number() ? row[key].get<double>() : std::nan("");
}

bool is_aggregate(const json& row) {
  return row.value("aggregate", false) == true;
}

std::string link_label(const json& row) {
  std::string a = str(row, "host"), b = str(row, "peer_host");
  if (row.contains("gpu")) {
    a += " GPU" + str(row, "gpu");
    b += " GPU" + str(row, "peer_gpu");
  }
  if (row.contains("device")) a += " " + str(row, "device");
  if (row.contains("peer_device")) b += " " + str(row, "peer_device");
  return a + " -> " + b;
}

std::uint64_t size_of(const json& row) {
  return row.contains("size_bytes") && row["size_bytes"].is_number_unsigned() ? row["size_bytes"].get<std::uint64_t>()
         : row.contains("size_bytes") && row["size_bytes"].is_number_integer()
             ? static_cast<std::uint64_t>(std::max<long long>(0, row["size_bytes"].get<long long>()))
             : 0;
}

Check make_check(const std::string& name, CheckStatus status, json expected, json measured, std::string detail,
                 json labels) {
  Check c;
  c.name = name;
  c.status = status;
  c.expected = std::move(expected);
  c.measured = std::move(measured);
  c.detail = std::move(detail);
  c.labels = std::move(labels);
  return c;
}

}  // namespace fabricperf::runners::judging
