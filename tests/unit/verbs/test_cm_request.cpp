#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "fabricperf/error.hpp"
#include "fabricperf/verbs/cm_request.hpp"

using fabricperf::verbs::authenticated_request_index;
using fabricperf::verbs::connect_request_data;
using fabricperf::verbs::ConnectRequestData;

namespace {
const std::string kKey = "0123456789abcdef0123456789abcdef";

rdma_cm_event request_with(const void* data, std::uint8_t length) {
  rdma_cm_event event{};
  event.event = RDMA_CM_EVENT_CONNECT_REQUEST;
  event.param.conn.private_data = data;
  event.param.conn.private_data_len = length;
  return event;
}
}  // namespace

TEST(CmRequest, ThePeerWithTheKeyGetsItsQp) {
  const ConnectRequestData data = connect_request_data(3, kKey);
  const auto index = authenticated_request_index(request_with(&data, sizeof data), kKey);
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(*index, 3u);
}

TEST(CmRequest, RequestsFromOutsideTheRunAreTurnedAway) {
  // No private data (rping, ib_*_bw -R), the old 4-byte index alone, a wrong key, a short buffer.
  EXPECT_FALSE(authenticated_request_index(request_with(nullptr, 0), kKey));
  const std::uint32_t bare_index = 0;
  EXPECT_FALSE(authenticated_request_index(request_with(&bare_index, sizeof bare_index), kKey));
  const ConnectRequestData other = connect_request_data(0, "ffffffffffffffffffffffffffffffff");
  EXPECT_FALSE(authenticated_request_index(request_with(&other, sizeof other), kKey));
  const ConnectRequestData right = connect_request_data(0, kKey);
  EXPECT_FALSE(authenticated_request_index(request_with(&right, sizeof right - 1), kKey));
  // Longer private data (padding a transport may add) is fine.
  std::vector<unsigned char> padded(56, 0);
  std::memcpy(padded.data(), &right, sizeof right);
  EXPECT_TRUE(authenticated_request_index(request_with(padded.data(), 56), kKey));
}

TEST(CmRequest, TheKeyMustBeARunSecret) {
  EXPECT_THROW((void)connect_request_data(0, "short"), fabricperf::Error);
}
