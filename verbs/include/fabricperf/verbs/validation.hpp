#pragma once
// What --validate found: messages checked, how many were wrong, and where the first one was.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace fabricperf::verbs {

struct ValidationOutcome {
  bool enabled = false;
  std::uint64_t messages_checked = 0;
  std::uint64_t mismatched_messages = 0;
  // The first bad message: QP index, iteration, byte offset within the message.
  std::optional<std::uint64_t> first_bad_offset;
  std::uint32_t first_bad_qp = 0;
  std::uint64_t first_bad_iteration = 0;

  void record_ok() noexcept { ++messages_checked; }
  void record_mismatch(std::uint32_t qp, std::uint64_t iteration, std::uint64_t offset) noexcept {
    ++messages_checked;
    if (mismatched_messages++ == 0) {
      first_bad_qp = qp;
      first_bad_iteration = iteration;
      first_bad_offset = offset;
    }
  }
  void merge(const ValidationOutcome& other) noexcept;
  [[nodiscard]] bool passed() const noexcept { return mismatched_messages == 0; }
  // "first bad byte at offset 17 of message 3 on QP 0 (2 of 100 messages wrong)" or "100 messages checked".
  [[nodiscard]] std::string describe() const;
  [[nodiscard]] nlohmann::json to_json() const;
  [[nodiscard]] static ValidationOutcome from_json(const nlohmann::json& j);
};

}  // namespace fabricperf::verbs
