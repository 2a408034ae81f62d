#pragma once
// Owns a run's result document and where it goes: human text on stdout (stderr when the JSON
// goes to stdout), JSON written atomically to a file. After every result a partial document
// (status "aborted", "partial": true) is checkpointed, so a run killed even by SIGKILL leaves
// what it measured; SIGINT/SIGTERM/SIGHUP write the partial document and exit 128+signal.
#include <exception>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "fabricperf/result_document.hpp"
#include "fabricperf/signal_watch.hpp"

namespace fabricperf {

class RunOutput {
 public:
  // json_path: "" for none, "-" for stdout, else a file path. Must be constructed before the
  // tool starts any thread when handle_signals is true (signals are blocked process-wide and
  // taken by a dedicated thread).
  RunOutput(std::string tool, std::vector<std::string> command_line, std::string json_path,
            bool handle_signals = true);
  ~RunOutput();
  RunOutput(const RunOutput&) = delete;
  RunOutput& operator=(const RunOutput&) = delete;

  [[nodiscard]] std::ostream& human() const noexcept;
  [[nodiscard]] bool writes_json() const noexcept { return !json_path_.empty(); }

  void set_params(nlohmann::json params);
  void add_host(nlohmann::json host);
  void add_result(nlohmann::json result);  // checkpoints a partial document
  void add_check(const Check& check);
  void add_error(std::string message);
  [[nodiscard]] nlohmann::json snapshot(RunStatus status, bool partial) const;

  // Writes the final document. Returns the process exit code: 0 when status is ok, no check
  // failed and no error was recorded; 1 otherwise.
  int finish(RunStatus status);
  // Records `what` as an error and writes the document as aborted; returns 1.
  int abort(const std::string& what);
  // A peer was lost (PeerError): abort(what), and on stderr "<tool>: <what>; partial results in
  // FILE" (the file only when one is written). Returns 1.
  int abort_for_lost_peer(const std::string& what);
  // For a tool's `catch (...)` around its run: a UsageError is rethrown as it is (exit 2, no
  // document), a PeerError ends in abort_for_lost_peer (returns 1), anything else aborts the
  // document and is rethrown for run_main to print.
  int abort_on_exception(std::exception_ptr error);

 private:
  void write_locked(RunStatus status, bool partial) const;
  bool on_signal(int signal);  // writes the partial document; false once finished

  std::string json_path_;
  mutable std::mutex mutex_;
  ResultDocument doc_;
  bool finished_ = false;
  std::optional<SignalWatch> signal_watch_;  // last: stops before the rest goes away
};

}  // namespace fabricperf
