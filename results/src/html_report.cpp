#include "fabricperf/results/html_report.hpp"

#include <optional>
#include <set>

#include "fabricperf/clock.hpp"
#include "fabricperf/results/document.hpp"
#include "fabricperf/results/verdict.hpp"
#include "fabricperf/version.hpp"
#include "html_assets.hpp"
#include "html_page.hpp"
#include "plots.hpp"

namespace fabricperf::results {
namespace {

using detail::array_of;
using detail::num;
using detail::Page;

// JSON for a <script> element: no "</script>", "<!--" or "]]>" can appear.
std::string script_json(const nlohmann::json& value) {
  const std::string text = value.dump();
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else
      out += c;
  }
  return out;
}

void plot_section(Page& p, const nlohmann::json& specs, const std::string& section, const std::string& title,
                  const std::string& note) {
  bool any = false;
  for (const auto& spec : specs) {
    if (spec["section"] != section) continue;
    if (!any) {
      p.section(section, title);
      if (!note.empty()) {
        p.add("<p class=\"summary\">");
        p.text(note);
        p.add("</p>\n");
      }
      any = true;
    }
    p.add("<div class=\"plot\"><h3>");
    p.text(spec["title"].get<std::string>());
    p.add("</h3><div class=\"fp-plot\" data-plot-id=\"");
    p.text(spec["id"].get<std::string>());
    p.add("\"></div></div>\n");
  }
}

const char* verdict_css(VerdictLevel level) {
  switch (level) {
    case VerdictLevel::pass:
      return "verdict-pass";
    case VerdictLevel::warn:
      return "verdict-warn";
    case VerdictLevel::fail:
      break;
  }
  return "verdict-fail";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string html_report(const nlohmann::json& doc, const HtmlOptions& options) {
  require_bounded_depth(doc, "result document");
  if (options.baseline != nullptr) require_bounded_depth(*options.baseline, "baseline document");
  std::optional<CompareReport> report;
  IdentityRules rules;
  std::set<std::string> regressed;
  if (options.baseline != nullptr) {
    report = compare_documents(*options.baseline, doc, options.compare);
    rules = report->rules;
    for (const auto& m : report->metrics)
      if (m.judgement.verdict == results::Verdict::regression)
        regressed.insert(identity_key(m.identity) + "\n" + m.metric);
  } else {
    const nlohmann::json* docs[] = {&doc};
    rules = derive_identity_rules(docs);
  }
  const nlohmann::json specs = detail::build_plot_specs(doc, options.baseline, rules, regressed);
  const DocumentVerdict verdict = document_verdict(doc, report ? &*report : nullptr, options.compare);
  const std::string tool = string_field(doc, "tool");

  Page p;
  if (report) detail::regressions_section(p, *report, options.compare, options.baseline_name);
  detail::checks_section(p, doc);
  detail::errors_section(p, doc);
  plot_section(p, specs, "bandwidth", "Bandwidth vs message size",
               options.baseline ? "Dashed: the baseline. Red points: regressions beyond tolerance." : "");
  plot_section(p, specs, "latency", "Latency percentiles", "");
  plot_section(p, specs, "pairs", "Node-pair bandwidth",
               "Each cell: bandwidth from the row's host to the column's host at the largest message size, the "
               "weakest of their rails. Colour relative to the best pair.");
  detail::topology_section(p, doc);
  plot_section(p, specs, "collectives", "Collectives: bus bandwidth vs message size",
               options.baseline ? "Dashed: the baseline. Red points: regressions beyond tolerance." : "");
  detail::hosts_section(p, doc);
  detail::results_section(p, doc);
  const std::string main_html = p.finish_main();

  std::string html;
  html +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
      "script-src 'unsafe-inline'; img-src data:\">\n<title>";
  html += html_escape("fabricperf " + tool + ": " + verdict.word);
  html += "</title>\n<style>";
  html += detail::kReportCss;
  html += "</style>\n</head>\n<body>\n";
  html += "<header class=\"verdict " + std::string(verdict_css(verdict.level)) + "\"><div class=\"verdict-word\">" +
          html_escape(verdict.word) + "</div>";
  html += "<ul class=\"verdict-why\">";
  for (const auto& r : verdict.reasons) html += "<li>" + html_escape(r) + "</li>";
  html += "</ul><div class=\"meta\">";
  std::string meta = tool + " " + string_field(doc, "version") + " \u00b7 " +
                     std::to_string(array_of(doc, "hosts").size()) + " host(s) \u00b7 " +
                     std::to_string(array_of(doc, "results").size()) + " result(s) \u00b7 started " +
                     string_field(doc, "started_at") + " \u00b7 finished " + string_field(doc, "finished_at");
  const auto started = parse_rfc3339(string_field(doc, "started_at"));
  const auto finished = parse_rfc3339(string_field(doc, "finished_at"));
  if (started && finished) meta += " (" + num(*finished - *started) + " s)";
  html += html_escape(meta);
  if (!options.source_name.empty()) html += "<br>document: <code>" + html_escape(options.source_name) + "</code>";
  std::string command;
  for (const auto& arg : array_of(doc, "command_line")) command += (command.empty() ? "" : " ") + value_text(arg);
  if (!command.empty()) html += "<br>command: <code>" + html_escape(command) + "</code>";
  html += "</div></header>\n<nav>";
  for (const auto& [id, title] : p.nav()) html += "<a href=\"#" + id + "\">" + html_escape(title) + "</a>";
  html += "</nav>\n<main>\n" + main_html + "</main>\n";
  html += "<footer>Generated by fp_report " + html_escape(kVersion) + " at " + html_escape(rfc3339_now()) +
          ". Self-contained: no network access.</footer>\n";
  html += "<script type=\"application/json\" id=\"fp-plots\">" + script_json(specs) + "</script>\n";
  html += "<script>";
  html += detail::kReportJs;
  html += "</script>\n</body>\n</html>\n";
  return html;
}

}  // namespace fabricperf::results
