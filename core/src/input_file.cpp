#include "fabricperf/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <utility>
#include <vector>

#include "fabricperf/error.hpp"

namespace fabricperf {
namespace {

std::string describe(std::string_view what, const std::string& path) {
  std::string text(what);
  text += ' ';
  text += path;
  return text;
}

const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Owns one file descriptor.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string read_input_file(const std::string& path, std::string_view what, std::size_t max_bytes) {
  if (path.empty()) throw UsageError(std::string(what) + ": empty file name");
  const std::string name = describe(what, path);
  // O_NONBLOCK: opening a FIFO with no writer must not block; the fstat below refuses it anyway.
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (file.get() < 0) throw UsageError(errno_message(name, errno));
  struct stat info {};
  if (::fstat(file.get(), &info) != 0) throw UsageError(errno_message(name, errno));
  if (!S_ISREG(info.st_mode)) throw UsageError(name + ": " + file_kind(info.st_mode) + ", not a regular file");
  if (static_cast<std::size_t>(info.st_size) > max_bytes) {
    throw UsageError(name + ": " + std::to_string(info.st_size) + " bytes, more than the limit of " +
                     std::to_string(max_bytes));
  }
  std::string text;
  text.resize(static_cast<std::size_t>(info.st_size));
  std::size_t filled = 0;
  // The file may grow while it is read: read at most max_bytes + 1 to notice.
  while (true) {
    if (filled == text.size()) {
      if (text.size() > max_bytes) {
        throw UsageError(name + ": grew past the limit of " + std::to_string(max_bytes) + " bytes while read");
      }
      text.resize(std::min(max_bytes + 1, std::max<std::size_t>(text.size() * 2, 4096)));
    }
    const ssize_t got = ::read(file.get(), text.data() + filled, text.size() - filled);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw UsageError(errno_message("reading " + name, errno));
    }
    if (got == 0) break;
    filled += static_cast<std::size_t>(got);
  }
  text.resize(filled);
  return text;
}

nlohmann::json parse_json_bounded(std::string_view text, std::string_view what, std::size_t max_depth) {
  // The callback sees every start of an object/array with its depth, before the parser descends.
  bool too_deep = false;
  const nlohmann::json::parser_callback_t limit_depth = [&](int depth, nlohmann::json::parse_event_t event,
                                                            nlohmann::json& /*parsed*/) {
    if ((event == nlohmann::json::parse_event_t::object_start ||
         event == nlohmann::json::parse_event_t::array_start) &&
        static_cast<std::size_t>(depth) >= max_depth) {
      too_deep = true;
      throw UsageError(std::string(what) + ": JSON nested deeper than " + std::to_string(max_depth) + " levels");
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text.begin(), text.end(), limit_depth);
  } catch (const UsageError&) {
    throw;
  } catch (const nlohmann::json::exception& error) {
    // e.g. "[json.exception.parse_error.101] parse error at line 1, column 3: ..." -> keep the
    // part after the bracketed id; a number like 1e400 arrives as out_of_range.406.
    std::string message = error.what();
    if (const auto close = message.find("] "); message.rfind("[json.exception.", 0) == 0 && close != std::string::npos) {
      message.erase(0, close + 2);
    }
    throw UsageError(std::string(what) + ": invalid JSON: " + message);
  }
}

nlohmann::json read_json_file(const std::string& path, std::string_view what, std::size_t max_bytes,
                              std::size_t max_depth) {
  return parse_json_bounded(read_input_file(path, what, max_bytes), describe(what, path), max_depth);
}

std::size_t json_depth(const nlohmann::json& value) {
  std::size_t deepest = 0;
  std::vector<std::pair<const nlohmann::json*, std::size_t>> pending{{&value, 0}};
  while (!pending.empty()) {
    const auto [node, depth] = pending.back();
    pending.pop_back();
    if (!node->is_structured()) continue;
    deepest = std::max(deepest, depth + 1);
    for (const auto& child : *node) {
      if (child.is_structured()) pending.emplace_back(&child, depth + 1);
    }
  }
  return deepest;
}

std::vector<std::string> sorted_directory_entries(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace fabricperf
