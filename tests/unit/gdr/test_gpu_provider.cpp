// GPU tests of the memory providers behind verbs' interface (label gpu; full build only: they
// need fpverbs). Copies, the validation pattern through verbs::Buffer, the registry entries,
// and, where an RDMA device exists, a real registration or its diagnosis.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <iostream>

#include "fabricperf/error.hpp"
#include "fabricperf/gdr/cuda.hpp"
#include "fabricperf/gdr/dmabuf_range.hpp"
#include "fabricperf/gdr/gpu_memory.hpp"
#include "fabricperf/verbs/device.hpp"
#include "fabricperf/verbs/pattern.hpp"

using namespace fabricperf;
using namespace fabricperf::gdr;

namespace {

bool have_gpu() {
  return cuda::availability().usable();
}

GpuMemoryConfig config(MemoryKind kind, std::vector<Check>* checks = nullptr) {
  GpuMemoryConfig c;
  c.kind = kind;
  c.gpu = 0;
  probe_system_facts(c.caps);
  fill_cuda_capabilities(c.caps, 0);
  c.target.gpu = 0;
  if (checks) c.on_registration = [checks](const Check& k) { checks->push_back(k); };
  return c;
}

}  // namespace

TEST(GpuProvider, DeviceBufferThroughTheVerbsInterface) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device: " << cuda::availability().error;
  auto provider = make_gpu_memory_provider(config(MemoryKind::cuda));
  EXPECT_EQ(provider->name(), "cuda");
  EXPECT_EQ(provider->describe()["gpu"], 0);
  auto buf = provider->allocate((1U << 20) + 1);
  EXPECT_EQ(buf->kind(), "cuda");
  EXPECT_FALSE(buf->host_accessible());
  EXPECT_GE(buf->size(), (1U << 20) + 1);
  EXPECT_EQ(buf->address() % kGpuPageSize, 0u);

  const std::uint64_t seed = verbs::message_seed(3, 1, 42);
  buf->fill_pattern(100, 5000, seed);
  EXPECT_FALSE(buf->check_pattern(100, 5000, seed).has_value());
  EXPECT_EQ(buf->check_pattern(100, 5000, seed + 1).value_or(999), 0u);
  std::vector<std::byte> host(5000), want(5000);
  buf->copy_out(100, host);
  verbs::fill_pattern(want, seed);
  EXPECT_EQ(host, want) << "the GPU kernel writes exactly the verbs pattern";

  host[1234] ^= std::byte{1};
  buf->copy_in(100, host);
  EXPECT_EQ(buf->check_pattern(100, 5000, seed).value_or(0), 1234u);
  buf->zero(0, buf->size());
  std::vector<std::byte> zeros(buf->size());
  buf->copy_out(0, zeros);
  EXPECT_TRUE(std::all_of(zeros.begin(), zeros.end(), [](std::byte b) { return b == std::byte{0}; }));
  EXPECT_THROW(buf->fill_pattern(buf->size() - 1, 2, seed), Error);
}

TEST(GpuProvider, PinnedHostBuffer) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device";
  auto provider = make_gpu_memory_provider(config(MemoryKind::cuda_host));
  auto buf = provider->allocate(10000);
  EXPECT_EQ(buf->kind(), "cuda-host");
  EXPECT_TRUE(buf->host_accessible());
  buf->fill_pattern(0, 10000, 9);
  std::vector<std::byte> want(10000);
  verbs::fill_pattern(want, 9);
  EXPECT_EQ(std::memcmp(buf->data(), want.data(), want.size()), 0);
  EXPECT_FALSE(buf->check_pattern(0, 10000, 9).has_value());
}

TEST(GpuProvider, RegistryNames) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device";
  verbs::MemoryProviderRegistry registry;
  add_gpu_memory_providers(registry);
  const auto names = registry.names();
  for (const char* n : {"cuda", "cuda-dmabuf", "cuda-peermem", "cuda-host"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  auto p = registry.create("cuda:0");
  EXPECT_EQ(p->allocate(1)->kind(), "cuda");
  EXPECT_THROW((void)registry.create("cuda:x"), UsageError);
}

// Only where the GPU machine also has an RDMA device: a real registration of device memory,
// or the diagnosis that explains why not. Either outcome is printed; a crash is the failure.
TEST(GpuProvider, RegistrationOnARealNicOrItsDiagnosis) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device";
  std::vector<std::string> nics;
  try {
    nics = verbs::available_devices();
  } catch (const Error&) {
  }
  if (nics.empty()) GTEST_SKIP() << "no RDMA device on this GPU machine";
  verbs::DeviceList list;
  verbs::Context ctx(list.find(nics[0]));
  verbs::ProtectionDomain pd(ctx.get());
  std::vector<Check> checks;
  auto cfg = config(MemoryKind::cuda, &checks);
  cfg.caps.nic = nics[0];
  cfg.caps.nic_dmabuf = probe_nic_dmabuf(pd.get());
  cfg.target.nic = nics[0];
  auto buf = make_gpu_memory_provider(cfg)->allocate(1U << 20);
  try {
    auto mr = buf->register_memory(pd.get(), IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
    EXPECT_TRUE(static_cast<bool>(mr));
    std::cout << "registered GPU memory with " << nics[0] << ": " << checks.back().detail << "\n";
  } catch (const RegistrationError& e) {
    std::cout << "diagnosis: " << e.what() << "\n";
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].name, "gpu_memory_registration");
}

// Issue 20 item 5: the dma-buf export works in the current context, so registering a buffer of
// the last GPU while GPU 0 is current must make the buffer's GPU current itself. Needs two GPUs
// and an RDMA device with dma-buf support.
TEST(GpuProvider, DmabufRegistrationOfAnotherGpusBuffer) {
  const auto a = cuda::availability();
  if (!a.usable() || a.devices < 2) GTEST_SKIP() << "needs two CUDA devices";
  std::vector<std::string> nics;
  try {
    nics = verbs::available_devices();
  } catch (const Error&) {
  }
  if (nics.empty()) GTEST_SKIP() << "no RDMA device on this GPU machine";
  verbs::DeviceList list;
  verbs::Context ctx(list.find(nics[0]));
  verbs::ProtectionDomain pd(ctx.get());
  const int last = a.devices - 1;
  auto cfg = config(MemoryKind::cuda_dmabuf);
  fill_cuda_capabilities(cfg.caps, last);
  cfg.gpu = cfg.target.gpu = last;
  cfg.caps.nic = cfg.target.nic = nics[0];
  cfg.caps.nic_dmabuf = probe_nic_dmabuf(pd.get());
  if (cfg.caps.nic_dmabuf != Tri::yes || cfg.caps.device_dmabuf != Tri::yes)
    GTEST_SKIP() << "no dma-buf path between GPU " << last << " and " << nics[0];
  auto buf = make_gpu_memory_provider(cfg)->allocate(1U << 20);
  cuda::DeviceScope current(0);
  auto mr = buf->register_memory(pd.get(), IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE);
  EXPECT_TRUE(static_cast<bool>(mr));
}
