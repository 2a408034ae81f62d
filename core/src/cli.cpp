#include "fabricperf/cli.hpp"

#include <iostream>

#include "fabricperf/error.hpp"
#include "fabricperf/sizes.hpp"

namespace fabricperf {
namespace {

CLI::Validator positive_seconds() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        try {
          std::size_t used = 0;
          const double value = std::stod(text, &used);
          if (used == text.size() && value > 0) return {};
        } catch (const std::exception&) {
        }
        return "'" + text + "' is not a positive number of seconds";
      },
      "SECONDS");
}

}  // namespace

void add_common_options(CLI::App& app, CommonOptions& options) {
  app.add_option("--json", options.json_path, "Write the result document to FILE ('-' = stdout)")
      ->type_name("FILE");
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

std::vector<std::uint64_t> NcclSizeOptions::sizes() const {
  SizeSweep sweep;
  sweep.min_bytes = parse_size(min_size);
  sweep.max_bytes = parse_size(max_size);
  sweep.factor = factor;
  sweep.increment_bytes = parse_size(increment, /*allow_zero=*/true);
  if (sweep.increment_bytes != 0) sweep.factor = 0;
  return sweep.sizes();
}

void add_nccl_size_options(CLI::App& app, NcclSizeOptions& options) {
  app.add_option("-b,--minbytes", options.min_size, "Smallest size (K/M/G suffixes)")->capture_default_str();
  app.add_option("-e,--maxbytes", options.max_size, "Largest size")->capture_default_str();
  app.add_option("-f,--stepfactor", options.factor, "Multiply the size by this each step")->capture_default_str();
  app.add_option("-i,--stepbytes", options.increment, "Add this many bytes each step (instead of -f)");
}

std::vector<std::string> command_line(int argc, const char* const* argv) {
  return std::vector<std::string>(argv, argv + argc);
}

int run_main(CLI::App& app, int argc, const char* const* argv, const std::function<int()>& body) {
  const std::string tool = app.get_name();
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
    return body();
  } catch (const UsageError& e) {
    std::cerr << tool << ": " << e.what() << " (see " << tool << " --help)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << tool << ": error: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace fabricperf
