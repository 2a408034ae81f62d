// The CUDA layer when fp_gdr is built without the CUDA toolkit: availability() says so, and
// every owner refuses to be constructed.
#include "fabricperf/gdr/cuda.hpp"

namespace fabricperf::gdr::cuda {

namespace {
[[noreturn]] void unavailable(const char* what) {
  throw CudaError(what, -1, std::string(what) + ": fp_gdr was built without CUDA support");
}
}  // namespace

Availability availability() {
  Availability a;
  a.error = "fp_gdr was built without CUDA support";
  return a;
}

DeviceAttributes device_attributes(int) {
  return {};
}

DeviceInfo describe_device(int) {
  unavailable("describe_device");
}

DeviceScope::DeviceScope(int) {
  unavailable("cudaSetDevice");
}
DeviceScope::~DeviceScope() = default;

Stream::Stream(int) {
  unavailable("cudaStreamCreate");
}
Stream::~Stream() = default;
Stream::Stream(Stream&&) noexcept = default;
Stream& Stream::operator=(Stream&&) noexcept = default;
void Stream::synchronize() const {}

DeviceMemory::DeviceMemory(int, std::size_t) {
  unavailable("cudaMalloc");
}
DeviceMemory::~DeviceMemory() = default;
DeviceMemory::DeviceMemory(DeviceMemory&&) noexcept = default;
DeviceMemory& DeviceMemory::operator=(DeviceMemory&&) noexcept = default;
void DeviceMemory::release() noexcept {}

PinnedHostMemory::PinnedHostMemory(int, std::size_t) {
  unavailable("cudaHostAlloc");
}
PinnedHostMemory::~PinnedHostMemory() = default;
PinnedHostMemory::PinnedHostMemory(PinnedHostMemory&&) noexcept = default;
PinnedHostMemory& PinnedHostMemory::operator=(PinnedHostMemory&&) noexcept = default;

FileDescriptor export_dmabuf(const void*, std::size_t) {
  unavailable("cuMemGetHandleForAddressRange");
}
void copy(void*, const void*, std::size_t, const Stream&) {
  unavailable("cudaMemcpy");
}
void fill_zero(void*, std::size_t, const Stream&) {
  unavailable("cudaMemset");
}
void fill_pattern(void*, std::size_t, std::uint64_t, const Stream&) {
  unavailable("fill_pattern");
}
std::optional<std::size_t> find_pattern_mismatch(const void*, std::size_t, std::uint64_t, const Stream&) {
  unavailable("find_pattern_mismatch");
}
double time_copy_us(void*, const void*, std::size_t, int, const Stream&) {
  unavailable("cudaMemcpy");
}

// No GPU memory can exist without CUDA, so there are no GPUDirect writes to flush.
void flush_gpudirect_writes(int) noexcept {}

}  // namespace fabricperf::gdr::cuda
