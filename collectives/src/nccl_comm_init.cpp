#include "nccl_comm_init.hpp"

#include "fabricperf/error.hpp"
#include "fabricperf/log.hpp"
#include "nccl_group.hpp"
#include "nccl_teardown.hpp"

namespace fabricperf::collectives {

void wait_comms_ready(NcclCalls& calls, std::vector<NcclSlot>& slots, Watchdog& watchdog, const std::string& what) {
  watchdog.wait_until(
      [&] {
        bool ready = true;
        for (auto& s : slots) {
          if (s.comm == nullptr) continue;
          ncclResult_t state = ncclInProgress;
          nccl_check(calls.comm_async_error(s.comm, &state), "querying rank " + std::to_string(s.rank), s.comm);
          if (state == ncclInProgress)
            ready = false;
          else
            nccl_check(state, what + " on rank " + std::to_string(s.rank), s.comm);
        }
        return ready;
      },
      what);
}

void create_comms(NcclCalls& calls, std::vector<NcclSlot>& slots, int nranks, const ncclUniqueId& id,
                  Watchdog& watchdog) {
  const std::string what = "NCCL communicator creation";
  try {
    NcclGroup group(calls, "starting communicator creation");
    for (auto& s : slots) {
      FP_LOG(info, "collectives") << "NCCL: creating the communicator of rank " << s.rank << " of " << nranks
                                  << " on GPU " << s.device;
      cuda_check(calls.set_device(s.device), "selecting GPU " + std::to_string(s.device));
      nccl_check(calls.comm_init_nonblocking(&s.comm, nranks, id, s.rank),
                 "creating the communicator of rank " + std::to_string(s.rank) + " on GPU " + std::to_string(s.device));
    }
    group.end("creating communicators");
    wait_comms_ready(calls, slots, watchdog, what);
    FP_LOG(info, "collectives") << "NCCL: " << slots.size() << " communicator(s) ready";
  } catch (const StallError& e) {
    abort_slots(calls, slots);
    const int mine = static_cast<int>(slots.size());
    const std::string first = slots.empty() ? "?" : std::to_string(slots.front().rank);
    const std::string last = slots.empty() ? "?" : std::to_string(slots.back().rank);
    throw PeerError("the other " + std::to_string(nranks - mine) + " rank(s)",
                    what + " (ranks " + first + "-" + last + " of " + std::to_string(nranks) +
                        ") did not complete within " + StallError::format_seconds(e.timeout()) + ": waited for all " +
                        std::to_string(nranks) +
                        " ranks to join; check that every rank started and can reach the others");
  } catch (...) {
    abort_slots(calls, slots);
    throw;
  }
}

}  // namespace fabricperf::collectives
