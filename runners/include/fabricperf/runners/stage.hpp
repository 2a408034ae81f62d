#pragma once
// A stage is one small class, one file (runners/src/stages/*.cpp): it gets the plan, the
// ranks (Comm over the Bootstrap) and the output (SuiteDocument), runs collectively on every
// rank, and leaves rows (each with "stage") and checks in the document on rank 0.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fabricperf/clock.hpp"
#include "fabricperf/runners/comm.hpp"
#include "fabricperf/runners/layout.hpp"
#include "fabricperf/runners/plan.hpp"
#include "fabricperf/runners/progress.hpp"
#include "fabricperf/runners/suite_document.hpp"
#include "fabricperf/runners/suite_plan.hpp"

namespace fabricperf::runners {

// A GPU of a node and the NIC fp_topo pairs it with (GPUDirect RDMA goes through that NIC).
struct GpuNic {
  int gpu = 0;  // index in PCI bus order (= CUDA index with CUDA_DEVICE_ORDER=PCI_BUS_ID)
  std::string pci;
  std::string nic;  // RDMA device name ("" when it has none)
  int nic_port = 1;
};

// What start-up learned about the job (the same on every rank).
struct Discovery {
  ClusterLayout layout;
  std::vector<nlohmann::json> fingerprints;          // per node: its first rank's fingerprint
  std::vector<std::vector<RailPort>> rails_of_node;  // per node: its usable ports, rail order
  int rails = 0;                                     // rails every node has (capped by the plan)
  int gpus_per_node = 0;                             // smallest GPU count of any node
  std::vector<std::vector<GpuNic>> gpus_of_node;     // per node, from its topology
  std::vector<nlohmann::json> topology_of_node;      // per node: {"checks": [...], "error": "...", "result": {...}}
  double min_line_rate_gbps = 0;                     // slowest rail port (0: unknown)
  bool any_soft = false;                             // a rail is software RDMA
  bool per_node = false;                             // --per-node

  [[nodiscard]] ClusterShape shape() const;
  [[nodiscard]] nlohmann::json to_json() const;
};

struct StageContext {
  const Plan& plan;
  Comm& comm;
  SuiteDocument& doc;
  const Discovery& discovery;
  const SuiteSchedule& schedule;
  Progress& progress;
  const CycleClock& clock;
};

// Thrown on every rank when the run must stop (a rank is gone); the document is already
// written with what was measured and who is missing.
class SuiteAborted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Stage {
 public:
  virtual ~Stage() = default;
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  virtual void run(StageContext& ctx) = 0;
};

[[nodiscard]] std::unique_ptr<Stage> make_reach_stage();
[[nodiscard]] std::unique_ptr<Stage> make_preflight_stage();
[[nodiscard]] std::unique_ptr<Stage> make_verbs_bw_stage();
[[nodiscard]] std::unique_ptr<Stage> make_verbs_lat_stage();
[[nodiscard]] std::unique_ptr<Stage> make_gdr_stage();
[[nodiscard]] std::unique_ptr<Stage> make_collectives_stage();
[[nodiscard]] std::unique_ptr<Stage> make_stress_stage();
[[nodiscard]] std::unique_ptr<Stage> make_stage(std::string_view name);

// A stage that cannot run here adds one skip check naming why (never a made-up result):
// "<stage>_ran" skip, "fpverbs was not built" / "no GPUs" / ...
void add_skip(StageContext& ctx, const std::string& stage, const std::string& why);

// Ends a round on every rank: each rank's rows and errors go to rank 0, which records them
// (and whatever `on_root` adds), checkpoints, and tells everyone to go on. A rank that does not
// report within `wait` is named in the document and the run is aborted (SuiteAborted).
// Returns the rows recorded (on rank 0; empty elsewhere), so the stage judges what it measured.
std::vector<nlohmann::json> finish_round(StageContext& ctx, const std::string& what, const std::vector<nlohmann::json>& rows,
                  const std::vector<std::string>& errors, std::chrono::milliseconds wait,
                  const std::function<void(std::vector<nlohmann::json>&)>& on_root = {});

// How long rank 0 waits for the slowest rank at the end of a round of `estimate_s`.
[[nodiscard]] std::chrono::milliseconds round_wait(const Plan& plan, double estimate_s);

}  // namespace fabricperf::runners
