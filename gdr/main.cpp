#include "fabricperf/gdr/app.hpp"

int main(int argc, char** argv) {
  return fabricperf::gdr::main(argc, argv);
}
