#include "fabricperf/runners/suite_document.hpp"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "fabricperf/atomic_file.hpp"

namespace fabricperf::runners {
namespace {

// A stream that discards everything (ranks other than 0).
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

SuiteDocument::SuiteDocument(std::vector<std::string> command_line, std::string json_path)
    : json_path_(std::move(json_path)),
      doc_("fp_suite", std::move(command_line)),
      signal_watch_([this](int sig) { return on_signal(sig); }) {}

SuiteDocument::~SuiteDocument() {
  std::lock_guard lock(mutex_);
  finished_ = true;
}

bool SuiteDocument::on_signal(int sig) {
  std::lock_guard lock(mutex_);
  if (finished_) return false;
  if (writer_) {
    doc_.add_error(std::string("interrupted by SIG") + sigabbrev_np(sig) +
                   (context_.empty() ? "" : " during " + context_) + " before the run finished");
    try {
      write_locked(RunStatus::aborted, true);
    } catch (const std::exception& e) {
      std::cerr << "fp_suite: " << e.what() << '\n';
    }
    std::cerr << "fp_suite: interrupted by SIG" << sigabbrev_np(sig) << (context_.empty() ? "" : " during " + context_)
              << (json_path_.empty() || json_path_ == "-" ? "" : "; partial results written to " + json_path_) << '\n';
  }
  return true;
}

void SuiteDocument::set_writer(bool writer) {
  std::lock_guard lock(mutex_);
  writer_ = writer;
}

bool SuiteDocument::writer() const {
  std::lock_guard lock(mutex_);
  return writer_;
}

std::ostream& SuiteDocument::human() const {
  if (!writer()) return null_stream();
  return json_path_ == "-" ? std::cerr : std::cout;
}

void SuiteDocument::set_params(nlohmann::json params) {
  std::lock_guard lock(mutex_);
  doc_.params() = std::move(params);
}

void SuiteDocument::add_host(nlohmann::json host) {
  std::lock_guard lock(mutex_);
  doc_.add_host(std::move(host));
}

void SuiteDocument::add_results(std::vector<nlohmann::json> rows) {
  std::lock_guard lock(mutex_);
  for (auto& row : rows) doc_.add_result(std::move(row));
}

void SuiteDocument::add_check(const Check& check) {
  std::lock_guard lock(mutex_);
  doc_.add_check(check);
}

void SuiteDocument::add_error(std::string message) {
  std::lock_guard lock(mutex_);
  doc_.add_error(std::move(message));
}

void SuiteDocument::set_context(std::string context) {
  std::lock_guard lock(mutex_);
  context_ = std::move(context);
}

void SuiteDocument::checkpoint(bool force) {
  std::lock_guard lock(mutex_);
  if (!writer_ || finished_ || json_path_.empty() || json_path_ == "-") return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_write_).count();
  if (!force && last_write_ != std::chrono::steady_clock::time_point{} && since < std::max(2.0, 10 * last_write_s_))
    return;
  write_locked(RunStatus::aborted, true);
}

nlohmann::json SuiteDocument::results() const {
  std::lock_guard lock(mutex_);
  return doc_.results();
}

nlohmann::json SuiteDocument::checks() const {
  std::lock_guard lock(mutex_);
  return doc_.checks();
}

nlohmann::json SuiteDocument::snapshot(RunStatus status, bool partial) const {
  std::lock_guard lock(mutex_);
  return doc_.to_json(status, partial);
}

void SuiteDocument::write_locked(RunStatus status, bool partial) {
  if (!writer_ || json_path_.empty()) return;
  const auto start = std::chrono::steady_clock::now();
  const std::string text = doc_.to_json(status, partial).dump(1) + "\n";
  if (json_path_ == "-") {
    std::cout << text << std::flush;
  } else {
    write_file_atomically(json_path_, text);
  }
  last_write_ = std::chrono::steady_clock::now();
  last_write_s_ = std::chrono::duration<double>(last_write_ - start).count();
}

int SuiteDocument::finish(RunStatus status) {
  std::lock_guard lock(mutex_);
  if (status == RunStatus::ok && doc_.has_errors()) status = RunStatus::failed;
  write_locked(status, status == RunStatus::aborted);
  finished_ = true;
  // As RunOutput: a failed check leaves the status "ok" (the run itself worked) but exits 1.
  return status == RunStatus::ok && !doc_.any_check_failed() ? 0 : 1;
}

int SuiteDocument::abort(const std::string& what) {
  {
    std::lock_guard lock(mutex_);
    doc_.add_error(what);
  }
  finish(RunStatus::aborted);
  return 1;
}

}  // namespace fabricperf::runners
