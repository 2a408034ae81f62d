#include "fabricperf/runners/suite_document.hpp"

namespace fabricperf::runners {

SuiteDocument::SuiteDocument(std::vector<std::string> command_line, std::string json_path, FileWriter write_file)
    : RunOutput("fp_suite", std::move(command_line), std::move(json_path), /*handle_signals=*/true,
                std::move(write_file), /*json_indent=*/1) {
  set_writer(false);
}

}  // namespace fabricperf::runners
