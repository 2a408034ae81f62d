// fp_report: compare, export (Prometheus, CSV), HTML report, validate, merge. See results/README.md.
#include "fabricperf/results/report_cli.hpp"

int main(int argc, char** argv) {
  return fabricperf::results::report_main(argc, argv);
}
