#pragma once
// Length-prefixed, validated frames on a stream socket, with deadlines. The frame header is
// {magic "FPB1", type, payload length}; anything else is rejected before any allocation.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fabricperf::wire {

inline constexpr std::uint32_t kMagic = 0x31425046;  // "FPB1" little-endian
inline constexpr std::uint32_t kMaxPayload = 64U << 20;
inline constexpr std::size_t kHeaderBytes = 12;

enum class FrameType : std::uint32_t { hello = 1, welcome = 2, reject = 3, data = 4 };

struct Frame {
  FrameType type = FrameType::data;
  std::string payload;
};

struct FrameHeader {
  FrameType type = FrameType::data;
  std::uint32_t length = 0;
};

// Checks the kHeaderBytes bytes of a frame header (magic, known type, length at most
// `max_payload`) before anything is allocated; throws PeerError naming `peer` otherwise.
[[nodiscard]] FrameHeader decode_header(std::string_view header, std::uint32_t max_payload, const std::string& peer);
[[nodiscard]] std::string encode_header(FrameType type, std::uint32_t length);

using Clock = std::chrono::steady_clock;

// Throws Error with `peer` in the message on timeout, closed connection or a bad header.
void send_frame(int fd, FrameType type, std::string_view payload, Clock::time_point deadline, const std::string& peer);
[[nodiscard]] Frame recv_frame(int fd, Clock::time_point deadline, const std::string& peer);

// Packs a list of byte strings as u32 count, then u32 length + bytes each; unpack validates.
[[nodiscard]] std::string pack_strings(const std::vector<std::string>& items);
[[nodiscard]] std::vector<std::string> unpack_strings(std::string_view packed);

}  // namespace fabricperf::wire
