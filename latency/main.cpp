#include "fabricperf/latency/app.hpp"

int main(int argc, char** argv) { return fabricperf::latency::main(argc, argv); }
