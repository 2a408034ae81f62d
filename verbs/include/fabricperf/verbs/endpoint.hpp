#pragma once
// One device's side of a connection to one peer: PD, CQs, the data QPs, one registered data
// buffer (a region per QP) from any MemoryProvider, and the control channel. Engines run on it.
//
//   Endpoint ep(device, provider, config);
//   auto all = bootstrap.all_gather(serialize(std::vector{ep.local_info()}));
//   ep.connect(parse_endpoint_infos(all[peer])[0], bootstrap.describe_rank(peer));
#include <infiniband/verbs.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fabricperf/verbs/connection.hpp"
#include "fabricperf/verbs/control.hpp"
#include "fabricperf/verbs/device.hpp"
#include "fabricperf/verbs/handles.hpp"
#include "fabricperf/verbs/memory.hpp"
#include "fabricperf/verbs/qp_info.hpp"
#include "fabricperf/verbs/receive_ring.hpp"

namespace fabricperf::verbs {

struct EndpointConfig {
  QpOptions qp;                    // type (RC/UD), send/recv depth, inline size
  std::uint32_t num_qps = 1;
  std::size_t bytes_per_qp = 4096; // data region per QP (engines lay out slots in it)
  int send_cq_depth = 0;           // 0: num_qps * send_depth
  int recv_cq_depth = 0;           // 0: num_qps * recv_depth
  bool rdma_cm = false;            // data QPs come later from rdma_cm (attach_cm_qps)
};

class Endpoint {
 public:
  // `device` must outlive the endpoint. Checks RLIMIT_MEMLOCK for the data buffer first.
  Endpoint(const Device& device, MemoryProvider& memory, const EndpointConfig& config);
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  [[nodiscard]] EndpointInfo local_info() const;
  // Moves every QP to RTS towards `remote` (RC) or creates the address handle (UD). With
  // rdma_cm the data QPs are already connected (attach_cm_qps); only the control QP is.
  void connect(const EndpointInfo& remote, const std::string& peer);
  // rdma_cm: takes the connected ids whose QPs become data QP 0..n-1.
  void attach_cm_qps(std::vector<CmId> ids);

  [[nodiscard]] const PortSelection& port() const noexcept { return device_.selection(); }
  [[nodiscard]] const EndpointConfig& config() const noexcept { return config_; }
  [[nodiscard]] ibv_context* context() const noexcept { return device_.context(); }
  [[nodiscard]] ibv_pd* pd() const noexcept { return pd_.get(); }
  [[nodiscard]] ibv_cq* send_cq() const noexcept { return send_cq_.get(); }
  [[nodiscard]] ibv_cq* recv_cq() const noexcept { return recv_cq_.get(); }
  [[nodiscard]] std::uint32_t num_qps() const noexcept { return config_.num_qps; }
  [[nodiscard]] ibv_qp* qp(std::uint32_t i) const noexcept { return qp_ptrs_[i]; }
  [[nodiscard]] Buffer& buffer() const noexcept { return *buffer_; }
  [[nodiscard]] std::uint32_t lkey() const noexcept { return mr_.lkey(); }
  // Offset of QP i's region in buffer() and its local address.
  [[nodiscard]] std::size_t region_offset(std::uint32_t i) const noexcept { return i * config_.bytes_per_qp; }
  [[nodiscard]] std::uint64_t region_address(std::uint32_t i) const noexcept {
    return buffer_->address() + region_offset(i);
  }
  // The peer's matching QP and region (valid after connect).
  [[nodiscard]] const QpInfo& remote(std::uint32_t i) const noexcept { return remote_.data[i]; }
  [[nodiscard]] const EndpointInfo& remote_info() const noexcept { return remote_; }
  [[nodiscard]] ibv_ah* ah() const noexcept { return ah_.get(); }  // UD only
  [[nodiscard]] ControlChannel& control() noexcept { return *control_; }
  [[nodiscard]] const std::string& peer() const noexcept { return peer_; }
  [[nodiscard]] std::uint32_t max_inline() const noexcept { return max_inline_; }
  // The data QPs' posted receives, kept across engine runs (see receive_ring.hpp).
  [[nodiscard]] ReceiveRing& receives() noexcept { return receives_; }
  // Tops every data QP up to `depth` posted receives in `slots` slots of its region.
  void top_up_receives(std::uint32_t depth, std::uint32_t slots);

 private:
  const Device& device_;
  EndpointConfig config_;
  ProtectionDomain pd_;
  std::unique_ptr<Buffer> buffer_;
  MemoryRegion mr_;
  CompletionQueue send_cq_, recv_cq_;
  std::vector<QueuePair> qps_;
  std::vector<CmId> cm_ids_;  // rdma_cm: they own the data QPs
  std::vector<ibv_qp*> qp_ptrs_;
  std::vector<std::uint32_t> psns_;
  std::unique_ptr<ControlChannel> control_;
  EndpointInfo remote_;
  AddressHandle ah_;
  std::string peer_ = "peer";
  std::uint32_t max_inline_ = 0;
  ReceiveRing receives_;
};

}  // namespace fabricperf::verbs
