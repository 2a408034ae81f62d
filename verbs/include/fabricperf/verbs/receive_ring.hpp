#pragma once
// The receives posted on an endpoint's data QPs. They outlive one engine run: whatever a run
// leaves posted takes the next run's first messages, so they are owned by the endpoint, not by
// an engine, and every run tops the queue up instead of posting a fresh set (which overflowed
// the receive queue on an -a sweep and left receives sized for the previous message size).
//
// Receive j of QP q covers one slot of the QP's region: with `slots` slots, slot j % slots, each
// bytes_per_qp / slots long — a length that takes any message size the endpoint was built for.
// A receive keeps the place it was posted with until it completes, and offset() answers where
// its data landed, so a layout change between runs never misreads a stale receive.
//
//   ring.top_up(qp, q, depth, slots);                 // before a run (allocates nothing new)
//   ... wc = poll; ring.consumed(q, j); check at ring.offset(q, j); ring.repost(qp, q, j);
#include <infiniband/verbs.h>

#include <cstdint>
#include <vector>

namespace fabricperf::verbs {

class ReceiveRing {
 public:
  using PostFn = int (*)(ibv_qp*, ibv_recv_wr*, ibv_recv_wr**);

  ReceiveRing() = default;
  // capacity: receive queue depth of every QP; region q starts at base_address + q * bytes_per_qp
  // (buffer offset q * bytes_per_qp). post: ibv_post_recv unless a test injects one.
  ReceiveRing(std::uint32_t num_qps, std::uint32_t capacity, std::uint64_t base_address, std::size_t bytes_per_qp,
              std::uint32_t lkey, PostFn post = nullptr);
  // Work requests point into the ring's own vectors: movable (the storage moves), not copyable.
  ReceiveRing(const ReceiveRing&) = delete;
  ReceiveRing& operator=(const ReceiveRing&) = delete;
  ReceiveRing(ReceiveRing&&) noexcept = default;
  ReceiveRing& operator=(ReceiveRing&&) noexcept = default;
  ~ReceiveRing() = default;

  // Posts receives on QP q until `depth` (at most the capacity) are outstanding, using ids
  // 0..depth-1 that are not posted yet, laid out in `slots` slots. Throws Error on a post failure.
  void top_up(ibv_qp* qp, std::uint32_t q, std::uint32_t depth, std::uint32_t slots);
  // A receive completed: it is no longer posted.
  void consumed(std::uint32_t q, std::uint32_t j) noexcept {
    posted_[index(q, j)] = 0;
    --outstanding_[q];
  }
  // Posts receive j again at the place it had. Returns ibv_post_recv's result.
  int repost(ibv_qp* qp, std::uint32_t q, std::uint32_t j) noexcept;

  [[nodiscard]] static constexpr std::uint64_t wr_id(std::uint32_t q, std::uint32_t j) noexcept {
    return (static_cast<std::uint64_t>(q) << 32) | j;
  }
  [[nodiscard]] static constexpr std::uint32_t qp_of(std::uint64_t wr_id) noexcept {
    return static_cast<std::uint32_t>(wr_id >> 32);
  }
  [[nodiscard]] static constexpr std::uint32_t id_of(std::uint64_t wr_id) noexcept {
    return static_cast<std::uint32_t>(wr_id & 0xffffffffU);
  }
  // Buffer offset where receive j of QP q places its data (UD: the GRH comes first).
  [[nodiscard]] std::size_t offset(std::uint32_t q, std::uint32_t j) const noexcept {
    return static_cast<std::size_t>(sges_[index(q, j)].addr - base_address_);
  }
  [[nodiscard]] std::uint32_t length(std::uint32_t q, std::uint32_t j) const noexcept {
    return sges_[index(q, j)].length;
  }
  [[nodiscard]] std::uint32_t outstanding(std::uint32_t q) const noexcept { return outstanding_[q]; }
  [[nodiscard]] std::uint32_t capacity() const noexcept { return capacity_; }

 private:
  [[nodiscard]] std::size_t index(std::uint32_t q, std::uint32_t j) const noexcept {
    return static_cast<std::size_t>(q) * capacity_ + j;
  }
  std::uint32_t capacity_ = 0;
  std::uint64_t base_address_ = 0;
  std::size_t bytes_per_qp_ = 0;
  std::uint32_t lkey_ = 0;
  PostFn post_ = nullptr;
  std::vector<ibv_recv_wr> wrs_;
  std::vector<ibv_sge> sges_;
  std::vector<std::uint8_t> posted_;
  std::vector<std::uint32_t> outstanding_;
};

}  // namespace fabricperf::verbs
