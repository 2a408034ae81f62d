#pragma once
// The suite's one result document. Like core's RunOutput (same ResultDocument, same partial /
// aborted semantics, SIGINT/SIGTERM/SIGHUP write what was measured and exit 128+signal), but
// built for runs with millions of rows: results are added in batches and the partial document
// is checkpointed at most every few seconds instead of after every row. Only rank 0 writes;
// other ranks keep an empty document and a silent human stream.
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "fabricperf/result_document.hpp"
#include "fabricperf/signal_watch.hpp"

namespace fabricperf::runners {

class SuiteDocument {
 public:
  // Blocks the handled signals process-wide and starts the signal thread: construct it before
  // MPI or any other thread starts. json_path: "" none, "-" stdout, else a file.
  SuiteDocument(std::vector<std::string> command_line, std::string json_path);
  ~SuiteDocument();
  SuiteDocument(const SuiteDocument&) = delete;
  SuiteDocument& operator=(const SuiteDocument&) = delete;

  // Whether this process writes the document and the terminal tables (rank 0).
  void set_writer(bool writer);
  [[nodiscard]] bool writer() const;
  [[nodiscard]] std::ostream& human() const;
  [[nodiscard]] bool json_to_stdout() const noexcept {
    return json_path_ == "-";
  }  // stdout (stderr when JSON goes to stdout); void when not writer

  void set_params(nlohmann::json params);
  void add_host(nlohmann::json host);
  void add_results(std::vector<nlohmann::json> rows);
  void add_result(nlohmann::json row) { add_results({std::move(row)}); }
  void add_check(const Check& check);
  void add_error(std::string message);
  // "verbs_bw round 3/7": named in the error a signal records.
  void set_context(std::string context);

  // Writes the partial document when the last write is older than the checkpoint interval
  // (adaptive: at least 10 x the time a write takes), or always with force.
  void checkpoint(bool force = false);

  [[nodiscard]] nlohmann::json results() const;  // a copy
  [[nodiscard]] nlohmann::json checks() const;   // a copy
  [[nodiscard]] nlohmann::json snapshot(RunStatus status, bool partial) const;

  // Writes the final document; returns the exit code (0: ok, no failed check, no error).
  int finish(RunStatus status);
  // Records `what` as an error, writes the document as aborted (partial); returns 1.
  int abort(const std::string& what);

 private:
  void write_locked(RunStatus status, bool partial);
  bool on_signal(int signal);  // writes the partial document (writer rank); false once finished

  std::string json_path_;
  mutable std::mutex mutex_;
  ResultDocument doc_;
  bool writer_ = false;
  bool finished_ = false;
  std::string context_;
  std::chrono::steady_clock::time_point last_write_{};
  double last_write_s_ = 0;
  SignalWatch signal_watch_;  // last: stops before the rest goes away
};

}  // namespace fabricperf::runners
