#include "fabricperf/verbs/ops.hpp"

#include "fabricperf/error.hpp"

namespace fabricperf::verbs {

std::string_view to_string(Op op) noexcept {
  switch (op) {
    case Op::write: return "write";
    case Op::write_imm: return "write_imm";
    case Op::read: return "read";
    case Op::send: return "send";
    case Op::fetch_add: return "atomic_fa";
    case Op::compare_swap: return "atomic_cs";
  }
  return "?";
}

std::string_view perftest_name(Op op) noexcept {
  switch (op) {
    case Op::write:
      return "RDMA_Write";
    case Op::write_imm:
      return "RDMA_Write_with_imm";
    case Op::read:
      return "RDMA_Read";
    case Op::send:
      return "Send";
    case Op::fetch_add:
      return "Atomic FETCH_AND_ADD";
    case Op::compare_swap:
      return "Atomic CMP_AND_SWAP";
  }
  return "?";
}

Op parse_op(std::string_view name) {
  if (name == "write") return Op::write;
  if (name == "write_imm" || name == "write_with_imm") return Op::write_imm;
  if (name == "read") return Op::read;
  if (name == "send") return Op::send;
  if (name == "atomic_fa" || name == "fetch_add" || name == "fa") return Op::fetch_add;
  if (name == "atomic_cs" || name == "compare_swap" || name == "cs") return Op::compare_swap;
  throw UsageError("unknown operation '" + std::string(name) +
                   "' (valid: write, write_imm, read, send, atomic_fa, atomic_cs)");
}

}  // namespace fabricperf::verbs
