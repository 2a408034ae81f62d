#include "fabricperf/error.hpp"

#include <cstring>

namespace fabricperf {

std::string errno_message(std::string_view doing, int errno_value) {
  std::string message(doing);
  message += ": ";
  message += std::strerror(errno_value);
  return message;
}

void throw_errno(std::string_view doing, int errno_value) {
  throw Error(errno_message(doing, errno_value));
}

}  // namespace fabricperf
