#pragma once
// Reusable CUDA events, one pool per GPU slot: an event belongs to the device that was current
// when it was created, and cudaEventRecord fails for an event of another device's stream. So a
// slot only ever gets back its own events.
#include <cstddef>
#include <vector>

#include "nccl_calls.hpp"

namespace fabricperf::collectives {

class NcclEventPools {
 public:
  NcclEventPools(NcclCalls& calls, std::vector<int> devices) : calls_(calls), devices_(std::move(devices)) {
    pools_.resize(devices_.size());
  }
  ~NcclEventPools();
  NcclEventPools(const NcclEventPools&) = delete;
  NcclEventPools& operator=(const NcclEventPools&) = delete;

  // An event of slot `slot`'s device (makes that device current).
  [[nodiscard]] cudaEvent_t take(std::size_t slot);
  // Returns a completed event to the pool of the slot it was taken for.
  void give(std::size_t slot, cudaEvent_t event) { pools_.at(slot).push_back(event); }

 private:
  NcclCalls& calls_;
  std::vector<int> devices_;
  std::vector<std::vector<cudaEvent_t>> pools_;
};

}  // namespace fabricperf::collectives
