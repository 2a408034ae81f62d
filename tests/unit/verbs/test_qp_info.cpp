#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/verbs/qp_info.hpp"

using namespace fabricperf;
using namespace fabricperf::verbs;

namespace {
QpInfo qp(std::uint32_t n) {
  QpInfo q;
  q.qpn = n;
  q.psn = 0xabcdef;
  q.lid = 7;
  q.gid = *parse_gid("::ffff:10.77.0.2");
  q.mtu = IBV_MTU_4096;
  q.rkey = 0x1234;
  q.addr = 0x7f0000001000ULL + n;
  q.length = 1 << 20;
  q.rd_atomic = static_cast<std::uint8_t>(n % 200);
  return q;
}
EndpointInfo endpoint(unsigned nqps) {
  EndpointInfo e;
  e.device = "rxe0";
  e.control = qp(100);
  e.control.length = 0;
  for (unsigned i = 0; i < nqps; ++i) e.data.push_back(qp(17 + i));
  return e;
}
}  // namespace

TEST(QpInfo, RoundTrip) {
  const auto e = endpoint(3);
  const auto bytes = serialize(e);
  EXPECT_EQ(parse_endpoint_info(bytes), e);
}

TEST(QpInfo, SeveralEndpointsRoundTrip) {
  std::vector<EndpointInfo> v{endpoint(1), endpoint(4)};
  v[1].device = "mlx5_1";
  EXPECT_EQ(parse_endpoint_infos(serialize(v)), v);
}

TEST(QpInfo, RejectsTruncatedAndTrailingBytes) {
  const auto bytes = serialize(endpoint(2));
  for (std::size_t n : {std::size_t{0}, std::size_t{3}, std::size_t{10}, bytes.size() - 1})
    EXPECT_THROW((void)parse_endpoint_info(bytes.substr(0, n)), Error) << n;
  EXPECT_THROW((void)parse_endpoint_info(bytes + "x"), Error);
}

TEST(QpInfo, RejectsBadMagicVersionAndFields) {
  auto bytes = serialize(endpoint(1));
  auto bad = bytes;
  bad[0] = 'X';
  EXPECT_THROW((void)parse_endpoint_info(bad), Error);
  bad = bytes;
  bad[4] = 9;  // version
  EXPECT_THROW((void)parse_endpoint_info(bad), Error);

  auto e = endpoint(1);
  e.data[0].mtu = 9;
  EXPECT_THROW((void)parse_endpoint_info(serialize(e)), Error);
  e = endpoint(1);
  e.data[0].qpn = 0x1000000;
  EXPECT_THROW((void)parse_endpoint_info(serialize(e)), Error);
  e = endpoint(1);
  e.data[0].psn = 0x1000000;
  EXPECT_THROW((void)parse_endpoint_info(serialize(e)), Error);
  e = endpoint(1);
  e.data[0].addr = ~0ULL - 10;
  EXPECT_THROW((void)parse_endpoint_info(serialize(e)), Error);
  e = endpoint(1);
  e.device = std::string("bad\x01name");
  EXPECT_THROW((void)parse_endpoint_info(serialize(e)), Error);
}

TEST(QpInfo, RejectsQpCounts) {
  EXPECT_THROW((void)serialize(endpoint(0)), Error);
  EXPECT_THROW((void)serialize(endpoint(kMaxQpsPerEndpoint + 1)), Error);
  auto bytes = serialize(endpoint(1));
  bytes[6] = 2;  // claims 2 QPs, carries 1
  EXPECT_THROW((void)parse_endpoint_info(bytes), Error);
  bytes[6] = 0;
  EXPECT_THROW((void)parse_endpoint_info(bytes), Error);
}

TEST(QpInfo, RejectsMalformedLists) {
  EXPECT_THROW((void)parse_endpoint_infos("xyz"), Error);
  EXPECT_TRUE(parse_endpoint_infos(serialize(std::vector<EndpointInfo>{})).empty());
}
