// Parts of the CUDA layer that need no CUDA: version texts, bus id formatting, file descriptors.
#include <unistd.h>

#include <cctype>
#include <cstdio>

#include "fabricperf/gdr/cuda.hpp"

namespace fabricperf::gdr::cuda {

std::string version_text(int version) {
  return std::to_string(version / 1000) + "." + std::to_string((version % 1000) / 10);
}

std::string driver_too_old_message(int driver_version, int runtime_version) {
  const std::string driver = driver_version > 0 ? "CUDA driver " + version_text(driver_version) : "the CUDA driver";
  return driver + " is older than the runtime " + version_text(runtime_version) + ": update the driver";
}

std::string normalize_bus_id(const std::string& id) {
  unsigned domain = 0, bus = 0, dev = 0, fn = 0;
  if (std::sscanf(id.c_str(), "%x:%x:%x.%x", &domain, &bus, &dev, &fn) == 4 ||
      (domain = 0, std::sscanf(id.c_str(), "%x:%x.%x", &bus, &dev, &fn) == 3)) {
    char out[32];
    std::snprintf(out, sizeof out, "%04x:%02x:%02x.%x", domain & 0xffffU, bus & 0xffU, dev & 0x1fU, fn & 0x7U);
    return out;
  }
  std::string lower;
  for (char c : id) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

FileDescriptor::~FileDescriptor() {
  if (fd_ >= 0) ::close(fd_);
}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

}  // namespace fabricperf::gdr::cuda
