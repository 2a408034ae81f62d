#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "fabricperf/error.hpp"
#include "fabricperf/wire.hpp"

using namespace fabricperf;
using namespace std::chrono_literals;

namespace {
struct SocketPair {
  int fd[2] = {-1, -1};
  SocketPair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0); }
  ~SocketPair() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
};
auto soon() { return wire::Clock::now() + 2s; }
}  // namespace

TEST(Wire, FrameRoundTrip) {
  SocketPair sp;
  wire::send_frame(sp.fd[0], wire::FrameType::data, std::string("hello\0world", 11), soon(), "peer");
  const auto frame = wire::recv_frame(sp.fd[1], soon(), "peer");
  EXPECT_EQ(frame.type, wire::FrameType::data);
  EXPECT_EQ(frame.payload, std::string("hello\0world", 11));
}

TEST(Wire, GarbageIsRejectedNotTrusted) {
  SocketPair sp;
  const char junk[] = "GET / HTTP/1.1\r\n\r\n";
  ASSERT_GT(::write(sp.fd[0], junk, sizeof junk), 0);
  try {
    (void)wire::recv_frame(sp.fd[1], soon(), "rank 1 on node2");
    FAIL();
  } catch (const PeerError& e) {
    EXPECT_EQ(e.peer(), "rank 1 on node2");
    EXPECT_NE(std::string(e.what()).find("not a fabricperf bootstrap frame"), std::string::npos);
  }
}

TEST(Wire, OversizedLengthRejectedBeforeAllocation) {
  SocketPair sp;
  std::uint32_t header[3] = {wire::kMagic, 4, 0xFFFFFFF0U};
  ASSERT_EQ(::write(sp.fd[0], header, sizeof header), static_cast<ssize_t>(sizeof header));
  EXPECT_THROW((void)wire::recv_frame(sp.fd[1], soon(), "peer"), PeerError);
}

TEST(Wire, TimeoutAndClosedConnectionNameThePeer) {
  SocketPair sp;
  const auto start = wire::Clock::now();
  try {
    (void)wire::recv_frame(sp.fd[1], wire::Clock::now() + 200ms, "rank 3 on b07");
    FAIL();
  } catch (const PeerError& e) {
    EXPECT_NE(std::string(e.what()).find("rank 3 on b07"), std::string::npos);
  }
  EXPECT_LT(wire::Clock::now() - start, 2s);
  ::close(sp.fd[0]);
  sp.fd[0] = -1;
  try {
    (void)wire::recv_frame(sp.fd[1], soon(), "rank 3 on b07");
    FAIL();
  } catch (const PeerError& e) {
    EXPECT_NE(std::string(e.what()).find("closed by rank 3 on b07"), std::string::npos);
  }
}

TEST(Wire, PackUnpackAndMalformedLists) {
  const std::vector<std::string> items{"", "a", std::string(1000, 'x')};
  EXPECT_EQ(wire::unpack_strings(wire::pack_strings(items)), items);
  std::string packed = wire::pack_strings(items);
  EXPECT_THROW((void)wire::unpack_strings(packed.substr(0, packed.size() - 1)), Error);
  EXPECT_THROW((void)wire::unpack_strings(packed + "z"), Error);
  EXPECT_THROW((void)wire::unpack_strings("ab"), Error);
  std::string huge_count(4, '\xff');
  EXPECT_THROW((void)wire::unpack_strings(huge_count), Error);
}
