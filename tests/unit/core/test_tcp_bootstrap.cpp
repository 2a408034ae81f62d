// The TCP bootstrap between two real processes on loopback: the happy path, and a peer that
// never connects, dies mid-exchange, sends garbage, stays silent or presents the wrong token.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "fabricperf/bootstrap.hpp"
#include "fabricperf/error.hpp"

using namespace fabricperf;
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

TcpBootstrapConfig config(std::uint16_t port, std::string server = "", std::chrono::milliseconds timeout = 5s) {
  TcpBootstrapConfig c;
  c.server = std::move(server);
  c.port = port;
  c.ranks = 2;
  c.timeout = timeout;
  c.token = "fp_test write 65536";
  return c;
}

// Runs `body` in a child process; returns its exit status.
template <class F>
pid_t spawn(F body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    int rc = 1;
    try {
      rc = body();
    } catch (...) {
      rc = 3;
    }
    ::_exit(rc);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int raw_connect(std::uint16_t port) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return fd;
    ::close(fd);
    std::this_thread::sleep_for(20ms);
  }
  return -1;
}

}  // namespace

TEST(TcpBootstrap, ServerAndClientExchangeData) {
  const auto port = free_port();
  const pid_t client = spawn([&] {
    auto b = make_tcp_bootstrap(config(port, "127.0.0.1"));
    if (b->rank() != 1 || b->size() != 2) return 10;
    const auto all = b->all_gather("from-client");
    if (all != std::vector<std::string>{"from-server", "from-client"}) return 11;
    b->barrier();
    return 0;
  });
  auto server = make_tcp_bootstrap(config(port));
  EXPECT_EQ(server->rank(), 0);
  EXPECT_EQ(server->kind(), "tcp");
  EXPECT_EQ(server->all_gather("from-server"), (std::vector<std::string>{"from-server", "from-client"}));
  server->barrier();
  EXPECT_EQ(server->hostnames().size(), 2U);
  EXPECT_NE(server->describe_rank(1).find("rank 1 on "), std::string::npos);
  EXPECT_EQ(wait_exit(client), 0);
}

TEST(TcpBootstrap, PeerThatNeverConnectsTimesOutNamingIt) {
  const auto start = std::chrono::steady_clock::now();
  try {
    (void)make_tcp_bootstrap(config(free_port(), "", 500ms));
    FAIL();
  } catch (const PeerError& e) {
    EXPECT_EQ(e.peer(), "rank 1");
    EXPECT_NE(std::string(e.what()).find("waiting for client rank 1 of 2"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(TcpBootstrap, ClientWithoutServerTimesOutNamingIt) {
  const auto port = free_port();
  try {
    (void)make_tcp_bootstrap(config(port, "127.0.0.1", 500ms));
    FAIL();
  } catch (const PeerError& e) {
    EXPECT_NE(std::string(e.what()).find("server 127.0.0.1:" + std::to_string(port)), std::string::npos) << e.what();
  }
}

TEST(TcpBootstrap, GarbageConnectionIsDroppedAndRealClientStillJoins) {
  const auto port = free_port();
  const pid_t junk = spawn([&] {
    const int fd = raw_connect(port);
    const char garbage[] = "\x01\x02\x03 this is not a frame at all ................";
    (void)::write(fd, garbage, sizeof garbage);
    std::this_thread::sleep_for(300ms);
    return 0;
  });
  const pid_t client = spawn([&] {
    std::this_thread::sleep_for(200ms);
    auto b = make_tcp_bootstrap(config(port, "127.0.0.1"));
    return b->all_gather("c")[0] == "s" ? 0 : 12;
  });
  auto server = make_tcp_bootstrap(config(port));
  EXPECT_EQ(server->all_gather("s")[1], "c");
  EXPECT_EQ(wait_exit(client), 0);
  EXPECT_EQ(wait_exit(junk), 0);
}

TEST(TcpBootstrap, WrongTokenIsRejectedWithReason) {
  const auto port = free_port();
  const pid_t client = spawn([&] {
    auto c = config(port, "127.0.0.1");
    c.token = "fp_test read 4096";
    try {
      (void)make_tcp_bootstrap(c);
    } catch (const UsageError& e) {
      return std::string(e.what()).find("token mismatch") != std::string::npos ? 0 : 13;
    }
    return 14;
  });
  EXPECT_THROW((void)make_tcp_bootstrap(config(port, "", 1500ms)), PeerError);
  EXPECT_EQ(wait_exit(client), 0);
}

TEST(TcpBootstrap, SilentConnectionDoesNotHangTheServer) {
  const auto port = free_port();
  const pid_t silent = spawn([&] {
    const int fd = raw_connect(port);
    std::this_thread::sleep_for(2500ms);
    ::close(fd);
    return 0;
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW((void)make_tcp_bootstrap(config(port, "", 1s)), PeerError);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms);
  EXPECT_EQ(wait_exit(silent), 0);
}

TEST(TcpBootstrap, PeerDyingMidExchangeIsNamed) {
  const auto port = free_port();
  const pid_t client = spawn([&] {
    auto b = make_tcp_bootstrap(config(port, "127.0.0.1"));
    ::_exit(0);  // dies without taking part in the all_gather
    return 0;
  });
  auto server = make_tcp_bootstrap(config(port));
  try {
    (void)server->all_gather("s");
    FAIL();
  } catch (const PeerError& e) {
    EXPECT_NE(std::string(e.what()).find("closed by rank 1"), std::string::npos) << e.what();
  }
  EXPECT_EQ(wait_exit(client), 0);
}

TEST(TcpBootstrap, StalledPeerTimesOutMidExchange) {
  const auto port = free_port();
  const pid_t client = spawn([&] {
    auto b = make_tcp_bootstrap(config(port, "127.0.0.1", 1s));
    std::this_thread::sleep_for(2s);  // never answers the all_gather in time
    return 0;
  });
  auto server = make_tcp_bootstrap(config(port, "", 1s));
  const auto start = std::chrono::steady_clock::now();
  try {
    (void)server->all_gather("s");
    FAIL();
  } catch (const PeerError& e) {
    EXPECT_NE(std::string(e.what()).find("rank 1"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("no answer"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1800ms);
  EXPECT_EQ(wait_exit(client), 0);
}

TEST(Bootstrap, SingleProcess) {
  auto b = make_single_process_bootstrap();
  EXPECT_EQ(b->size(), 1);
  EXPECT_EQ(b->all_gather("x"), std::vector<std::string>{"x"});
  b->barrier();
}
