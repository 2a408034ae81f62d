// probe_system_facts on fake /proc, /sys and /boot trees.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fabricperf/gdr/capabilities.hpp"

using namespace fabricperf;
using namespace fabricperf::gdr;
namespace fs = std::filesystem;

namespace {

class FakeHost : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("fp_gdr_caps_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "proc/sys/kernel");
    fs::create_directories(root_ / "sys/module/ib_core");
    fs::create_directories(root_ / "boot");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  GpuCapabilities probe() {
    GpuCapabilities c;
    SystemRoots roots;
    roots.proc = (root_ / "proc").string();
    roots.sys = (root_ / "sys").string();
    probe_system_facts(c, roots, (root_ / "boot").string());
    return c;
  }
  fs::path root_;
};

}  // namespace

TEST_F(FakeHost, ModernHostWithOpenModuleAndPeermem) {
  write("proc/sys/kernel/osrelease", "6.1.0-18-amd64\n");
  write("boot/config-6.1.0-18-amd64", "# comment\nCONFIG_DMA_SHARED_BUFFER=y\nCONFIG_X=m\n");
  write("proc/driver/nvidia/version",
        "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.54.15  Release Build  (dvs-builder@U16)\n"
        "GCC version:  gcc version 12.2.0\n");
  fs::create_directories(root_ / "sys/module/nvidia_peermem");
  const auto c = probe();
  EXPECT_EQ(c.kernel_release, "6.1.0-18-amd64");
  EXPECT_EQ(c.kernel_dmabuf_version, Tri::yes);
  EXPECT_EQ(c.kernel_dma_shared_buffer, Tri::yes);
  EXPECT_EQ(c.nvidia_open_module, Tri::yes);
  EXPECT_EQ(c.nvidia_driver_version, "550.54.15");
  EXPECT_EQ(c.peermem_loaded, Tri::yes);
}

TEST_F(FakeHost, OldKernelProprietaryModuleNoPeermem) {
  write("proc/sys/kernel/osrelease", "5.4.0-150-generic\n");
  write("boot/config-5.4.0-150-generic", "# CONFIG_DMA_SHARED_BUFFER is not set\n");
  write("proc/driver/nvidia/version", "NVRM version: NVIDIA UNIX x86_64 Kernel Module  470.223.02  Sat Oct  7 2023\n");
  const auto c = probe();
  EXPECT_EQ(c.kernel_dmabuf_version, Tri::no);
  EXPECT_EQ(c.kernel_dma_shared_buffer, Tri::no);
  EXPECT_EQ(c.nvidia_open_module, Tri::no);
  EXPECT_EQ(c.nvidia_driver_version, "470.223.02");
  EXPECT_EQ(c.peermem_loaded, Tri::no);
}

TEST_F(FakeHost, LegacyNvPeerMemCounts) {
  write("proc/sys/kernel/osrelease", "6.8.0\n");
  fs::create_directories(root_ / "sys/module/nv_peer_mem");
  const auto c = probe();
  EXPECT_EQ(c.peermem_loaded, Tri::yes);
  EXPECT_EQ(c.nvidia_open_module, Tri::unknown) << "no NVIDIA driver loaded";
  EXPECT_EQ(c.kernel_dma_shared_buffer, Tri::unknown) << "no config anywhere";
}

TEST_F(FakeHost, ProcConfigGzWhenBootHasNone) {
  write("proc/sys/kernel/osrelease", "6.18.0\n");
  write("plain-config", "CONFIG_DMA_SHARED_BUFFER=y\n");
  const std::string cmd =
      "gzip -c '" + (root_ / "plain-config").string() + "' > '" + (root_ / "proc/config.gz").string() + "' 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "no gzip";
  const auto c = probe();
#if FABRICPERF_GDR_TEST_HAVE_ZLIB
  EXPECT_EQ(c.kernel_dma_shared_buffer, Tri::yes);
#else
  EXPECT_NE(c.kernel_dma_shared_buffer, Tri::no);
#endif
}

TEST_F(FakeHost, NothingReadableMeansUnknown) {
  fs::remove_all(root_ / "sys/module");
  const auto c = probe();
  EXPECT_EQ(c.kernel_release, "");
  EXPECT_EQ(c.kernel_dmabuf_version, Tri::unknown);
  EXPECT_EQ(c.peermem_loaded, Tri::unknown);
}

TEST(Capabilities, KernelVersionCompare) {
  EXPECT_TRUE(kernel_at_least("5.12.0", 5, 12));
  EXPECT_TRUE(kernel_at_least("6.1.0-18-amd64", 5, 12));
  EXPECT_FALSE(kernel_at_least("5.11.22", 5, 12));
  EXPECT_FALSE(kernel_at_least("4.19.0", 5, 12));
  EXPECT_FALSE(kernel_at_least("garbage", 5, 12));
}

TEST(Capabilities, KernelConfigValue) {
  const std::string cfg = "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_AB=m\n";
  EXPECT_EQ(kernel_config_value(cfg, "CONFIG_A"), "y");
  EXPECT_EQ(kernel_config_value(cfg, "CONFIG_AB"), "m");
  EXPECT_EQ(kernel_config_value(cfg, "CONFIG_B"), "");
}

TEST(Capabilities, JsonUsesNullForUnknown) {
  GpuCapabilities c;
  c.peermem_loaded = Tri::yes;
  const auto j = c.to_json();
  EXPECT_TRUE(j["nvidia_peermem_loaded"].get<bool>());
  EXPECT_TRUE(j["device_dmabuf"].is_null());
  EXPECT_FALSE(j["cuda_built"].get<bool>());
}
