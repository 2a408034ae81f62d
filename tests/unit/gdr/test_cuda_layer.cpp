// The CUDA layer on a host that may have no GPU (CI, this build machine): availability never
// throws and explains itself; the pure helpers work everywhere.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "fabricperf/gdr/capabilities.hpp"
#include "fabricperf/gdr/cuda.hpp"
#include "fabricperf/gdr/registration.hpp"

using namespace fabricperf::gdr;

TEST(CudaLayer, AvailabilityExplainsItselfWithoutAGpu) {
  const auto a = cuda::availability();
  EXPECT_EQ(a.built, FABRICPERF_GDR_HAVE_CUDA != 0);
  if (a.usable()) GTEST_SKIP() << "this host has a GPU (test_gdr_gpu covers it)";
  EXPECT_FALSE(a.error.empty());
  GpuCapabilities caps;
  fill_cuda_capabilities(caps, 0);
  EXPECT_EQ(caps.cuda_built, a.built);
  EXPECT_EQ(caps.cuda_devices, 0);
  EXPECT_EQ(caps.device_dmabuf, Tri::unknown);
  const auto b = cuda_blocker(caps);
  ASSERT_TRUE(b.has_value());
  if (a.built) {
    EXPECT_NE(b->reason.find("no CUDA device"), std::string::npos) << b->reason;
  }
}

TEST(CudaLayer, OwnersRefuseWithoutAGpu) {
  if (cuda::availability().usable()) GTEST_SKIP() << "this host has a GPU";
  EXPECT_THROW(cuda::DeviceMemory(0, 4096), cuda::CudaError);
  EXPECT_THROW(cuda::PinnedHostMemory(0, 4096), cuda::CudaError);
  EXPECT_THROW(cuda::Stream(0), cuda::CudaError);
}

TEST(CudaLayer, NormalizeBusId) {
  EXPECT_EQ(cuda::normalize_bus_id("00000000:17:00.0"), "0000:17:00.0");
  EXPECT_EQ(cuda::normalize_bus_id("0000:AB:1F.3"), "0000:ab:1f.3");
  EXPECT_EQ(cuda::normalize_bus_id("17:00.0"), "0000:17:00.0");
  EXPECT_EQ(cuda::normalize_bus_id("0001:c1:00.0"), "0001:c1:00.0");
  EXPECT_EQ(cuda::normalize_bus_id("GPU-XYZ"), "gpu-xyz");
}

TEST(CudaLayer, FileDescriptorOwnsAndCloses) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  {
    cuda::FileDescriptor a(p[0]);
    cuda::FileDescriptor b(std::move(a));
    EXPECT_EQ(a.get(), -1);
    EXPECT_EQ(b.get(), p[0]);
  }
  EXPECT_EQ(::fcntl(p[0], F_GETFD), -1);
  ::close(p[1]);
}
