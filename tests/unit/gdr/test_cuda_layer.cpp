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

TEST(CudaLayer, VersionText) {
  EXPECT_EQ(cuda::version_text(12040), "12.4");
  EXPECT_EQ(cuda::version_text(13000), "13.0");
  EXPECT_EQ(cuda::version_text(12090), "12.9");
}

// A driver older than the runtime (cudaErrorInsufficientDriver) is named as such, with both
// versions and the remedy, and the blocker says so instead of "no CUDA device".
TEST(CudaLayer, DriverOlderThanRuntimeIsNotNoDevice) {
  EXPECT_EQ(cuda::driver_too_old_message(12040, 13000),
            "CUDA driver 12.4 is older than the runtime 13.0: update the driver");
  EXPECT_EQ(cuda::driver_too_old_message(0, 13000),
            "the CUDA driver is older than the runtime 13.0: update the driver");
  GpuCapabilities caps;
  caps.cuda_built = true;
  caps.cuda_driver_too_old = true;
  caps.cuda_error = cuda::driver_too_old_message(12040, 13000);
  const auto b = cuda_blocker(caps);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->reason, "CUDA driver 12.4 is older than the runtime 13.0: update the driver");
  EXPECT_EQ(b->reason.find("no CUDA device"), std::string::npos) << b->reason;
  EXPECT_NE(b->remedy.find("driver"), std::string::npos) << b->remedy;
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
