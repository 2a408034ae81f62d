#include "fabricperf/sizing/fabric.hpp"

namespace fabricperf::sizing {

FabricTraffic fabric_traffic(const ModelConfig& model, const SizingRequest& request, const Candidate& candidate) {
  FabricTraffic t;
  const Layout& layout = candidate.layout;
  const std::uint64_t gpus_per_server = request.server.gpus;
  const double tokens = static_cast<double>(request.sequences);
  t.servers = candidate.servers;
  t.tokens_per_step = request.sequences;
  t.activation_bytes_per_token = static_cast<double>(model.hidden_size) * kActivationBytes;
  const double act = t.activation_bytes_per_token;
  const std::uint64_t moe_layers = model.moe_layer_count();
  const std::uint64_t dense_layers = model.num_layers - moe_layers;

  if (layout.mode == ParallelMode::pipeline) {
    // Tensor parallel inside the node: an all-reduce of the hidden state after attention and
    // after the MLP of every layer.
    if (layout.tp > 1)
      t.collectives.push_back({"tp_all_reduce", "all_reduce", false, tokens * act, 2 * model.num_layers, 0});
    // Stage s runs on node floor(s * tp / gpus_per_server); a boundary between nodes crosses the fabric.
    for (std::uint64_t s = 0; s + 1 < layout.pp; ++s) {
      if ((s * layout.tp) / gpus_per_server != ((s + 1) * layout.tp) / gpus_per_server) ++t.pipeline_boundaries;
    }
    if (layout.pp > 1) {
      const double fraction = static_cast<double>(t.pipeline_boundaries) / static_cast<double>(layout.pp - 1);
      t.collectives.push_back(
          {"pp_send_recv", "send_recv", t.pipeline_boundaries > 0, tokens * act, layout.pp - 1, fraction});
    }
    t.pipeline_bytes_per_token = static_cast<double>(t.pipeline_boundaries) * act;
  } else {
    // Attention (and dense layers) tensor parallel inside the node; each MoE layer dispatches
    // every token's hidden state to its top-k experts and combines the results back. With
    // experts spread evenly over all nodes, (servers-1)/servers of that leaves the node.
    const std::uint64_t reduces = model.num_layers + dense_layers;
    if (layout.tp > 1) t.collectives.push_back({"tp_all_reduce", "all_reduce", false, tokens * act, reduces, 0});
    const double fraction = 1.0 - 1.0 / static_cast<double>(candidate.servers);
    const double a2a = tokens * static_cast<double>(model.moe.experts_per_token) * act;
    const bool crosses = candidate.servers > 1;
    t.collectives.push_back({"ep_dispatch", "all_to_all", crosses, a2a, moe_layers, fraction});
    t.collectives.push_back({"ep_combine", "all_to_all", crosses, a2a, moe_layers, fraction});
    t.ep_all_to_all_bytes_per_token =
        2.0 * static_cast<double>(moe_layers) * static_cast<double>(model.moe.experts_per_token) * act * fraction;
  }
  t.inter_node_bytes_per_token = t.pipeline_bytes_per_token + t.ep_all_to_all_bytes_per_token;
  t.inter_node_bytes_per_step = t.inter_node_bytes_per_token * tokens;
  t.inter_node_bytes_per_prefill = t.inter_node_bytes_per_token * static_cast<double>(request.context_tokens);
  return t;
}

}  // namespace fabricperf::sizing
