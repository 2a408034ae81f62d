#include "fabricperf/verbs/validation.hpp"

namespace fabricperf::verbs {

void ValidationOutcome::merge(const ValidationOutcome& other) noexcept {
  enabled = enabled || other.enabled;
  if (mismatched_messages == 0 && other.mismatched_messages != 0) {
    first_bad_qp = other.first_bad_qp;
    first_bad_iteration = other.first_bad_iteration;
    first_bad_offset = other.first_bad_offset;
  }
  messages_checked += other.messages_checked;
  mismatched_messages += other.mismatched_messages;
}

std::string ValidationOutcome::describe() const {
  if (mismatched_messages == 0) return std::to_string(messages_checked) + " messages checked, all bytes correct";
  return "first bad byte at offset " + std::to_string(first_bad_offset.value_or(0)) + " of message " +
         std::to_string(first_bad_iteration) + " on QP " + std::to_string(first_bad_qp) + " (" +
         std::to_string(mismatched_messages) + " of " + std::to_string(messages_checked) + " messages wrong)";
}

nlohmann::json ValidationOutcome::to_json() const {
  nlohmann::json j = {{"enabled", enabled},
                      {"messages_checked", messages_checked},
                      {"mismatched_messages", mismatched_messages}};
  if (first_bad_offset) {
    j["first_bad_offset"] = *first_bad_offset;
    j["first_bad_qp"] = first_bad_qp;
    j["first_bad_iteration"] = first_bad_iteration;
  }
  return j;
}

ValidationOutcome ValidationOutcome::from_json(const nlohmann::json& j) {
  ValidationOutcome v;
  if (!j.is_object()) return v;
  v.enabled = j.value("enabled", false);
  v.messages_checked = j.value("messages_checked", std::uint64_t{0});
  v.mismatched_messages = j.value("mismatched_messages", std::uint64_t{0});
  if (j.contains("first_bad_offset")) {
    v.first_bad_offset = j.at("first_bad_offset").get<std::uint64_t>();
    v.first_bad_qp = j.value("first_bad_qp", 0U);
    v.first_bad_iteration = j.value("first_bad_iteration", std::uint64_t{0});
  }
  return v;
}

}  // namespace fabricperf::verbs
