#include "fabricperf/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "fabricperf/error.hpp"

namespace fabricperf {
namespace {

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

void write_file_atomically(const std::string& path, std::string_view content) {
  const std::filesystem::path target(path);
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  FileDescriptor fd(::mkstemp(tmp.data()));
  if (fd.get() < 0) throw_errno("creating a temporary file for " + path, errno);
  bool renamed = false;
  try {
    std::size_t done = 0;
    while (done < content.size()) {
      const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_errno("writing " + tmp, errno);
      }
      done += static_cast<std::size_t>(n);
    }
    if (::fchmod(fd.get(), 0644) != 0) throw_errno("setting permissions of " + tmp, errno);
    if (::fsync(fd.get()) != 0) throw_errno("syncing " + tmp, errno);
    if (::close(fd.release()) != 0) throw_errno("closing " + tmp, errno);
    if (::rename(tmp.c_str(), path.c_str()) != 0) throw_errno("renaming " + tmp + " to " + path, errno);
    renamed = true;
    FileDescriptor dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY));
    if (dir_fd.get() >= 0) (void)::fsync(dir_fd.get());
  } catch (...) {
    if (!renamed) ::unlink(tmp.c_str());
    throw;
  }
}

}  // namespace fabricperf
