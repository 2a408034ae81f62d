#pragma once
// fp_report's command line (compare, export, html, validate, merge); main() only calls this.
namespace fabricperf::results {

[[nodiscard]] int report_main(int argc, const char* const* argv);

}  // namespace fabricperf::results
