#include "fabricperf/cli.hpp"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>

#include "fabricperf/atomic_file.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/log.hpp"
#include "fabricperf/sizes.hpp"
#include "fabricperf/version.hpp"

namespace fabricperf {
namespace {

CLI::Validator positive_seconds() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        try {
          std::size_t used = 0;
          const double value = std::stod(text, &used);
          if (used == text.size() && value > 0 && std::isfinite(value)) return {};
        } catch (const std::exception&) {
        }
        return "'" + text + "' is not a positive number of seconds";
      },
      "SECONDS");
}

// The whole text as a finite double, or nothing.
std::optional<double> finite_number(const std::string& text) {
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size() && std::isfinite(value)) return value;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::string shown(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

CLI::Validator finite_range(double min, double max, bool min_inclusive) {
  // "in 0..200" or "> 0 and <= 1e+06"
  const std::string range =
      min_inclusive ? "in " + shown(min) + ".." + shown(max) : "> " + shown(min) + " and <= " + shown(max);
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        const auto value = finite_number(text);
        if (value && (min_inclusive ? *value >= min : *value > min) && *value <= max) return {};
        return "'" + text + "' is not a number " + range;
      },
      "NUMBER " + range);
}

// The command line as one string, for the first log line.
std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

}  // namespace

CLI::Validator integer_in(long long min, long long max) {
  const std::string range = std::to_string(min) + ".." + std::to_string(max);
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        long long value = 0;
        const char* end = text.data() + text.size();
        const auto [at, ec] = std::from_chars(text.data(), end, value);
        if (!text.empty() && ec == std::errc() && at == end && value >= min && value <= max) return {};
        return "'" + text + "' is not an integer in " + range;
      },
      "INT in " + range);
}

CLI::Validator number_in(double min, double max) {
  return finite_range(min, max, true);
}

CLI::Validator number_above(double min, double max) {
  return finite_range(min, max, false);
}

CLI::Validator tcp_port() {
  return integer_in(1, 65535).name("PORT");
}

CLI::Validator output_file() {
  return CLI::Validator([](std::string& text) { return output_path_problem(text); }, "FILE");
}

void add_common_options(CLI::App& app, CommonOptions& options, bool waits_on_peers) {
  app.add_option("--json", options.json_path, "Write the result document to FILE ('-' = stdout)")
      ->check(output_file())
      ->type_name("FILE");
  if (!waits_on_peers) return;
  app.add_option("--timeout", options.timeout_s, "Seconds to wait for any peer before giving up")
      ->check(positive_seconds())
      ->capture_default_str();
}

std::vector<std::uint64_t> PerftestSizeOptions::sizes() const {
  if (all_sizes) return all_power_of_two_sizes(parse_size(max_size));
  return {parse_size(size)};
}

void add_perftest_size_options(CLI::App& app, PerftestSizeOptions& options, const std::string& default_size) {
  options.size = default_size;
  app.add_option("-s,--size", options.size, "Message size in bytes (K/M/G suffixes)")->capture_default_str();
  app.add_flag("-a,--all", options.all_sizes, "Run all sizes from 2 bytes to --max-size in powers of two");
  app.add_option("--max-size", options.max_size, "Largest size for -a")->capture_default_str();
}

std::uint64_t physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return 0;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
}

std::vector<std::uint64_t> NcclSizeOptions::sizes() const {
  return sizes(physical_memory_bytes());
}

std::vector<std::uint64_t> NcclSizeOptions::sizes(std::uint64_t memory_bytes) const {
  SizeSweep sweep;
  sweep.min_bytes = parse_size(min_size);
  sweep.max_bytes = parse_size(max_size);
  sweep.factor = factor;
  sweep.increment_bytes = parse_size(increment, /*allow_zero=*/true);
  if (sweep.increment_bytes != 0) sweep.factor = 0;
  if (memory_bytes != 0 && sweep.max_bytes > memory_bytes)
    throw UsageError("-e " + max_size + ": larger than this host's memory (" + std::to_string(memory_bytes >> 20) +
                     " MiB)");
  if (sweep.min_bytes > sweep.max_bytes) throw UsageError("-b " + min_size + " is above -e " + max_size);
  if (sweep.increment_bytes != 0 && (sweep.max_bytes - sweep.min_bytes) / sweep.increment_bytes >= kMaxSweepSizes)
    throw UsageError("-i " + increment + " from " + min_size + " to " + max_size + " is more than " +
                     std::to_string(kMaxSweepSizes) + " sizes");
  auto out = sweep.sizes();
  if (out.size() > kMaxSweepSizes)
    throw UsageError("-f " + shown(factor) + " from " + min_size + " to " + max_size + " is more than " +
                     std::to_string(kMaxSweepSizes) + " sizes");
  return out;
}

void add_nccl_size_options(CLI::App& app, NcclSizeOptions& options) {
  app.add_option("-b,--minbytes", options.min_size, "Smallest size (K/M/G suffixes)")->capture_default_str();
  app.add_option("-e,--maxbytes", options.max_size, "Largest size")->capture_default_str();
  app.add_option("-f,--stepfactor", options.factor, "Multiply the size by this each step")
      ->check(number_above(1, 1e6))
      ->capture_default_str();
  app.add_option("-i,--stepbytes", options.increment, "Add this many bytes each step (instead of -f)");
}

std::vector<std::string> command_line(int argc, const char* const* argv) {
  std::vector<std::string> words(argv, argv + argc);
  // The run secret never lands in a document or a log line.
  for (std::size_t i = 1; i < words.size(); ++i) {
    if (words[i] == "--token" && i + 1 < words.size()) {
      words[++i] = "***";
    } else if (words[i].starts_with("--token=")) {
      words[i] = "--token=***";
    }
  }
  return words;
}

void add_verbose_option(CLI::App& app, int& count) {
  const auto add = [&count](std::int64_t n) { count += static_cast<int>(n); };
  const std::string help =
      "Log the run's steps on stderr: -v info, -vv trace (also " + std::string(log::kDebugEnv) + "=info|trace)";
  app.add_flag_function("-v,--verbose", add, help);
  for (CLI::App* sub : app.get_subcommands({})) sub->add_flag_function("-v,--verbose", add, help);
}

int run_main(CLI::App& app, int argc, const char* const* argv, const std::function<int()>& body) {
  const std::string tool = app.get_name();
  int verbose = 0;
  add_verbose_option(app, verbose);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion& e) {
    std::cout << tool << ' ' << e.what() << '\n';
    return 0;
  } catch (const CLI::ParseError& e) {
    std::cerr << tool << ": " << e.what() << " (see " << tool << " --help)\n";
    return 2;
  }
  try {
    log::process_logger().set_level(log::requested_level(verbose, std::getenv(log::kDebugEnv)));
    FP_LOG(info, "main") << tool << ' ' << kVersion << ", pid " << ::getpid() << ": "
                         << joined(command_line(argc, argv));
    return body();
  } catch (const UsageError& e) {
    std::cerr << tool << ": " << e.what() << " (see " << tool << " --help)\n";
    return 2;
  } catch (const std::exception& e) {
    print_run_error(tool, e.what());
    return 1;
  }
}

void print_run_error(std::string_view tool, std::string_view message) {
  std::cerr << tool << ": error: " << message << '\n' << std::flush;
}

}  // namespace fabricperf
