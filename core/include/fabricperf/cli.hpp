#pragma once
// The command-line conventions every fabricperf binary shares: CLI11 for parsing, --help,
// usage errors as one line with exit 2, run errors as one line with exit 1.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace fabricperf {

// Options every tool has.
struct CommonOptions {
  std::string json_path;    // --json FILE ("-" = stdout)
  double timeout_s = 30.0;  // --timeout: every wait on a peer ends after this
};

// --json FILE, and --timeout SECONDS for the tools that wait on peers (fp_topo and fp_info have
// none: waits_on_peers = false leaves --timeout out, so it is refused as an unknown option).
void add_common_options(CLI::App& app, CommonOptions& options, bool waits_on_peers = true);

// Checks an output file option (--json FILE) when it is parsed, before anything is measured:
// "--json: empty file name", "--json: /tmp is a directory", "--json: directory /x does not
// exist", ... (output_path_problem in atomic_file.hpp). Every tool's --json uses it.
[[nodiscard]] CLI::Validator output_file();

// Numeric option checks that refuse what CLI11's own let through ("-1" into an unsigned type,
// "nan", "inf", "1e999", "12abc"). The message names the value and the range, e.g.
// "--rails: -3 is not an integer in 1..4096".
[[nodiscard]] CLI::Validator integer_in(long long min, long long max);
[[nodiscard]] CLI::Validator number_in(double min, double max);     // finite, min <= x <= max
[[nodiscard]] CLI::Validator number_above(double min, double max);  // finite, min < x <= max
[[nodiscard]] CLI::Validator tcp_port();                            // 1..65535

// perftest-style sizes: -s SIZE (K/M/G suffixes) and -a (all powers of two up to 8M).
struct PerftestSizeOptions {
  std::string size = "65536";
  bool all_sizes = false;
  std::string max_size = "8M";  // upper end for -a

  [[nodiscard]] std::vector<std::uint64_t> sizes() const;
};
void add_perftest_size_options(CLI::App& app, PerftestSizeOptions& options, const std::string& default_size);

// nccl-tests-style sweep: -b MIN -e MAX -f FACTOR -i INCREMENT.
struct NcclSizeOptions {
  std::string min_size = "32M";
  std::string max_size = "32M";
  double factor = 2.0;
  std::string increment = "0";

  // Refuses (UsageError) a sweep of more than kMaxSweepSizes sizes and a largest size above
  // `memory_bytes` (this host's physical memory for sizes()), before anything is allocated.
  [[nodiscard]] std::vector<std::uint64_t> sizes() const;
  [[nodiscard]] std::vector<std::uint64_t> sizes(std::uint64_t memory_bytes) const;
};
inline constexpr std::uint64_t kMaxSweepSizes = 10000;
// sysconf's physical pages x page size (0 when unknown: no limit).
[[nodiscard]] std::uint64_t physical_memory_bytes();
void add_nccl_size_options(CLI::App& app, NcclSizeOptions& options);

// argv as the document's command_line (and the first log line) records it: the value of
// --token SECRET / --token=SECRET replaced by "***".
[[nodiscard]] std::vector<std::string> command_line(int argc, const char* const* argv);

// -v/--verbose, repeatable (-v: info, -vv: trace; log.hpp), on `app` and on each of its
// subcommands (fp_report compare -v): every occurrence adds one to `count`. run_main adds it to
// every tool.
void add_verbose_option(CLI::App& app, int& count);

// Parses argv into `app` (with -v/--verbose added) and runs `body`. Before `body`, the process
// logger takes the level asked for by -v and FABRICPERF_DEBUG (a bad value is a UsageError). --help prints and returns
// 0; a parse error or a UsageError prints "TOOL: MESSAGE (see TOOL --help)" and returns 2; any other exception prints
// "TOOL: error: MESSAGE" and returns 1. Otherwise returns body's result.
int run_main(CLI::App& app, int argc, const char* const* argv, const std::function<int()>& body);

// The last line of a failed run on stderr, "TOOL: error: MESSAGE": what run_main prints for an
// exception, for a tool that ends its run with exit 1 itself. (Everything else on stderr goes
// through the logger, log.hpp.)
void print_run_error(std::string_view tool, std::string_view message);

}  // namespace fabricperf
