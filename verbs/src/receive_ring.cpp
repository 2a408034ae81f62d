#include "fabricperf/verbs/receive_ring.hpp"

#include <algorithm>
#include <string>

#include "fabricperf/error.hpp"

namespace fabricperf::verbs {
namespace {

int post_with_verbs(ibv_qp* qp, ibv_recv_wr* wr, ibv_recv_wr** bad) {
  return ibv_post_recv(qp, wr, bad);
}

}  // namespace

ReceiveRing::ReceiveRing(std::uint32_t num_qps, std::uint32_t capacity, std::uint64_t base_address,
                         std::size_t bytes_per_qp, std::uint32_t lkey, PostFn post)
    : capacity_(capacity),
      base_address_(base_address),
      bytes_per_qp_(bytes_per_qp),
      lkey_(lkey),
      post_(post != nullptr ? post : &post_with_verbs),
      wrs_(static_cast<std::size_t>(num_qps) * capacity),
      sges_(static_cast<std::size_t>(num_qps) * capacity),
      posted_(static_cast<std::size_t>(num_qps) * capacity, 0),
      outstanding_(num_qps, 0) {
  for (std::uint32_t q = 0; q < num_qps; ++q)
    for (std::uint32_t j = 0; j < capacity; ++j) {
      const std::size_t i = index(q, j);
      sges_[i].lkey = lkey_;
      wrs_[i].wr_id = wr_id(q, j);
      wrs_[i].sg_list = &sges_[i];
      wrs_[i].num_sge = 1;
    }
}

void ReceiveRing::top_up(ibv_qp* qp, std::uint32_t q, std::uint32_t depth, std::uint32_t slots) {
  if (q >= outstanding_.size()) throw Error("internal: receive ring has no QP " + std::to_string(q));
  depth = std::min(depth, capacity_);
  slots = std::max<std::uint32_t>(1, slots);
  const std::size_t slot_bytes = bytes_per_qp_ / slots;
  if (slot_bytes == 0)
    throw Error("internal: " + std::to_string(slots) + " receive slots in a " + std::to_string(bytes_per_qp_) +
                "-byte region");
  const std::uint64_t region = base_address_ + static_cast<std::uint64_t>(q) * bytes_per_qp_;
  for (std::uint32_t j = 0; j < depth && outstanding_[q] < depth; ++j) {
    const std::size_t i = index(q, j);
    if (posted_[i] != 0) continue;
    sges_[i].addr = region + (j % slots) * slot_bytes;
    sges_[i].length = static_cast<std::uint32_t>(std::min<std::size_t>(slot_bytes, 0xffffffffU));
    if (const int rc = repost(qp, q, j); rc != 0)
      throw_errno(
          "posting receive " + std::to_string(j) + " of " + std::to_string(depth) + " on QP " + std::to_string(q), rc);
  }
}

int ReceiveRing::repost(ibv_qp* qp, std::uint32_t q, std::uint32_t j) noexcept {
  const std::size_t i = index(q, j);
  ibv_recv_wr* bad = nullptr;
  const int rc = post_(qp, &wrs_[i], &bad);
  if (rc == 0) {
    posted_[i] = 1;
    ++outstanding_[q];
  }
  return rc;
}

}  // namespace fabricperf::verbs
