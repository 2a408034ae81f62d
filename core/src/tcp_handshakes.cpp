#include "tcp_handshakes.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>

#include "fabricperf/bootstrap_hello.hpp"
#include "fabricperf/log.hpp"
#include "fabricperf/run_secret.hpp"

namespace fabricperf::tcp {
namespace {

using wire::Clock;

struct Pending {
  Socket socket;
  std::string from;
  Clock::time_point deadline;
  std::string buffer;  // the hello frame so far
  std::size_t need = wire::kHeaderBytes;
  bool done = false;  // joined or dropped
};

void drop(Pending& p, const std::string& why) {
  FP_LOG(warn, "bootstrap") << "ignored " << p.from << ": " << why;
  p.done = true;
}

void reject(Pending& p, const std::string& why) {
  FP_LOG(warn, "bootstrap") << "rejected " << p.from << ": " << why;
  try {
    wire::send_frame(p.socket.fd(), wire::FrameType::reject, why, Clock::now() + std::chrono::milliseconds(200),
                     p.from);
  } catch (const std::exception&) {
  }
  p.done = true;
}

int poll_ms(Clock::time_point until) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
}

class Acceptor {
 public:
  Acceptor(int listener, const HandshakeRules& rules, std::size_t wanted)
      : listener_(listener), rules_(rules), wanted_(wanted) {}

  std::vector<Joined> run(Clock::time_point deadline, const std::function<PeerError(std::size_t)>& on_timeout) {
    while (joined_.size() < wanted_) {
      const auto now = Clock::now();
      if (now >= deadline) throw on_timeout(joined_.size());
      auto wake = deadline;
      for (auto& p : pending_) {
        if (now >= p.deadline) drop(p, "no hello within " + std::to_string(kHelloWait.count()) + " s");
        if (!p.done) wake = std::min(wake, p.deadline);
      }
      std::erase_if(pending_, [](const Pending& p) { return p.done; });
      std::vector<pollfd> fds{{listener_, POLLIN, 0}};
      for (const auto& p : pending_) fds.push_back({p.socket.fd(), POLLIN, 0});
      const int n = ::poll(fds.data(), fds.size(), poll_ms(wake));
      if (n < 0 && errno != EINTR) throw_errno("waiting for bootstrap clients", errno);
      if (n <= 0) continue;
      for (std::size_t i = 1; i < fds.size(); ++i)
        if (fds[i].revents != 0) read_some(pending_[i - 1]);
      if (fds[0].revents & POLLIN) accept_one();
    }
    return std::move(joined_);
  }

 private:
  void accept_one() {
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof peer;
    Socket client(::accept4(listener_, reinterpret_cast<sockaddr*>(&peer), &peer_len, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (client.fd() < 0) return;
    set_nodelay(client.fd());
    if (pending_.size() >= kMaxPendingHandshakes) {
      drop(pending_.front(), std::to_string(kMaxPendingHandshakes) + " handshakes pending: the oldest is dropped");
      pending_.erase(pending_.begin());
    }
    Pending p;
    p.socket = std::move(client);
    p.from = "connection from " + address_of(peer);
    p.deadline = Clock::now() + kHelloWait;
    FP_LOG(trace, "bootstrap") << "accepted " << p.from << ", waiting for its hello";
    pending_.push_back(std::move(p));
  }

  void read_some(Pending& p) {
    if (p.done) return;
    char chunk[1024];
    const std::size_t want = std::min(sizeof chunk, p.need - p.buffer.size());
    const ssize_t n = ::recv(p.socket.fd(), chunk, want, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n <= 0) return drop(p, n == 0 ? "closed before its hello" : errno_message("reading its hello", errno));
    p.buffer.append(chunk, static_cast<std::size_t>(n));
    if (p.buffer.size() < p.need) return;
    try {
      if (p.need == wire::kHeaderBytes) {
        const auto header = wire::decode_header(p.buffer, kMaxHelloBytes, p.from);
        if (header.type != wire::FrameType::hello) return drop(p, "did not start with a hello");
        p.need += header.length;
        if (header.length > 0) return;
      }
      judge(p, decode_hello_frame(p.buffer, p.from));
    } catch (const PeerError& e) {
      drop(p, e.what());
    }
  }

  void judge(Pending& p, const Hello& hello) {
    if (hello.protocol != kBootstrapProtocol)
      return reject(p, "protocol version mismatch: the client's fabricperf differs from the server's");
    if (!secrets_equal(hello.secret, rules_.secret))
      return reject(p,
                    "authentication failed: the client did not give this run's secret (pass the same --token, or "
                    "FABRICPERF_TOKEN, to every process)");
    if (hello.run != rules_.run) {
      // An authenticated client with other parameters is a mistake on the command lines: both
      // sides stop now, naming what differs, instead of the server waiting out its timeout.
      const std::string what =
          "run parameters differ between server and client (" + p.from + "): " + run_difference(rules_.run, hello.run);
      reject(p, what);
      throw UsageError(what);
    }
    FP_LOG(info, "bootstrap") << "hello from " << hello.host << " (" << p.from << "): joined as rank "
                              << joined_.size() + 1;
    joined_.push_back({std::move(p.socket), hello.host});
    p.done = true;
  }

  int listener_;
  const HandshakeRules& rules_;
  std::size_t wanted_;
  std::vector<Pending> pending_;
  std::vector<Joined> joined_;
};

}  // namespace

std::vector<Joined> accept_clients(int listener, const HandshakeRules& rules, std::size_t wanted,
                                   Clock::time_point deadline,
                                   const std::function<PeerError(std::size_t)>& on_timeout) {
  return Acceptor(listener, rules, wanted).run(deadline, on_timeout);
}

}  // namespace fabricperf::tcp
