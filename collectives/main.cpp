// fp_coll: collective benchmarks in nccl-tests' terms over NCCL (GPU) or MPI (host memory).
#include "app.hpp"

int main(int argc, char** argv) { return fabricperf::collectives::fp_coll_main(argc, argv); }
