#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "fabricperf/bootstrap.hpp"
#include "fabricperf/bootstrap_hello.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/input_file.hpp"
#include "fabricperf/log.hpp"
#include "fabricperf/run_secret.hpp"
#include "fabricperf/wire.hpp"
#include "tcp_handshakes.hpp"

namespace fabricperf {
namespace {

using tcp::Socket;
using wire::Clock;
using wire::FrameType;

std::string local_hostname() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

class TcpBootstrap final : public Bootstrap {
 public:
  explicit TcpBootstrap(const TcpBootstrapConfig& config)
      : config_(config), secret_(resolve_run_secret(config.secret)) {
    if (config.ranks < 2) throw UsageError("TCP bootstrap needs at least 2 ranks");
    if (config.server.empty()) {
      serve();
    } else {
      join();
    }
  }

  int rank() const noexcept override { return rank_; }
  int size() const noexcept override { return config_.ranks; }
  const std::vector<std::string>& hostnames() const noexcept override { return hosts_; }
  std::string_view kind() const noexcept override { return "tcp"; }
  std::string local_address() const override { return local_address_; }

  std::vector<std::string> all_gather(std::string_view mine) override {
    const auto deadline = Clock::now() + config_.timeout;
    if (rank_ == 0) {
      std::vector<std::string> all(static_cast<std::size_t>(config_.ranks));
      all[0] = std::string(mine);
      for (int r = 1; r < config_.ranks; ++r) {
        const auto frame = wire::recv_frame(clients_[r - 1].fd(), deadline, describe_rank(r));
        if (frame.type != FrameType::data)
          throw PeerError(describe_rank(r), describe_rank(r) + " sent an unexpected frame");
        all[static_cast<std::size_t>(r)] = frame.payload;
      }
      const std::string packed = wire::pack_strings(all);
      for (int r = 1; r < config_.ranks; ++r)
        wire::send_frame(clients_[r - 1].fd(), FrameType::data, packed, deadline, describe_rank(r));
      return all;
    }
    const std::string server = describe_rank(0);
    wire::send_frame(server_.fd(), FrameType::data, mine, deadline, server);
    const auto frame = wire::recv_frame(server_.fd(), deadline, server);
    auto all = wire::unpack_strings(frame.payload);
    if (frame.type != FrameType::data || all.size() != static_cast<std::size_t>(config_.ranks))
      throw PeerError(server, server + " sent a malformed all_gather reply");
    return all;
  }

  void barrier() override { (void)all_gather({}); }

 private:
  Socket listen_socket() const {
    if (secret_.empty() && !is_loopback_address(config_.bind_address))
      throw UsageError("a TCP bootstrap listening on " +
                       (config_.bind_address.empty() ? std::string("every interface") : config_.bind_address) +
                       " (port " + std::to_string(config_.port) +
                       ") needs a run secret: pass the same --token SECRET, or set FABRICPERF_TOKEN=SECRET, on every "
                       "process of the run (e.g. SECRET from `openssl rand -hex 16`)");
    Socket listener(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
    bool v6 = listener.fd() >= 0;
    if (!v6) listener = Socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (listener.fd() < 0) throw_errno("creating the bootstrap socket", errno);
    int one = 1;
    ::setsockopt(listener.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (v6) {
      int zero = 0;
      ::setsockopt(listener.fd(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
      auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(config_.port);
      a->sin6_addr = in6addr_any;
      if (!config_.bind_address.empty()) {
        in_addr v4{};
        if (::inet_pton(AF_INET, config_.bind_address.c_str(), &v4) == 1) {
          const std::string mapped = "::ffff:" + config_.bind_address;
          ::inet_pton(AF_INET6, mapped.c_str(), &a->sin6_addr);
        } else if (::inet_pton(AF_INET6, config_.bind_address.c_str(), &a->sin6_addr) != 1) {
          throw UsageError("invalid bind address '" + config_.bind_address + "'");
        }
      }
      len = sizeof(sockaddr_in6);
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&addr);
      a->sin_family = AF_INET;
      a->sin_port = htons(config_.port);
      a->sin_addr.s_addr = INADDR_ANY;
      if (!config_.bind_address.empty() && ::inet_pton(AF_INET, config_.bind_address.c_str(), &a->sin_addr) != 1)
        throw UsageError("invalid bind address '" + config_.bind_address + "'");
      len = sizeof(sockaddr_in);
    }
    if (::bind(listener.fd(), reinterpret_cast<sockaddr*>(&addr), len) != 0)
      throw_errno("listening on TCP port " + std::to_string(config_.port), errno);
    if (::listen(listener.fd(), 128) != 0) throw_errno("listening on TCP port " + std::to_string(config_.port), errno);
    return listener;
  }

  void serve() {
    const Socket listener = listen_socket();
    rank_ = 0;
    log::process_logger().set_rank(0);
    FP_LOG(info, "bootstrap") << "listening on "
                              << (config_.bind_address.empty() ? std::string("every interface") : config_.bind_address)
                              << ", TCP port " << config_.port << ", for " << config_.ranks - 1 << " client(s) within "
                              << config_.timeout.count() / 1000 << " s";
    hosts_.assign(static_cast<std::size_t>(config_.ranks), "");
    hosts_[0] = local_hostname();
    const auto deadline = Clock::now() + config_.timeout;
    auto joined = tcp::accept_clients(
        listener.fd(), {config_.token, secret_}, static_cast<std::size_t>(config_.ranks - 1), deadline,
        [this](std::size_t have) {
          const std::string waiting_for = std::to_string(have + 1);
          return PeerError("rank " + waiting_for, "waiting for client rank " + waiting_for + " of " +
                                                      std::to_string(config_.ranks) + " to connect on TCP port " +
                                                      std::to_string(config_.port) + ": no client within " +
                                                      std::to_string(config_.timeout.count() / 1000) + " s");
        });
    for (std::size_t i = 0; i < joined.size(); ++i) {
      hosts_[i + 1] = joined[i].host;
      clients_.push_back(std::move(joined[i].socket));
    }
    local_address_ = tcp::local_address_of(clients_.front().fd());
    FP_LOG(info, "bootstrap") << "all " << config_.ranks << " ranks connected (reached on " << local_address_
                              << "); sending the welcomes";
    for (int r = 1; r < config_.ranks; ++r) {
      const nlohmann::json welcome = {{"rank", r}, {"size", config_.ranks}, {"hosts", hosts_}};
      wire::send_frame(clients_[r - 1].fd(), FrameType::welcome,
                       welcome.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), deadline,
                       describe_rank(r));
    }
  }

  void join() {
    const std::string server = "server " + config_.server + ":" + std::to_string(config_.port);
    const auto deadline = Clock::now() + config_.timeout;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(config_.port);
    const int rc = ::getaddrinfo(config_.server.c_str(), port.c_str(), &hints, &found);
    if (rc != 0) throw UsageError("cannot resolve server '" + config_.server + "': " + ::gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, &::freeaddrinfo);
    FP_LOG(info, "bootstrap") << "connecting to " << server << " (for up to " << config_.timeout.count() / 1000
                              << " s)";
    int last_errno = 0;
    while (server_.fd() < 0) {
      for (addrinfo* ai = found; ai != nullptr && server_.fd() < 0; ai = ai->ai_next) {
        Socket s(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
        if (s.fd() < 0) continue;
        if (::connect(s.fd(), ai->ai_addr, ai->ai_addrlen) == 0) {
          server_ = std::move(s);
        } else {
          last_errno = errno;
        }
      }
      if (server_.fd() >= 0) break;
      FP_LOG(trace, "bootstrap") << errno_message("connecting to " + server, last_errno) << "; retrying in 200 ms";
      if (Clock::now() >= deadline)
        throw PeerError(server, errno_message("connecting to " + server + " (no server within " +
                                                  std::to_string(config_.timeout.count() / 1000) + " s)",
                                              last_errno));
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    tcp::set_nodelay(server_.fd());
    local_address_ = tcp::local_address_of(server_.fd());
    FP_LOG(info, "bootstrap") << "connected to " << server << " from " << local_address_;
    const std::string hello = encode_hello({kBootstrapProtocol, config_.token, secret_, local_hostname()});
    wire::send_frame(server_.fd(), FrameType::hello, hello, deadline, server);
    FP_LOG(trace, "bootstrap") << "hello sent to " << server << ", waiting for the welcome";
    const auto frame = wire::recv_frame(server_.fd(), deadline, server);
    if (frame.type == FrameType::reject)
      throw UsageError(server + " rejected this client: " + frame.payload.substr(0, 512));
    if (frame.type != FrameType::welcome) throw PeerError(server, server + " answered with an unexpected frame");
    try {
      const auto welcome = parse_json_bounded(frame.payload, "welcome", 2);
      rank_ = welcome.at("rank").get<int>();
      hosts_ = welcome.at("hosts").get<std::vector<std::string>>();
      if (welcome.at("size").get<int>() != config_.ranks || rank_ < 1 || rank_ >= config_.ranks ||
          hosts_.size() != static_cast<std::size_t>(config_.ranks))
        throw Error("inconsistent rank/size");
    } catch (const std::exception& e) {
      throw PeerError(server, server + " sent a malformed welcome: " + e.what());
    }
    log::process_logger().set_rank(rank_);
    FP_LOG(info, "bootstrap") << "welcomed by " << server << " as rank " << rank_ << " of " << config_.ranks;
  }

  TcpBootstrapConfig config_;
  std::string secret_;
  int rank_ = 0;
  std::vector<std::string> hosts_;
  std::string local_address_;
  std::vector<Socket> clients_;  // server: index r-1 holds rank r
  Socket server_;                // client: connection to rank 0
};

class SingleProcessBootstrap final : public Bootstrap {
 public:
  SingleProcessBootstrap() : hosts_{local_hostname()} {
    log::process_logger().set_rank(0);
    FP_LOG(info, "bootstrap") << "single process (rank 0 of 1)";
  }
  int rank() const noexcept override { return 0; }
  int size() const noexcept override { return 1; }
  const std::vector<std::string>& hostnames() const noexcept override { return hosts_; }
  std::vector<std::string> all_gather(std::string_view mine) override { return {std::string(mine)}; }
  void barrier() override {}
  std::string_view kind() const noexcept override { return "single"; }

 private:
  std::vector<std::string> hosts_;
};

}  // namespace

std::string Bootstrap::describe_rank(int r) const {
  const auto& hosts = hostnames();
  std::string text = "rank " + std::to_string(r);
  if (r >= 0 && static_cast<std::size_t>(r) < hosts.size() && !hosts[static_cast<std::size_t>(r)].empty())
    text += " on " + hosts[static_cast<std::size_t>(r)];
  return text;
}

std::unique_ptr<Bootstrap> make_single_process_bootstrap() {
  return std::make_unique<SingleProcessBootstrap>();
}

std::unique_ptr<Bootstrap> make_tcp_bootstrap(const TcpBootstrapConfig& config) {
  return std::make_unique<TcpBootstrap>(config);
}

}  // namespace fabricperf
