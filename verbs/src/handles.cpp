#include "fabricperf/verbs/handles.hpp"

#include <cerrno>

#include "fabricperf/error.hpp"

namespace fabricperf::verbs {
namespace detail {
void CloseDevice::operator()(ibv_context* p) const noexcept {
  if (owned) ibv_close_device(p);
}
void DeallocPd::operator()(ibv_pd* p) const noexcept { ibv_dealloc_pd(p); }
void DeregMr::operator()(ibv_mr* p) const noexcept { ibv_dereg_mr(p); }
void DestroyCq::operator()(ibv_cq* p) const noexcept { ibv_destroy_cq(p); }
void DestroyCompChannel::operator()(ibv_comp_channel* p) const noexcept { ibv_destroy_comp_channel(p); }
void DestroyQp::operator()(ibv_qp* p) const noexcept { ibv_destroy_qp(p); }
void DestroyAh::operator()(ibv_ah* p) const noexcept { ibv_destroy_ah(p); }
void DestroyEventChannel::operator()(rdma_event_channel* p) const noexcept { rdma_destroy_event_channel(p); }
void DestroyCmId::operator()(rdma_cm_id* p) const noexcept {
  if (p->qp != nullptr) rdma_destroy_qp(p);
  rdma_destroy_id(p);
}
}  // namespace detail

namespace {
// Verbs calls report failures in errno, some return it instead; never report "Success".
int last_errno(int fallback = EIO) { return errno != 0 ? errno : fallback; }
}  // namespace

DeviceList::DeviceList() {
  int n = 0;
  errno = 0;
  list_.reset(ibv_get_device_list(&n));
  if (!list_) {
    // ENOSYS: no RDMA in this kernel at all; that is simply "no devices".
    if (errno == ENOSYS || errno == ENODEV || errno == ENOENT) {
      count_ = 0;
      return;
    }
    throw_errno("listing RDMA devices (ibv_get_device_list)", last_errno(ENODEV));
  }
  count_ = static_cast<std::size_t>(n);
}

std::vector<std::string> DeviceList::names() const {
  std::vector<std::string> out;
  if (!list_) return out;
  for (std::size_t i = 0; i < count_; ++i) out.emplace_back(ibv_get_device_name((*this)[i]));
  return out;
}

ibv_device* DeviceList::find(const std::string& name) const noexcept {
  if (!list_) return nullptr;
  for (std::size_t i = 0; i < count_; ++i)
    if (name == ibv_get_device_name((*this)[i])) return (*this)[i];
  return nullptr;
}

Context::Context(ibv_device* device) {
  errno = 0;
  ctx_.reset(ibv_open_device(device));
  if (!ctx_) throw_errno(std::string("opening RDMA device ") + ibv_get_device_name(device), last_errno());
}

Context Context::borrow(ibv_context* raw) noexcept {
  Context c;
  c.ctx_ = std::unique_ptr<ibv_context, detail::CloseDevice>(raw, detail::CloseDevice{false});
  return c;
}

Context Context::adopt(ibv_context* raw) noexcept {
  Context c;
  c.ctx_.reset(raw);
  return c;
}

ProtectionDomain::ProtectionDomain(ibv_context* ctx) {
  errno = 0;
  pd_.reset(ibv_alloc_pd(ctx));
  if (!pd_) throw_errno(std::string("allocating a protection domain on ") + ctx->device->name, last_errno());
}

MemoryRegion::MemoryRegion(ibv_pd* pd, void* addr, std::size_t length, int access) {
  errno = 0;
  mr_.reset(ibv_reg_mr(pd, addr, length, access));
  if (!mr_)
    throw_errno("registering " + std::to_string(length) + " bytes of memory on " + pd->context->device->name +
                    " (ibv_reg_mr; check ulimit -l)",
                last_errno());
}

MemoryRegion::MemoryRegion(ibv_mr* registered) {
  if (registered == nullptr) throw Error("MemoryRegion: null ibv_mr (registration failed)");
  mr_.reset(registered);
}

CompletionChannel::CompletionChannel(ibv_context* ctx) {
  errno = 0;
  ch_.reset(ibv_create_comp_channel(ctx));
  if (!ch_) throw_errno(std::string("creating a completion channel on ") + ctx->device->name, last_errno());
}

CompletionQueue::CompletionQueue(ibv_context* ctx, int entries, ibv_comp_channel* channel) {
  errno = 0;
  cq_.reset(ibv_create_cq(ctx, entries, nullptr, channel, 0));
  if (!cq_)
    throw_errno("creating a completion queue of " + std::to_string(entries) + " entries on " + ctx->device->name,
                last_errno());
}

QueuePair::QueuePair(ibv_pd* pd, ibv_qp_init_attr& attr) {
  errno = 0;
  qp_.reset(ibv_create_qp(pd, &attr));
  if (!qp_)
    throw_errno("creating a queue pair (send depth " + std::to_string(attr.cap.max_send_wr) + ", receive depth " +
                    std::to_string(attr.cap.max_recv_wr) + ", inline " + std::to_string(attr.cap.max_inline_data) +
                    ") on " + pd->context->device->name,
                last_errno());
}

QueuePair QueuePair::adopt(ibv_qp* raw) noexcept {
  QueuePair q;
  q.qp_.reset(raw);
  return q;
}

AddressHandle::AddressHandle(ibv_pd* pd, ibv_ah_attr& attr) {
  errno = 0;
  ah_.reset(ibv_create_ah(pd, &attr));
  if (!ah_) throw_errno(std::string("creating an address handle on ") + pd->context->device->name, last_errno());
}

CmEventChannel::CmEventChannel() {
  errno = 0;
  ch_.reset(rdma_create_event_channel());
  if (!ch_) throw_errno("creating an rdma_cm event channel", last_errno());
}

CmId::CmId(rdma_event_channel* channel, rdma_port_space ps) {
  rdma_cm_id* raw = nullptr;
  if (rdma_create_id(channel, &raw, nullptr, ps) != 0) throw_errno("creating an rdma_cm id", last_errno());
  id_.reset(raw);
}

CmId CmId::adopt(rdma_cm_id* raw) noexcept {
  CmId c;
  c.id_.reset(raw);
  return c;
}

}  // namespace fabricperf::verbs
