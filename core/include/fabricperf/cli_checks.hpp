#pragma once
// A CLI11 validator for what CLI11 itself lets through: an empty string given to a file or name
// option, which would otherwise silently mean "not given" (e.g. `fp_topo --hwloc-xml ''` read this
// machine). Numeric ranges: integer_in/number_in in cli.hpp; output files: output_file().
#include <CLI/CLI.hpp>
#include <string>

namespace fabricperf {

// For file and name options: refuses an empty string ("--hwloc-xml: empty value").
[[nodiscard]] inline CLI::Validator non_empty() {
  return CLI::Validator([](std::string& text) -> std::string { return text.empty() ? "empty value" : ""; }, "");
}

}  // namespace fabricperf
