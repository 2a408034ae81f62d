#pragma once
// The RDMA operations the engines measure.
#include <cstdint>
#include <string>
#include <string_view>

namespace fabricperf::verbs {

enum class Op { write, write_imm, read, send, fetch_add, compare_swap };

[[nodiscard]] std::string_view to_string(Op op) noexcept;
// "write", "write_imm", "read", "send", "atomic_fa"/"fetch_add", "atomic_cs"/"compare_swap";
// throws UsageError listing the valid names.
[[nodiscard]] Op parse_op(std::string_view name);
// perftest's name of the operation in its banner: "RDMA_Write", "Send", "Atomic FETCH_AND_ADD", ...
[[nodiscard]] std::string_view perftest_name(Op op) noexcept;

[[nodiscard]] constexpr bool is_atomic(Op op) noexcept { return op == Op::fetch_add || op == Op::compare_swap; }
// Operations whose receiver consumes receive work requests.
[[nodiscard]] constexpr bool needs_receives(Op op) noexcept { return op == Op::send || op == Op::write_imm; }
// Operations where the data flows from the target to the initiator.
[[nodiscard]] constexpr bool data_flows_back(Op op) noexcept { return op == Op::read || is_atomic(op); }

}  // namespace fabricperf::verbs
