#pragma once
// The one document sink of every tool and the suite: owns a run's result document and where it
// goes: human text on stdout (stderr when the JSON goes to stdout), JSON written atomically to a
// file. As results come in, a partial document (status "aborted", "partial": true) is
// checkpointed — throttled by CheckpointThrottle, so a run of N rows writes O(N) bytes in all —
// and a run killed even by SIGKILL leaves what it had measured at the last checkpoint;
// SIGINT/SIGTERM/SIGHUP write the partial document with everything measured and exit 128+signal.
// In a multi-rank run only the writer (rank 0) writes and prints; the others keep the document
// to themselves and a silent human stream.
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fabricperf/result_document.hpp"
#include "fabricperf/signal_watch.hpp"

namespace fabricperf {

// When the next partial checkpoint is due: when the rows have doubled since the last one, or
// when the last one is older than max(min_interval, 10 x the time it took). Rows double
// O(log N) times and each write is at most twice the rows of the one before, so the rows
// written add up to O(N); the time rule keeps a slow run's checkpoint fresh at <= ~10 % cost.
class CheckpointThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  explicit CheckpointThrottle(Clock::duration min_interval = std::chrono::seconds(2)) : min_interval_(min_interval) {}

  [[nodiscard]] bool due(std::size_t rows, Clock::time_point now) const;
  // A checkpoint of `rows` rows was written between `start` and `end`.
  void wrote(std::size_t rows, Clock::time_point start, Clock::time_point end);

 private:
  Clock::duration min_interval_;
  std::size_t rows_ = 0;
  bool written_ = false;
  Clock::time_point last_end_{};
  Clock::duration last_took_{};
};

// Writes a whole file (write_file_atomically; tests count calls through it).
using FileWriter = std::function<void(const std::string& path, std::string_view content)>;

class RunOutput {
 public:
  // json_path: "" for none, "-" for stdout, else a file path. Must be constructed before the
  // tool starts any thread when handle_signals is true (signals are blocked process-wide and
  // taken by a dedicated thread).
  // json_indent: spaces per level of the written JSON (1 for documents of millions of rows).
  RunOutput(std::string tool, std::vector<std::string> command_line, std::string json_path, bool handle_signals = true,
            FileWriter write_file = {}, int json_indent = 2);
  ~RunOutput();
  RunOutput(const RunOutput&) = delete;
  RunOutput& operator=(const RunOutput&) = delete;

  // Whether this process writes the document and prints (default true; false on other ranks).
  void set_writer(bool writer);
  [[nodiscard]] bool writer() const;
  // stdout (stderr when the JSON goes to stdout); a stream that discards when not the writer.
  [[nodiscard]] std::ostream& human() const;
  [[nodiscard]] bool writes_json() const noexcept { return !json_path_.empty(); }
  [[nodiscard]] bool json_to_stdout() const noexcept { return json_path_ == "-"; }
  // What the run is doing ("verbs_bw round 3/7"): named in the error a signal records.
  void set_context(std::string context);

  void set_params(nlohmann::json params);
  void add_host(nlohmann::json host);
  void add_result(nlohmann::json result) { add_results({std::move(result)}); }
  void add_results(std::vector<nlohmann::json> rows);  // checkpoints a partial document when one is due
  void add_check(const Check& check);
  void add_error(std::string message);
  // Writes the partial document when the throttle says one is due (new rows), or always with force.
  void checkpoint(bool force = false);
  [[nodiscard]] nlohmann::json results() const;  // a copy
  [[nodiscard]] nlohmann::json checks() const;   // a copy
  [[nodiscard]] nlohmann::json snapshot(RunStatus status, bool partial) const;

  // Writes the final document. Returns the process exit code: 0 when status is ok, no check
  // failed and no error was recorded; 1 otherwise.
  int finish(RunStatus status);
  // Records `what` as an error and writes the document as aborted; returns 1. A failure to
  // write is printed on stderr, not thrown, so the caller's real cause is still the one shown.
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
  void checkpoint_locked(bool force);
  bool on_signal(int signal);  // writes the partial document (writer); false once finished

  std::string json_path_;
  FileWriter write_file_;
  int json_indent_;
  mutable std::mutex mutex_;
  ResultDocument doc_;
  CheckpointThrottle throttle_;
  bool writer_ = true;
  bool finished_ = false;
  std::string context_;
  std::optional<SignalWatch> signal_watch_;  // last: stops before the rest goes away
};

}  // namespace fabricperf
