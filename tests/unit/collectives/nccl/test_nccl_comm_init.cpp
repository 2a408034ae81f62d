// Communicator creation against --timeout (issue 20, defect 3), through a recording fake of the
// NCCL/CUDA seam: creation is non-blocking, completion is polled with ncclCommGetAsyncError, and
// past the deadline the communicators are aborted and a PeerError says what was awaited. These
// tests check the order and logic of the calls, not NCCL itself.
#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "nccl_comm_init.hpp"
#include "recording_calls.hpp"

using namespace fabricperf;
using namespace fabricperf::collectives;
using namespace fabricperf::collectives::testing;

namespace {

std::vector<NcclSlot> slots_without_comms(RecordingCalls& calls) {
  std::vector<NcclSlot> slots{fake_slot(calls, 0, 2, false), fake_slot(calls, 1, 3, false)};
  for (auto& s : slots) s.comm = nullptr;
  return slots;
}

}  // namespace

TEST(NcclCommInit, PollsUntilEveryCommunicatorIsReady) {
  RecordingCalls calls;
  calls.ready_after_polls = 5;
  auto slots = slots_without_comms(calls);
  Watchdog watchdog(std::chrono::seconds(30), nullptr, nullptr);
  create_comms(calls, slots, 4, ncclUniqueId{}, watchdog);
  EXPECT_EQ(calls.log, (std::vector<std::string>{"group_start", "comm_init comm2", "comm_init comm3", "group_end"}));
  EXPECT_GE(calls.async_polls, 5);
  EXPECT_NE(slots[0].comm, nullptr);
  EXPECT_NE(slots[1].comm, nullptr);
}

TEST(NcclCommInit, AbortsAfterTheDeadlineAndNamesWhatItAwaited) {
  RecordingCalls calls;  // the other ranks never arrive: always in progress
  auto slots = slots_without_comms(calls);
  Watchdog watchdog(std::chrono::milliseconds(20), nullptr, nullptr);
  const auto start = Clock::now();
  try {
    create_comms(calls, slots, 4, ncclUniqueId{}, watchdog);
    FAIL() << "creation should have timed out";
  } catch (const PeerError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("NCCL communicator creation (ranks 2-3 of 4) did not complete within 0.02 s"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("all 4 ranks to join"), std::string::npos) << what;
    EXPECT_EQ(e.peer(), "the other 2 rank(s)");
  }
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  EXPECT_GT(calls.async_polls, 0);
  const int end = calls.index_of("group_end");
  ASSERT_GE(end, 0);
  EXPECT_GT(calls.index_of("comm_abort comm2"), end);
  EXPECT_GT(calls.index_of("comm_abort comm3"), end);
  EXPECT_EQ(slots[0].comm, nullptr);
  EXPECT_EQ(slots[1].comm, nullptr);
}

// Issue 20, defect 4 on the creation path: a failing init inside the group closes the group
// before the communicators already started are aborted.
TEST(NcclCommInit, FailureInsideTheGroupClosesItBeforeAborting) {
  RecordingCalls calls;
  calls.fail_init_rank = 3;
  auto slots = slots_without_comms(calls);
  Watchdog watchdog(std::chrono::seconds(30), nullptr, nullptr);
  EXPECT_THROW(create_comms(calls, slots, 4, ncclUniqueId{}, watchdog), fabricperf::Error);
  const int end = calls.index_of("group_end");
  ASSERT_GE(end, 0);
  EXPECT_GT(calls.index_of("comm_abort comm2"), end);
  EXPECT_EQ(calls.async_polls, 0);
}
