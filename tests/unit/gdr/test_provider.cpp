// The GPU memory provider on a host without CUDA: it refuses at once with the reason, and the
// registry entries parse their GPU argument.
#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/gdr/cuda.hpp"
#include "fabricperf/gdr/gpu_memory.hpp"

using namespace fabricperf;
using namespace fabricperf::gdr;

TEST(Provider, RefusesHostKind) {
  GpuMemoryConfig c;
  c.kind = MemoryKind::host;
  EXPECT_THROW((void)make_gpu_memory_provider(c), UsageError);
}

TEST(Provider, RefusesWithoutCudaNamingWhy) {
  GpuMemoryConfig c;
  c.kind = MemoryKind::cuda;
  c.caps.cuda_built = true;
  c.caps.cuda_error = "libcuda.so.1 is not installed";
  try {
    (void)make_gpu_memory_provider(c);
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("--mem cuda: no CUDA device: no CUDA driver (libcuda.so.1 is not installed)"), std::string::npos)
        << m;
  }
}

TEST(Provider, RegistryRejectsABadGpuArgument) {
  verbs::MemoryProviderRegistry registry;
  add_gpu_memory_providers(registry);
  EXPECT_THROW((void)registry.create("cuda:one"), UsageError);
  EXPECT_THROW((void)registry.create("cuda-host:-1"), UsageError);
  if (!cuda::availability().usable()) {
    EXPECT_THROW((void)registry.create("cuda:0"), Error);
  }
}
