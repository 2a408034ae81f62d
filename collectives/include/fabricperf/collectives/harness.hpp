#pragma once
// The measurement loop, nccl-tests' BenchTime: per collective, datatype and op a warm-up over the
// sizes, then per size an out-of-place and an in-place run: (optionally) fill verifiable data, one
// synchronising call, barrier, -n iterations of -m aggregated calls (or a CUDA graph of them
// launched -G times), wait; every process's time is gathered, -a picks the reported one, the
// straggler view names a slow rank, -c reruns once on fresh data and counts wrong elements.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fabricperf/bootstrap.hpp"
#include "fabricperf/collectives/backend.hpp"
#include "fabricperf/collectives/options.hpp"
#include "fabricperf/collectives/straggler.hpp"
#include "fabricperf/result_document.hpp"

namespace fabricperf::collectives {

struct BenchConfig {
  std::vector<Collective> colls{Collective::all_reduce};
  std::vector<DataType> types{DataType::float32};
  std::vector<RedOp> ops{RedOp::sum};
  std::vector<std::uint64_t> sizes{32ULL << 20};
  int iters = 20;
  int warmup_iters = 1;
  int agg_iters = 1;
  int check = 1;
  int root = 0;
  int blocking = 0;
  int graph_launches = 0;
  int average = 1;
  double straggler_pct = 10.0;
  double check_avg_busbw = -1;
  FaultInjection fault;
};

// One half row of the table (out-of-place or in-place).
struct Measurement {
  double time_us = 0;
  Bandwidth bw;
  std::int64_t wrong = -1;           // -1: not checked
  std::vector<double> rank_time_us;  // per process
  std::optional<Straggler> straggler;
};

// What a run measured: one result row per half row of the table, and per collective its checks
// (data_check, avg_busbw, straggler). The caller puts them where they belong (fp_coll's document,
// the suite's collectives stage).
struct HarnessOutput {
  std::vector<nlohmann::json> rows;
  std::vector<Check> checks;
};

class Harness {
 public:
  // table: where rank 0 prints nccl-tests' table. on_row (optional): each row as soon as it is
  // measured (fp_coll checkpoints it, so a killed run leaves what it had).
  using RowSink = std::function<void(const nlohmann::json& row)>;
  Harness(BenchConfig config, Bootstrap& bootstrap, Backend& backend, Watchdog& watchdog, std::ostream& table,
          RowSink on_row = {});

  // Runs every collective and returns its rows and checks. Throws StallError, Interrupted,
  // PeerError or Error when a rank fails; output() then holds what was measured before.
  const HarnessOutput& run();
  [[nodiscard]] const HarnessOutput& output() const noexcept { return output_; }

  // Average bus bandwidth per collective so far ({"all_reduce": 12.3, ...}).
  [[nodiscard]] const nlohmann::json& avg_busbw() const noexcept { return avg_busbw_; }
  // What is being measured right now, for failure messages.
  [[nodiscard]] const std::string& current() const noexcept { return current_; }
  [[nodiscard]] std::int64_t wrong_total() const noexcept { return wrong_total_; }

 private:
  void run_collective(Collective coll);
  void warm_up(const CollCall& base);
  Measurement measure(const CollCall& call);
  void launch(const CollCall& call, int group);
  void init_data(const CollCall& call, std::uint64_t seed);
  std::uint64_t count_local_wrong(const CollCall& call, std::uint64_t seed);
  // Every process's (first, second), indexed by process rank (one bootstrap all_gather).
  std::vector<std::pair<double, double>> gather_pairs(double first, double second);
  nlohmann::json result_json(const CollCall& call, const Measurement& m) const;
  void maybe_inject_fault();
  [[nodiscard]] bool rank0() const noexcept { return bootstrap_.rank() == 0; }

  BenchConfig config_;
  Bootstrap& bootstrap_;
  Backend& backend_;
  Watchdog& watchdog_;
  std::ostream& table_;
  RowSink on_row_;
  HarnessOutput output_;
  std::int64_t launches_ = 0;
  std::int64_t wrong_total_ = 0;
  std::string current_ = "start-up";
  nlohmann::json avg_busbw_ = nlohmann::json::object();
  std::vector<std::byte> host_;  // staging for data fill and checks
};

// Seed of the verifiable data for one measurement and check repetition.
[[nodiscard]] std::uint64_t data_seed(const CollCall& call, int repetition) noexcept;

}  // namespace fabricperf::collectives
