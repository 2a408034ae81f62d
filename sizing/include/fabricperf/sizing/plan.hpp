#pragma once
// The smallest deployment that holds a model: servers, the parallel layout, and each GPU's memory.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fabricperf/sizing/dtype.hpp"
#include "fabricperf/sizing/model_config.hpp"
#include "fabricperf/sizing/param_count.hpp"
#include "fabricperf/sizing/server.hpp"

namespace fabricperf::sizing {

inline constexpr double kDefaultGpuUtil = 0.90;
inline constexpr double kDefaultReserveGb = 4.0;
// Request limits (fp_sizing refuses larger values): far above any real deployment, low enough
// that no count of the plan wraps 64 bits and the server search stays short.
inline constexpr std::uint64_t kMaxGpusPerServer = 1024;
inline constexpr std::uint64_t kMaxSequences = 1000000000;                  // 10^9
inline constexpr std::uint64_t kMaxContextTokens = std::uint64_t{1} << 30;  // as max_position_embeddings

struct SizingRequest {
  DType weights_dtype = DType::bf16;
  DType kv_dtype = DType::bf16;
  std::uint64_t context_tokens = 0;  // per sequence
  std::uint64_t sequences = 1;       // held concurrently
  ServerSpec server;
  double gpu_util = kDefaultGpuUtil;               // share of memory.total the runtime may use
  double reserve_bytes = kDefaultReserveGb * 1e9;  // per GPU: activations, CUDA graphs, NCCL buffers
};

enum class ParallelMode {
  pipeline,  // tensor parallel inside a node, pipeline stages over the rest (experts split by TP)
  expert,    // MoE: experts spread over every GPU; attention TP inside a node, data parallel across
};
[[nodiscard]] const char* to_string(ParallelMode mode) noexcept;

struct Layout {
  ParallelMode mode = ParallelMode::pipeline;
  std::uint64_t tp = 1;
  std::uint64_t pp = 1;
  std::uint64_t ep = 1;
  std::uint64_t dp_attention = 1;               // expert mode: attention replicas (gpus / tp)
  std::vector<std::uint64_t> layers_per_stage;  // pipeline mode
  std::uint64_t experts_per_gpu = 0;            // expert mode: routed experts per GPU per layer (max)
};

struct GpuMemory {
  double capacity = 0;  // memory.total
  double usable = 0;    // capacity × gpu_util
  double weights = 0;
  double kv_cache = 0;
  double reserve = 0;
  [[nodiscard]] double free() const noexcept { return usable - weights - kv_cache - reserve; }
  [[nodiscard]] bool fits() const noexcept { return free() >= 0; }
};

struct Candidate {
  std::uint64_t servers = 0;
  std::uint64_t gpus = 0;
  Layout layout;
  GpuMemory worst_gpu;  // the GPU with the least free memory
  [[nodiscard]] bool fits() const noexcept { return worst_gpu.fits(); }
};

struct SizingPlan {
  SizingRequest request;
  ParamCount params;
  ModelWeightBytes weights;
  double kv_bytes_per_token = 0;  // all layers, one token
  double kv_cache_bytes = 0;      // all sequences, whole context, windows applied
  std::uint64_t tp = 1;           // the tensor-parallel degree used inside a node
  std::optional<Candidate> best;
  std::vector<Candidate> alternatives;  // the other mode's smallest fit, for comparison
  std::string no_fit_reason;            // set when best is empty
};

// The largest TP ≤ gpus per server that divides the server's GPU count, num_attention_heads and
// num_key_value_heads.
[[nodiscard]] std::uint64_t choose_tensor_parallel(const ModelConfig& model, std::uint64_t gpus_per_server);

// Layers per pipeline stage as vLLM partitions them: even shares, the remainder added one each to
// the stages before the last (which also holds the lm_head).
[[nodiscard]] std::vector<std::uint64_t> split_layers(std::uint64_t layers, std::uint64_t stages);

// One layout on `servers` servers; nullopt when that layout is impossible there (more stages than
// layers, more expert ranks than experts).
[[nodiscard]] std::optional<Candidate> evaluate_layout(const ModelConfig& model, const SizingRequest& request,
                                                       const ModelWeightBytes& weights, ParallelMode mode,
                                                       std::uint64_t servers);

// Searches server counts upwards for each mode; `best` is the smallest (ties go to expert mode for
// MoE models). Throws UsageError for a request that cannot be evaluated (zero context, gpu_util
// outside (0,1], reserve above usable memory).
[[nodiscard]] SizingPlan plan_deployment(const ModelConfig& model, const SizingRequest& request);

}  // namespace fabricperf::sizing
