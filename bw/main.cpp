#include "fabricperf/bw/app.hpp"

int main(int argc, char** argv) { return fabricperf::bw::main(argc, argv); }
