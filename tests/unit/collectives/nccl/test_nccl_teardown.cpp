// NCCL backend teardown and abort order, through a recording fake of the NCCL/CUDA seam. These
// tests check the ORDER of the calls the backend makes, not NCCL: NCCL's ncclCommDestroy and
// ncclCommAbort wait until the work captured in CUDA graphs is released, which happens when the
// graph is destroyed, so graphs must be destroyed before communicators (issue 20, defect 1).
#include <gtest/gtest.h>

#include "nccl_teardown.hpp"
#include "recording_calls.hpp"

using namespace fabricperf::collectives;
using namespace fabricperf::collectives::testing;

namespace {

std::vector<NcclSlot> two_slots_with_graphs(RecordingCalls& calls) {
  return {fake_slot(calls, 0, 0, true), fake_slot(calls, 1, 1, true)};
}

}  // namespace

TEST(NcclTeardown, SynchronisesThenDestroysGraphsBeforeCommunicatorsThenFrees) {
  RecordingCalls calls;
  auto slots = two_slots_with_graphs(calls);
  teardown_slots(calls, slots, false);
  for (const std::string r : {"0", "1"}) {
    const int sync = calls.index_of("stream_synchronize stream" + r);
    const int exec = calls.index_of("graph_exec_destroy exec" + r);
    const int graph = calls.index_of("graph_destroy graph" + r);
    ASSERT_GE(sync, 0);
    ASSERT_GE(exec, 0);
    ASSERT_GE(graph, 0);
    EXPECT_LT(sync, exec);
    for (const std::string c : {"0", "1"}) {  // every graph before every communicator
      const int destroy = calls.index_of("comm_destroy comm" + c);
      ASSERT_GE(destroy, 0);
      EXPECT_LT(exec, destroy) << "graph exec " << r << " after communicator " << c;
      EXPECT_LT(graph, destroy) << "graph " << r << " after communicator " << c;
    }
    EXPECT_LT(calls.index_of("comm_destroy comm" + r), calls.index_of("free send" + r));
    EXPECT_LT(calls.index_of("comm_destroy comm" + r), calls.index_of("free recv" + r));
    EXPECT_LT(calls.index_of("comm_destroy comm" + r), calls.index_of("stream_destroy stream" + r));
    EXPECT_EQ(calls.count("graph_exec_destroy exec" + r), 1) << "destroyed twice";
    EXPECT_EQ(calls.count("comm_abort comm" + r), 0);
  }
  for (const auto& s : slots) {
    EXPECT_EQ(s.comm, nullptr);
    EXPECT_EQ(s.exec, nullptr);
  }
}

TEST(NcclTeardown, AbortDestroysGraphsBeforeAbortingCommunicatorsWithoutSynchronising) {
  RecordingCalls calls;
  auto slots = two_slots_with_graphs(calls);
  abort_slots(calls, slots);
  for (const std::string r : {"0", "1"}) {
    const int exec = calls.index_of("graph_exec_destroy exec" + r);
    const int graph = calls.index_of("graph_destroy graph" + r);
    ASSERT_GE(exec, 0);
    ASSERT_GE(graph, 0);
    for (const std::string c : {"0", "1"}) {
      const int abort = calls.index_of("comm_abort comm" + c);
      ASSERT_GE(abort, 0);
      EXPECT_LT(exec, abort);
      EXPECT_LT(graph, abort);
    }
    // A stalled stream never finishes: an abort must not wait on it.
    EXPECT_EQ(calls.count("stream_synchronize stream" + r), 0);
  }
  // The destructor's teardown after an abort: buffers freed once, communicators left alone.
  calls.log.clear();
  teardown_slots(calls, slots, true);
  for (const std::string r : {"0", "1"}) {
    EXPECT_EQ(calls.count("comm_destroy comm" + r), 0);
    EXPECT_EQ(calls.count("comm_abort comm" + r), 0);
    EXPECT_EQ(calls.count("graph_exec_destroy exec" + r), 0);
    EXPECT_EQ(calls.count("free send" + r), 1);
    EXPECT_EQ(calls.count("stream_synchronize stream" + r), 0);
  }
}

TEST(NcclTeardown, WithoutGraphsDestroysCommunicatorsAfterSynchronising) {
  RecordingCalls calls;
  std::vector<NcclSlot> slots{fake_slot(calls, 0, 0, false)};
  teardown_slots(calls, slots, false);
  EXPECT_LT(calls.index_of("stream_synchronize stream0"), calls.index_of("comm_destroy comm0"));
  EXPECT_EQ(calls.count("graph_destroy ?"), 0);
  EXPECT_EQ(calls.count("graph_exec_destroy ?"), 0);
}
