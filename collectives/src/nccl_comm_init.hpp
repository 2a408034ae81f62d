#pragma once
// Creating the NCCL communicators of this process's GPU slots within --timeout: non-blocking
// creation (ncclCommInitRankConfig with blocking = 0) in one group, then ncclCommGetAsyncError is
// polled through the Watchdog until every communicator is ready. Past the deadline the
// communicators are aborted and a PeerError names what was awaited (the other ranks joining).
#include <string>
#include <vector>

#include "fabricperf/collectives/watchdog.hpp"
#include "nccl_calls.hpp"
#include "nccl_slot.hpp"

namespace fabricperf::collectives {

void create_comms(NcclCalls& calls, std::vector<NcclSlot>& slots, int nranks, const ncclUniqueId& id,
                  Watchdog& watchdog);

// Polls until no communicator reports ncclInProgress (Error on an NCCL error, StallError past
// the watchdog's deadline). Non-blocking communicators need this after creation and after a
// launch that returned ncclInProgress.
void wait_comms_ready(NcclCalls& calls, std::vector<NcclSlot>& slots, Watchdog& watchdog, const std::string& what);

}  // namespace fabricperf::collectives
