#pragma once
// The one logger of every fabricperf binary: warnings, and on request a debug trace of the steps
// of a run (bootstrap, device and GID choice, QP transitions, memory registration, warm-up, each
// measured size, suite stages), like NCCL_DEBUG=INFO. One line per event, on stderr only (never on
// stdout, where `--json -` writes the document):
//
//   2026-12-05T21:40:01.123456Z node1[0] INFO bootstrap: connected to node2:18515
//   (UTC time to the microsecond, host[rank] — "-" until the rank is known —, level, subsystem)
//
// Levels: WARN (always shown), INFO (-v or FABRICPERF_DEBUG=info), TRACE (-vv or
// FABRICPERF_DEBUG=trace). run_main sets the level once, after parsing the command line.
//
//   FP_LOG(info, "bootstrap") << "connected to " << host << ':' << port;
//
// Free when off: FP_LOG checks the level (one relaxed atomic load) before anything after it is
// evaluated or formatted; a line that is not shown costs no call, no allocation, no argument.
//
// Process-wide state: the process logger (process_logger()) is the one piece of global mutable
// state in fabricperf: its level, set once at start-up by run_main, and its rank label, taken from
// the launcher's environment or set by the bootstrap as soon as the rank is known. Everything
// else takes a Logger& (tests build their own on a string stream).
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>

namespace fabricperf::log {

enum class Level : int { warn = 0, info = 1, trace = 2 };

inline constexpr const char* kDebugEnv = "FABRICPERF_DEBUG";

[[nodiscard]] std::string_view to_string(Level level) noexcept;  // "WARN", "INFO", "TRACE"
// "warn", "info" or "trace", in any case; nullopt for anything else.
[[nodiscard]] std::optional<Level> parse_level(std::string_view text) noexcept;
// The level a run asks for: the more verbose of the -v count (0: warn, 1: info, 2 or more: trace)
// and FABRICPERF_DEBUG's value (nullptr or "" when not set). Throws UsageError for any other
// value: "FABRICPERF_DEBUG=loud is not a log level (warn, info or trace)".
[[nodiscard]] Level requested_level(int verbose_count, const char* debug_env);

// One line without its newline. rank < 0 is written "-".
[[nodiscard]] std::string format_line(std::chrono::system_clock::time_point when, std::string_view host, int rank,
                                      Level level, std::string_view subsystem, std::string_view message);

class Logger {
 public:
  Logger(std::ostream& sink, Level level, std::string host, int rank = -1);
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  [[nodiscard]] bool enabled(Level level) const noexcept {
    return static_cast<int>(level) <= level_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] Level level() const noexcept { return static_cast<Level>(level_.load(std::memory_order_relaxed)); }
  void set_level(Level level) noexcept { level_.store(static_cast<int>(level), std::memory_order_relaxed); }
  [[nodiscard]] int rank() const noexcept { return rank_.load(std::memory_order_relaxed); }
  void set_rank(int rank) noexcept { rank_.store(rank, std::memory_order_relaxed); }

  // Writes one whole line and flushes it, under a lock: lines of different threads never mix.
  // Never throws (a logger must not turn a diagnosis into a failure).
  void write(Level level, std::string_view subsystem, std::string_view message) noexcept;

 private:
  std::ostream& sink_;
  std::atomic<int> level_;
  std::atomic<int> rank_;
  std::string host_;
  std::mutex mutex_;
};

// stderr, this host's name, level warn until run_main applies -v/FABRICPERF_DEBUG; the rank of
// the launcher's environment (mpirun/srun) until a bootstrap sets the rank it learned.
[[nodiscard]] Logger& process_logger();

// One line being built: written by its destructor (end of the FP_LOG statement).
class Line {
 public:
  Line(Logger& logger, Level level, std::string_view subsystem)
      : logger_(logger), level_(level), subsystem_(subsystem) {}
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;
  ~Line() { logger_.write(level_, subsystem_, text_.view()); }
  [[nodiscard]] std::ostream& stream() noexcept { return text_; }

 private:
  Logger& logger_;
  Level level_;
  std::string_view subsystem_;
  std::ostringstream text_;
};

// Turns `stream << ...` into void so that both arms of FP_LOG's ?: have the same type.
struct Voidify {
  void operator&(std::ostream&) const noexcept {}
};

}  // namespace fabricperf::log

// FP_LOG_TO(logger, info, "verbs") << ...: nothing right of the macro is evaluated unless the
// logger shows that level. An expression, so it is safe in an unbraced if/else.
#define FP_LOG_TO(logger, lvl, subsystem)          \
  !(logger).enabled(::fabricperf::log::Level::lvl) \
      ? (void)0                                    \
      : ::fabricperf::log::Voidify() &             \
            ::fabricperf::log::Line((logger), ::fabricperf::log::Level::lvl, (subsystem)).stream()

// FP_LOG(warn|info|trace, "subsystem") << ...: to the process logger (stderr).
#define FP_LOG(lvl, subsystem) FP_LOG_TO(::fabricperf::log::process_logger(), lvl, subsystem)
