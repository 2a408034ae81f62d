#pragma once
// Runs one round of link measurements on this rank with fp_bw/fp_lat's verbs engines
// (fabricperf::verbs): every task (one rail, or one GPU-NIC pair) connects an Endpoint to the
// same rail on its peer node, and all tasks of the round run at once, size by size. Connection
// data and "ready" flags go point-to-point through Comm; measurements become result rows.
//
// Collective: every rank calls measure_round the same number of times (with no tasks when it
// sits the round out), because each size is one Comm exchange step.
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fabricperf/clock.hpp"
#include "fabricperf/runners/comm.hpp"
#include "fabricperf/runners/layout.hpp"
#include "fabricperf/verbs/bandwidth_engine.hpp"
#include "fabricperf/verbs/device.hpp"
#include "fabricperf/verbs/latency_engine.hpp"
#include "fabricperf/verbs/memory.hpp"

namespace fabricperf::runners {

// The devices of this rank's rails, opened once per stage. A rail whose device does not open
// (a port that is DOWN, no port for that rail) has no device and says why; the others work.
class RailDevices {
 public:
  RailDevices() = default;
  // Opens `ports` (indexed by rail; only `rails` are opened), GID index -1 = automatic.
  void open(const std::vector<RailPort>& ports, const std::vector<int>& rails, int gid_index);
  [[nodiscard]] const verbs::Device* find(int rail) const;
  [[nodiscard]] const RailPort* port(int rail) const;
  // Why `rail` has no device ("" when it has one or was not asked for).
  [[nodiscard]] std::string error(int rail) const;

 private:
  std::vector<int> rails_;
  std::vector<RailPort> ports_;
  std::vector<std::unique_ptr<verbs::Device>> devices_;  // null where the rail did not open
  std::vector<std::string> errors_;
};

struct LinkTask {
  int slot = 0;  // rail (verbs, stress) or GPU index (gdr): matched with the peer's
  int peer_rank = -1;
  verbs::Role role = verbs::Role::initiator;  // initiator sends (writes); target is written to
  const verbs::Device* device = nullptr;
  verbs::MemoryProvider* memory = nullptr;
  bool soft = false;                                 // software RDMA device
  std::string unavailable;                           // why there is no device (reported as this task's error)
  nlohmann::json labels = nlohmann::json::object();  // added to every row (rail/gpu, pattern, ...)
};

enum class Measure { bandwidth, latency };

struct MeasureSpec {
  Measure kind = Measure::bandwidth;
  std::string op = "write";
  std::vector<std::uint64_t> sizes;
  std::uint64_t iterations = 1000;
  double duration_s = 0;
  bool bidirectional = false;
  int qps = 1;
  double window_ms = verbs::kDefaultWindowMs;  // windowed bandwidth (bw_min_gbps, bw_cv)
  double timeout_s = 30;         // the engines' no-progress limit and every exchange's wait
  double engine_timeout_s = 0;   // > 0: the engines' limit alone (reach: the short connect timeout)
  bool validate = false;         // data check of every message (--validate)
  std::string stage;             // for rows and messages
  std::uint64_t epoch_base = 1;  // distinct per stage and round; both sides compute the same
};

// Where a task failed: its own device (setup), the peer's side (the peer said so), bringing the
// QP up (connect) or the measurement itself (measure: a timeout, a failed completion).
enum class TaskPhase { ok, setup, peer, connect, measure };

// How one task of the round went, on this rank (for stages that report per task: reach).
struct TaskReport {
  const LinkTask* task = nullptr;
  TaskPhase failed_in = TaskPhase::ok;
  std::string error;                           // what failed ("" when ok)
  std::string peer_device;                     // "" when the peer's connection data did not come
  const verbs::PortSelection* port = nullptr;  // this side's opened port (null when it did not open)
  verbs::LatencyResult latency;                // latency runs: the last size's result
};

struct RoundOutcome {
  std::vector<nlohmann::json> rows;  // written by this rank's initiators (fp_bw/fp_lat rows + stage, labels)
  std::vector<std::string> errors;   // "verbs_bw round 2: node1 mlx5_0 <-> node2: ..." per failed task
  std::vector<TaskReport> tasks;     // one per task, in task order
};

// What the suite adds to an fp_bw/fp_lat row (verbs/rows.hpp) and nothing else: the stage, the
// task's labels (rail, gpu, pattern, ...) and soft_rdma.
[[nodiscard]] nlohmann::json suite_row(nlohmann::json row, const std::string& stage, const nlohmann::json& labels,
                                       bool soft);

// Measures every task for every size. Tasks that fail are reported in errors and skipped for
// the remaining sizes (their peers learn it in the next ready exchange). Throws only when the
// exchange with a peer itself fails (the peer is gone).
[[nodiscard]] RoundOutcome measure_round(Comm& comm, std::vector<LinkTask>& tasks, const MeasureSpec& spec,
                                         const CycleClock& clock);

}  // namespace fabricperf::runners
