#pragma once
// The adaptive bandwidth verdict: run the full-rate rounds (adaptive_rounds.hpp), judge every
// flow against what its path should carry, then retest every NIC below expectation against
// known-good peers until each fault is attributed to one node, one NIC (rail) or one link (the
// NIC's cable and switch port), e.g.
//   "node0731 rail 5 (mlx5_5): 212 Gb/s against 3 good peers (expected >= 360)".
// The same code runs on real measurements (the verbs_bw stage, VerbsProbeBackend) and on a
// simulated fabric (fp_suite --simulate, SimulatedFabric): only the ProbeBackend differs.
//
// Decisions (runners/README.md, "Adaptive go-live"):
//  * a flow is below expectation when it failed, its average is under line_rate_pct of the rate
//    its path can carry in that round (line rate x spine share) and under what the fabric's own
//    noise explains (median - outlier_k x 1.4826 x MAD of the full rounds' rates per unit of
//    share), or its lowest window (bw_min_gbps) is under window_floor_pct of that rate;
//  * both NICs of such a flow are suspects; NICs with only good flows are the known-good pool;
//  * each suspect is retested against good_peers different good NICs of its rail (same leaf
//    first), one peer per NIC per round, both directions at once; per direction a majority
//    decides, and the worse direction counts: slow (average low, or failing one way), flapping
//    (windows low, average fine), unreachable (nothing got through either way), or cleared;
//  * a slow NIC whose loopback (NIC to itself, the wire not involved) runs at full rate has a bad
//    cable or switch port: the link is blamed, not the NIC; flapping is blamed on the link;
//  * an unreachable NIC is probed against good NICs of the other rails: reaching rail k means it
//    is cabled to rail k (mis-cabled), reaching none means dead;
//  * a node with at least 3/4 of its rails (and 2+) slow is one node fault (all rails slow).
//  * A flow below expectation whose both ends were cleared is retested itself twice: slow both
//    times, the path between them is blamed (a link finding); else it is noted as transient.
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "fabricperf/result_document.hpp"
#include "fabricperf/runners/adaptive_rounds.hpp"
#include "fabricperf/runners/plan.hpp"

namespace fabricperf::runners {

// One flow on one rail pair: `sender` NIC (node, rail) writes to `receiver` NIC. sender ==
// receiver (same node and rail) is a loopback; different rails is a cross-rail reach probe.
struct Probe {
  int receiver = 0;
  int receiver_rail = 0;
  int sender = 0;
  int sender_rail = 0;
  [[nodiscard]] bool loopback() const noexcept { return receiver == sender && receiver_rail == sender_rail; }
  [[nodiscard]] bool cross_rail() const noexcept { return receiver_rail != sender_rail; }
};

struct ProbeResult {
  bool measured = false;     // false: failed (error says why) or unsupported
  bool unsupported = false;  // the backend cannot run this kind of probe (loopback, cross-rail)
  std::string error;
  double bw_avg_gbps = 0;
  double bw_min_gbps = std::nan("");  // the lowest window (rows' bw_min_gbps); NaN when unknown
  double line_rate_gbps = 0;          // the slower end's line rate; 0 when unknown
};

enum class RoundKind { full, retest, loopback, cross_rail };

// Where the measurements come from.
class ProbeBackend {
 public:
  virtual ~ProbeBackend() = default;
  // Runs every probe of one round at once (full rounds at every planned size, the others at the
  // largest); one result per probe, in order.
  virtual std::vector<ProbeResult> run_round(const std::string& name, RoundKind kind,
                                             const std::vector<Probe>& probes) = 0;
  [[nodiscard]] virtual std::string node_name(int node) const = 0;
  [[nodiscard]] virtual std::string device_name(int node, int rail) const = 0;
};

struct AttributionOptions {
  FabricShape fabric;
  double line_rate_pct = 90;
  double window_floor_pct = 50;
  int good_peers = 3;
  std::size_t max_retest_rounds = 13;
  double outlier_k = 5;                 // and below median - k * 1.4826 * MAD of the full rounds' rates
  std::size_t outlier_min_samples = 5;  // fewer full-round flows: no peer floor
};

enum class FaultLevel { node, nic, link };
[[nodiscard]] const char* level_name(FaultLevel level) noexcept;

struct Finding {
  FaultLevel level = FaultLevel::nic;
  int node = 0;
  int rail = -1;             // -1: the whole node
  std::string cause;         // slow, flapping, dead, miscabled, unreachable, path
  int reaches_rail = -1;     // miscabled: the rail it reaches
  int peer_node = -1;        // cause "path": the other end
  double measured_gbps = 0;  // median against the good peers (bw_min_gbps for flapping)
  double expected_gbps = 0;  // the floor it was held to
  int good_peers = 0;        // good peers it was retested against
  std::string detail;
};

struct AttributionRound {
  std::string name;
  RoundKind kind = RoundKind::full;
  std::size_t probes = 0;
};

struct AttributionReport {
  std::vector<Finding> findings;
  std::vector<AttributionRound> rounds;  // every round run, in order
  std::size_t flows_measured = 0;        // probes of the full rounds
  std::size_t flows_below = 0;           // of which below expectation
  std::size_t suspects = 0;              // NICs retested
  std::size_t cleared = 0;               // suspects fine against good peers
  std::size_t transient = 0;             // flows below expectation once, fine on retest
  std::size_t unresolved = 0;            // suspects without enough good peers to decide
};

// The plan's expectations and verbs.adaptive settings for a fabric.
[[nodiscard]] AttributionOptions attribution_options(const Plan& plan, const FabricShape& fabric);

[[nodiscard]] AttributionReport run_adaptive_bandwidth(ProbeBackend& backend, const NamedRounds& full_rounds,
                                                       const AttributionOptions& options);

// The stage's checks: one fail per finding (<stage>_attribution, labels level/host/rail/cause),
// or one pass naming what was measured; a warn for unresolved suspects.
[[nodiscard]] std::vector<Check> attribution_checks(const std::string& stage, const AttributionReport& report,
                                                    const ProbeBackend& backend);

}  // namespace fabricperf::runners
