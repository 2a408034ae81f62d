#include "fabricperf/log.hpp"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "fabricperf/error.hpp"
#include "fabricperf/launcher.hpp"

namespace fabricperf::log {
namespace {

std::string this_host() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "?";
  return name;
}

// The rank mpirun/srun gave this process; -1 when none did (or its variables are unreadable:
// the tool reports those itself).
int launcher_rank() noexcept {
  try {
    const auto launcher = detect_launcher();
    return launcher ? launcher->rank : -1;
  } catch (const std::exception&) {
    return -1;
  }
}

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

}  // namespace

std::string_view to_string(Level level) noexcept {
  switch (level) {
    case Level::warn:
      return "WARN";
    case Level::info:
      return "INFO";
    case Level::trace:
      return "TRACE";
  }
  return "?";
}

std::optional<Level> parse_level(std::string_view text) noexcept {
  for (const Level level : {Level::warn, Level::info, Level::trace})
    if (equals_ignoring_case(text, to_string(level))) return level;
  return std::nullopt;
}

Level requested_level(int verbose_count, const char* debug_env) {
  Level level = verbose_count <= 0 ? Level::warn : verbose_count == 1 ? Level::info : Level::trace;
  if (debug_env == nullptr || *debug_env == '\0') return level;
  const auto from_env = parse_level(debug_env);
  if (!from_env)
    throw UsageError(std::string(kDebugEnv) + "=" + std::string(debug_env).substr(0, 64) +
                     " is not a log level (warn, info or trace)");
  return static_cast<int>(*from_env) > static_cast<int>(level) ? *from_env : level;
}

std::string format_line(std::chrono::system_clock::time_point when, std::string_view host, int rank, Level level,
                        std::string_view subsystem, std::string_view message) {
  const auto since_epoch = std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch());
  const auto whole = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const std::time_t whole_seconds = static_cast<std::time_t>(whole.count());
  const auto micros = static_cast<long>((since_epoch - whole).count());
  std::tm utc{};
  ::gmtime_r(&whole_seconds, &utc);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, micros);
  std::string line;
  line.reserve(64 + host.size() + subsystem.size() + message.size());
  line += stamp;
  line += ' ';
  line += host;
  line += '[';
  line += rank < 0 ? std::string("-") : std::to_string(rank);
  line += "] ";
  line += to_string(level);
  line += ' ';
  line += subsystem;
  line += ": ";
  line += message;
  return line;
}

Logger::Logger(std::ostream& sink, Level level, std::string host, int rank)
    : sink_(sink), level_(static_cast<int>(level)), rank_(rank), host_(std::move(host)) {}

void Logger::write(Level level, std::string_view subsystem, std::string_view message) noexcept {
  try {
    std::string line = format_line(std::chrono::system_clock::now(), host_, rank(), level, subsystem, message);
    line += '\n';
    std::lock_guard lock(mutex_);
    sink_.write(line.data(), static_cast<std::streamsize>(line.size()));
    sink_.flush();
  } catch (...) {
  }
}

Logger& process_logger() {
  static Logger logger(std::cerr, Level::warn, this_host(), launcher_rank());
  return logger;
}

}  // namespace fabricperf::log
