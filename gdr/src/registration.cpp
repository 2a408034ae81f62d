#include "fabricperf/gdr/registration.hpp"

#include <cerrno>

namespace fabricperf::gdr {

namespace {

// CUresult values (cuda.h) that explain_failure recognises; the header is not needed here.
constexpr int kCudaErrorInvalidValue = 1;
constexpr int kCudaErrorNotSupported = 801;

void append(std::string& to, const std::string& text, const char* sep) {
  if (text.empty()) return;
  if (!to.empty()) to += sep;
  to += text;
}

std::string nic_name(const GpuCapabilities& caps) {
  return caps.nic.empty() ? "the NIC" : caps.nic;
}

std::string with_hint(std::string remedy, const GpuCapabilities& caps) {
  if (!caps.topology_hint.empty()) append(remedy, "topology: " + caps.topology_hint, "; ");
  return remedy;
}

}  // namespace

std::vector<RegistrationPath> registration_paths(MemoryKind kind) {
  switch (kind) {
    case MemoryKind::host:
    case MemoryKind::cuda_host:
      return {RegistrationPath::host};
    case MemoryKind::cuda:
      return {RegistrationPath::dmabuf, RegistrationPath::peermem};
    case MemoryKind::cuda_dmabuf:
      return {RegistrationPath::dmabuf};
    case MemoryKind::cuda_peermem:
      return {RegistrationPath::peermem};
  }
  return {};
}

std::optional<Blocker> cuda_blocker(const GpuCapabilities& caps) {
  if (!caps.cuda_built)
    return Blocker{"fp_gdr was built without CUDA support",
                   "rebuild with the CUDA toolkit installed (cmake -DFABRICPERF_WITH_CUDA=ON)"};
  if (caps.cuda_driver_too_old)  // there may well be a GPU: the driver cannot run this runtime
    return Blocker{caps.cuda_error, "install the NVIDIA driver of this CUDA release or newer, or use --mem host"};
  if (!caps.cuda_driver)
    return Blocker{"no CUDA device: no CUDA driver" + (caps.cuda_error.empty() ? "" : " (" + caps.cuda_error + ")"),
                   "install the NVIDIA driver on a host with a GPU, or use --mem host"};
  if (caps.cuda_devices <= 0)
    return Blocker{"no CUDA device" + (caps.cuda_error.empty() ? "" : " (" + caps.cuda_error + ")"),
                   "run on a host with an NVIDIA GPU (check nvidia-smi), or use --mem host"};
  return std::nullopt;
}

std::optional<Blocker> blocker_for(RegistrationPath path, const GpuCapabilities& caps) {
  if (path == RegistrationPath::host) return std::nullopt;
  if (auto b = cuda_blocker(caps)) return b;
  Blocker b;
  if (path == RegistrationPath::dmabuf) {
    if (caps.kernel_dmabuf_version == Tri::no) {
      append(b.reason, "kernel " + caps.kernel_release + " is older than 5.12 (no RDMA dma-buf memory regions)", "; ");
      append(b.remedy, "boot a kernel >= 5.12", "; ");
    }
    if (caps.kernel_dma_shared_buffer == Tri::no) {
      append(b.reason, "the kernel is built without CONFIG_DMA_SHARED_BUFFER", "; ");
      append(b.remedy, "use a kernel with CONFIG_DMA_SHARED_BUFFER=y", "; ");
    }
    if (caps.device_dmabuf == Tri::no) {
      std::string r =
          "the CUDA driver reports no dma-buf support for this GPU (CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED=0";
      if (caps.nvidia_open_module == Tri::no) r += "; the proprietary kernel module is loaded";
      append(b.reason, r + ")", "; ");
      append(b.remedy,
             caps.nvidia_open_module == Tri::no ? "load the open NVIDIA kernel module (nvidia-open, driver r515+); the "
                                                  "proprietary module cannot export dma-buf"
                                                : "use NVIDIA driver r515+ with the open kernel module and CUDA 11.7+",
             "; ");
    }
    if (caps.nic_dmabuf == Tri::no) {
      append(b.reason, nic_name(caps) + "'s verbs provider does not support dma-buf memory regions", "; ");
      append(b.remedy, "use rdma-core >= 34 with a NIC driver that imports dma-buf (mlx5 on kernel >= 5.12)", "; ");
    }
  } else if (path == RegistrationPath::peermem) {
    if (caps.peermem_loaded == Tri::no) {
      append(b.reason, "nvidia_peermem is not loaded (/sys/module/nvidia_peermem is missing)", "; ");
      append(b.remedy, "sudo modprobe nvidia_peermem (it ships with the NVIDIA driver)", "; ");
    }
    if (caps.device_gdr == Tri::no) {
      append(b.reason, "the GPU reports no GPUDirect RDMA support (CU_DEVICE_ATTRIBUTE_GPU_DIRECT_RDMA_SUPPORTED=0)",
             "; ");
      append(b.remedy, "use a data-center GPU and driver that support GPUDirect RDMA", "; ");
    }
  }
  if (b.reason.empty()) return std::nullopt;
  return b;
}

Blocker explain_failure(RegistrationPath path, const AttemptError& error, const GpuCapabilities& caps) {
  const std::string failed = error.call + " failed: " + error.text;
  switch (path) {
    case RegistrationPath::host:
      if (error.code == ENOMEM)
        return {failed, "raise the locked-memory limit (ulimit -l unlimited, or LimitMEMLOCK=infinity)"};
      return {failed, "check that " + nic_name(caps) + " is usable (fp_info, ibv_devinfo)"};
    case RegistrationPath::dmabuf:
      if (error.call.rfind("cu", 0) == 0) {  // the CUDA export step
        if (error.code == kCudaErrorNotSupported)
          return {"the CUDA driver cannot export this memory as dma-buf (" + failed + ")",
                  "use the open NVIDIA kernel module (driver r515+) with CUDA 11.7+ and kernel >= 5.12"};
        if (error.code == kCudaErrorInvalidValue)
          return {"the CUDA driver rejected the dma-buf range (" + failed + ")",
                  "this is a fp_gdr bug (range not page aligned or outside the allocation): please report it"};
        return {failed, "check the NVIDIA driver (nvidia-smi, dmesg)"};
      }
      if (error.code == EOPNOTSUPP || error.code == EPROTONOSUPPORT || error.code == ENOSYS)
        return {nic_name(caps) + "'s verbs provider does not support dma-buf memory regions (" + failed + ")",
                "use rdma-core >= 34 with a NIC driver that imports dma-buf (mlx5 on kernel >= 5.12), or --mem "
                "cuda-peermem"};
      if (error.code == ENOMEM)
        return {"out of memory or GPU BAR1 space while mapping the dma-buf (" + failed + ")",
                with_hint("check BAR1 usage (nvidia-smi -q -d MEMORY) and the locked-memory limit (ulimit -l)", caps)};
      return {
          "the NIC could not map the GPU's dma-buf (" + failed + ")",
          with_hint("check dmesg; PCIe ACS redirection or a missing IOMMU passthrough can block peer-to-peer", caps)};
    case RegistrationPath::peermem:
      if (caps.peermem_loaded == Tri::no)
        return {"nvidia_peermem is not loaded, so the kernel cannot pin GPU memory (" + failed + ")",
                "sudo modprobe nvidia_peermem (it ships with the NVIDIA driver)"};
      if (error.code == ENOMEM)
        return {"could not pin GPU memory (" + failed + ")",
                with_hint("raise the locked-memory limit (ulimit -l) and check BAR1 usage (nvidia-smi -q -d MEMORY)",
                          caps)};
      if (error.code == EFAULT || error.code == EINVAL)
        return {"the kernel could not resolve the GPU address (" + failed + "): nvidia_peermem " +
                    (caps.peermem_loaded == Tri::yes ? "is loaded but did not take the range" : "may be missing"),
                with_hint("check dmesg for nvidia_peermem errors and that it matches the running NVIDIA driver", caps)};
      return {failed, with_hint("check dmesg for nvidia_peermem errors", caps)};
  }
  return {failed, ""};
}

std::string Diagnosis::message() const {
  std::string what = "cannot register ";
  if (target.gpu >= 0) {
    what += "GPU " + std::to_string(target.gpu);
    if (!target.gpu_bus_id.empty()) what += " (" + target.gpu_bus_id + ")";
    what += " memory";
  } else {
    what += "memory";
  }
  if (!target.nic.empty()) what += " with " + target.nic;
  if (!target.host.empty()) what += " on " + target.host;
  what += " (--mem " + std::string(to_string(kind)) + "): ";
  std::string reasons, remedies;
  for (const auto& a : attempts) {
    if (a.outcome == Attempt::Outcome::ok) continue;
    append(reasons, std::string(to_string(a.path)) + ": " + a.why.reason, "; ");
    if (remedies.find(a.why.remedy) == std::string::npos) append(remedies, a.why.remedy, "; or ");
  }
  if (reasons.empty()) reasons = "no registration path applies";
  std::string msg = what + reasons;
  if (!remedies.empty()) msg += ". To fix: " + remedies;
  if (!topology_hint.empty() && msg.find(topology_hint) == std::string::npos)
    msg += " (topology: " + topology_hint + ")";
  return msg;
}

namespace {

nlohmann::json attempts_json(const std::vector<Attempt>& attempts) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& a : attempts) {
    nlohmann::json j{{"path", std::string(to_string(a.path))},
                     {"outcome", a.outcome == Attempt::Outcome::ok       ? "ok"
                                 : a.outcome == Attempt::Outcome::failed ? "failed"
                                                                         : "skipped"}};
    if (a.error) j["error"] = {{"call", a.error->call}, {"code", a.error->code}, {"text", a.error->text}};
    if (!a.why.reason.empty()) j["reason"] = a.why.reason;
    if (!a.why.remedy.empty()) j["remedy"] = a.why.remedy;
    arr.push_back(std::move(j));
  }
  return arr;
}

nlohmann::json labels_of(const RegistrationTarget& t) {
  nlohmann::json l = nlohmann::json::object();
  if (t.gpu >= 0) l["gpu"] = t.gpu;
  if (!t.nic.empty()) l["device"] = t.nic;
  if (!t.host.empty()) l["host"] = t.host;
  return l;
}

std::string expected_of(MemoryKind kind) {
  std::string e;
  for (auto p : registration_paths(kind)) append(e, std::string(to_string(p)), " or ");
  return e;
}

}  // namespace

Check Diagnosis::to_check() const {
  Check c;
  c.name = "gpu_memory_registration";
  c.status = CheckStatus::fail;
  c.expected = expected_of(kind);
  c.measured = {{"mem", std::string(to_string(kind))}, {"attempts", attempts_json(attempts)}};
  c.detail = message();
  c.labels = labels_of(target);
  return c;
}

Check RegistrationOutcome::to_check(MemoryKind kind, const RegistrationTarget& target) const {
  Check c;
  c.name = "gpu_memory_registration";
  c.status = CheckStatus::pass;
  c.expected = expected_of(kind);
  c.measured = {{"mem", std::string(to_string(kind))},
                {"path", std::string(to_string(used))},
                {"attempts", attempts_json(attempts)}};
  c.detail = "registered with " + std::string(to_string(used));
  for (const auto& a : attempts) {
    if (a.outcome == Attempt::Outcome::ok) continue;
    c.detail += "; " + std::string(to_string(a.path)) + " " +
                (a.outcome == Attempt::Outcome::failed ? "failed" : "skipped") + ": " + a.why.reason;
  }
  c.labels = labels_of(target);
  return c;
}

RegistrationOutcome register_with_fallback(MemoryKind kind, const GpuCapabilities& caps,
                                           const RegistrationTarget& target, const AttemptFunction& attempt) {
  RegistrationOutcome out;
  for (const RegistrationPath path : registration_paths(kind)) {
    Attempt a;
    a.path = path;
    if (auto blocked = blocker_for(path, caps)) {
      a.outcome = Attempt::Outcome::skipped;
      a.why = std::move(*blocked);
      out.attempts.push_back(std::move(a));
      continue;
    }
    if (auto err = attempt(path)) {
      a.outcome = Attempt::Outcome::failed;
      a.why = explain_failure(path, *err, caps);
      a.error = std::move(err);
      out.attempts.push_back(std::move(a));
      continue;
    }
    a.outcome = Attempt::Outcome::ok;
    out.attempts.push_back(std::move(a));
    out.used = path;
    return out;
  }
  Diagnosis d;
  d.kind = kind;
  d.target = target;
  d.attempts = std::move(out.attempts);
  d.topology_hint = caps.topology_hint;
  throw RegistrationError(std::move(d));
}

}  // namespace fabricperf::gdr
