#pragma once
// Message and buffer sizes a verbs work request can carry, checked before anything is
// allocated: an ibv_sge length is 32 bits (a 4 GiB message would send 0 bytes, 5 GiB 1 GiB
// while reporting 5) and each port has its own maximum message size (ibv_port_attr.max_msg_sz).
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "fabricperf/error.hpp"
#include "fabricperf/sizes.hpp"

namespace fabricperf::verbs {

inline constexpr std::uint64_t kMaxWorkRequestBytes = std::numeric_limits<std::uint32_t>::max();

// Throws UsageError when `size` does not fit one work request: above 4 GiB - 1, or above
// `port_max_msg` (ibv_port_attr.max_msg_sz; 0 = unknown) of the port named `port`.
inline void check_message_size(std::uint64_t size, std::uint64_t port_max_msg = 0, std::string_view port = {}) {
  if (size > kMaxWorkRequestBytes)
    throw UsageError("message size " + format_size(size) + " is above " + std::to_string(kMaxWorkRequestBytes) +
                     " bytes, the most one RDMA work request carries");
  if (port_max_msg != 0 && size > port_max_msg)
    throw UsageError("message size " + format_size(size) + " is above the maximum message size of " +
                     (port.empty() ? std::string("the port") : std::string(port)) + " (" +
                     std::to_string(port_max_msg) + " bytes)");
}

// "mlx5_0 port 1", for check_message_size's message.
template <typename Selection>
[[nodiscard]] std::string port_name(const Selection& selection) {
  return selection.device + " port " + std::to_string(selection.port);
}

// The ibv_sge length of a `size`-byte message (check_message_size first; throws the same).
[[nodiscard]] inline std::uint32_t sge_length(std::uint64_t size) {
  check_message_size(size);
  return static_cast<std::uint32_t>(size);
}

// a x b for a buffer size, or UsageError naming `what` when it does not fit in size_t.
[[nodiscard]] inline std::size_t checked_bytes(std::uint64_t a, std::uint64_t b, std::string_view what) {
  constexpr std::uint64_t max = std::numeric_limits<std::size_t>::max();
  if (a != 0 && b > max / a)
    throw UsageError(std::string(what) + ": " + std::to_string(a) + " x " + std::to_string(b) +
                     " bytes is more than memory can address");
  return static_cast<std::size_t>(a * b);
}

}  // namespace fabricperf::verbs
