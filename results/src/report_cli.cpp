#include "fabricperf/results/report_cli.hpp"

#include <cmath>
#include <iostream>
#include <string>

#include "fabricperf/atomic_file.hpp"
#include "fabricperf/cli.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/results/compare.hpp"
#include "fabricperf/results/csv.hpp"
#include "fabricperf/results/document.hpp"
#include "fabricperf/results/html_report.hpp"
#include "fabricperf/results/merge.hpp"
#include "fabricperf/results/prometheus.hpp"
#include "fabricperf/results/validate.hpp"

namespace fabricperf::results {
namespace {

// "-" is stdout; anything else is written atomically (readers such as node_exporter's textfile
// collector never see half a file).
void write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text << std::flush;
    return;
  }
  write_file_atomically(path, text);
}

// A finite number >= 0: CLI::NonNegativeNumber lets "nan" through (nan < 0 is false), and an
// infinite tolerance would silently disable the check.
std::string finite_non_negative(const std::string& text) {
  double value = 0;
  std::size_t used = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(value) || value < 0)
    return "must be a finite number >= 0, got '" + text + "'";
  return {};
}

void add_tolerance_options(CLI::App& cmd, CompareOptions& options) {
  cmd.add_option("--tolerance-pct", options.tolerance_pct,
                 "Flag a metric worse by more than this percentage (or noise-k x its noise, if larger)")
      ->check(finite_non_negative, "NUMBER >= 0")
      ->capture_default_str();
  cmd.add_option("--noise-k", options.noise_k, "Multiple of the measured run-to-run noise a change must exceed")
      ->check(finite_non_negative, "NUMBER >= 0")
      ->capture_default_str();
  cmd.add_option("--metrics", options.metrics, "Compare only these metrics (comma separated field names)")
      ->delimiter(',');
  cmd.add_option("--key", options.extra_keys, "Also match rows by this field (repeatable)");
  cmd.add_option("--ignore-key", options.ignored_keys, "Do not match rows by this field (repeatable)");
}

int run_compare(const std::string& base_path, const std::string& new_path, const CompareOptions& options,
                const std::string& json_path, bool all_rows, const std::vector<std::string>& command_line) {
  const nlohmann::json base = load_document(base_path);
  const nlohmann::json next = load_document(new_path);
  const CompareReport report = compare_documents(base, next, options);
  const CompareSources sources{base_path, new_path, command_line};
  std::ostream& human = json_path == "-" ? std::cerr : std::cout;
  human << format_compare_table(report, options, sources, all_rows) << std::flush;
  if (!json_path.empty())
    write_output(json_path, dump_document(compare_report_document(report, base, next, sources, options)));
  if (report.compared_nothing())
    throw UsageError("nothing compared: " +
                     std::string(report.matched_rows > 0
                                     ? "no compared metric is present on both sides of the matching rows"
                                     : "no row of " + new_path + " matches a row of " + base_path) +
                     " (" + std::to_string(report.base_rows) + " and " + std::to_string(report.new_rows) +
                     " rows; see the identity fields listed above, --key/--ignore-key)");
  return report.regressed(options) ? 1 : 0;
}

// Exit 0: every document valid; 1: some document does not match the schema; 2: some input was
// refused (not a readable regular file, too large, not JSON, nested too deep, 1e400), each
// with one stderr line naming the file. Every file is judged either way.
int run_validate(const std::vector<std::string>& paths) {
  std::size_t invalid = 0, refused = 0;
  for (const auto& path : paths) {
    nlohmann::json doc;
    try {
      doc = read_document_json(path);
    } catch (const UsageError& e) {
      std::cerr << "fp_report: " << e.what() << '\n';
      ++refused;
      continue;
    }
    const auto problems = validate_document(doc);
    for (const auto& p : problems) std::cout << path << ": " << to_string(p) << "\n";
    if (problems.empty())
      std::cout << path << ": valid " << string_field(doc, "schema") << " (" << string_field(doc, "tool") << ", "
                << doc["results"].size() << " results, " << doc["checks"].size() << " checks)\n";
    else
      ++invalid;
  }
  return refused ? 2 : invalid ? 1 : 0;
}

}  // namespace

int report_main(int argc, const char* const* argv) {
  CLI::App app{
      "fp_report: compare, export, render, validate and merge fabricperf result documents.\n"
      "See 'fp_report SUBCOMMAND --help' for each subcommand's options.",
      "fp_report"};
  app.require_subcommand(0, 1);  // "none" is reported by the body, so an unknown option is named first
  const std::vector<std::string> command_line = fabricperf::command_line(argc, argv);

  // compare
  CompareOptions compare_options;
  std::string base_path, new_path, compare_json;
  bool all_rows = false;
  auto* compare =
      app.add_subcommand("compare",
                         "Regression check: match rows of BASE and NEW, flag metrics worse than the tolerance.\n"
                         "A fabricperf/1 document compared with a fabricperf/2 one is read as fabricperf/2.\n"
                         "Exit 0: no regression, 1: regression, 2: bad input (including documents with no "
                         "row and metric in common: nothing compared).");
  compare->add_option("BASE", base_path, "Baseline result document")->required();
  compare->add_option("NEW", new_path, "Result document to judge")->required();
  add_tolerance_options(*compare, compare_options);
  compare->add_flag("--fail-on-missing", compare_options.fail_on_missing,
                    "Rows of BASE missing in NEW are a regression");
  compare->add_flag("--all", all_rows, "List every compared metric, not only regressions and improvements");
  compare->add_option("--json", compare_json, "Write the comparison as a fabricperf/2 document ('-' = stdout)")
      ->type_name("FILE");

  // export
  std::string format, export_doc, export_out = "-", table = "results";
  auto* exporter = app.add_subcommand("export", "Export a result document as Prometheus text exposition or CSV");
  exporter->add_option("--format", format, "prometheus or csv")
      ->required()
      ->check(CLI::IsMember({"prometheus", "csv"}));
  exporter->add_option("DOC", export_doc, "Result document")->required();
  exporter->add_option("-o,--output", export_out, "Output file ('-' = stdout; written atomically)")
      ->capture_default_str();
  exporter->add_option("--table", table, "CSV: results or checks")
      ->check(CLI::IsMember({"results", "checks"}))
      ->capture_default_str();

  // html
  HtmlOptions html_options;
  std::string html_doc, html_baseline, html_out;
  auto* html = app.add_subcommand("html", "Render a self-contained HTML report (no network access needed)");
  html->add_option("DOC", html_doc, "Result document")->required();
  html->add_option("--baseline", html_baseline, "Baseline document: highlight regressions")->type_name("BASE.json");
  html->add_option("-o,--output", html_out, "Output HTML file ('-' = stdout)")->required();
  add_tolerance_options(*html, html_options.compare);

  // validate
  std::vector<std::string> validate_paths;
  auto* validate =
      app.add_subcommand("validate",
                         "Check documents against their schema (fabricperf/2, or /1 for older documents) and "
                         "fabricperf/2 bandwidth rows' arithmetic (exit 1 if any is invalid)");
  validate->add_option("DOC", validate_paths, "Result documents")->required();

  // merge
  std::vector<std::string> merge_paths;
  std::string merge_out, merge_tool;
  auto* merge = app.add_subcommand("merge", "Merge result documents into one");
  merge->add_option("DOC", merge_paths, "Result documents")->required();
  merge->add_option("-o,--output", merge_out, "Output document ('-' = stdout)")->required();
  merge->add_option("--tool", merge_tool, "Tool name of the merged document (default: the inputs' tool, or fp_report)")
      ->check([](const std::string& t) {
        return t.size() > 3 && t.starts_with("fp_") &&
                       t.find_first_not_of("abcdefghijklmnopqrstuvwxyz_", 3) == std::string::npos
                   ? std::string()
                   : std::string("must look like fp_name");
      });

  return run_main(app, argc, argv, [&]() -> int {
    if (compare->parsed())
      return run_compare(base_path, new_path, compare_options, compare_json, all_rows, command_line);
    if (exporter->parsed()) {
      const nlohmann::json doc = load_document(export_doc);
      write_output(export_out, format == "prometheus"
                                   ? to_prometheus(doc)
                                   : to_csv(doc, table == "checks" ? CsvTable::checks : CsvTable::results));
      return 0;
    }
    if (html->parsed()) {
      const nlohmann::json doc = load_document(html_doc);
      nlohmann::json baseline;
      if (!html_baseline.empty()) {
        baseline = load_document(html_baseline);
        html_options.baseline = &baseline;
        html_options.baseline_name = html_baseline;
      }
      html_options.source_name = html_doc;
      write_output(html_out, html_report(doc, html_options));
      return 0;
    }
    if (validate->parsed()) return run_validate(validate_paths);
    if (merge->parsed()) {
      std::vector<MergeInput> inputs;
      for (const auto& path : merge_paths) inputs.push_back({path, load_document(path)});
      const nlohmann::json merged = merge_documents(
          inputs, command_line, merge_tool.empty() ? std::nullopt : std::optional<std::string>(merge_tool));
      if (const auto problems = validate_document(merged); !problems.empty())
        throw Error("merged document does not match the schema: " + to_string(problems.front()));
      write_output(merge_out, dump_document(merged));
      return 0;
    }
    throw UsageError("a subcommand is required: compare, export, html, validate or merge");
  });
}

}  // namespace fabricperf::results
