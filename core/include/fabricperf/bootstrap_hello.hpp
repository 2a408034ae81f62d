#pragma once
// The first frame a client sends to the TCP bootstrap's rank 0: what the server reads from a
// connection it does not trust yet. Small (at most kMaxHelloBytes), flat and fully checked here,
// in pure functions the server and the fuzz target (tests/fuzz/fuzz_bootstrap_frame.cpp) share.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fabricperf/wire.hpp"

namespace fabricperf {

inline constexpr int kBootstrapProtocol = 2;  // 2: the secret travels apart from the run description
inline constexpr std::uint32_t kMaxHelloBytes = 4096;
inline constexpr std::size_t kMaxRunDescriptionBytes = 2048;
inline constexpr std::size_t kMaxHostnameBytes = 255;

struct Hello {
  int protocol = kBootstrapProtocol;
  std::string run;     // tool and parameters: must equal the server's (not secret)
  std::string secret;  // --token / FABRICPERF_TOKEN ("" when the server is on loopback)
  std::string host;    // the client's host name
};

// The hello's payload (JSON). Throws Error when a field is over its cap.
[[nodiscard]] std::string encode_hello(const Hello& hello);

// Decodes a hello payload: a JSON object of depth 1 with an integer "protocol"; when that is
// kBootstrapProtocol, also the strings "run", "secret" and "host" within their caps. A hello of
// another protocol comes back with only `protocol` set (the server answers "version mismatch").
// Throws PeerError naming `peer` for anything else.
[[nodiscard]] Hello decode_hello(std::string_view payload, const std::string& peer);

// A whole hello frame (header + payload), as the server receives it: header checked against
// kMaxHelloBytes and type hello, then decode_hello. Throws PeerError naming `peer`.
[[nodiscard]] Hello decode_hello_frame(std::string_view frame, const std::string& peer);

// What differs between two run descriptions ("fp_bw/1 op=write q=1 ..."): the tool, or each
// parameter as "op: server write, client read" (joined by "; "); "" when they are equal.
[[nodiscard]] std::string run_difference(std::string_view server, std::string_view client);

}  // namespace fabricperf
