// Fuzz target: bytes as a result document, through the same library functions fp_report's
// subcommands use: validate (any bounded JSON), then for a valid document compare (with itself),
// export (CSV results and checks, Prometheus), html (with itself as baseline) and merge.
// Refusals (UsageError/Error, exit 2/1 in fp_report) are expected; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fabricperf/error.hpp"
#include "fabricperf/input_file.hpp"
#include "fabricperf/results/compare.hpp"
#include "fabricperf/results/csv.hpp"
#include "fabricperf/results/document.hpp"
#include "fabricperf/results/html_report.hpp"
#include "fabricperf/results/merge.hpp"
#include "fabricperf/results/prometheus.hpp"
#include "fabricperf/results/validate.hpp"

namespace {

using namespace fabricperf::results;

void exercise(const nlohmann::json& doc) {
  const CompareOptions options;
  const CompareReport report = compare_documents(doc, doc, options);
  const CompareSources sources{"base.json", "new.json", {"fp_report", "compare"}};
  (void)format_compare_table(report, options, sources, true);
  (void)compare_report_document(report, doc, doc, sources, options).dump(2);

  (void)to_csv(doc, CsvTable::results);
  (void)to_csv(doc, CsvTable::checks);
  (void)to_prometheus(doc);

  HtmlOptions html;
  html.source_name = "doc.json";
  (void)html_report(doc, html);
  html.baseline = &doc;
  html.baseline_name = "base.json";
  (void)html_report(doc, html);

  const nlohmann::json merged = merge_documents({{"a.json", doc}, {"b.json", doc}}, {"fp_report", "merge"});
  (void)validate_document(merged);
  (void)merged.dump(2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const nlohmann::json json = fabricperf::parse_json_bounded(text, "fuzz input", fabricperf::kMaxJsonDepth);
    for (const auto& problem : validate_document(json)) (void)to_string(problem);
    check_document(json, "fuzz input");
    exercise(json);
  } catch (const fabricperf::Error&) {
    // A refusal with a message: what fp_report turns into exit 2 (or 1).
  }
  return 0;
}
