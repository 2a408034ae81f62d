// Issue 14, row 4: anyone could connect to rank 0's liveness port, send a 4-byte rank (even a
// negative one) and close, and the run failed with "rank 1 ... is gone". Only ranks of the run
// (they know the secret rank 0 shared over the bootstrap) may be watched, hence declared gone.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>

#include "fabricperf/bootstrap.hpp"
#include "fabricperf/runners/comm.hpp"
#include "fabricperf/runners/liveness.hpp"

using namespace fabricperf;
using namespace fabricperf::runners;
using namespace std::chrono_literals;

namespace {

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

TcpBootstrapConfig config(std::uint16_t port, std::string server) {
  TcpBootstrapConfig c;
  c.server = std::move(server);
  c.port = port;
  c.ranks = 2;
  c.timeout = 5s;
  c.token = "test_liveness";
  c.secret = "liveness-test-secret";
  return c;
}

// Connects to rank 0's liveness port, sends `bytes`, closes.
void stranger_sends(int port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::this_thread::sleep_for(50ms);
  ::close(fd);
}

std::string rank_bytes(std::uint32_t rank) {
  const std::uint32_t wire = htonl(rank);
  return std::string(reinterpret_cast<const char*>(&wire), sizeof wire);
}

}  // namespace

TEST(Liveness, StrangersCannotDeclareARankGone) {
  const auto port = free_port();
  std::promise<void> done;
  auto rank1 = std::async(std::launch::async, [&] {
    auto bootstrap = make_tcp_bootstrap(config(port, "127.0.0.1"));
    Comm comm(*bootstrap);
    Liveness liveness(comm);
    done.get_future().wait();
    liveness.stop();
  });
  auto bootstrap = make_tcp_bootstrap(config(port, ""));
  Comm comm(*bootstrap);
  Liveness liveness(comm);
  std::atomic<int> losses{0};
  std::string last;
  liveness.on_loss([&](const std::string& what) {
    last = what;
    ++losses;
  });
  ASSERT_GT(liveness.port(), 0);
  for (int i = 0; i < 100 && liveness.watched() < 1; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(liveness.watched(), 1U) << "the real rank 1 was not accepted";

  stranger_sends(liveness.port(), rank_bytes(1));                               // the old protocol
  stranger_sends(liveness.port(), rank_bytes(static_cast<std::uint32_t>(-1)));  // a negative rank
  stranger_sends(liveness.port(), rank_bytes(1) + std::string(32, '0'));        // a guessed secret
  stranger_sends(liveness.port(), "");                                          // nothing at all
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(losses.load(), 0) << last;
  EXPECT_EQ(liveness.watched(), 1U);
  done.set_value();
  rank1.get();
  liveness.stop();
  EXPECT_EQ(losses.load(), 0) << last;
}
