#include "fabricperf/sizing/plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "fabricperf/error.hpp"
#include "fabricperf/sizing/kv_cache.hpp"

namespace fabricperf::sizing {
namespace {

// No deployment is searched beyond this many servers.
constexpr std::uint64_t kMaxServers = 100000;

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) {
  return (a + b - 1) / b;
}

GpuMemory gpu_memory(const SizingRequest& request, double weights, double kv) {
  GpuMemory m;
  m.capacity = request.server.gpu_memory_bytes;
  m.usable = request.server.gpu_memory_bytes * request.gpu_util;
  m.weights = weights;
  m.kv_cache = kv;
  m.reserve = request.reserve_bytes;
  return m;
}

std::optional<Candidate> evaluate_pipeline(const ModelConfig& model, const SizingRequest& request,
                                           const ModelWeightBytes& weights, std::uint64_t servers) {
  const std::uint64_t gpus_per_server = request.server.gpus;
  const std::uint64_t tp = choose_tensor_parallel(model, gpus_per_server);
  const std::uint64_t pp = std::min(servers * gpus_per_server / tp, model.num_layers);
  // With one layer per stage already, another server would sit idle.
  if (tp * pp <= (servers - 1) * gpus_per_server) return std::nullopt;

  Candidate c;
  c.servers = servers;
  c.gpus = tp * pp;
  c.layout.mode = ParallelMode::pipeline;
  c.layout.tp = tp;
  c.layout.pp = pp;
  c.layout.layers_per_stage = split_layers(model.num_layers, pp);
  const double kv_per_layer_token = kv_bytes_per_token_per_layer_per_gpu(model, request.kv_dtype, tp);
  const double sequences = static_cast<double>(request.sequences);

  bool first = true;
  std::uint64_t layer = 0;
  for (std::uint64_t stage = 0; stage < pp; ++stage) {
    double w = 0;
    double kv_tokens = 0;
    for (std::uint64_t i = 0; i < c.layout.layers_per_stage[stage]; ++i, ++layer) {
      w += weights.layers[layer].total();
      kv_tokens += static_cast<double>(kv_tokens_kept(model.layers[layer], request.context_tokens));
    }
    if (stage == 0) w += weights.embedding + weights.vision;
    if (stage == pp - 1) w += weights.lm_head + weights.final_norm;
    const GpuMemory m = gpu_memory(request, w / static_cast<double>(tp), kv_tokens * kv_per_layer_token * sequences);
    if (first || m.free() < c.worst_gpu.free()) c.worst_gpu = m;
    first = false;
  }
  return c;
}

std::optional<Candidate> evaluate_expert(const ModelConfig& model, const SizingRequest& request,
                                         const ModelWeightBytes& weights, std::uint64_t servers) {
  if (!model.is_moe()) return std::nullopt;
  const std::uint64_t gpus_per_server = request.server.gpus;
  const std::uint64_t tp = choose_tensor_parallel(model, gpus_per_server);
  const std::uint64_t gpus = servers * gpus_per_server;
  const std::uint64_t experts = model.moe.routed_experts;

  Candidate c;
  c.servers = servers;
  c.gpus = gpus;
  c.layout.mode = ParallelMode::expert;
  c.layout.tp = tp;
  c.layout.ep = std::min(gpus, experts);
  c.layout.dp_attention = gpus / tp;
  c.layout.experts_per_gpu = ceil_div(experts, c.layout.ep);

  // Attention, dense layers, shared experts, embeddings: one copy per attention replica, split by
  // tp. Routed experts: experts_per_gpu of each MoE layer.
  const double share = static_cast<double>(c.layout.experts_per_gpu) / static_cast<double>(experts);
  const double w = weights.non_expert() / static_cast<double>(tp) + weights.routed_experts() * share;
  const double kv_per_layer_token = kv_bytes_per_token_per_layer_per_gpu(model, request.kv_dtype, tp);
  double kv_tokens = 0;
  for (const LayerSpec& layer : model.layers)
    kv_tokens += static_cast<double>(kv_tokens_kept(layer, request.context_tokens));
  const double sequences_per_replica = static_cast<double>(ceil_div(request.sequences, c.layout.dp_attention));
  c.worst_gpu = gpu_memory(request, w, kv_tokens * kv_per_layer_token * sequences_per_replica);
  return c;
}

// Whether more servers could still lower what a GPU of this mode holds.
bool can_improve(const ModelConfig& model, const SizingRequest& request, const Candidate& c) {
  if (c.layout.mode == ParallelMode::pipeline) return c.layout.pp < model.num_layers;
  return c.layout.ep < model.moe.routed_experts || c.layout.dp_attention < request.sequences;
}

std::string describe_shortfall(const Candidate& c) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "%s layout tp=%llu pp=%llu ep=%llu on %llu servers still needs %.1f GB per GPU of %.1f GB usable",
                to_string(c.layout.mode), static_cast<unsigned long long>(c.layout.tp),
                static_cast<unsigned long long>(c.layout.pp), static_cast<unsigned long long>(c.layout.ep),
                static_cast<unsigned long long>(c.servers),
                (c.worst_gpu.weights + c.worst_gpu.kv_cache + c.worst_gpu.reserve) / 1e9, c.worst_gpu.usable / 1e9);
  return buf;
}

}  // namespace

const char* to_string(ParallelMode mode) noexcept {
  return mode == ParallelMode::expert ? "expert" : "pipeline";
}

std::uint64_t choose_tensor_parallel(const ModelConfig& model, std::uint64_t gpus_per_server) {
  for (std::uint64_t t = gpus_per_server; t > 1; --t) {
    if (gpus_per_server % t == 0 && model.num_heads % t == 0 && model.num_kv_heads % t == 0) return t;
  }
  return 1;
}

std::vector<std::uint64_t> split_layers(std::uint64_t layers, std::uint64_t stages) {
  std::vector<std::uint64_t> parts(stages, layers / stages);
  const std::uint64_t remainder = layers % stages;
  for (std::uint64_t i = 2; i < remainder + 2; ++i) parts[stages - i] += 1;
  return parts;
}

std::optional<Candidate> evaluate_layout(const ModelConfig& model, const SizingRequest& request,
                                         const ModelWeightBytes& weights, ParallelMode mode, std::uint64_t servers) {
  if (servers == 0) return std::nullopt;
  return mode == ParallelMode::pipeline ? evaluate_pipeline(model, request, weights, servers)
                                        : evaluate_expert(model, request, weights, servers);
}

SizingPlan plan_deployment(const ModelConfig& model, const SizingRequest& request) {
  if (request.context_tokens == 0) throw UsageError("the context length must be at least one token");
  if (request.sequences == 0) throw UsageError("the number of concurrent sequences must be at least 1");
  if (request.context_tokens > kMaxContextTokens)
    throw UsageError("the context length " + std::to_string(request.context_tokens) + " is above the limit of " +
                     std::to_string(kMaxContextTokens) + " tokens");
  if (request.sequences > kMaxSequences)
    throw UsageError("--sequences " + std::to_string(request.sequences) + " is above the limit of " +
                     std::to_string(kMaxSequences));
  if (request.server.gpus > kMaxGpusPerServer)
    throw UsageError("--gpus-per-server " + std::to_string(request.server.gpus) + " is above the limit of " +
                     std::to_string(kMaxGpusPerServer));
  if (!(request.gpu_util > 0 && request.gpu_util <= 1)) throw UsageError("--gpu-util must be in (0, 1]");
  if (!(request.reserve_bytes >= 0)) throw UsageError("--reserve-gb must not be negative");
  if (request.server.gpus == 0 || !(request.server.gpu_memory_bytes > 0))
    throw UsageError("the server needs at least one GPU with memory");
  if (request.reserve_bytes >= request.server.gpu_memory_bytes * request.gpu_util)
    throw UsageError("--reserve-gb leaves no usable memory on a " + request.server.name + " GPU at --gpu-util " +
                     std::to_string(request.gpu_util));

  SizingPlan plan;
  plan.request = request;
  plan.params = count_parameters(model);
  plan.weights = weight_bytes(plan.params, request.weights_dtype);
  plan.kv_bytes_per_token = kv_bytes_per_token(model, request.kv_dtype);
  plan.kv_cache_bytes = kv_cache_bytes(model, request.kv_dtype, request.context_tokens, request.sequences);
  plan.tp = choose_tensor_parallel(model, request.server.gpus);

  std::vector<ParallelMode> modes{ParallelMode::pipeline};
  if (model.is_moe()) modes.push_back(ParallelMode::expert);
  std::vector<Candidate> found;
  std::optional<Candidate> closest;  // the last layout tried, for the message when nothing fits
  for (ParallelMode mode : modes) {
    for (std::uint64_t servers = 1; servers <= kMaxServers; ++servers) {
      const std::optional<Candidate> c = evaluate_layout(model, request, plan.weights, mode, servers);
      if (!c) break;
      if (c->fits()) {
        found.push_back(*c);
        break;
      }
      if (!closest || c->worst_gpu.free() > closest->worst_gpu.free()) closest = c;
      if (!can_improve(model, request, *c)) break;
    }
  }
  if (found.empty()) {
    plan.no_fit_reason = closest ? "does not fit: the roomiest " + describe_shortfall(*closest)
                                 : std::string("does not fit: no layout is possible");
    return plan;
  }
  // Smallest server count; on a tie, expert parallelism (how MoE models are served across nodes).
  std::stable_sort(found.begin(), found.end(), [](const Candidate& a, const Candidate& b) {
    if (a.servers != b.servers) return a.servers < b.servers;
    return a.layout.mode == ParallelMode::expert && b.layout.mode != ParallelMode::expert;
  });
  plan.best = found.front();
  plan.alternatives.assign(found.begin() + 1, found.end());
  return plan;
}

}  // namespace fabricperf::sizing
