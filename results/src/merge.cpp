#include "fabricperf/results/merge.hpp"

#include <set>

#include "fabricperf/error.hpp"
#include "fabricperf/result_document.hpp"
#include "fabricperf/results/document.hpp"
#include "fabricperf/version.hpp"

namespace fabricperf::results {
namespace {

int status_severity(const std::string& status) {
  if (status == "aborted") return 2;
  if (status == "failed") return 1;
  return 0;
}

const nlohmann::json& array_member(const nlohmann::json& doc, const char* key) {
  static const nlohmann::json empty = nlohmann::json::array();
  return doc.contains(key) && doc[key].is_array() ? doc[key] : empty;
}

}  // namespace

nlohmann::json merge_documents(const std::vector<MergeInput>& inputs, const std::vector<std::string>& command_line,
                               const std::optional<std::string>& tool) {
  if (inputs.empty()) throw UsageError("merge needs at least one document");
  for (const auto& in : inputs) require_bounded_depth(in.doc, in.name);
  std::set<std::string> tools;
  for (const auto& in : inputs) tools.insert(string_field(in.doc, "tool"));
  const bool several_tools = tools.size() > 1;
  const std::string merged_tool = tool ? *tool : several_tools ? "fp_report" : *tools.begin();
  // Rows keep their meaning only within one schema version (iterations changed in fabricperf/2).
  std::set<std::string> schemas;
  for (const auto& in : inputs) schemas.insert(string_field(in.doc, "schema", std::string(kSchemaId)));
  if (schemas.size() > 1)
    throw UsageError("cannot merge documents of different schema versions (" + *schemas.begin() + ", " +
                     *schemas.rbegin() + "): their rows do not mean the same; rerun the older measurement");

  nlohmann::json out = {{"schema", *schemas.begin()},
                        {"tool", merged_tool},
                        {"version", std::string(kVersion)},
                        {"started_at", ""},
                        {"finished_at", ""},
                        {"status", "ok"},
                        {"partial", false},
                        {"command_line", command_line.empty() ? std::vector<std::string>{"fp_report"} : command_line},
                        {"hosts", nlohmann::json::array()},
                        {"params", {{"merged_from", nlohmann::json::array()}}},
                        {"results", nlohmann::json::array()},
                        {"checks", nlohmann::json::array()},
                        {"errors", nlohmann::json::array()}};
  std::optional<double> earliest, latest;
  std::string status = "ok";
  for (const auto& in : inputs) {
    const nlohmann::json& doc = in.doc;
    const std::string doc_tool = string_field(doc, "tool");
    const std::string started = string_field(doc, "started_at");
    const std::string finished = string_field(doc, "finished_at");
    if (const auto t = parse_rfc3339(started); t && (!earliest || *t < *earliest)) {
      earliest = t;
      out["started_at"] = started;
    }
    if (const auto t = parse_rfc3339(finished); t && (!latest || *t > *latest)) {
      latest = t;
      out["finished_at"] = finished;
    }
    const std::string doc_status = string_field(doc, "status", "ok");
    if (status_severity(doc_status) > status_severity(status)) status = doc_status;
    if (doc.value("partial", false)) out["partial"] = true;

    for (const auto& host : array_member(doc, "hosts")) {
      auto& hosts = out["hosts"];
      bool replaced = false;
      for (auto& h : hosts)
        if (h.is_object() && host.is_object() && h.value("hostname", "") == host.value("hostname", "")) {
          h = host;  // the later document's fingerprint wins
          replaced = true;
        }
      if (!replaced) hosts.push_back(host);
    }
    for (auto row : array_member(doc, "results")) {
      if (several_tools && row.is_object() && !row.contains("tool") && !row.contains("stage")) row["tool"] = doc_tool;
      out["results"].push_back(std::move(row));
    }
    for (const auto& check : array_member(doc, "checks")) out["checks"].push_back(check);
    for (const auto& error : array_member(doc, "errors"))
      out["errors"].push_back(
          several_tools && error.is_string() ? nlohmann::json(doc_tool + ": " + error.get<std::string>()) : error);
    out["params"]["merged_from"].push_back({{"file", in.name},
                                            {"tool", doc_tool},
                                            {"version", string_field(doc, "version")},
                                            {"command_line", doc.value("command_line", nlohmann::json::array())},
                                            {"started_at", started},
                                            {"finished_at", finished},
                                            {"status", doc_status},
                                            {"partial", doc.value("partial", false)},
                                            {"params", doc.value("params", nlohmann::json::object())}});
  }
  out["status"] = status;
  // Documents that passed the schema have parsable timestamps; this keeps the output valid anyway.
  if (out["started_at"] == "")
    out["started_at"] = string_field(inputs.front().doc, "started_at", "1970-01-01T00:00:00Z");
  if (out["finished_at"] == "")
    out["finished_at"] = string_field(inputs.back().doc, "finished_at", "1970-01-01T00:00:00Z");
  // params.merged_from[].params nests the inputs' params three levels deeper: refuse an output
  // that fp_report could not read back.
  require_bounded_depth(out, "merged document");
  return out;
}

}  // namespace fabricperf::results
