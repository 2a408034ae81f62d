#pragma once
// RAII owners for every verbs and rdma_cm handle. Each is a move-only unique_ptr with the
// matching destroy call as deleter; get() hands the raw pointer to verbs calls. Constructors
// that create a handle throw fabricperf::Error naming what was being created and why it failed.
#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace fabricperf::verbs {

namespace detail {
struct CloseDevice {
  bool owned = true;  // false: a context librdmacm owns (rdma_get_devices)
  void operator()(ibv_context* p) const noexcept;
};
struct DeallocPd { void operator()(ibv_pd* p) const noexcept; };
struct DeregMr { void operator()(ibv_mr* p) const noexcept; };
struct DestroyCq { void operator()(ibv_cq* p) const noexcept; };
struct DestroyCompChannel { void operator()(ibv_comp_channel* p) const noexcept; };
struct DestroyQp { void operator()(ibv_qp* p) const noexcept; };
struct DestroyAh { void operator()(ibv_ah* p) const noexcept; };
struct DestroyEventChannel { void operator()(rdma_event_channel* p) const noexcept; };
struct DestroyCmId { void operator()(rdma_cm_id* p) const noexcept; };
}  // namespace detail

// The device list from ibv_get_device_list.
class DeviceList {
 public:
  DeviceList();  // throws Error when verbs is unavailable
  [[nodiscard]] std::size_t size() const noexcept { return count_; }
  [[nodiscard]] ibv_device* operator[](std::size_t i) const noexcept { return list_.get()[i]; }
  [[nodiscard]] std::vector<std::string> names() const;
  // nullptr when absent.
  [[nodiscard]] ibv_device* find(const std::string& name) const noexcept;

 private:
  struct Free { void operator()(ibv_device** p) const noexcept { ibv_free_device_list(p); } };
  std::unique_ptr<ibv_device*, Free> list_;
  std::size_t count_ = 0;
};

class Context {
 public:
  Context() = default;
  explicit Context(ibv_device* device);                  // ibv_open_device
  static Context adopt(ibv_context* raw) noexcept;       // takes ownership of an opened context
  static Context borrow(ibv_context* raw) noexcept;      // never closes it (rdma_cm's contexts)
  [[nodiscard]] ibv_context* get() const noexcept { return ctx_.get(); }
  explicit operator bool() const noexcept { return ctx_ != nullptr; }

 private:
  std::unique_ptr<ibv_context, detail::CloseDevice> ctx_;
};

class ProtectionDomain {
 public:
  ProtectionDomain() = default;
  explicit ProtectionDomain(ibv_context* ctx);
  [[nodiscard]] ibv_pd* get() const noexcept { return pd_.get(); }

 private:
  std::unique_ptr<ibv_pd, detail::DeallocPd> pd_;
};

class MemoryRegion {
 public:
  MemoryRegion() = default;
  // ibv_reg_mr(pd, addr, length, access).
  MemoryRegion(ibv_pd* pd, void* addr, std::size_t length, int access);
  // Owns an MR registered elsewhere (ibv_reg_dmabuf_mr, ibv_reg_mr_iova2, ...); nullptr throws.
  explicit MemoryRegion(ibv_mr* registered);
  [[nodiscard]] ibv_mr* get() const noexcept { return mr_.get(); }
  [[nodiscard]] std::uint32_t lkey() const noexcept { return mr_->lkey; }
  [[nodiscard]] std::uint32_t rkey() const noexcept { return mr_->rkey; }
  explicit operator bool() const noexcept { return mr_ != nullptr; }

 private:
  std::unique_ptr<ibv_mr, detail::DeregMr> mr_;
};

class CompletionChannel {
 public:
  CompletionChannel() = default;
  explicit CompletionChannel(ibv_context* ctx);
  [[nodiscard]] ibv_comp_channel* get() const noexcept { return ch_.get(); }

 private:
  std::unique_ptr<ibv_comp_channel, detail::DestroyCompChannel> ch_;
};

class CompletionQueue {
 public:
  CompletionQueue() = default;
  CompletionQueue(ibv_context* ctx, int entries, ibv_comp_channel* channel = nullptr);
  [[nodiscard]] ibv_cq* get() const noexcept { return cq_.get(); }

 private:
  std::unique_ptr<ibv_cq, detail::DestroyCq> cq_;
};

class QueuePair {
 public:
  QueuePair() = default;
  QueuePair(ibv_pd* pd, ibv_qp_init_attr& attr);          // ibv_create_qp
  static QueuePair adopt(ibv_qp* raw) noexcept;           // e.g. not used with rdma_cm (cm owns its QP)
  [[nodiscard]] ibv_qp* get() const noexcept { return qp_.get(); }
  [[nodiscard]] std::uint32_t qpn() const noexcept { return qp_->qp_num; }

 private:
  std::unique_ptr<ibv_qp, detail::DestroyQp> qp_;
};

class AddressHandle {
 public:
  AddressHandle() = default;
  AddressHandle(ibv_pd* pd, ibv_ah_attr& attr);
  [[nodiscard]] ibv_ah* get() const noexcept { return ah_.get(); }

 private:
  std::unique_ptr<ibv_ah, detail::DestroyAh> ah_;
};

class CmEventChannel {
 public:
  CmEventChannel();  // rdma_create_event_channel
  [[nodiscard]] rdma_event_channel* get() const noexcept { return ch_.get(); }

 private:
  std::unique_ptr<rdma_event_channel, detail::DestroyEventChannel> ch_;
};

// An rdma_cm id; destroying it also destroys a QP created with rdma_create_qp on it.
class CmId {
 public:
  CmId() = default;
  CmId(rdma_event_channel* channel, rdma_port_space ps = RDMA_PS_TCP);
  static CmId adopt(rdma_cm_id* raw) noexcept;  // ids delivered by CONNECT_REQUEST events
  [[nodiscard]] rdma_cm_id* get() const noexcept { return id_.get(); }

 private:
  std::unique_ptr<rdma_cm_id, detail::DestroyCmId> id_;
};

}  // namespace fabricperf::verbs
