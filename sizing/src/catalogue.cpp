#include "fabricperf/sizing/catalogue.hpp"

#include <algorithm>
#include <cctype>

#include "fabricperf/error.hpp"
#include "fabricperf/input_file.hpp"

namespace fabricperf::sizing {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::vector<CatalogueEntry> load_all() {
  std::vector<CatalogueEntry> entries;
  for (const EmbeddedFile& file : embedded_catalogue_files())
    entries.push_back(parse_catalogue_entry(file.name, file.text));
  return entries;
}

}  // namespace

CatalogueEntry parse_catalogue_entry(std::string_view name, std::string_view text) {
  const std::string where = "catalogue/" + std::string(name);
  const nlohmann::json j = parse_json_bounded(text, where);
  if (!j.is_object()) throw UsageError(where + ": must be a JSON object, got " + std::string(j.type_name()));
  auto text_field = [&](const char* key) {
    if (!j.contains(key) || !j[key].is_string() || j[key].get<std::string>().empty())
      throw UsageError(where + ": missing field \"" + key + "\" (a non-empty string)");
    return j[key].get<std::string>();
  };
  CatalogueEntry e;
  e.name = text_field("name");
  e.hf_repo = text_field("hf_repo");
  e.source = text_field("source");
  e.published_params_source = text_field("published_params_source");
  if (!j.contains("published_params") || !j["published_params"].is_number() ||
      !(j["published_params"].get<double>() > 0))
    throw UsageError(where + ": missing field \"published_params\" (a positive number)");
  e.published_params = j["published_params"].get<double>();
  if (j.contains("aliases")) {
    if (!j["aliases"].is_array()) throw UsageError(where + ": field \"aliases\" must be an array of strings");
    for (const auto& a : j["aliases"]) {
      if (!a.is_string()) throw UsageError(where + ": field \"aliases\" must be an array of strings");
      e.aliases.push_back(a.get<std::string>());
    }
  }
  if (!j.contains("config") || !j["config"].is_object())
    throw UsageError(where + ": missing field \"config\" (an object)");
  e.config = j["config"];
  e.model = parse_model_config(e.config, "catalogue model " + e.name);
  return e;
}

const std::vector<CatalogueEntry>& catalogue() {
  static const std::vector<CatalogueEntry> entries = load_all();
  return entries;
}

const CatalogueEntry& find_catalogue_entry(std::string_view name) {
  const std::string key = lower(name);
  for (const CatalogueEntry& e : catalogue()) {
    if (lower(e.name) == key) return e;
    for (const std::string& alias : e.aliases) {
      if (lower(alias) == key) return e;
    }
  }
  std::string names;
  for (const CatalogueEntry& e : catalogue()) names += (names.empty() ? "" : ", ") + e.name;
  throw UsageError("unknown model '" + std::string(name) + "' (built-in: " + names + "; or give --config FILE)");
}

}  // namespace fabricperf::sizing
