#pragma once
// Private to core's TCP bootstrap: rank 0 takes the clients' hellos, all connections at once.
// Each accepted connection has kHelloWait to deliver a hello of at most kMaxHelloBytes (the
// length is checked before anything is allocated); at most kMaxPendingHandshakes wait at a time
// (the oldest is dropped for a new one). A hello is accepted only with the run's secret (compared
// in constant time) and the same run description; anything else is told why and dropped, so idle,
// slow or hostile connections can neither take a rank nor delay the ones that are real.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "fabricperf/error.hpp"
#include "fabricperf/wire.hpp"
#include "tcp_socket.hpp"

namespace fabricperf::tcp {

inline constexpr auto kHelloWait = std::chrono::seconds(5);
inline constexpr std::size_t kMaxPendingHandshakes = 64;

struct Joined {
  Socket socket;
  std::string host;  // from the hello
};

struct HandshakeRules {
  std::string run;     // the run description every client must present
  std::string secret;  // the run's secret ("" allowed only on loopback)
};

// Accepts on `listener` until `wanted` clients have joined; returns them in arrival order. At
// `deadline` throws the PeerError `on_timeout(joined so far)` returns.
[[nodiscard]] std::vector<Joined> accept_clients(int listener, const HandshakeRules& rules, std::size_t wanted,
                                                 wire::Clock::time_point deadline,
                                                 const std::function<PeerError(std::size_t)>& on_timeout);

}  // namespace fabricperf::tcp
