#include "fabricperf/verbs/lane_runner.hpp"

#include <exception>
#include <string>
#include <thread>

#include "fabricperf/error.hpp"

namespace fabricperf::verbs {

std::vector<Pinning> run_pinned_lanes(const std::vector<LanePin>& pins, const std::function<void(std::size_t)>& fn,
                                      const std::string& sys_root) {
  std::vector<Pinning> used(pins.size());
  std::vector<std::exception_ptr> errors(pins.size());
  const auto lane = [&](std::size_t i) {
    try {
      used[i] = pin_current_thread(pins[i].cpu, pins[i].numa_node, sys_root);
      fn(i);
    } catch (...) {
      errors[i] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(pins.size());
  for (std::size_t i = 0; i < pins.size(); ++i) threads.emplace_back(lane, i);
  for (auto& t : threads) t.join();
  std::exception_ptr first;
  for (auto& e : errors) {
    if (!e) continue;
    try {
      std::rethrow_exception(e);
    } catch (const PeerError&) {
      std::rethrow_exception(e);
    } catch (...) {
      if (!first) first = e;
    }
  }
  if (first) std::rethrow_exception(first);
  return used;
}

}  // namespace fabricperf::verbs
