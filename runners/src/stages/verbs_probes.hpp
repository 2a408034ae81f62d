#pragma once
// The verbs engines behind the ProbeBackend interface (attribution.hpp), for the adaptive
// verbs_bw stage: rank 0 runs run_adaptive_bandwidth; every round it asks for is broadcast to all
// ranks, each measures the probes its node and rails take part in (measure_round, fp_bw's engine)
// and the rows come back to rank 0 (finish_round), which turns them into probe results. The other
// ranks follow (follow_probe_rounds) until rank 0 says it is done.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fabricperf/runners/attribution.hpp"
#include "pair_stage.hpp"

namespace fabricperf::runners {

class VerbsProbeBackend final : public ProbeBackend {
 public:
  VerbsProbeBackend(StageContext& ctx, RailSetup& rails, MeasureSpec spec, double round_estimate_s);
  // Rank 0: one round on every rank. Loopback and cross-rail probes are not measured here
  // (unsupported): the link runner pairs the same rail on two nodes.
  std::vector<ProbeResult> run_round(const std::string& name, RoundKind kind,
                                     const std::vector<Probe>& probes) override;
  [[nodiscard]] std::string node_name(int node) const override;
  [[nodiscard]] std::string device_name(int node, int rail) const override;
  // Rank 0: tells the followers the verdict is in.
  void finish();
  // Every other rank: measure each round rank 0 broadcasts until it finishes.
  void follow();
  // The rows of the full-rate rounds (rank 0), for the line-rate and peer checks.
  [[nodiscard]] const nlohmann::json& full_rows() const noexcept { return full_rows_; }

 private:
  std::vector<nlohmann::json> measure(const nlohmann::json& round);  // every rank

  StageContext& ctx_;
  RailSetup& rails_;
  MeasureSpec spec_;
  std::chrono::milliseconds wait_;
  std::size_t rounds_ = 0;
  nlohmann::json full_rows_ = nlohmann::json::array();
};

}  // namespace fabricperf::runners
