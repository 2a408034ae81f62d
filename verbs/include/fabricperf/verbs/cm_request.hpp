#pragma once
// What an rdma_cm connect request carries in its private data (-R): which QP it is for, and the
// listener's per-run key, which the initiator learned over the run's authenticated bootstrap. A
// request without the key comes from outside the run: the listener rejects it and keeps waiting.
#include <rdma/rdma_cma.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace fabricperf::verbs {

struct ConnectRequestData {
  std::uint32_t index = 0;
  std::array<char, 32> key{};
};
// An RC connect request has 56 bytes of private data over RoCE (92 over IB minus rdma_cm's 36).
static_assert(sizeof(ConnectRequestData) <= 56, "rdma_cm private data of an RC connect request");

// The private data for QP `index`; `key` must be 32 characters (random_secret()).
[[nodiscard]] ConnectRequestData connect_request_data(std::uint32_t index, const std::string& key);

// The QP index a connect request asks for when its private data carries `key`; nullopt for a
// request with no, short or other private data (compared in constant time).
[[nodiscard]] std::optional<std::uint32_t> authenticated_request_index(const rdma_cm_event& event,
                                                                       const std::string& key);

}  // namespace fabricperf::verbs
