#pragma once
// The suite's one result document: core's document sink (RunOutput: same ResultDocument, same
// throttled checkpoints, same partial / aborted semantics; SIGINT/SIGTERM/SIGHUP write what was
// measured, naming the stage set by set_context, and exit 128+signal), written compactly for runs
// with millions of rows. Only rank 0 writes (set_writer); other ranks keep an empty document and a
// silent human stream.
#include <string>
#include <vector>

#include "fabricperf/run_output.hpp"

namespace fabricperf::runners {

class SuiteDocument final : public RunOutput {
 public:
  // Blocks the handled signals process-wide and starts the signal thread: construct it before
  // MPI or any other thread starts. json_path: "" none, "-" stdout, else a file. Writes nothing
  // until set_writer(true).
  SuiteDocument(std::vector<std::string> command_line, std::string json_path, FileWriter write_file = {});
};

}  // namespace fabricperf::runners
