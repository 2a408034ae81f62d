#pragma once
// Private to core's TCP bootstrap: an owned socket descriptor and small socket helpers.
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <utility>

namespace fabricperf::tcp {

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) noexcept : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { reset(); }
  [[nodiscard]] int fd() const noexcept { return fd_; }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// "10.0.0.1:40522" (numeric).
[[nodiscard]] std::string address_of(const sockaddr_storage& addr);
// The numeric local address of a connected socket, IPv4-mapped IPv6 shown as IPv4; "" on error.
[[nodiscard]] std::string local_address_of(int fd);
void set_nodelay(int fd) noexcept;
void set_nonblocking(int fd) noexcept;

}  // namespace fabricperf::tcp
