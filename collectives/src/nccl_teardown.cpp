#include "nccl_teardown.hpp"

namespace fabricperf::collectives {

void destroy_graph(NcclCalls& calls, NcclSlot& slot) noexcept {
  if (slot.exec != nullptr) (void)calls.graph_exec_destroy(slot.exec);
  if (slot.graph != nullptr) (void)calls.graph_destroy(slot.graph);
  slot.exec = nullptr;
  slot.graph = nullptr;
}

namespace {

enum class CommEnd { destroy, abort };

// Every slot's graphs first (NCCL waits for captured work to be released), then its communicator.
void end_graphs_then_comms(NcclCalls& calls, std::vector<NcclSlot>& slots, CommEnd end) noexcept {
  for (auto& s : slots) {
    (void)calls.set_device(s.device);
    destroy_graph(calls, s);
  }
  for (auto& s : slots) {
    if (s.comm == nullptr) continue;
    (void)calls.set_device(s.device);
    (void)(end == CommEnd::abort ? calls.comm_abort(s.comm) : calls.comm_destroy(s.comm));
    s.comm = nullptr;
  }
}

}  // namespace

void abort_slots(NcclCalls& calls, std::vector<NcclSlot>& slots) noexcept {
  end_graphs_then_comms(calls, slots, CommEnd::abort);
}

void teardown_slots(NcclCalls& calls, std::vector<NcclSlot>& slots, bool aborted) noexcept {
  if (!aborted) {
    for (auto& s : slots) {
      (void)calls.set_device(s.device);
      if (s.stream != nullptr) (void)calls.stream_synchronize(s.stream);
    }
    end_graphs_then_comms(calls, slots, CommEnd::destroy);
  }
  for (auto& s : slots) {
    (void)calls.set_device(s.device);
    destroy_graph(calls, s);  // no-op unless an abort left one (it never does)
    if (s.send != nullptr) (void)calls.free(s.send);
    if (s.recv != nullptr) (void)calls.free(s.recv);
    // After an abort a stream may still hold work that never ends: leave it to process exit.
    if (s.stream != nullptr && !aborted) (void)calls.stream_destroy(s.stream);
    s.send = s.recv = nullptr;
    s.stream = nullptr;
  }
}

}  // namespace fabricperf::collectives
