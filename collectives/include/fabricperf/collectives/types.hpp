#pragma once
// Element types and reduction operators, named exactly as nccl-tests names them (-d, -o).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fabricperf::collectives {

enum class DataType { int8, uint8, int32, uint32, int64, uint64, float16, float32, float64, bfloat16 };
enum class RedOp { sum, prod, max, min, avg };

inline constexpr DataType kAllDataTypes[] = {DataType::int8,    DataType::uint8,   DataType::int32, DataType::uint32,
                                             DataType::int64,   DataType::uint64,  DataType::float16,
                                             DataType::float32, DataType::float64, DataType::bfloat16};
inline constexpr RedOp kAllRedOps[] = {RedOp::sum, RedOp::prod, RedOp::max, RedOp::min, RedOp::avg};

// nccl-tests names: "int8" "uint8" "int32" "uint32" "int64" "uint64" "half" "float" "double" "bfloat16".
[[nodiscard]] std::string_view to_string(DataType type) noexcept;
[[nodiscard]] std::string_view to_string(RedOp op) noexcept;
[[nodiscard]] std::size_t element_size(DataType type) noexcept;
[[nodiscard]] bool is_floating(DataType type) noexcept;
[[nodiscard]] bool is_signed(DataType type) noexcept;

// Accepts the nccl-tests names and their aliases (char, int, float16, fp16, float32, bf16, ...).
// Throws UsageError naming the text and listing the valid names.
[[nodiscard]] DataType parse_data_type(std::string_view text);
[[nodiscard]] RedOp parse_red_op(std::string_view text);
// "all" or a comma-separated list.
[[nodiscard]] std::vector<DataType> parse_data_types(std::string_view text);
[[nodiscard]] std::vector<RedOp> parse_red_ops(std::string_view text);

// Splits "a,b,,c" into {"a","b","c"}.
[[nodiscard]] std::vector<std::string> split_list(std::string_view text);

}  // namespace fabricperf::collectives
