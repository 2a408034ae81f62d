#pragma once
// The one result document every fabricperf tool writes (schema "fabricperf/2"; the JSON Schema
// is results/schema/fabricperf-2.schema.json). Plain data: thread safety is RunOutput's job.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace fabricperf {

inline constexpr std::string_view kSchemaId = "fabricperf/2";

enum class CheckStatus { pass, fail, warn, skip };
enum class RunStatus { ok, failed, aborted };

[[nodiscard]] std::string_view to_string(CheckStatus status) noexcept;
[[nodiscard]] std::string_view to_string(RunStatus status) noexcept;

struct Check {
  std::string name;
  CheckStatus status = CheckStatus::skip;
  nlohmann::json expected;  // null when there is no expectation
  nlohmann::json measured;  // null when nothing was measured
  std::string detail;
  nlohmann::json labels = nlohmann::json::object();  // e.g. {"host": "node1", "gpu": 0}
};

[[nodiscard]] nlohmann::json to_json(const Check& check);
// The inverse of to_json (a check read back from a document or a peer): name and status are
// required, the other keys optional. Throws UsageError naming the key when the shape is wrong
// or the status is not pass, fail, warn or skip.
[[nodiscard]] Check check_from_json(const nlohmann::json& j);
[[nodiscard]] CheckStatus check_status_from_string(std::string_view text);

class ResultDocument {
 public:
  ResultDocument(std::string tool, std::vector<std::string> command_line);

  [[nodiscard]] nlohmann::json& params() noexcept { return params_; }
  void add_host(nlohmann::json host) { hosts_.push_back(std::move(host)); }
  void add_result(nlohmann::json result) { results_.push_back(std::move(result)); }
  void add_check(const Check& check) { checks_.push_back(fabricperf::to_json(check)); }
  void add_error(std::string message) { errors_.push_back(std::move(message)); }
  [[nodiscard]] const nlohmann::json& results() const noexcept { return results_; }
  [[nodiscard]] const nlohmann::json& checks() const noexcept { return checks_; }
  [[nodiscard]] bool any_check_failed() const;
  [[nodiscard]] bool has_errors() const noexcept { return !errors_.empty(); }

  // The document as of now. finished_at and status are set from `status` (a document written
  // before the end is "aborted" with "partial": true).
  [[nodiscard]] nlohmann::json to_json(RunStatus status, bool partial) const;

  [[nodiscard]] const std::string& tool() const noexcept { return tool_; }

 private:
  std::string tool_;
  std::vector<std::string> command_line_;
  std::string started_at_;
  nlohmann::json params_ = nlohmann::json::object();
  nlohmann::json hosts_ = nlohmann::json::array();
  nlohmann::json results_ = nlohmann::json::array();
  nlohmann::json checks_ = nlohmann::json::array();
  nlohmann::json errors_ = nlohmann::json::array();
};

// Reads a document and checks the top-level shape (schema id, required keys); throws UsageError
// naming the file and the problem.
[[nodiscard]] nlohmann::json read_result_document(const std::string& path);

}  // namespace fabricperf
