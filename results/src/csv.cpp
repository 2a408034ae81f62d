#include "fabricperf/results/csv.hpp"

#include <algorithm>
#include <map>

#include "fabricperf/results/document.hpp"
#include "fabricperf/results/identity.hpp"

namespace fabricperf::results {
namespace {

using Flat = std::vector<std::pair<std::string, std::string>>;

bool is_scalar(const nlohmann::json& v) {
  return v.is_string() || v.is_boolean() || v.is_number() || v.is_null();
}

void flatten(const std::string& prefix, const nlohmann::json& value, Flat& out) {
  if (value.is_object()) {
    for (const auto& [k, v] : value.items()) flatten(prefix.empty() ? k : prefix + "." + k, v, out);
    return;
  }
  if (value.is_array()) {
    if (std::all_of(value.begin(), value.end(), is_scalar)) {
      std::string text;
      for (std::size_t i = 0; i < value.size(); ++i) text += (i ? ";" : "") + value_text(value[i]);
      out.emplace_back(prefix, text);
    } else {
      out.emplace_back(prefix, value.dump());
    }
    return;
  }
  out.emplace_back(prefix, value_text(value));
}

std::string render(const std::vector<Flat>& rows) {
  std::vector<std::string> columns = {"tool"};
  const auto has_column = [&](const std::string& c) {
    return std::find(columns.begin(), columns.end(), c) != columns.end();
  };
  for (const auto key : known_identity_keys())
    for (const auto& row : rows)
      if (std::any_of(row.begin(), row.end(), [&](const auto& f) { return f.first == key; }) &&
          !has_column(std::string(key))) {
        columns.emplace_back(key);
        break;
      }
  for (const auto& row : rows)
    for (const auto& [k, v] : row)
      if (!has_column(k)) columns.push_back(k);

  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i) out += (i ? "," : "") + csv_field(columns[i]);
  out += "\n";
  for (const auto& row : rows) {
    std::map<std::string, const std::string*> cells;
    for (const auto& [k, v] : row) cells.emplace(k, &v);
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const auto it = cells.find(columns[i]);
      out += (i ? "," : "") + (it == cells.end() ? std::string() : csv_field(*it->second));
    }
    out += "\n";
  }
  return out;
}

}  // namespace

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string to_csv(const nlohmann::json& doc, CsvTable table) {
  require_bounded_depth(doc, "result document");  // flatten() recurses into nested fields
  const std::string tool = string_field(doc, "tool");
  const char* key = table == CsvTable::results ? "results" : "checks";
  std::vector<Flat> rows;
  if (doc.contains(key) && doc[key].is_array()) {
    for (const auto& entry : doc[key]) {
      Flat flat;
      if (!(entry.is_object() && entry.contains("tool"))) flat.emplace_back("tool", tool);
      flatten("", entry, flat);
      rows.push_back(std::move(flat));
    }
  }
  return render(rows);
}

}  // namespace fabricperf::results
