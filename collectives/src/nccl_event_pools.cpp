#include "nccl_event_pools.hpp"

namespace fabricperf::collectives {

NcclEventPools::~NcclEventPools() {
  for (std::size_t i = 0; i < pools_.size(); ++i) {
    if (pools_[i].empty()) continue;
    (void)calls_.set_device(devices_[i]);
    for (auto e : pools_[i]) (void)calls_.event_destroy(e);
  }
}

cudaEvent_t NcclEventPools::take(std::size_t slot) {
  auto& pool = pools_.at(slot);
  cuda_check(calls_.set_device(devices_.at(slot)), "selecting GPU " + std::to_string(devices_.at(slot)));
  if (!pool.empty()) {
    const cudaEvent_t e = pool.back();
    pool.pop_back();
    return e;
  }
  cudaEvent_t e = nullptr;
  cuda_check(calls_.event_create(&e), "creating an event");
  return e;
}

}  // namespace fabricperf::collectives
