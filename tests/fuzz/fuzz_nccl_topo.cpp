// Fuzz target: bytes as an NCCL topology file, through what fp_topo --nccl-topo does: the reader
// (strict XML, range-checked numbers) -> GPU/NIC pairing -> checks -> the JSON result, the human
// report and the --emit-env environments (refused when a name is not shell-safe).
// Refusals (UsageError/Error: exit 2/1 in fp_topo) are expected; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>

#include "fabricperf/error.hpp"
#include "fabricperf/topology/checks.hpp"
#include "fabricperf/topology/nccl_reader.hpp"
#include "fabricperf/topology/pairing.hpp"
#include "fabricperf/topology/report.hpp"

namespace topo = fabricperf::topology;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const topo::Topology t = topo::parse_nccl_topo(text, "fuzz.nccl.xml");
    const topo::Pairing pairing = topo::pair_gpus_with_nics(t);
    const auto checks = topo::run_checks(t, pairing, topo::CheckOptions{});
    (void)topo::result_json(t, pairing, checks).dump(2);
    std::ostringstream out;
    topo::print_report(out, t, pairing, checks);
    const auto envs = topo::rank_environments(t, pairing);
    topo::print_environment_table(out, envs);
    for (const auto& env : envs) topo::print_environment(out, env);
  } catch (const fabricperf::Error&) {
    // A refusal with a message: what fp_topo turns into exit 2 (or 1).
  }
  return 0;
}
