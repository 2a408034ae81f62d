// Provider choice, fallback order and the diagnosis for every failure combination, on made-up
// capabilities and a scripted "attempt" callback: no GPU, no NIC.
#include <gtest/gtest.h>

#include <cerrno>
#include <map>

#include "fabricperf/gdr/registration.hpp"

using namespace fabricperf;
using namespace fabricperf::gdr;

namespace {

// A host where everything works: CUDA with one GPU, kernel 6.1, open module, peermem loaded.
GpuCapabilities good_host() {
  GpuCapabilities c;
  c.cuda_built = true;
  c.cuda_driver = true;
  c.cuda_devices = 1;
  c.device_dmabuf = Tri::yes;
  c.device_gdr = Tri::yes;
  c.kernel_release = "6.1.0-18-amd64";
  c.kernel_dmabuf_version = Tri::yes;
  c.kernel_dma_shared_buffer = Tri::yes;
  c.nvidia_driver_version = "550.54.15";
  c.nvidia_open_module = Tri::yes;
  c.peermem_loaded = Tri::yes;
  c.nic_dmabuf = Tri::yes;
  c.nic = "mlx5_0";
  return c;
}

RegistrationTarget target() {
  return {0, "0000:17:00.0", "mlx5_0", "node1"};
}

// Scripted attempts: a path absent from the map succeeds; calls are recorded.
struct Script {
  std::map<RegistrationPath, AttemptError> failures;
  std::vector<RegistrationPath> calls;
  AttemptFunction fn() {
    return [this](RegistrationPath p) -> std::optional<AttemptError> {
      calls.push_back(p);
      if (auto it = failures.find(p); it != failures.end()) return it->second;
      return std::nullopt;
    };
  }
};

Diagnosis expect_failure(MemoryKind kind, const GpuCapabilities& caps, Script& script) {
  try {
    (void)register_with_fallback(kind, caps, target(), script.fn());
  } catch (const RegistrationError& e) {
    EXPECT_EQ(std::string(e.what()), e.diagnosis().message());
    EXPECT_EQ(e.diagnosis().message().find('\n'), std::string::npos) << "one line";
    return e.diagnosis();
  }
  ADD_FAILURE() << "registration did not fail";
  return {};
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST(RegistrationPaths, OrderPerKind) {
  using P = RegistrationPath;
  EXPECT_EQ(registration_paths(MemoryKind::host), std::vector<P>{P::host});
  EXPECT_EQ(registration_paths(MemoryKind::cuda_host), std::vector<P>{P::host});
  EXPECT_EQ(registration_paths(MemoryKind::cuda), (std::vector<P>{P::dmabuf, P::peermem}));
  EXPECT_EQ(registration_paths(MemoryKind::cuda_dmabuf), std::vector<P>{P::dmabuf});
  EXPECT_EQ(registration_paths(MemoryKind::cuda_peermem), std::vector<P>{P::peermem});
}

TEST(Registration, CudaPrefersDmabuf) {
  Script s;
  const auto out = register_with_fallback(MemoryKind::cuda, good_host(), target(), s.fn());
  EXPECT_EQ(out.used, RegistrationPath::dmabuf);
  EXPECT_EQ(s.calls, std::vector<RegistrationPath>{RegistrationPath::dmabuf});
  ASSERT_EQ(out.attempts.size(), 1u);
  EXPECT_EQ(out.attempts[0].outcome, Attempt::Outcome::ok);
  const Check c = out.to_check(MemoryKind::cuda, target());
  EXPECT_EQ(c.status, CheckStatus::pass);
  EXPECT_EQ(c.measured["path"], "dma-buf");
  EXPECT_EQ(c.labels["gpu"], 0);
  EXPECT_EQ(c.labels["device"], "mlx5_0");
}

TEST(Registration, CudaFallsBackToPeermemWhenTheDmabufExportFails) {
  Script s;
  s.failures[RegistrationPath::dmabuf] = {"cuMemGetHandleForAddressRange", 801,
                                          "CUDA_ERROR_NOT_SUPPORTED: operation not supported"};
  const auto out = register_with_fallback(MemoryKind::cuda, good_host(), target(), s.fn());
  EXPECT_EQ(out.used, RegistrationPath::peermem);
  EXPECT_EQ(s.calls, (std::vector<RegistrationPath>{RegistrationPath::dmabuf, RegistrationPath::peermem}));
  ASSERT_EQ(out.attempts.size(), 2u);
  EXPECT_EQ(out.attempts[0].outcome, Attempt::Outcome::failed);
  EXPECT_TRUE(has(out.attempts[0].why.reason, "cannot export this memory as dma-buf"));
  const Check c = out.to_check(MemoryKind::cuda, target());
  EXPECT_EQ(c.status, CheckStatus::pass);
  EXPECT_TRUE(has(c.detail, "registered with nvidia-peermem")) << c.detail;
  EXPECT_TRUE(has(c.detail, "dma-buf failed")) << c.detail;
  EXPECT_EQ(c.measured["attempts"][0]["error"]["call"], "cuMemGetHandleForAddressRange");
}

TEST(Registration, CudaFallsBackWhenTheNicRejectsDmabufAtRuntime) {
  GpuCapabilities caps = good_host();
  caps.nic_dmabuf = Tri::unknown;  // not probed: only the attempt tells
  Script s;
  s.failures[RegistrationPath::dmabuf] = {"ibv_reg_dmabuf_mr", EOPNOTSUPP, "Operation not supported"};
  const auto out = register_with_fallback(MemoryKind::cuda, caps, target(), s.fn());
  EXPECT_EQ(out.used, RegistrationPath::peermem);
  EXPECT_TRUE(has(out.attempts[0].why.reason, "mlx5_0's verbs provider does not support dma-buf"));
}

TEST(Registration, FactsSkipDmabufWithoutTryingIt) {
  GpuCapabilities caps = good_host();
  caps.device_dmabuf = Tri::no;
  Script s;
  const auto out = register_with_fallback(MemoryKind::cuda, caps, target(), s.fn());
  EXPECT_EQ(out.used, RegistrationPath::peermem);
  EXPECT_EQ(s.calls, std::vector<RegistrationPath>{RegistrationPath::peermem});
  EXPECT_EQ(out.attempts[0].outcome, Attempt::Outcome::skipped);
  EXPECT_TRUE(has(out.attempts[0].why.reason, "CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED=0"));
}

TEST(Registration, UnknownFactsAreTried) {
  GpuCapabilities caps = good_host();
  caps.device_dmabuf = caps.kernel_dmabuf_version = caps.kernel_dma_shared_buffer = Tri::unknown;
  caps.nic_dmabuf = caps.peermem_loaded = caps.nvidia_open_module = Tri::unknown;
  Script s;
  EXPECT_EQ(register_with_fallback(MemoryKind::cuda, caps, target(), s.fn()).used, RegistrationPath::dmabuf);
}

TEST(Diagnosis, ProprietaryModuleAndNoPeermem) {
  GpuCapabilities caps = good_host();
  caps.device_dmabuf = Tri::no;
  caps.nvidia_open_module = Tri::no;
  caps.peermem_loaded = Tri::no;
  Script s;
  const Diagnosis d = expect_failure(MemoryKind::cuda, caps, s);
  EXPECT_TRUE(s.calls.empty()) << "nothing to try";
  const std::string m = d.message();
  EXPECT_TRUE(has(m, "cannot register GPU 0 (0000:17:00.0) memory with mlx5_0 on node1 (--mem cuda)")) << m;
  EXPECT_TRUE(has(m, "dma-buf: the CUDA driver reports no dma-buf support")) << m;
  EXPECT_TRUE(has(m, "proprietary kernel module")) << m;
  EXPECT_TRUE(has(m, "nvidia-peermem: nvidia_peermem is not loaded")) << m;
  EXPECT_TRUE(has(m, "To fix: load the open NVIDIA kernel module")) << m;
  EXPECT_TRUE(has(m, "; or sudo modprobe nvidia_peermem")) << m;
}

TEST(Diagnosis, OldKernelWithoutDmabufAndPeermemFailing) {
  GpuCapabilities caps = good_host();
  caps.kernel_release = "5.4.0-150-generic";
  caps.kernel_dmabuf_version = Tri::no;
  Script s;
  s.failures[RegistrationPath::peermem] = {"ibv_reg_mr", EFAULT, "Bad address"};
  caps.topology_hint = "ACS request redirect enabled on 0000:16:02.0 between GPU 0 and mlx5_0";
  const Diagnosis d = expect_failure(MemoryKind::cuda, caps, s);
  EXPECT_EQ(s.calls, std::vector<RegistrationPath>{RegistrationPath::peermem});
  const std::string m = d.message();
  EXPECT_TRUE(has(m, "kernel 5.4.0-150-generic is older than 5.12")) << m;
  EXPECT_TRUE(has(m, "nvidia_peermem is loaded but did not take the range")) << m;
  EXPECT_TRUE(has(m, "ibv_reg_mr failed: Bad address")) << m;
  EXPECT_TRUE(has(m, "boot a kernel >= 5.12")) << m;
  EXPECT_TRUE(has(m, "ACS request redirect")) << m;
}

TEST(Diagnosis, KernelWithoutDmaSharedBuffer) {
  GpuCapabilities caps = good_host();
  caps.kernel_dma_shared_buffer = Tri::no;
  Script s;
  const Diagnosis d = expect_failure(MemoryKind::cuda_dmabuf, caps, s);
  EXPECT_TRUE(has(d.message(), "without CONFIG_DMA_SHARED_BUFFER")) << d.message();
  EXPECT_TRUE(has(d.message(), "(--mem cuda-dmabuf)")) << d.message();
}

TEST(Diagnosis, NicWithoutDmabufSupport) {
  GpuCapabilities caps = good_host();
  caps.nic_dmabuf = Tri::no;
  caps.nic = "rxe0";
  Script s;
  const Diagnosis d = expect_failure(MemoryKind::cuda_dmabuf, caps, s);
  EXPECT_TRUE(has(d.message(), "rxe0's verbs provider does not support dma-buf")) << d.message();
}

TEST(Diagnosis, DmabufExportRejectedAsInvalidIsReportedAsABug) {
  Script s;
  s.failures[RegistrationPath::dmabuf] = {"cuMemGetHandleForAddressRange", 1, "CUDA_ERROR_INVALID_VALUE"};
  const Diagnosis d = expect_failure(MemoryKind::cuda_dmabuf, good_host(), s);
  EXPECT_TRUE(has(d.message(), "fp_gdr bug")) << d.message();
}

TEST(Diagnosis, DmabufMappingFailsWithAcsHint) {
  GpuCapabilities caps = good_host();
  caps.topology_hint = "ACS redirect on the GPU-NIC path";
  Script s;
  s.failures[RegistrationPath::dmabuf] = {"ibv_reg_dmabuf_mr", EINVAL, "Invalid argument"};
  const Diagnosis d = expect_failure(MemoryKind::cuda_dmabuf, caps, s);
  EXPECT_TRUE(has(d.message(), "could not map the GPU's dma-buf")) << d.message();
  EXPECT_TRUE(has(d.message(), "topology: ACS redirect on the GPU-NIC path")) << d.message();
  EXPECT_EQ(d.message().find("ACS redirect on the GPU-NIC path"), d.message().rfind("ACS redirect on the GPU-NIC path"))
      << "hint once";
}

TEST(Diagnosis, PeermemOnlyWithoutModule) {
  GpuCapabilities caps = good_host();
  caps.peermem_loaded = Tri::no;
  Script s;
  const Diagnosis d = expect_failure(MemoryKind::cuda_peermem, caps, s);
  EXPECT_TRUE(s.calls.empty());
  EXPECT_TRUE(has(d.message(), "/sys/module/nvidia_peermem is missing")) << d.message();
  EXPECT_TRUE(has(d.message(), "modprobe nvidia_peermem")) << d.message();
}

TEST(Diagnosis, PeermemOutOfPinnableMemory) {
  Script s;
  s.failures[RegistrationPath::peermem] = {"ibv_reg_mr", ENOMEM, "Cannot allocate memory"};
  const Diagnosis d = expect_failure(MemoryKind::cuda_peermem, good_host(), s);
  EXPECT_TRUE(has(d.message(), "could not pin GPU memory")) << d.message();
  EXPECT_TRUE(has(d.message(), "ulimit -l")) << d.message();
}

TEST(Diagnosis, GpuWithoutGpudirectRdma) {
  GpuCapabilities caps = good_host();
  caps.device_gdr = Tri::no;
  Script s;
  const Diagnosis d = expect_failure(MemoryKind::cuda_peermem, caps, s);
  EXPECT_TRUE(has(d.message(), "GPU_DIRECT_RDMA_SUPPORTED=0")) << d.message();
}

TEST(Diagnosis, BothPathsFailAtRuntime) {
  Script s;
  s.failures[RegistrationPath::dmabuf] = {"ibv_reg_dmabuf_mr", EOPNOTSUPP, "Operation not supported"};
  s.failures[RegistrationPath::peermem] = {"ibv_reg_mr", EFAULT, "Bad address"};
  const Diagnosis d = expect_failure(MemoryKind::cuda, good_host(), s);
  EXPECT_EQ(s.calls.size(), 2u);
  ASSERT_EQ(d.attempts.size(), 2u);
  const std::string m = d.message();
  EXPECT_LT(m.find("dma-buf:"), m.find("nvidia-peermem:")) << m;
}

TEST(Diagnosis, HostMemoryOutOfLockedMemory) {
  Script s;
  s.failures[RegistrationPath::host] = {"ibv_reg_mr", ENOMEM, "Cannot allocate memory"};
  RegistrationTarget t{-1, "", "rxe0", ""};
  try {
    (void)register_with_fallback(MemoryKind::host, GpuCapabilities{}, t, s.fn());
    FAIL();
  } catch (const RegistrationError& e) {
    EXPECT_TRUE(has(e.what(), "cannot register memory with rxe0 (--mem host)")) << e.what();
    EXPECT_TRUE(has(e.what(), "ulimit -l unlimited")) << e.what();
  }
}

TEST(Diagnosis, CheckShape) {
  GpuCapabilities caps = good_host();
  caps.peermem_loaded = Tri::no;
  caps.device_dmabuf = Tri::no;
  Script s;
  const Check c = expect_failure(MemoryKind::cuda, caps, s).to_check();
  EXPECT_EQ(c.name, "gpu_memory_registration");
  EXPECT_EQ(c.status, CheckStatus::fail);
  EXPECT_EQ(c.expected, "dma-buf or nvidia-peermem");
  EXPECT_EQ(c.measured["mem"], "cuda");
  ASSERT_EQ(c.measured["attempts"].size(), 2u);
  EXPECT_EQ(c.measured["attempts"][0]["path"], "dma-buf");
  EXPECT_EQ(c.measured["attempts"][0]["outcome"], "skipped");
  EXPECT_TRUE(c.measured["attempts"][0].contains("remedy"));
  EXPECT_EQ(c.labels["gpu"], 0);
  EXPECT_EQ(c.labels["device"], "mlx5_0");
  EXPECT_EQ(c.labels["host"], "node1");
  const auto j = to_json(c);
  EXPECT_EQ(j["status"], "fail");
  EXPECT_FALSE(j["detail"].get<std::string>().empty());
}

TEST(CudaBlocker, EachPrecondition) {
  GpuCapabilities c;
  auto b = cuda_blocker(c);
  ASSERT_TRUE(b);
  EXPECT_TRUE(has(b->reason, "built without CUDA")) << b->reason;

  c.cuda_built = true;
  c.cuda_error = "libcuda.so.1 is not installed";
  b = cuda_blocker(c);
  ASSERT_TRUE(b);
  EXPECT_TRUE(has(b->reason, "no CUDA device: no CUDA driver (libcuda.so.1 is not installed)")) << b->reason;
  EXPECT_TRUE(has(b->remedy, "--mem host"));

  c.cuda_driver = true;
  c.cuda_error = "cudaGetDeviceCount: cudaErrorNoDevice: no CUDA-capable device is detected";
  b = cuda_blocker(c);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->reason.rfind("no CUDA device", 0), 0u) << b->reason;
  EXPECT_FALSE(has(b->reason, "driver")) << b->reason;

  c.cuda_devices = 2;
  c.cuda_error.clear();
  EXPECT_FALSE(cuda_blocker(c));
  EXPECT_TRUE(c.cuda_usable());
}

TEST(CudaBlocker, GpuPathsAreBlockedWithoutCudaButHostIsNot) {
  GpuCapabilities c;  // nothing
  EXPECT_TRUE(blocker_for(RegistrationPath::dmabuf, c));
  EXPECT_TRUE(blocker_for(RegistrationPath::peermem, c));
  EXPECT_FALSE(blocker_for(RegistrationPath::host, c));
}
