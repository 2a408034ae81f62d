#pragma once
// The CUDA side of fp_gdr behind plain C++ types: availability (the driver is loaded lazily, so
// the binary runs and explains itself on hosts without libcuda), device facts, and RAII owners
// for device memory, pinned host memory, streams and dma-buf file descriptors. Built without
// CUDA, availability() says so and every owner's constructor throws.
//
// This layer depends on nothing but the standard library, core's error.hpp and the CUDA
// toolkit, so scripts/device-check.sh can build and test it on a GPU machine that lacks the
// project's other dependencies (verbs, hwloc, JSON).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "fabricperf/error.hpp"
#include "fabricperf/gdr/tri.hpp"

namespace fabricperf::gdr::cuda {

// A failed CUDA call: "cudaMalloc(67108864 bytes on GPU 0): cudaErrorMemoryAllocation: out of memory".
class CudaError : public Error {
 public:
  CudaError(std::string call, int code, const std::string& message)
      : Error(message), call_(std::move(call)), code_(code) {}
  [[nodiscard]] const std::string& call() const noexcept { return call_; }
  [[nodiscard]] int code() const noexcept { return code_; }

 private:
  std::string call_;
  int code_;
};

struct Availability {
  bool built = false;   // compiled with CUDA
  bool driver = false;  // libcuda.so.1 present and initialised
  int devices = 0;
  int driver_version = 0;  // 12040 = 12.4; 0 when unknown
  int runtime_version = 0;
  bool driver_too_old = false;  // the driver is older than the runtime (cudaErrorInsufficientDriver)
  std::string error;            // why CUDA cannot be used ("" when it can)
  [[nodiscard]] bool usable() const noexcept { return built && driver && devices > 0; }
};

// Never throws: looks for libcuda.so.1 (dlopen), then asks the runtime for the devices.
[[nodiscard]] Availability availability();

// CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED and CU_DEVICE_ATTRIBUTE_GPU_DIRECT_RDMA_SUPPORTED of a
// device (unknown when the driver cannot say).
struct DeviceAttributes {
  Tri dmabuf = Tri::unknown;
  Tri gpudirect_rdma = Tri::unknown;
};
[[nodiscard]] DeviceAttributes device_attributes(int device);

struct DeviceInfo {
  int index = 0;
  std::string name;        // "NVIDIA H100 80GB HBM3"
  std::string pci_bus_id;  // "0000:17:00.0" (sysfs form: 4-digit domain, lower case)
  std::uint64_t memory_bytes = 0;
  int cc_major = 0, cc_minor = 0;
  Tri dmabuf = Tri::unknown;
  Tri gpudirect_rdma = Tri::unknown;
};
[[nodiscard]] DeviceInfo describe_device(int index);

// A CUDA version number as text: 12040 -> "12.4", 13000 -> "13.0".
[[nodiscard]] std::string version_text(int version);

// What to say when the driver cannot run this runtime (cudaErrorInsufficientDriver):
// "CUDA driver 12.4 is older than the runtime 13.0: update the driver" (driver_version 0 = unknown).
[[nodiscard]] std::string driver_too_old_message(int driver_version, int runtime_version);

// "00000000:17:00.0" / "0000:17:00.0" / "17:00.0" -> "0000:17:00.0".
[[nodiscard]] std::string normalize_bus_id(const std::string& id);

// Makes `device` current for the lifetime of the scope and restores the previous one.
class DeviceScope {
 public:
  explicit DeviceScope(int device);
  ~DeviceScope();
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  int previous_ = -1;
};

class Stream {
 public:
  explicit Stream(int device);  // non-blocking stream on `device`
  ~Stream();
  Stream(Stream&& other) noexcept;
  Stream& operator=(Stream&& other) noexcept;
  [[nodiscard]] void* handle() const noexcept { return stream_; }  // a cudaStream_t
  [[nodiscard]] int device() const noexcept { return device_; }
  void synchronize() const;

 private:
  void* stream_ = nullptr;
  int device_ = 0;
};

// cudaMalloc'd device memory laid out for GPUDirect RDMA: the buffer starts on a 64 KiB (GPU
// page) boundary and its size is a multiple of 64 KiB, inside one allocation, so both the
// dma-buf export range and nvidia-peermem's pinning stay within it. CU_POINTER_ATTRIBUTE_SYNC_MEMOPS
// is set so copies and kernels are ordered with the NIC's accesses.
class DeviceMemory {
 public:
  DeviceMemory(int device, std::size_t bytes);
  ~DeviceMemory();
  DeviceMemory(DeviceMemory&& other) noexcept;
  DeviceMemory& operator=(DeviceMemory&& other) noexcept;
  [[nodiscard]] void* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] int device() const noexcept { return device_; }
  [[nodiscard]] void* allocation() const noexcept { return allocation_; }
  [[nodiscard]] std::size_t allocation_size() const noexcept { return allocation_size_; }

 private:
  void release() noexcept;
  void* allocation_ = nullptr;
  std::size_t allocation_size_ = 0;
  void* data_ = nullptr;
  std::size_t size_ = 0;
  int device_ = 0;
};

// cudaHostAlloc'd (pinned, portable) host memory.
class PinnedHostMemory {
 public:
  PinnedHostMemory(int device, std::size_t bytes);
  ~PinnedHostMemory();
  PinnedHostMemory(PinnedHostMemory&& other) noexcept;
  PinnedHostMemory& operator=(PinnedHostMemory&& other) noexcept;
  [[nodiscard]] void* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

// An owned file descriptor (the dma-buf exported by the CUDA driver).
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
  ~FileDescriptor();
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  [[nodiscard]] int get() const noexcept { return fd_; }

 private:
  int fd_ = -1;
};

// cuMemGetHandleForAddressRange(CU_MEM_RANGE_HANDLE_TYPE_DMA_BUF_FD) on [base, base+length)
// (both host-page aligned). Throws CudaError with call "cuMemGetHandleForAddressRange" and the
// CUresult as code.
[[nodiscard]] FileDescriptor export_dmabuf(const void* base, std::size_t length);

// Makes writes a NIC has completed into `device`'s memory visible to the GPU before a kernel or
// copy reads them (cudaDeviceFlushGPUDirectRDMAWrites, where the device supports it; a no-op
// elsewhere). Called before checking or copying out data that arrived by RDMA.
void flush_gpudirect_writes(int device) noexcept;

// Copies and pattern kernels, synchronous with respect to the host (run on `stream`, then wait).
void copy(void* dst, const void* src, std::size_t bytes, const Stream& stream);
void fill_zero(void* dst, std::size_t bytes, const Stream& stream);
// The --validate pattern of verbs (verbs::pattern_word) written / checked by a kernel on the GPU.
void fill_pattern(void* dst, std::size_t bytes, std::uint64_t seed, const Stream& stream);
[[nodiscard]] std::optional<std::size_t> find_pattern_mismatch(const void* src, std::size_t bytes, std::uint64_t seed,
                                                               const Stream& stream);

// Mean wall time of one synchronous `bytes` copy dst <- src (issue on `stream`, wait) over
// `iterations` copies after one warm-up: what a host-staging loop pays per message.
[[nodiscard]] double time_copy_us(void* dst, const void* src, std::size_t bytes, int iterations, const Stream& stream);

}  // namespace fabricperf::gdr::cuda
