#include "fabricperf/run_output.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "fabricperf/atomic_file.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/log.hpp"

namespace fabricperf {
namespace {

// A stream that discards everything (the human text of a process that is not the writer).
class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return c == EOF ? 0 : c; }
};

std::ostream& null_stream() {
  static NullBuffer buffer;
  static std::ostream stream(&buffer);
  return stream;
}

}  // namespace

bool CheckpointThrottle::due(std::size_t rows, Clock::time_point now) const {
  if (!written_ || rows >= 2 * rows_) return true;
  return rows > rows_ && now - last_end_ >= std::max(min_interval_, 10 * last_took_);
}

void CheckpointThrottle::wrote(std::size_t rows, Clock::time_point start, Clock::time_point end) {
  written_ = true;
  rows_ = rows;
  last_end_ = end;
  last_took_ = end - start;
}

RunOutput::RunOutput(std::string tool, std::vector<std::string> command_line, std::string json_path,
                     bool handle_signals, FileWriter write_file, int json_indent)
    : json_path_(std::move(json_path)),
      write_file_(write_file ? std::move(write_file) : FileWriter(write_file_atomically)),
      json_indent_(json_indent),
      doc_(std::move(tool), std::move(command_line)) {
  if (handle_signals) signal_watch_.emplace([this](int sig) { return on_signal(sig); });
}

RunOutput::~RunOutput() {
  std::lock_guard lock(mutex_);
  finished_ = true;
}

bool RunOutput::on_signal(int sig) {
  std::lock_guard lock(mutex_);
  if (finished_) return false;
  if (!writer_) return true;  // another rank: the writer leaves the document
  const std::string what =
      std::string("interrupted by SIG") + sigabbrev_np(sig) + (context_.empty() ? "" : " during " + context_);
  doc_.add_error(what + " before the run finished");
  try {
    write_locked(RunStatus::aborted, true);
  } catch (const std::exception& e) {
    FP_LOG(warn, "output") << "writing the partial document: " << e.what();
  }
  std::cerr << doc_.tool() << ": " << what
            << (json_path_.empty() || json_path_ == "-" ? "" : "; partial results written to " + json_path_) << '\n';
  return true;
}

void RunOutput::set_writer(bool writer) {
  std::lock_guard lock(mutex_);
  writer_ = writer;
}

bool RunOutput::writer() const {
  std::lock_guard lock(mutex_);
  return writer_;
}

std::ostream& RunOutput::human() const {
  if (!writer()) return null_stream();
  return json_path_ == "-" ? std::cerr : std::cout;
}

void RunOutput::set_context(std::string context) {
  std::lock_guard lock(mutex_);
  context_ = std::move(context);
}

void RunOutput::set_params(nlohmann::json params) {
  std::lock_guard lock(mutex_);
  doc_.params() = std::move(params);
}

void RunOutput::add_host(nlohmann::json host) {
  std::lock_guard lock(mutex_);
  doc_.add_host(std::move(host));
}

void RunOutput::add_results(std::vector<nlohmann::json> rows) {
  std::lock_guard lock(mutex_);
  for (auto& row : rows) doc_.add_result(std::move(row));
  checkpoint_locked(false);
}

void RunOutput::checkpoint(bool force) {
  std::lock_guard lock(mutex_);
  checkpoint_locked(force);
}

void RunOutput::checkpoint_locked(bool force) {
  if (!writer_ || finished_ || json_path_ == "-" || json_path_.empty()) return;
  const std::size_t rows = doc_.results().size();
  const auto start = CheckpointThrottle::Clock::now();
  if (!force && !throttle_.due(rows, start)) return;
  write_locked(RunStatus::aborted, true);
  throttle_.wrote(rows, start, CheckpointThrottle::Clock::now());
}

void RunOutput::add_check(const Check& check) {
  std::lock_guard lock(mutex_);
  doc_.add_check(check);
}

void RunOutput::add_error(std::string message) {
  std::lock_guard lock(mutex_);
  doc_.add_error(std::move(message));
}

nlohmann::json RunOutput::results() const {
  std::lock_guard lock(mutex_);
  return doc_.results();
}

nlohmann::json RunOutput::checks() const {
  std::lock_guard lock(mutex_);
  return doc_.checks();
}

nlohmann::json RunOutput::snapshot(RunStatus status, bool partial) const {
  std::lock_guard lock(mutex_);
  return doc_.to_json(status, partial);
}

void RunOutput::write_locked(RunStatus status, bool partial) const {
  if (!writer_ || json_path_.empty()) return;
  const std::string text = doc_.to_json(status, partial).dump(json_indent_) + "\n";
  if (json_path_ == "-") {
    std::cout << text << std::flush;
  } else {
    write_file_(json_path_, text);
  }
}

int RunOutput::finish(RunStatus status) {
  std::lock_guard lock(mutex_);
  if (status == RunStatus::ok && doc_.has_errors()) status = RunStatus::failed;
  finished_ = true;
  write_locked(status, status == RunStatus::aborted);
  return status == RunStatus::ok && !doc_.any_check_failed() ? 0 : 1;
}

int RunOutput::abort_for_lost_peer(const std::string& what) {
  abort(what);
  std::cerr << doc_.tool() << ": " << what
            << (json_path_.empty() || json_path_ == "-" ? "" : "; partial results in " + json_path_) << '\n';
  return 1;
}

int RunOutput::abort_on_exception(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const UsageError&) {
    throw;
  } catch (const PeerError& e) {
    return abort_for_lost_peer(e.what());
  } catch (const std::exception& e) {
    abort(e.what());
    throw;
  }
}

int RunOutput::abort(const std::string& what) {
  {
    std::lock_guard lock(mutex_);
    doc_.add_error(what);
  }
  try {
    finish(RunStatus::aborted);
  } catch (const std::exception& e) {
    FP_LOG(warn, "output") << "writing the aborted document: " << e.what();
  }
  return 1;
}

}  // namespace fabricperf
