#pragma once
// The built-in models: config.json fields copied from the published Hugging Face configs, shipped
// as sizing/catalogue/*.json and embedded into the library at build time.
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fabricperf/sizing/model_config.hpp"

namespace fabricperf::sizing {

struct EmbeddedFile {
  std::string_view name;
  std::string_view text;
};

// The catalogue files as embedded (generated from sizing/catalogue/*.json).
[[nodiscard]] std::span<const EmbeddedFile> embedded_catalogue_files() noexcept;

struct CatalogueEntry {
  std::string name;
  std::vector<std::string> aliases;
  std::string hf_repo;
  std::string source;  // where the fields come from
  double published_params = 0;
  std::string published_params_source;
  nlohmann::json config;  // the config.json fields
  ModelConfig model;
};

// Parses a catalogue file; UsageError naming `name` and the problem.
[[nodiscard]] CatalogueEntry parse_catalogue_entry(std::string_view name, std::string_view text);

// Every entry, in file order (parsed once).
[[nodiscard]] const std::vector<CatalogueEntry>& catalogue();

// By name or alias, case-insensitive; UsageError listing the names when unknown.
[[nodiscard]] const CatalogueEntry& find_catalogue_entry(std::string_view name);

}  // namespace fabricperf::sizing
