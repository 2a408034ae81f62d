// The TCP bootstrap between two real processes on loopback: the happy path, and a peer that
// never connects, dies mid-exchange, sends garbage, stays silent or presents the wrong token.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "fabricperf/bootstrap.hpp"
#include "fabricperf/bootstrap_hello.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/wire.hpp"

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
  c.secret = "unit-test-secret-0123456789abcdef";
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
      return std::string(e.what()).find("run parameters differ") != std::string::npos ? 0 : 13;
    }
    return 14;
  });
  // The server stops at once too, naming what differs, instead of waiting out its timeout.
  const auto start = std::chrono::steady_clock::now();
  try {
    (void)make_tcp_bootstrap(config(port, "", 10s));
    ADD_FAILURE() << "the server accepted a client with other parameters";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("run parameters differ"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
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

// A connection that has connected (the server accepted it) and is closed by the server within
// `within`: true when the server dropped it.
bool closed_by_server(int fd, std::chrono::milliseconds within) {
  timeval tv{static_cast<time_t>(within.count() / 1000), static_cast<suseconds_t>((within.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char byte = 0;
  for (;;) {
    const ssize_t n = ::recv(fd, &byte, 1, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

// Row 5 of issue 14: before, rank 0 took one hello at a time with 5 s each, so three idle
// connections held a 2-rank run 15 s, and a 64 MiB length prefix was allocated and waited for.
TEST(TcpBootstrap, IdleConnectionsAndHugePrefixDoNotDelayTheRealClient) {
  const auto port = free_port();
  const pid_t client = spawn([&] {
    std::this_thread::sleep_for(300ms);  // after the idle connections and the huge prefix
    auto b = make_tcp_bootstrap(config(port, "127.0.0.1", 4s));
    return b->all_gather("c")[0] == "s" ? 0 : 12;
  });
  std::vector<int> idle;
  int huge = -1;
  std::thread attacker([&] {
    for (int i = 0; i < 3; ++i) idle.push_back(raw_connect(port));
    huge = raw_connect(port);
    const std::string header = wire::encode_header(wire::FrameType::hello, 64U << 20);
    (void)::send(huge, header.data(), header.size(), MSG_NOSIGNAL);
  });
  const auto start = std::chrono::steady_clock::now();
  auto server = make_tcp_bootstrap(config(port, "", 4s));
  EXPECT_EQ(server->all_gather("s")[1], "c");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms) << "the idle connections delayed the run";
  attacker.join();
  EXPECT_TRUE(closed_by_server(huge, 1s)) << "a 64 MiB length prefix was not refused at once";
  for (const int fd : idle) ::close(fd);
  ::close(huge);
  EXPECT_EQ(wait_exit(client), 0);
}

TEST(TcpBootstrap, WrongSecretIsRejectedAndCannotTakeARank) {
  const auto port = free_port();
  const pid_t stranger = spawn([&] {
    auto c = config(port, "127.0.0.1");
    c.secret = "guess";
    try {
      (void)make_tcp_bootstrap(c);
    } catch (const UsageError& e) {
      const std::string what = e.what();
      return what.find("authentication failed") != std::string::npos && what.find("--token") != std::string::npos ? 0
                                                                                                                  : 13;
    }
    return 14;
  });
  const pid_t client = spawn([&] {
    std::this_thread::sleep_for(400ms);
    auto b = make_tcp_bootstrap(config(port, "127.0.0.1"));
    return b->rank() == 1 && b->all_gather("c")[0] == "s" ? 0 : 12;
  });
  auto server = make_tcp_bootstrap(config(port));
  EXPECT_EQ(server->all_gather("s")[1], "c");
  EXPECT_EQ(wait_exit(stranger), 0);
  EXPECT_EQ(wait_exit(client), 0);
}

TEST(TcpBootstrap, SecretComesFromTheEnvironment) {
  const auto port = free_port();
  const pid_t client = spawn([&] {
    ::setenv("FABRICPERF_TOKEN", "from-the-environment", 1);
    auto c = config(port, "127.0.0.1");
    c.secret.clear();
    return make_tcp_bootstrap(c)->rank() == 1 ? 0 : 12;
  });
  auto c = config(port);
  c.secret = "from-the-environment";
  auto server = make_tcp_bootstrap(c);
  EXPECT_EQ(server->size(), 2);
  EXPECT_EQ(wait_exit(client), 0);
}

TEST(TcpBootstrap, NoSecretIsRefusedUnlessListeningOnLoopback) {
  ::unsetenv("FABRICPERF_TOKEN");
  auto c = config(free_port(), "", 300ms);
  c.secret.clear();
  try {
    (void)make_tcp_bootstrap(c);
    FAIL() << "listened on every interface without a secret";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("--token"), std::string::npos) << what;
    EXPECT_NE(what.find("FABRICPERF_TOKEN"), std::string::npos) << what;
  }
  c.bind_address = "10.1.2.3";
  EXPECT_THROW((void)make_tcp_bootstrap(c), UsageError);
  // On loopback a run without a secret still works (a single-host test run).
  const auto port = free_port();
  const pid_t client = spawn([&] {
    auto cc = config(port, "127.0.0.1");
    cc.secret.clear();
    return make_tcp_bootstrap(cc)->rank() == 1 ? 0 : 12;
  });
  auto s = config(port);
  s.secret.clear();
  s.bind_address = "127.0.0.1";
  EXPECT_EQ(make_tcp_bootstrap(s)->local_address(), "127.0.0.1");
  EXPECT_EQ(wait_exit(client), 0);
}

TEST(BootstrapHello, RoundTripAndRefusals) {
  const Hello hello{kBootstrapProtocol, "fp_bw/1 op=write", "s3cret", "node1"};
  const std::string payload = encode_hello(hello);
  const std::string frame =
      wire::encode_header(wire::FrameType::hello, static_cast<std::uint32_t>(payload.size())) + payload;
  const Hello back = decode_hello_frame(frame, "peer");
  EXPECT_EQ(back.run, hello.run);
  EXPECT_EQ(back.secret, hello.secret);
  EXPECT_EQ(back.host, hello.host);
  EXPECT_EQ(decode_hello(R"({"protocol":1,"token":"x","host":"h"})", "peer").protocol, 1);
  EXPECT_THROW((void)decode_hello(R"({"protocol":2,"run":"r","secret":["x"],"host":"h"})", "peer"), PeerError);
  EXPECT_THROW((void)decode_hello(R"({"protocol":2,"run":"r","secret":"x","host":"h","more":1})", "peer"), PeerError);
  EXPECT_THROW((void)decode_hello(R"({"protocol":2,"run":{"a":1},"secret":"x","host":"h"})", "peer"), PeerError);
  EXPECT_THROW((void)decode_hello(std::string(100000, '['), "peer"), PeerError);
  EXPECT_THROW((void)decode_hello_frame(wire::encode_header(wire::FrameType::hello, 64U << 20), "peer"), PeerError);
  EXPECT_THROW((void)decode_hello_frame(frame.substr(0, frame.size() - 1), "peer"), PeerError);
}

TEST(Bootstrap, SingleProcess) {
  auto b = make_single_process_bootstrap();
  EXPECT_EQ(b->size(), 1);
  EXPECT_EQ(b->all_gather("x"), std::vector<std::string>{"x"});
  b->barrier();
}
