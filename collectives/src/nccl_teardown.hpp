#pragma once
// Ending the NCCL backend's GPU state in the order NCCL needs. NCCL counts the work captured in
// CUDA graphs per communicator and only drops that count when the graph is destroyed;
// ncclCommDestroy and ncclCommAbort wait for the count to reach zero. So graphs go first:
//   teardown: synchronise streams, destroy graph execs and graphs, destroy communicators, then
//             free buffers and streams;
//   abort:    destroy graph execs and graphs (no synchronisation: a peer may be gone), then abort
//             communicators. A later teardown after an abort frees buffers only.
#include <vector>

#include "nccl_calls.hpp"
#include "nccl_slot.hpp"

namespace fabricperf::collectives {

void destroy_graph(NcclCalls& calls, NcclSlot& slot) noexcept;
void abort_slots(NcclCalls& calls, std::vector<NcclSlot>& slots) noexcept;
void teardown_slots(NcclCalls& calls, std::vector<NcclSlot>& slots, bool aborted) noexcept;

}  // namespace fabricperf::collectives
