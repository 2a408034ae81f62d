#pragma once
// Shared helpers for the topology tests: fixture paths and a fake sysfs/procfs tree.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fabricperf/host_info.hpp"
#include "fabricperf/topology/pci.hpp"

namespace fabricperf::topology::testing {

inline std::string data_path(const std::string& name) {
  return std::string(FABRICPERF_SOURCE_DIR) + "/tests/data/topology/" + name;
}
inline std::string handmade(const std::string& name) { return data_path("handmade/" + name); }

// A throwaway tree with sys/, proc/ and boot/ in it, removed at the end of the test.
class FakeSystem {
 public:
  FakeSystem() {
    std::string pattern = (std::filesystem::temp_directory_path() / "fp-topo-test-XXXXXX").string();
    root_ = ::mkdtemp(pattern.data());
    std::filesystem::create_directories(root_ / "sys");
    std::filesystem::create_directories(root_ / "proc");
    std::filesystem::create_directories(root_ / "boot");
  }
  ~FakeSystem() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  FakeSystem(const FakeSystem&) = delete;
  FakeSystem& operator=(const FakeSystem&) = delete;

  [[nodiscard]] SystemRoots roots() const {
    SystemRoots r;
    r.sys = (root_ / "sys").string();
    r.proc = (root_ / "proc").string();
    r.etc = (root_ / "etc").string();
    return r;
  }
  [[nodiscard]] std::string boot() const { return (root_ / "boot").string(); }
  [[nodiscard]] std::filesystem::path path(const std::string& relative) const { return root_ / relative; }

  void write(const std::string& relative, const std::string& text) const {
    const auto file = root_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
  }
  void write_bytes(const std::string& relative, const std::vector<std::uint8_t>& bytes) const {
    const auto file = root_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                static_cast<std::streamsize>(bytes.size()));
  }
  void symlink(const std::string& target, const std::string& relative) const {
    const auto link = root_ / relative;
    std::filesystem::create_directories(link.parent_path());
    std::filesystem::create_directory_symlink(target, link);
  }
  void mkdir(const std::string& relative) const { std::filesystem::create_directories(root_ / relative); }

  // /sys/bus/pci/devices/<pci>/{current,max}_link_{speed,width}
  void pci_link(const std::string& pci, const std::string& current_speed, const std::string& max_speed,
                int current_width, int max_width) const {
    const std::string dir = "sys/bus/pci/devices/" + pci + "/";
    write(dir + "current_link_speed", current_speed + "\n");
    write(dir + "max_link_speed", max_speed + "\n");
    write(dir + "current_link_width", std::to_string(current_width) + "\n");
    write(dir + "max_link_width", std::to_string(max_width) + "\n");
  }
  void config(const std::string& pci, const std::vector<std::uint8_t>& bytes) const {
    write_bytes("sys/bus/pci/devices/" + pci + "/config", bytes);
  }

 private:
  std::filesystem::path root_;
};

// A 4 KiB configuration space with the given extended capabilities chained from 0x100.
struct CapSpec {
  std::uint16_t id;
  std::uint16_t capability;
  std::uint16_t control;
};
inline std::vector<std::uint8_t> config_space(const std::vector<CapSpec>& caps, std::size_t size = 4096) {
  std::vector<std::uint8_t> bytes(size, 0);
  bytes[0] = 0xb3;  // vendor 15b3, any
  bytes[1] = 0x15;
  std::size_t offset = 0x100;
  for (std::size_t i = 0; i < caps.size(); ++i) {
    const std::size_t next = i + 1 < caps.size() ? offset + 0x40 : 0;
    const std::uint32_t header = caps[i].id | (1u << 16) | static_cast<std::uint32_t>(next << 20);
    for (int b = 0; b < 4; ++b) bytes[offset + b] = static_cast<std::uint8_t>(header >> (8 * b));
    bytes[offset + 4] = static_cast<std::uint8_t>(caps[i].capability);
    bytes[offset + 5] = static_cast<std::uint8_t>(caps[i].capability >> 8);
    bytes[offset + 6] = static_cast<std::uint8_t>(caps[i].control);
    bytes[offset + 7] = static_cast<std::uint8_t>(caps[i].control >> 8);
    offset = next;
  }
  return bytes;
}

}  // namespace fabricperf::topology::testing
