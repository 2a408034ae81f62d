#include "fabricperf/runners/liveness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <optional>

#include "fabricperf/run_secret.hpp"

namespace fabricperf::runners {
namespace {

constexpr std::size_t kSecretChars = 32;  // random_secret(): 128 bits as hex
constexpr std::size_t kHelloBytes = 4 + kSecretChars;
constexpr std::size_t kMaxPending = 64;
constexpr auto kHelloWait = std::chrono::seconds(2);

std::optional<int> parse_port(const std::string& text) {
  int port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535) return std::nullopt;
  return port;
}

void keepalive(int fd) {
  int one = 1, idle = 5, interval = 2, count = 3;
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

// "port|10.0.0.1,192.168.1.5,127.0.0.1": every IPv4 address of this host, loopback last.
std::string my_addresses(int port) {
  std::string list, loopback;
  ifaddrs* ifs = nullptr;
  if (::getifaddrs(&ifs) == 0) {
    for (auto* i = ifs; i; i = i->ifa_next) {
      if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
      char text[INET_ADDRSTRLEN] = {};
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, text, sizeof text);
      if (std::strncmp(text, "127.", 4) == 0)
        loopback = text;
      else
        list += (list.empty() ? "" : ",") + std::string(text);
    }
    ::freeifaddrs(ifs);
  }
  if (!loopback.empty()) list += (list.empty() ? "" : ",") + loopback;
  return std::to_string(port) + "|" + list;
}

// Non-blocking connect with a deadline; -1 on failure.
int connect_to(const std::string& ip, int port, int timeout_ms) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) return -1;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  int err = 0;
  socklen_t len = sizeof err;
  if (::poll(&p, 1, timeout_ms) != 1 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

}  // namespace

Liveness::Liveness(Comm& comm) : comm_(comm) {
  if (comm_.size() < 2) {
    (void)comm_.all_gather("");
    return;
  }
  std::string mine;
  if (comm_.root()) {
    secret_ = random_secret();
    // Where the TCP bootstrap was reached is where the other ranks can reach us; under MPI that
    // is unknown, so every interface (still only ranks that know the secret count).
    const std::string bind_to = comm_.bootstrap().local_address();
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    const bool bound_to_one = !bind_to.empty() && ::inet_pton(AF_INET, bind_to.c_str(), &addr.sin_addr) == 1;
    if (!bound_to_one) addr.sin_addr.s_addr = htonl(INADDR_ANY);
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    socklen_t len = sizeof addr;
    if (listener_ >= 0 && ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::listen(listener_, 1024) == 0 && ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
      mine = (bound_to_one ? std::to_string(port_) + "|" + bind_to : my_addresses(port_)) + "|" + secret_;
    } else if (listener_ >= 0) {
      ::close(listener_);
      listener_ = -1;
    }
  }
  const auto all = comm_.all_gather(mine);
  if (comm_.root()) {
    if (listener_ >= 0 && ::pipe2(wake_, O_CLOEXEC) == 0) thread_ = std::thread([this] { monitor(); });
    return;
  }
  // "port|ip,ip,...|secret" from rank 0 (over the run's own channel).
  const std::string& root = all.at(0);
  const auto bar = root.find('|');
  const auto bar2 = bar == std::string::npos ? bar : root.find('|', bar + 1);
  if (bar2 == std::string::npos || root.size() - bar2 - 1 != kSecretChars) return;
  const auto port = parse_port(root.substr(0, bar));
  if (!port) return;
  const std::string ips = root.substr(bar + 1, bar2 - bar - 1);
  for (std::size_t start = 0; start <= ips.size() && to_root_ < 0;) {
    const auto comma = ips.find(',', start);
    const std::string ip = ips.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    to_root_ = connect_to(ip, *port, 2000);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (to_root_ < 0) return;
  keepalive(to_root_);
  const std::uint32_t rank = htonl(static_cast<std::uint32_t>(comm_.rank()));
  std::string hello(reinterpret_cast<const char*>(&rank), sizeof rank);
  hello += root.substr(bar2 + 1);
  if (::send(to_root_, hello.data(), hello.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(hello.size())) {
    ::close(to_root_);
    to_root_ = -1;
  }
}

Liveness::~Liveness() {
  stop();
  if (listener_ >= 0) ::close(listener_);
  for (int fd : wake_)
    if (fd >= 0) ::close(fd);
}

void Liveness::on_loss(std::function<void(const std::string&)> callback) {
  std::lock_guard lock(mutex_);
  callback_ = std::move(callback);
}

void Liveness::set_context(std::string context) {
  std::lock_guard lock(mutex_);
  context_ = std::move(context);
}

std::size_t Liveness::watched() const {
  std::lock_guard lock(mutex_);
  return peers_.size();
}

void Liveness::stop() {
  if (to_root_ >= 0) {
    const char bye = 'B';
    (void)::send(to_root_, &bye, 1, MSG_NOSIGNAL);
    ::close(to_root_);
    to_root_ = -1;
  }
  if (thread_.joinable()) {
    stopping_ = true;
    const char wake = 'w';
    (void)::write(wake_[1], &wake, 1);
    thread_.join();
    for (auto& p : peers_)
      if (p.fd >= 0) ::close(p.fd);
    peers_.clear();
    for (auto& p : pending_)
      if (p.fd >= 0) ::close(p.fd);
    pending_.clear();
  }
}

void Liveness::lost(std::size_t index, const std::string& how) {
  auto& p = peers_[index];
  ::close(p.fd);
  p.fd = -1;
  if (p.bye || stopping_) return;
  comm_.mark_gone(p.rank);
  std::function<void(const std::string&)> callback;
  std::string context;
  {
    std::lock_guard lock(mutex_);
    callback = callback_;
    context = context_;
  }
  if (callback)
    callback(comm_.describe(p.rank) + " is gone (" + how + ")" + (context.empty() ? "" : " during " + context) +
             ": its process exited or its node went down");
}

void Liveness::accept_one() {
  const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0) return;
  if (pending_.size() >= kMaxPending) {
    ::close(pending_.front().fd);
    pending_.erase(pending_.begin());
  }
  pending_.push_back({fd, std::chrono::steady_clock::now() + kHelloWait, {}});
}

// A connection becomes a watched rank only with a rank in 1..size-1 and the secret; until
// then (and when it fails) its closing means nothing.
void Liveness::read_hello(Pending& p) {
  char buffer[kHelloBytes];
  const ssize_t n = ::recv(p.fd, buffer, kHelloBytes - p.hello.size(), 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) {
    ::close(p.fd);
    p.fd = -1;
    return;
  }
  p.hello.append(buffer, static_cast<std::size_t>(n));
  if (p.hello.size() < kHelloBytes) return;
  std::uint32_t wire_rank = 0;
  std::memcpy(&wire_rank, p.hello.data(), sizeof wire_rank);
  const std::uint32_t rank = ntohl(wire_rank);
  const bool ok = secrets_equal(std::string_view(p.hello).substr(sizeof wire_rank), secret_) && rank >= 1 &&
                  rank < static_cast<std::uint32_t>(comm_.size());
  if (!ok) {
    ::close(p.fd);
    p.fd = -1;
    return;
  }
  keepalive(p.fd);
  std::lock_guard lock(mutex_);
  peers_.push_back({p.fd, static_cast<int>(rank), false});
  p.fd = -1;
}

void Liveness::monitor() {
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    auto wake = now + std::chrono::seconds(1);
    for (auto& p : pending_) {
      if (p.fd >= 0 && now >= p.deadline) {
        ::close(p.fd);
        p.fd = -1;
      }
      if (p.fd >= 0) wake = std::min(wake, p.deadline);
    }
    std::erase_if(pending_, [](const Pending& p) { return p.fd < 0; });
    std::vector<pollfd> fds;
    fds.push_back({wake_[0], POLLIN, 0});
    fds.push_back({listener_, POLLIN, 0});
    for (const auto& p : pending_) fds.push_back({p.fd, POLLIN, 0});
    const std::size_t first_peer = fds.size();
    for (const auto& p : peers_) fds.push_back({p.fd, static_cast<short>(p.fd >= 0 ? POLLIN : 0), 0});
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wake - now).count();
    if (::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(ms, 0))) < 0 && errno != EINTR) return;
    if (stopping_ || (fds[0].revents & POLLIN)) return;
    for (std::size_t i = 2; i < first_peer; ++i)
      if (fds[i].revents) read_hello(pending_[i - 2]);
    for (std::size_t i = first_peer; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      const std::size_t index = i - first_peer;
      char byte = 0;
      const auto n = ::recv(peers_[index].fd, &byte, 1, MSG_DONTWAIT);
      if (n == 1 && byte == 'B') {
        peers_[index].bye = true;
        continue;
      }
      if (n == 1) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      lost(index, n == 0 ? "connection closed" : std::string("connection lost: ") + std::strerror(errno));
    }
    if (fds[1].revents & POLLIN) accept_one();
  }
}

}  // namespace fabricperf::runners
