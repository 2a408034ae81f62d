// fp_suite: the whole fabric acceptance run as one MPI job (see runners/README.md).
#include "fabricperf/runners/suite_cli.hpp"

int main(int argc, char** argv) {
  return fabricperf::runners::suite_main(argc, argv);
}
