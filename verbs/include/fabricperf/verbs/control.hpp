#pragma once
// A small RC side channel between two endpoints, separate from the measured QPs: heartbeats
// from a transmitting side (so a passive side can tell a live peer from a dead one within
// --timeout) and the end-of-run message carrying per-QP message counts.
#include <infiniband/verbs.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "fabricperf/verbs/connection.hpp"
#include "fabricperf/verbs/handles.hpp"
#include "fabricperf/verbs/memory.hpp"
#include "fabricperf/verbs/qp_info.hpp"

namespace fabricperf::verbs {

enum class ControlType : std::uint32_t { heartbeat = 1, done = 2 };

struct ControlMessage {
  std::uint32_t magic = 0;
  ControlType type = ControlType::heartbeat;
  std::uint64_t epoch = 0;     // which run (size/phase) this belongs to
  std::uint32_t count_n = 0;   // entries used in counts
  std::uint32_t flags = 0;
  std::array<std::uint64_t, kMaxQpsPerEndpoint> counts{};  // messages sent per QP (done)
};

class ControlChannel {
 public:
  ControlChannel(ibv_context* ctx, ibv_pd* pd, const PortSelection& port);
  [[nodiscard]] QpInfo local_info() const;
  void connect(const QpInfo& remote, const std::string& peer);

  // Posts a message unless kSendSlots are still in flight (then returns false: a heartbeat can
  // be skipped). Never blocks.
  bool try_send(ControlType type, std::uint64_t epoch, std::span<const std::uint64_t> counts = {});
  // Sends and waits until it left (its completion), for at most `timeout_s`. Throws PeerError.
  void send(ControlType type, std::uint64_t epoch, std::span<const std::uint64_t> counts, double timeout_s);
  // Reaps completions; returns the next received message, if any. Throws PeerError on a
  // failed completion or a malformed message.
  [[nodiscard]] std::optional<ControlMessage> poll();
  // Sleeps until a control completion arrives or `timeout_ms` passes, using no CPU (completion
  // channel); for sides that only wait for the peer. Call poll() afterwards.
  void wait(int timeout_ms);

  [[nodiscard]] const std::string& peer() const noexcept { return peer_; }

 private:
  static constexpr std::uint32_t kSendSlots = 16;
  static constexpr std::uint32_t kRecvSlots = 64;
  static constexpr std::size_t kSlot = 1024;
  void post_recv(std::uint32_t slot);

  const PortSelection& port_;
  std::unique_ptr<Buffer> buffer_;
  MemoryRegion mr_;
  CompletionChannel channel_;
  CompletionQueue cq_;
  bool armed_ = false;
  QueuePair qp_;
  QpOptions options_;
  std::uint32_t psn_ = 0;
  std::uint64_t sent_ = 0, send_done_ = 0;
  std::array<ControlMessage, kRecvSlots> pending_{};
  std::uint32_t pending_head_ = 0, pending_count_ = 0;
  std::string peer_ = "peer";
};

}  // namespace fabricperf::verbs
