#include "fabricperf/runners/liveness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace fabricperf::runners {
namespace {

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
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    socklen_t len = sizeof addr;
    if (listener_ >= 0 && ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::listen(listener_, 1024) == 0 && ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      mine = my_addresses(ntohs(addr.sin_port));
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
  const std::string& root = all.at(0);
  const auto bar = root.find('|');
  if (bar == std::string::npos) return;
  const int port = std::atoi(root.substr(0, bar).c_str());
  std::string ips = root.substr(bar + 1);
  for (std::size_t start = 0; start <= ips.size() && to_root_ < 0;) {
    const auto comma = ips.find(',', start);
    const std::string ip = ips.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    to_root_ = connect_to(ip, port, 2000);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (to_root_ < 0) return;
  keepalive(to_root_);
  const std::uint32_t rank = htonl(static_cast<std::uint32_t>(comm_.rank()));
  if (::send(to_root_, &rank, sizeof rank, MSG_NOSIGNAL) != sizeof rank) {
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

void Liveness::monitor() {
  for (;;) {
    std::vector<pollfd> fds;
    fds.push_back({wake_[0], POLLIN, 0});
    fds.push_back({listener_, POLLIN, 0});
    for (const auto& p : peers_) fds.push_back({p.fd, static_cast<short>(p.fd >= 0 ? POLLIN : 0), 0});
    if (::poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) return;
    if (stopping_ || (fds[0].revents & POLLIN)) return;
    if (fds[1].revents & POLLIN) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        std::uint32_t rank = 0;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 2000) == 1 && ::recv(fd, &rank, sizeof rank, MSG_WAITALL) == sizeof rank &&
            static_cast<int>(ntohl(rank)) < comm_.size()) {
          keepalive(fd);
          std::lock_guard lock(mutex_);
          peers_.push_back({fd, static_cast<int>(ntohl(rank)), false});
        } else {
          ::close(fd);
        }
      }
    }
    for (std::size_t i = 2; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      const std::size_t index = i - 2;
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
  }
}

}  // namespace fabricperf::runners
