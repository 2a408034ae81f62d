#pragma once
// Error types every fabricperf tool uses. Each carries what was being done (and with whom),
// so the one-line message a user sees explains itself.
#include <stdexcept>
#include <string>
#include <string_view>

namespace fabricperf {

// A failure during the run: exit code 1.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad command line or bad input file: exit code 2.
class UsageError : public Error {
 public:
  using Error::Error;
};

// A peer that died, stalled or sent something invalid. `peer` names it ("rank 1 on node2").
class PeerError : public Error {
 public:
  PeerError(std::string peer, const std::string& what)
      : Error(what), peer_(std::move(peer)) {}
  [[nodiscard]] const std::string& peer() const noexcept { return peer_; }

 private:
  std::string peer_;
};

// `doing` + ": " + strerror(errno_value), e.g. "opening /dev/infiniband/uverbs0: Permission denied".
[[nodiscard]] std::string errno_message(std::string_view doing, int errno_value);
[[noreturn]] void throw_errno(std::string_view doing, int errno_value);

}  // namespace fabricperf
