#pragma once
// Merging result documents into one (fp_report merge; the suite runner combines its stages).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fabricperf::results {

struct MergeInput {
  std::string name;  // file name, recorded in params.merged_from
  nlohmann::json doc;
};

// tool: `tool` when given, else the inputs' tool when they agree, else "fp_report".
// Rows of inputs from several tools get a "tool" field (unless they have "tool" or "stage").
// started_at earliest, finished_at latest, status the worst (aborted > failed > ok), partial
// when any is; hosts de-duplicated by hostname (a later document's fingerprint wins);
// results, checks and errors concatenated (errors prefixed with the tool when tools differ);
// params: {"merged_from": [{file, tool, version, command_line, started_at, finished_at,
// status, partial, params}]}.
[[nodiscard]] nlohmann::json merge_documents(const std::vector<MergeInput>& inputs,
                                             const std::vector<std::string>& command_line,
                                             const std::optional<std::string>& tool = std::nullopt);

}  // namespace fabricperf::results
