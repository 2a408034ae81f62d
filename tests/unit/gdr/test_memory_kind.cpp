#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/gdr/memory_kind.hpp"

using namespace fabricperf;
using namespace fabricperf::gdr;

TEST(MemoryKind, ParsesEveryNameAndRoundTrips) {
  for (const auto& name : memory_kind_names()) EXPECT_EQ(to_string(parse_memory_kind(name)), name);
  EXPECT_EQ(parse_memory_kind("cuda-dmabuf"), MemoryKind::cuda_dmabuf);
  EXPECT_EQ(parse_memory_kind("cuda-peermem"), MemoryKind::cuda_peermem);
  EXPECT_EQ(parse_memory_kind("cuda-host"), MemoryKind::cuda_host);
  EXPECT_EQ(memory_kind_names().size(), 5u);
}

TEST(MemoryKind, RejectsUnknownNamesListingTheValidOnes) {
  try {
    (void)parse_memory_kind("gpu");
    FAIL() << "no exception";
  } catch (const UsageError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'gpu'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("host|cuda|cuda-dmabuf|cuda-peermem|cuda-host"), std::string::npos) << msg;
  }
  EXPECT_THROW((void)parse_memory_kind("CUDA"), UsageError);
  EXPECT_THROW((void)parse_memory_kind(""), UsageError);
}

TEST(MemoryKind, Classification) {
  EXPECT_FALSE(needs_cuda(MemoryKind::host));
  EXPECT_TRUE(needs_cuda(MemoryKind::cuda_host));
  EXPECT_TRUE(needs_cuda(MemoryKind::cuda));
  EXPECT_FALSE(is_device_memory(MemoryKind::cuda_host));
  EXPECT_FALSE(is_device_memory(MemoryKind::host));
  EXPECT_TRUE(is_device_memory(MemoryKind::cuda));
  EXPECT_TRUE(is_device_memory(MemoryKind::cuda_dmabuf));
  EXPECT_TRUE(is_device_memory(MemoryKind::cuda_peermem));
  EXPECT_EQ(to_string(RegistrationPath::dmabuf), "dma-buf");
  EXPECT_EQ(to_string(RegistrationPath::peermem), "nvidia-peermem");
}
