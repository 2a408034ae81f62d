#include "fabricperf/wire.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "fabricperf/error.hpp"

namespace fabricperf::wire {
namespace {

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

void wait_ready(int fd, short events, Clock::time_point deadline, const std::string& peer, const char* doing) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int ms = remaining_ms(deadline);
    const int n = ::poll(&p, 1, ms);
    if (n > 0) return;
    if (n == 0) throw PeerError(peer, std::string(doing) + " " + peer + ": no answer before the timeout");
    if (errno != EINTR) throw PeerError(peer, errno_message(std::string(doing) + " " + peer, errno));
  }
}

void send_all(int fd, const char* data, std::size_t size, Clock::time_point deadline, const std::string& peer) {
  while (size > 0) {
    wait_ready(fd, POLLOUT, deadline, peer, "sending to");
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw PeerError(peer, errno_message("sending to " + peer, errno));
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void recv_all(int fd, char* data, std::size_t size, Clock::time_point deadline, const std::string& peer) {
  while (size > 0) {
    wait_ready(fd, POLLIN, deadline, peer, "waiting for");
    const ssize_t n = ::recv(fd, data, size, 0);
    if (n == 0) throw PeerError(peer, "connection closed by " + peer);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw PeerError(peer, errno_message("receiving from " + peer, errno));
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void put_u32(std::string& out, std::uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);
  out.append(b, 4);
}

std::uint32_t get_u32(std::string_view in, std::size_t offset) {
  std::uint32_t v = 0;
  std::memcpy(&v, in.data() + offset, 4);
  return v;
}

}  // namespace

FrameHeader decode_header(std::string_view header, std::uint32_t max_payload, const std::string& peer) {
  if (header.size() != kHeaderBytes) throw PeerError(peer, peer + " sent a truncated frame header");
  if (get_u32(header, 0) != kMagic) throw PeerError(peer, peer + " sent data that is not a fabricperf bootstrap frame");
  const std::uint32_t type = get_u32(header, 4);
  const std::uint32_t length = get_u32(header, 8);
  if (type < 1 || type > 4) throw PeerError(peer, peer + " sent an unknown frame type " + std::to_string(type));
  if (length > max_payload)
    throw PeerError(peer, peer + " announced an oversized frame (" + std::to_string(length) + " bytes, at most " +
                              std::to_string(max_payload) + ")");
  return {static_cast<FrameType>(type), length};
}

std::string encode_header(FrameType type, std::uint32_t length) {
  std::string header;
  put_u32(header, kMagic);
  put_u32(header, static_cast<std::uint32_t>(type));
  put_u32(header, length);
  return header;
}

void send_frame(int fd, FrameType type, std::string_view payload, Clock::time_point deadline, const std::string& peer) {
  if (payload.size() > kMaxPayload) throw Error("frame to " + peer + " too large: " + std::to_string(payload.size()));
  const std::string header = encode_header(type, static_cast<std::uint32_t>(payload.size()));
  send_all(fd, header.data(), header.size(), deadline, peer);
  send_all(fd, payload.data(), payload.size(), deadline, peer);
}

Frame recv_frame(int fd, Clock::time_point deadline, const std::string& peer) {
  char header[kHeaderBytes];
  recv_all(fd, header, sizeof header, deadline, peer);
  const FrameHeader h = decode_header(std::string_view(header, sizeof header), kMaxPayload, peer);
  Frame frame;
  frame.type = h.type;
  frame.payload.resize(h.length);
  recv_all(fd, frame.payload.data(), h.length, deadline, peer);
  return frame;
}

std::string pack_strings(const std::vector<std::string>& items) {
  std::string out;
  put_u32(out, static_cast<std::uint32_t>(items.size()));
  for (const auto& item : items) {
    put_u32(out, static_cast<std::uint32_t>(item.size()));
    out += item;
  }
  return out;
}

std::vector<std::string> unpack_strings(std::string_view packed) {
  if (packed.size() < 4) throw Error("malformed string list: too short");
  const std::uint32_t count = get_u32(packed, 0);
  if (count > packed.size() / 4) throw Error("malformed string list: bad count");
  std::vector<std::string> items;
  items.reserve(count);
  std::size_t offset = 4;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (packed.size() - offset < 4) throw Error("malformed string list: truncated length");
    const std::uint32_t length = get_u32(packed, offset);
    offset += 4;
    if (packed.size() - offset < length) throw Error("malformed string list: truncated item");
    items.emplace_back(packed.substr(offset, length));
    offset += length;
  }
  if (offset != packed.size()) throw Error("malformed string list: trailing bytes");
  return items;
}

}  // namespace fabricperf::wire
