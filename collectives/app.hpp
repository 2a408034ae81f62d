#pragma once
// fp_coll's wiring: options -> backend choice -> bootstrap -> backend -> harness -> document, and
// the failure path (probe, name the missing rank, write, end the job).
namespace fabricperf::collectives {
int fp_coll_main(int argc, char** argv);
}
