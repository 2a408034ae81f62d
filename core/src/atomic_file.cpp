#include "fabricperf/atomic_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
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

class Directory {
 public:
  explicit Directory(const std::string& path) : dir_(::opendir(path.c_str())) {}
  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;
  ~Directory() {
    if (dir_ != nullptr) ::closedir(dir_);
  }
  [[nodiscard]] DIR* get() const noexcept { return dir_; }

 private:
  DIR* dir_;
};

std::string host_name() {
  std::array<char, 256> buf{};
  if (::gethostname(buf.data(), buf.size() - 1) != 0) return "localhost";
  std::string name(buf.data());
  for (char& c : name)
    if (c == '/') c = '_';
  return name.empty() ? "localhost" : name;
}

// ".NAME.tmp.HOST." — every temporary file of a write to NAME from this host starts with it.
std::string temp_prefix(const std::filesystem::path& target) {
  return "." + target.filename().string() + ".tmp." + host_name() + ".";
}

// "PID.XXXXXX" → PID, or 0 when `rest` is not in that form.
pid_t temp_owner(std::string_view rest) {
  const auto dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0 || rest.size() - dot - 1 != 6) return 0;
  long pid = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + dot, pid);
  if (ec != std::errc() || end != rest.data() + dot || pid <= 0) return 0;
  return static_cast<pid_t>(pid);
}

// Removes the temporary files that writers to the same target left when they were killed.
void remove_stale_temp_files(const std::filesystem::path& dir, const std::string& prefix) {
  const Directory d(dir.string());
  if (d.get() == nullptr) return;
  while (const dirent* entry = ::readdir(d.get())) {
    const std::string_view name(entry->d_name);
    if (name.substr(0, prefix.size()) != prefix) continue;
    const pid_t owner = temp_owner(name.substr(prefix.size()));
    if (owner == 0 || owner == ::getpid()) continue;
    if (::kill(owner, 0) == 0 || errno != ESRCH) continue;  // alive (or not ours to judge)
    const std::string full = (dir / std::string(name)).string();
    struct stat st {};
    if (::lstat(full.c_str(), &st) == 0 && S_ISREG(st.st_mode)) (void)::unlink(full.c_str());
  }
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view content) {
  const std::filesystem::path target(path);
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  const std::string prefix = temp_prefix(target);
  remove_stale_temp_files(dir, prefix);
  std::string tmp = (dir / (prefix + std::to_string(::getpid()) + ".XXXXXX")).string();
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

std::string output_path_problem(const std::string& path) {
  if (path.empty()) return "empty file name";
  if (path == "-") return {};
  if (path.back() == '/') return path + " is a directory";
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return path + " is a directory";
    if (!S_ISREG(st.st_mode)) return path + " is not a regular file";
  }
  const std::filesystem::path target(path);
  const std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return "directory " + dir + " does not exist";
    return errno_message("checking directory " + dir, errno);
  }
  if (!S_ISDIR(st.st_mode)) return dir + " is not a directory";
  if (::access(dir.c_str(), W_OK | X_OK) != 0) return errno_message("cannot write in directory " + dir, errno);
  return {};
}

}  // namespace fabricperf
