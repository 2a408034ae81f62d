#pragma once
// Number formats for weights and the KV cache, and what one value costs in memory.
#include <string_view>

namespace fabricperf::sizing {

enum class DType { fp32, bf16, fp16, fp8, int8, int4, fp4 };

// "bf16", "bfloat16", "fp16", "float16", "fp32", "float32", "fp8", "int8", "int4", "fp4" (NVFP4).
// Throws UsageError naming the text and the accepted names.
[[nodiscard]] DType parse_dtype(std::string_view text);
// Like parse_dtype, but only formats a KV cache can be kept in (fp32, bf16, fp16, fp8).
[[nodiscard]] DType parse_kv_dtype(std::string_view text);

[[nodiscard]] std::string_view to_string(DType dtype) noexcept;

// Storage of one value, without scales: 4, 2, 2, 1, 1, 0.5, 0.5.
[[nodiscard]] double element_bytes(DType dtype) noexcept;

// Storage of one weight including the quantization scales the format carries:
//   fp8  — 1 byte + one fp32 scale per 128x128 block (DeepSeek/Kimi block FP8): 1 + 4/16384
//   int4 — 0.5 byte + one bf16 scale per group of 128 (GPTQ/AWQ/compressed-tensors): 0.5 + 2/128
//   fp4  — 0.5 byte + one fp8 scale per block of 16 (NVFP4): 0.5 + 1/16
//   int8 — 1 byte (per-channel scales are negligible); fp32/bf16/fp16 — 4/2/2.
[[nodiscard]] double weight_bytes_per_param(DType dtype) noexcept;

// Quantized formats apply to the linear layers only.
[[nodiscard]] bool is_quantized(DType dtype) noexcept;

// The format kept for what is never quantized (embeddings, lm_head, norms, routers, vision
// tower): the weight format itself when it is a float of 16 bits or more, else bf16.
[[nodiscard]] DType unquantized_dtype(DType weights) noexcept;

}  // namespace fabricperf::sizing
