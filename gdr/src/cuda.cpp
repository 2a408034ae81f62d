// The CUDA layer on the CUDA runtime (linked statically: it loads libcuda.so.1 itself when
// first used) plus the few driver calls the runtime lacks, taken with
// cudaGetDriverEntryPointByVersion so nothing links against libcuda.
#include "fabricperf/gdr/cuda.hpp"

#include <cuda.h>
#include <cuda_runtime.h>
#include <dlfcn.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <utility>

#include "fabricperf/gdr/dmabuf_range.hpp"
#include "pattern_kernels.hpp"

namespace fabricperf::gdr::cuda {

namespace {

std::string runtime_error_text(cudaError_t e) {
  return std::string(cudaGetErrorName(e)) + ": " + cudaGetErrorString(e);
}

void check(cudaError_t e, const std::string& call) {
  if (e != cudaSuccess) (void)cudaGetLastError();  // consume it: it must not resurface in a later launch check
  if (e != cudaSuccess)
    throw CudaError(call.substr(0, call.find('(')), static_cast<int>(e), call + ": " + runtime_error_text(e));
}

// A driver API function by name, through the runtime (the runtime owns the loaded libcuda).
template <typename Fn>
Fn driver_function(const char* name, unsigned version) {
  void* fn = nullptr;
  cudaDriverEntryPointQueryResult query{};
  const cudaError_t e = cudaGetDriverEntryPointByVersion(name, &fn, version, cudaEnableDefault, &query);
  if (e != cudaSuccess || query != cudaDriverEntryPointSuccess || fn == nullptr)
    throw CudaError(name, e != cudaSuccess ? static_cast<int>(e) : -1,
                    std::string("looking up the CUDA driver function ") + name +
                        (e != cudaSuccess ? ": " + runtime_error_text(e) : std::string(": not in this driver")));
  return reinterpret_cast<Fn>(fn);
}

std::string driver_error_text(CUresult r) {
  const char* name = nullptr;
  const char* text = nullptr;
  try {
    auto get_name = driver_function<CUresult (*)(CUresult, const char**)>("cuGetErrorName", 6000);
    auto get_string = driver_function<CUresult (*)(CUresult, const char**)>("cuGetErrorString", 6000);
    get_name(r, &name);
    get_string(r, &text);
  } catch (const CudaError&) {
  }
  return std::string(name ? name : "CUresult " + std::to_string(static_cast<int>(r))) +
         (text ? std::string(": ") + text : "");
}

Tri device_attribute(int device, CUdevice_attribute attribute) {
  try {
    auto get = driver_function<CUresult (*)(int*, CUdevice_attribute, CUdevice)>("cuDeviceGetAttribute", 2000);
    auto device_get = driver_function<CUresult (*)(CUdevice*, int)>("cuDeviceGet", 2000);
    CUdevice dev{};
    if (device_get(&dev, device) != CUDA_SUCCESS) return Tri::unknown;
    int v = 0;
    if (get(&v, attribute, dev) != CUDA_SUCCESS) return Tri::unknown;
    return tri(v != 0);
  } catch (const CudaError&) {
    return Tri::unknown;
  }
}

// A small cudaMalloc'd scratch value for the mismatch kernel.
class DeviceScratch {
 public:
  DeviceScratch() { check(cudaMalloc(&p_, sizeof(unsigned long long)), "cudaMalloc(8 bytes)"); }
  ~DeviceScratch() { cudaFree(p_); }
  DeviceScratch(const DeviceScratch&) = delete;
  DeviceScratch& operator=(const DeviceScratch&) = delete;
  [[nodiscard]] unsigned long long* get() const noexcept { return static_cast<unsigned long long*>(p_); }

 private:
  void* p_ = nullptr;
};

cudaStream_t stream_of(const Stream& s) {
  return static_cast<cudaStream_t>(s.handle());
}

}  // namespace

Availability availability() {
  Availability a;
  a.built = true;
  cudaRuntimeGetVersion(&a.runtime_version);
  // The driver library first: without it the runtime would only say "insufficient driver".
  if (void* h = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL); h == nullptr) {
    const char* err = ::dlerror();  // once: a second call returns null
    const std::string why = err != nullptr ? err : "";
    a.error = why.find("No such file") != std::string::npos || why.empty() ? "libcuda.so.1 is not installed"
                                                                           : "libcuda.so.1 could not be loaded: " + why;
    return a;
  } else {
    ::dlclose(h);
  }
  cudaDriverGetVersion(&a.driver_version);
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e == cudaSuccess) {
    a.driver = true;
    a.devices = n;
    if (n == 0) a.error = "the CUDA driver sees no GPU";
  } else if (e == cudaErrorNoDevice) {
    a.driver = true;
    a.error = "cudaGetDeviceCount: " + runtime_error_text(e);
  } else if (e == cudaErrorInsufficientDriver) {
    // libcuda is there but cannot run this runtime: not "no device", the driver needs an update.
    a.driver_too_old = true;
    a.error = driver_too_old_message(a.driver_version, a.runtime_version);
  } else {
    a.error = "cudaGetDeviceCount: " + runtime_error_text(e);
  }
  return a;
}

DeviceAttributes device_attributes(int device) {
  DeviceAttributes d;
  d.dmabuf = device_attribute(device, CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED);
  d.gpudirect_rdma = device_attribute(device, CU_DEVICE_ATTRIBUTE_GPU_DIRECT_RDMA_SUPPORTED);
  return d;
}

DeviceInfo describe_device(int index) {
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, index), "cudaGetDeviceProperties(GPU " + std::to_string(index) + ")");
  DeviceInfo d;
  d.index = index;
  d.name = prop.name;
  char bus[32];
  std::snprintf(bus, sizeof bus, "%04x:%02x:%02x.0", static_cast<unsigned>(prop.pciDomainID) & 0xffffU,
                static_cast<unsigned>(prop.pciBusID) & 0xffU, static_cast<unsigned>(prop.pciDeviceID) & 0x1fU);
  d.pci_bus_id = bus;
  d.memory_bytes = prop.totalGlobalMem;
  d.cc_major = prop.major;
  d.cc_minor = prop.minor;
  d.dmabuf = device_attribute(index, CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED);
  d.gpudirect_rdma = device_attribute(index, CU_DEVICE_ATTRIBUTE_GPU_DIRECT_RDMA_SUPPORTED);
  return d;
}

DeviceScope::DeviceScope(int device) {
  check(cudaGetDevice(&previous_), "cudaGetDevice()");
  if (previous_ != device) check(cudaSetDevice(device), "cudaSetDevice(" + std::to_string(device) + ")");
}

DeviceScope::~DeviceScope() {
  int now = -1;
  if (previous_ >= 0 && cudaGetDevice(&now) == cudaSuccess && now != previous_) cudaSetDevice(previous_);
}

Stream::Stream(int device) : device_(device) {
  DeviceScope scope(device);
  cudaStream_t s = nullptr;
  check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking),
        "cudaStreamCreateWithFlags(GPU " + std::to_string(device) + ")");
  stream_ = s;
}

Stream::~Stream() {
  if (stream_ != nullptr) cudaStreamDestroy(static_cast<cudaStream_t>(stream_));
}

Stream::Stream(Stream&& other) noexcept : stream_(std::exchange(other.stream_, nullptr)), device_(other.device_) {}

Stream& Stream::operator=(Stream&& other) noexcept {
  if (this != &other) {
    if (stream_ != nullptr) cudaStreamDestroy(static_cast<cudaStream_t>(stream_));
    stream_ = std::exchange(other.stream_, nullptr);
    device_ = other.device_;
  }
  return *this;
}

void Stream::synchronize() const {
  check(cudaStreamSynchronize(static_cast<cudaStream_t>(stream_)), "cudaStreamSynchronize()");
}

DeviceMemory::DeviceMemory(int device, std::size_t bytes) : device_(device) {
  DeviceScope scope(device);
  const DeviceLayout layout = device_layout(bytes, kGpuPageSize);
  check(cudaMalloc(&allocation_, layout.allocation_bytes),
        "cudaMalloc(" + std::to_string(layout.allocation_bytes) + " bytes on GPU " + std::to_string(device) + ")");
  allocation_size_ = layout.allocation_bytes;
  data_ = reinterpret_cast<void*>(buffer_start(reinterpret_cast<std::uintptr_t>(allocation_), layout));
  size_ = layout.usable_bytes;
  // Orders copies and kernels with the NIC's accesses (GPUDirect RDMA needs it: without it a
  // copy-out may read data the NIC has not finished writing). Every driver that runs this
  // runtime has the attribute, so a failure is an error, not a silent loss of ordering.
  try {
    auto set_attr =
        driver_function<CUresult (*)(const void*, CUpointer_attribute, CUdeviceptr)>("cuPointerSetAttribute", 6000);
    const unsigned int one = 1;
    const CUresult r = set_attr(&one, CU_POINTER_ATTRIBUTE_SYNC_MEMOPS, reinterpret_cast<CUdeviceptr>(allocation_));
    if (r != CUDA_SUCCESS)
      throw CudaError(
          "cuPointerSetAttribute", static_cast<int>(r),
          "cuPointerSetAttribute(SYNC_MEMOPS, GPU " + std::to_string(device) + "): " + driver_error_text(r));
  } catch (const CudaError&) {
    release();
    throw;
  }
  const cudaError_t e = cudaMemset(allocation_, 0, allocation_size_);
  if (e != cudaSuccess) {
    release();
    check(e, "cudaMemset(GPU " + std::to_string(device) + ")");
  }
}

void DeviceMemory::release() noexcept {
  if (allocation_ != nullptr) {
    int prev = -1;
    cudaGetDevice(&prev);
    if (prev != device_) cudaSetDevice(device_);
    cudaFree(allocation_);
    if (prev >= 0 && prev != device_) cudaSetDevice(prev);
  }
  allocation_ = nullptr;
  data_ = nullptr;
  size_ = allocation_size_ = 0;
}

DeviceMemory::~DeviceMemory() {
  release();
}

DeviceMemory::DeviceMemory(DeviceMemory&& other) noexcept
    : allocation_(std::exchange(other.allocation_, nullptr)),
      allocation_size_(std::exchange(other.allocation_size_, 0)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      device_(other.device_) {}

DeviceMemory& DeviceMemory::operator=(DeviceMemory&& other) noexcept {
  if (this != &other) {
    release();
    allocation_ = std::exchange(other.allocation_, nullptr);
    allocation_size_ = std::exchange(other.allocation_size_, 0);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    device_ = other.device_;
  }
  return *this;
}

PinnedHostMemory::PinnedHostMemory(int device, std::size_t bytes) {
  DeviceScope scope(device);
  if (bytes == 0) bytes = 1;
  check(cudaHostAlloc(&data_, bytes, cudaHostAllocPortable), "cudaHostAlloc(" + std::to_string(bytes) + " bytes)");
  size_ = bytes;
  std::memset(data_, 0, bytes);
}

PinnedHostMemory::~PinnedHostMemory() {
  if (data_ != nullptr) cudaFreeHost(data_);
}

PinnedHostMemory::PinnedHostMemory(PinnedHostMemory&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

PinnedHostMemory& PinnedHostMemory::operator=(PinnedHostMemory&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) cudaFreeHost(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

FileDescriptor export_dmabuf(const void* base, std::size_t length) {
  using Fn = CUresult (*)(void*, CUdeviceptr, size_t, CUmemRangeHandleType, unsigned long long);
  auto get_handle = driver_function<Fn>("cuMemGetHandleForAddressRange", 11070);
  int fd = -1;
  const CUresult r =
      get_handle(&fd, reinterpret_cast<CUdeviceptr>(base), length, CU_MEM_RANGE_HANDLE_TYPE_DMA_BUF_FD, 0);
  if (r != CUDA_SUCCESS)
    throw CudaError(
        "cuMemGetHandleForAddressRange", static_cast<int>(r),
        "cuMemGetHandleForAddressRange(" + std::to_string(length) + " bytes, DMA_BUF_FD): " + driver_error_text(r));
  return FileDescriptor(fd);
}

void flush_gpudirect_writes(int device) noexcept {
  int options = 0;
  if (cudaDeviceGetAttribute(&options, cudaDevAttrGPUDirectRDMAFlushWritesOptions, device) != cudaSuccess ||
      (options & cudaFlushGPUDirectRDMAWritesOptionHost) == 0) {
    (void)cudaGetLastError();
    return;
  }
  int previous = -1;
  if (cudaGetDevice(&previous) != cudaSuccess) previous = -1;
  if (previous != device) (void)cudaSetDevice(device);
  if (cudaDeviceFlushGPUDirectRDMAWrites(cudaFlushGPUDirectRDMAWritesTargetCurrentDevice,
                                         cudaFlushGPUDirectRDMAWritesToOwner) != cudaSuccess)
    (void)cudaGetLastError();
  if (previous >= 0 && previous != device) (void)cudaSetDevice(previous);
}

void copy(void* dst, const void* src, std::size_t bytes, const Stream& stream) {
  DeviceScope scope(stream.device());
  check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDefault, stream_of(stream)),
        "cudaMemcpyAsync(" + std::to_string(bytes) + " bytes)");
  stream.synchronize();
}

void fill_zero(void* dst, std::size_t bytes, const Stream& stream) {
  DeviceScope scope(stream.device());
  check(cudaMemsetAsync(dst, 0, bytes, stream_of(stream)), "cudaMemsetAsync(" + std::to_string(bytes) + " bytes)");
  stream.synchronize();
}

void fill_pattern(void* dst, std::size_t bytes, std::uint64_t seed, const Stream& stream) {
  DeviceScope scope(stream.device());
  check(static_cast<cudaError_t>(detail::launch_fill_pattern(dst, bytes, seed, stream.handle())),
        "fill_pattern kernel(" + std::to_string(bytes) + " bytes)");
  stream.synchronize();
}

std::optional<std::size_t> find_pattern_mismatch(const void* src, std::size_t bytes, std::uint64_t seed,
                                                 const Stream& stream) {
  DeviceScope scope(stream.device());
  DeviceScratch first_bad;
  unsigned long long result = ULLONG_MAX;
  check(cudaMemcpyAsync(first_bad.get(), &result, sizeof result, cudaMemcpyHostToDevice, stream_of(stream)),
        "cudaMemcpyAsync(8 bytes)");
  check(static_cast<cudaError_t>(detail::launch_find_mismatch(src, bytes, seed, first_bad.get(), stream.handle())),
        "find_mismatch kernel(" + std::to_string(bytes) + " bytes)");
  check(cudaMemcpyAsync(&result, first_bad.get(), sizeof result, cudaMemcpyDeviceToHost, stream_of(stream)),
        "cudaMemcpyAsync(8 bytes)");
  stream.synchronize();
  if (result == ULLONG_MAX) return std::nullopt;
  return static_cast<std::size_t>(result);
}

double time_copy_us(void* dst, const void* src, std::size_t bytes, int iterations, const Stream& stream) {
  DeviceScope scope(stream.device());
  if (iterations < 1) iterations = 1;
  const cudaStream_t s = stream_of(stream);
  const std::string what = "cudaMemcpyAsync(" + std::to_string(bytes) + " bytes)";
  // What a staging loop pays per message: issue the copy and wait for it (API latency included).
  check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDefault, s), what);  // warm-up
  check(cudaStreamSynchronize(s), "cudaStreamSynchronize()");
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDefault, s), what);
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize()");
  }
  const auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::micro>(t1 - t0).count() / iterations;
}

}  // namespace fabricperf::gdr::cuda
