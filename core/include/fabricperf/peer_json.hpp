#pragma once
// JSON that another rank sent: size-, depth- and type-checked before anything uses or stores it.
// Every refusal is a PeerError naming the peer ("rank 1 on node2 sent host info nested deeper
// than 8 levels"), so a broken or hostile rank ends the run with a message, never a crash.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace fabricperf {

inline constexpr std::size_t kMaxPeerHostInfoBytes = 256 * 1024;

// Parses `text` (at most `max_bytes`, nesting at most `max_depth`) sent by `peer` as `what`.
[[nodiscard]] nlohmann::json parse_peer_json(std::string_view text, const std::string& peer, std::string_view what,
                                             std::size_t max_bytes, std::size_t max_depth);

// A peer's collect_host_info(): an object with only the known fields, each of its type, strings
// of bounded length, at most 256 RDMA devices of at most 64 ports.
[[nodiscard]] nlohmann::json parse_peer_host_info(std::string_view text, const std::string& peer);

}  // namespace fabricperf
