#include "fabricperf/result_document.hpp"

#include <fstream>
#include <sstream>

#include "fabricperf/clock.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/version.hpp"

namespace fabricperf {

std::string_view to_string(CheckStatus status) noexcept {
  switch (status) {
    case CheckStatus::pass:
      return "pass";
    case CheckStatus::fail:
      return "fail";
    case CheckStatus::warn:
      return "warn";
    case CheckStatus::skip:
      return "skip";
  }
  return "skip";
}

std::string_view to_string(RunStatus status) noexcept {
  switch (status) {
    case RunStatus::ok:
      return "ok";
    case RunStatus::failed:
      return "failed";
    case RunStatus::aborted:
      return "aborted";
  }
  return "failed";
}

nlohmann::json to_json(const Check& check) {
  nlohmann::json j = {{"name", check.name},
                      {"status", std::string(to_string(check.status))},
                      {"expected", check.expected},
                      {"measured", check.measured},
                      {"detail", check.detail}};
  if (!check.labels.empty()) j["labels"] = check.labels;
  return j;
}

CheckStatus check_status_from_string(std::string_view text) {
  for (const auto status : {CheckStatus::pass, CheckStatus::fail, CheckStatus::warn, CheckStatus::skip})
    if (text == to_string(status)) return status;
  throw UsageError("check status '" + std::string(text) + "' is not pass, fail, warn or skip");
}

Check check_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw UsageError("a check is not a JSON object: " + j.dump().substr(0, 80));
  const auto field = [&j](const char* key, nlohmann::json::value_t type, bool required) -> const nlohmann::json* {
    const auto it = j.find(key);
    if (it == j.end() || (!required && it->is_null())) {
      if (required) throw UsageError(std::string("a check has no \"") + key + "\"");
      return nullptr;
    }
    if (it->type() != type) throw UsageError(std::string("check key \"") + key + "\" has the wrong type");
    return &*it;
  };
  using T = nlohmann::json::value_t;
  Check c;
  c.name = field("name", T::string, true)->get<std::string>();
  c.status = check_status_from_string(field("status", T::string, true)->get_ref<const std::string&>());
  c.expected = j.value("expected", nlohmann::json());
  c.measured = j.value("measured", nlohmann::json());
  if (const auto* detail = field("detail", T::string, false)) c.detail = detail->get<std::string>();
  if (const auto* labels = field("labels", T::object, false)) c.labels = *labels;
  return c;
}

ResultDocument::ResultDocument(std::string tool, std::vector<std::string> command_line)
    : tool_(std::move(tool)), command_line_(std::move(command_line)), started_at_(rfc3339_now()) {}

bool ResultDocument::any_check_failed() const {
  for (const auto& c : checks_)
    if (c.at("status") == "fail") return true;
  return false;
}

nlohmann::json ResultDocument::to_json(RunStatus status, bool partial) const {
  return {{"schema", std::string(kSchemaId)},
          {"tool", tool_},
          {"version", std::string(kVersion)},
          {"started_at", started_at_},
          {"finished_at", rfc3339_now()},
          {"status", std::string(fabricperf::to_string(status))},
          {"partial", partial},
          {"command_line", command_line_},
          {"hosts", hosts_},
          {"params", params_},
          {"results", results_},
          {"checks", checks_},
          {"errors", errors_}};
}

nlohmann::json read_result_document(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("cannot read result document " + path);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw UsageError(path + ": not valid JSON (" + e.what() + ")");
  }
  if (!doc.is_object()) throw UsageError(path + ": not a fabricperf result document (not an object)");
  if (!doc.contains("schema") || doc["schema"] != kSchemaId)
    throw UsageError(path + ": not a " + std::string(kSchemaId) + " result document (schema is " +
                     (doc.contains("schema") ? doc["schema"].dump() : std::string("missing")) + ")");
  for (const char* key : {"tool", "status", "results", "checks", "errors"})
    if (!doc.contains(key)) throw UsageError(path + ": result document lacks '" + key + "'");
  return doc;
}

}  // namespace fabricperf
