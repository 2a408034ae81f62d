#include "fabricperf/results/verdict.hpp"

#include <cstdio>

namespace fabricperf::results {
namespace {

std::size_t array_size(const nlohmann::json& doc, const char* key) {
  return doc.is_object() && doc.contains(key) && doc[key].is_array() ? doc[key].size() : 0;
}

std::string status_of(const nlohmann::json& doc) {
  if (!doc.is_object() || !doc.contains("status") || !doc["status"].is_string()) return "ok";
  return doc["status"].get<std::string>();
}

std::string json_number(const nlohmann::json& v) {
  if (!v.is_number()) return "?";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.10g", v.get<double>());
  return buffer;
}

}  // namespace

std::string loosened_expectations_text(const nlohmann::json& doc) {
  if (!doc.is_object() || !doc.contains("params") || !doc["params"].is_object()) return "";
  const auto& params = doc["params"];
  if (!params.contains("expectations_loosened") || !params["expectations_loosened"].is_array()) return "";
  std::string list;
  for (const auto& e : params["expectations_loosened"]) {
    if (!e.is_object() || !e.contains("key") || !e["key"].is_string()) continue;
    list += (list.empty() ? "" : ", ") + e["key"].get<std::string>() + " " +
            json_number(e.value("value", nlohmann::json())) + " (default " +
            json_number(e.value("default", nlohmann::json())) + ")";
  }
  if (list.empty()) return "";
  return "expectations loosened (e.g. for emulation): " + list +
         "; a pass of those checks says nothing about line rate or latency";
}

CheckCounts count_checks(const nlohmann::json& doc) {
  CheckCounts n;
  if (!doc.is_object() || !doc.contains("checks") || !doc["checks"].is_array()) return n;
  for (const auto& c : doc["checks"]) {
    const auto s = c.is_object() && c.contains("status") && c["status"].is_string() ? c["status"].get<std::string>()
                                                                                    : std::string("skip");
    ++(s == "pass" ? n.pass : s == "fail" ? n.fail : s == "warn" ? n.warn : n.skip);
  }
  return n;
}

std::string describe(const CheckCounts& n) {
  return std::to_string(n.total()) + (n.total() == 1 ? " check: " : " checks: ") + std::to_string(n.pass) +
         " passed, " + std::to_string(n.skip) + " skipped, " + std::to_string(n.warn) + " warned, " +
         std::to_string(n.fail) + " failed";
}

DocumentVerdict document_verdict(const nlohmann::json& doc, const CompareReport* report,
                                 const CompareOptions& options) {
  DocumentVerdict v;
  v.checks = count_checks(doc);
  v.errors = array_size(doc, "errors");
  const std::string status = status_of(doc);
  const bool partial = doc.is_object() && doc.value("partial", false) == true;
  const bool regressed = report != nullptr && report->regressed(options);
  v.reasons.push_back(describe(v.checks));
  if (status == "aborted")
    v.reasons.push_back("the run was aborted");
  else if (status == "failed")
    v.reasons.push_back("the run failed");
  if (partial) v.reasons.push_back("partial results: the run did not reach its end");
  if (v.errors) v.reasons.push_back(std::to_string(v.errors) + " error(s) recorded");
  if (regressed)
    v.reasons.push_back(
        std::to_string(report->count(Verdict::regression)) + " metric(s) regressed against the baseline" +
        (report->check_regressions() ? ", " + std::to_string(report->check_regressions()) + " check(s) newly failing"
                                     : ""));
  else if (report != nullptr)
    v.reasons.push_back("no regression against the baseline");
  if (auto loosened = loosened_expectations_text(doc); !loosened.empty()) v.reasons.push_back(std::move(loosened));

  if (status == "aborted") {
    v.word = "ABORTED";
    v.level = VerdictLevel::fail;
  } else if (status == "failed" || v.checks.fail || v.errors) {
    v.word = "FAIL";
    v.level = VerdictLevel::fail;
  } else if (regressed) {
    v.word = "REGRESSION";
    v.level = VerdictLevel::fail;
  } else if (partial) {
    v.word = "PARTIAL";
    v.level = VerdictLevel::warn;
  } else if (v.checks.warn) {
    v.word = "PASS WITH WARNINGS";
    v.level = VerdictLevel::warn;
  } else {
    v.word = "PASS";
  }
  return v;
}

}  // namespace fabricperf::results
