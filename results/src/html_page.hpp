#pragma once
// Internal to fpresults: the HTML report's page builder and its table sections (everything but
// the plots, which the inline script draws from plot specs).
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fabricperf/results/compare.hpp"
#include "fabricperf/results/html_report.hpp"

namespace fabricperf::results::detail {

// The <main> of the page, one <section> at a time, and the nav entries that link to them.
class Page {
 public:
  void add(std::string_view text) { html_ += text; }
  void text(std::string_view text) { html_ += html_escape(text); }
  void section(const std::string& id, const std::string& title) {
    if (open_) html_ += "</section>\n";
    html_ += "<section id=\"" + id + "\"><h2>" + html_escape(title) + "</h2>\n";
    nav_.emplace_back(id, title);
    open_ = true;
  }
  std::string finish_main() {
    if (open_) html_ += "</section>\n";
    open_ = false;
    return html_;
  }
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& nav() const { return nav_; }

 private:
  std::string html_;
  std::vector<std::pair<std::string, std::string>> nav_;
  bool open_ = false;
};

// doc[key] when it is an array, else an empty array.
[[nodiscard]] const nlohmann::json& array_of(const nlohmann::json& doc, const char* key);
// A number as short text: "%.4g", whole numbers from 1000 on.
[[nodiscard]] std::string num(double v);

void regressions_section(Page& p, const CompareReport& report, const CompareOptions& options,
                         const std::string& baseline_name);
void checks_section(Page& p, const nlohmann::json& doc);
void errors_section(Page& p, const nlohmann::json& doc);
void topology_section(Page& p, const nlohmann::json& doc);
void hosts_section(Page& p, const nlohmann::json& doc);
void results_section(Page& p, const nlohmann::json& doc);

}  // namespace fabricperf::results::detail
