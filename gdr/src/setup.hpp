#pragma once
// The memory and endpoints behind each lane of this side of fp_gdr: GPU (or host) memory for
// the measured endpoints (registered with dma-buf or nvidia-peermem, each registration's check
// recorded), pinned host memory for the host-staged baseline's endpoints (connected to the
// peer's outside the Session), and one CUDA stream per lane to time the staging copies.
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fabricperf/gdr/cuda.hpp"
#include "fabricperf/gdr/probe.hpp"
#include "fabricperf/result_document.hpp"
#include "fabricperf/verbs/endpoint.hpp"
#include "fabricperf/verbs/memory.hpp"
#include "fabricperf/verbs/session.hpp"

namespace fabricperf::gdr {

class GpuLanes {
 public:
  // Probes the registration facts of every pair of `plan` (none for host memory).
  GpuLanes(MemoryKind mem, HostPlan plan, std::string host);

  [[nodiscard]] const HostPlan& plan() const noexcept { return plan_; }
  [[nodiscard]] const std::vector<GpuCapabilities>& caps() const noexcept { return caps_; }
  [[nodiscard]] std::vector<Check> registration_checks() const;
  // The first lane's memory provider (the memory kind's name before the endpoints exist).
  [[nodiscard]] nlohmann::json memory_description() const;

  // One endpoint per session lane on this side's memory (RegistrationError when GPU memory
  // cannot be registered; UsageError when a NIC's message limit is below `max_size`). Ranks
  // without a role drop their lanes.
  void create_endpoints(verbs::Session& session, const verbs::EndpointConfig& config, std::uint64_t max_size);
  // The baseline's endpoints: pinned host buffers with each lane's endpoint configuration.
  void create_staging(verbs::Session& session);
  // Connects the baseline's endpoints with the peer's (every rank takes part); ends with a barrier.
  void connect_staging(verbs::Session& session);
  [[nodiscard]] std::vector<std::unique_ptr<verbs::Endpoint>>& staging() noexcept { return staging_; }

  // {"d2h_us", "h2d_us"}: one cudaMemcpy of `size` bytes each way between lane `lane`'s GPU
  // buffer and its staging buffer, averaged over `iterations` (zeros without device memory).
  [[nodiscard]] nlohmann::json copy_costs(verbs::Session& session, std::size_t lane, std::uint64_t size,
                                          int iterations) const;

 private:
  MemoryKind mem_;
  HostPlan plan_;
  std::string host_;
  std::vector<GpuCapabilities> caps_;
  mutable std::mutex checks_mutex_;
  std::vector<Check> checks_;
  std::vector<std::unique_ptr<verbs::MemoryProvider>> providers_, staging_providers_;
  std::vector<std::unique_ptr<verbs::Endpoint>> staging_;
  std::vector<std::unique_ptr<cuda::Stream>> streams_;
};

}  // namespace fabricperf::gdr
