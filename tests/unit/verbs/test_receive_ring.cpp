#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

#include "fabricperf/error.hpp"
#include "fabricperf/verbs/receive_ring.hpp"

using fabricperf::verbs::ReceiveRing;

namespace {

// What the ring handed to "ibv_post_recv": the fake finds its log through qp->qp_context.
struct PostLog {
  std::vector<ibv_recv_wr> posted;
  std::vector<ibv_sge> sges;
  int fail_after = -1;  // fail the post once this many succeeded
};

int fake_post(ibv_qp* qp, ibv_recv_wr* wr, ibv_recv_wr** bad) {
  auto* log = static_cast<PostLog*>(qp->qp_context);
  if (log->fail_after >= 0 && static_cast<int>(log->posted.size()) >= log->fail_after) {
    *bad = wr;
    return ENOMEM;
  }
  EXPECT_EQ(wr->next, nullptr);
  log->posted.push_back(*wr);
  log->sges.push_back(*wr->sg_list);
  return 0;
}

constexpr std::uint64_t kBase = 0x10000;
constexpr std::size_t kRegion = 4096;

struct Fixture {
  PostLog log;
  ibv_qp qp{};
  ReceiveRing ring{2, 8, kBase, kRegion, 0x77, &fake_post};
  Fixture() { qp.qp_context = &log; }
};

}  // namespace

TEST(ReceiveRing, TopUpPostsDepthReceivesInSlots) {
  Fixture f;
  f.ring.top_up(&f.qp, 1, 4, 4);
  ASSERT_EQ(f.log.posted.size(), 4U);
  EXPECT_EQ(f.ring.outstanding(1), 4U);
  EXPECT_EQ(f.ring.outstanding(0), 0U);
  for (std::uint32_t j = 0; j < 4; ++j) {
    EXPECT_EQ(f.log.posted[j].wr_id, ReceiveRing::wr_id(1, j));
    EXPECT_EQ(f.log.sges[j].addr, kBase + kRegion + j * 1024U);  // QP 1's region, slot j
    EXPECT_EQ(f.log.sges[j].length, 1024U);
    EXPECT_EQ(f.log.sges[j].lkey, 0x77U);
    EXPECT_EQ(f.ring.offset(1, j), kRegion + j * 1024U);
  }
}

TEST(ReceiveRing, SecondRunPostsNothingWhileTheFirstRunsReceivesStayPosted) {
  // The -a sweep bug: every run posted a fresh full set on top of the previous one.
  Fixture f;
  f.ring.top_up(&f.qp, 0, 8, 1);
  f.ring.top_up(&f.qp, 0, 8, 1);
  EXPECT_EQ(f.log.posted.size(), 8U);
  EXPECT_EQ(f.ring.outstanding(0), 8U);
}

TEST(ReceiveRing, TopUpReplacesOnlyConsumedReceives) {
  Fixture f;
  f.ring.top_up(&f.qp, 0, 4, 1);
  f.ring.consumed(0, 2);
  EXPECT_EQ(f.ring.outstanding(0), 3U);
  f.ring.top_up(&f.qp, 0, 4, 1);
  ASSERT_EQ(f.log.posted.size(), 5U);
  EXPECT_EQ(f.log.posted.back().wr_id, ReceiveRing::wr_id(0, 2));
  EXPECT_EQ(f.ring.outstanding(0), 4U);
}

TEST(ReceiveRing, RepostKeepsThePlaceAndALayoutChangeOnlyMovesNewReceives) {
  Fixture f;
  f.ring.top_up(&f.qp, 0, 2, 2);  // slots of 2048 bytes
  f.ring.consumed(0, 1);
  ASSERT_EQ(f.ring.repost(&f.qp, 0, 1), 0);
  EXPECT_EQ(f.log.sges.back().addr, kBase + 2048U);
  // A later run asks for 4 receives in 4 slots: 0 and 1 stay where they are, 2 and 3 are new.
  f.ring.top_up(&f.qp, 0, 4, 4);
  EXPECT_EQ(f.ring.offset(0, 0), 0U);
  EXPECT_EQ(f.ring.offset(0, 1), 2048U);
  EXPECT_EQ(f.ring.length(0, 1), 2048U);
  EXPECT_EQ(f.ring.offset(0, 2), 2048U);
  EXPECT_EQ(f.ring.offset(0, 3), 3072U);
  EXPECT_EQ(f.ring.length(0, 3), 1024U);
  EXPECT_EQ(f.ring.outstanding(0), 4U);
}

TEST(ReceiveRing, DepthIsCappedByTheQueue) {
  Fixture f;
  f.ring.top_up(&f.qp, 0, 100, 1);
  EXPECT_EQ(f.ring.outstanding(0), f.ring.capacity());
  EXPECT_EQ(f.log.posted.size(), 8U);
}

TEST(ReceiveRing, PostFailureNamesTheReceiveAndKeepsCount) {
  Fixture f;
  f.log.fail_after = 3;
  try {
    f.ring.top_up(&f.qp, 1, 6, 1);
    FAIL() << "expected an error";
  } catch (const fabricperf::Error& e) {
    EXPECT_NE(std::string(e.what()).find("posting receive 3 of 6 on QP 1"), std::string::npos) << e.what();
  }
  EXPECT_EQ(f.ring.outstanding(1), 3U);
}

TEST(ReceiveRing, WorkRequestIdsRoundTrip) {
  const auto id = ReceiveRing::wr_id(31, 4095);
  EXPECT_EQ(ReceiveRing::qp_of(id), 31U);
  EXPECT_EQ(ReceiveRing::id_of(id), 4095U);
}

TEST(ReceiveRing, MovedRingStillPostsValidRequests) {
  PostLog log;
  ibv_qp qp{};
  qp.qp_context = &log;
  ReceiveRing ring;
  ring = ReceiveRing(1, 2, kBase, kRegion, 1, &fake_post);
  ring.top_up(&qp, 0, 2, 1);
  ASSERT_EQ(log.sges.size(), 2U);
  EXPECT_EQ(log.sges[1].addr, kBase);
  EXPECT_EQ(log.sges[1].length, kRegion);
}
