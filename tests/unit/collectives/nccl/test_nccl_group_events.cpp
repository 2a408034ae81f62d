// NCCL group closing and per-GPU event pools, through a recording fake of the NCCL/CUDA seam.
// These tests check the order and logic of the backend's calls, not NCCL or CUDA themselves.
#include <gtest/gtest.h>

#include <stdexcept>

#include "nccl_event_pools.hpp"
#include "nccl_group.hpp"
#include "recording_calls.hpp"

using namespace fabricperf::collectives;
using namespace fabricperf::collectives::testing;

// Issue 20, defect 4: an exception between ncclGroupStart and ncclGroupEnd must still close the
// group (an open group turns a later ncclCommAbort into a queued no-op).
TEST(NcclGroupGuard, ClosesTheGroupWhenAnExceptionIsThrownInside) {
  RecordingCalls calls;
  EXPECT_THROW(
      {
        NcclGroup group(calls, "starting a group");
        throw std::runtime_error("a post failed");
      },
      std::runtime_error);
  ASSERT_EQ(calls.log, (std::vector<std::string>{"group_start", "group_end"}));
}

TEST(NcclGroupGuard, EndsOnceWhenEndedExplicitly) {
  RecordingCalls calls;
  {
    NcclGroup group(calls, "starting a group");
    EXPECT_EQ(group.end("launching"), ncclSuccess);
  }
  EXPECT_EQ(calls.count("group_end"), 1);
}

// Issue 20, defect 2: with several GPUs per process an event must only be recorded on a stream
// of the device it was created on, so a slot never gets another slot's event back.
TEST(NcclEventPools, SlotNeverGetsAnotherGpusEvent) {
  RecordingCalls calls;
  {
    NcclEventPools pools(calls, {0, 1});
    const cudaEvent_t e0 = pools.take(0);
    const cudaEvent_t e1 = pools.take(1);
    EXPECT_EQ(calls.event_device.at(e0), 0);
    EXPECT_EQ(calls.event_device.at(e1), 1);
    // Only GPU 1's event is free: slot 0 must create a new one on GPU 0, not take it.
    pools.give(1, e1);
    const cudaEvent_t again0 = pools.take(0);
    EXPECT_NE(again0, e1);
    EXPECT_EQ(calls.event_device.at(again0), 0);
    EXPECT_EQ(calls.current_device, 0) << "take() makes the slot's device current";
    // Slot 1 reuses its own event.
    EXPECT_EQ(pools.take(1), e1);
    EXPECT_EQ(calls.current_device, 1);
    pools.give(0, e0);
    pools.give(0, again0);
    pools.give(1, e1);
  }
  EXPECT_EQ(
      calls.count("event_create event0") + calls.count("event_create event1") + calls.count("event_create event2"), 3);
  EXPECT_EQ(
      calls.count("event_destroy event0") + calls.count("event_destroy event1") + calls.count("event_destroy event2"),
      3)
      << "the pools destroy their events";
}
