#include "fabricperf/sizing/report.hpp"

#include <cmath>
#include <cstdio>
#include <ostream>

#include "fabricperf/sizing/kv_cache.hpp"

namespace fabricperf::sizing {
namespace {

using nlohmann::json;

std::uint64_t bytes_up(double bytes) {
  return bytes <= 0 ? 0 : static_cast<std::uint64_t>(std::ceil(bytes));
}
std::int64_t bytes_down(double bytes) {
  return static_cast<std::int64_t>(std::floor(bytes));
}

std::string printf_string(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

std::string format_params(double params) {
  if (params >= 1e12) return printf_string("%.2fT", params / 1e12);
  if (params >= 1e9) return printf_string("%.1fB", params / 1e9);
  return printf_string("%.1fM", params / 1e6);
}

json layout_json(const Layout& l) {
  json j{{"mode", to_string(l.mode)}, {"tp", l.tp}, {"pp", l.pp}, {"ep", l.ep}, {"dp_attention", l.dp_attention}};
  if (l.mode == ParallelMode::pipeline) j["layers_per_stage"] = l.layers_per_stage;
  if (l.mode == ParallelMode::expert) j["experts_per_gpu"] = l.experts_per_gpu;
  return j;
}

json memory_json(const GpuMemory& m) {
  return json{{"capacity", bytes_down(m.capacity)}, {"usable", bytes_down(m.usable)}, {"weights", bytes_up(m.weights)},
              {"kv_cache", bytes_up(m.kv_cache)},   {"reserve", bytes_up(m.reserve)}, {"free", bytes_down(m.free())}};
}

json candidate_json(const Candidate& c) {
  return json{{"min_servers", c.servers},
              {"gpus_total", c.gpus},
              {"layout", layout_json(c.layout)},
              {"per_gpu_bytes", memory_json(c.worst_gpu)}};
}

json fabric_json(const FabricTraffic& f) {
  json collectives = json::array();
  for (const Collective& c : f.collectives) {
    collectives.push_back(json{{"name", c.name},
                               {"op", c.op},
                               {"crosses_fabric", c.crosses_fabric},
                               {"size_bytes", bytes_up(c.size_bytes)},
                               {"count_per_step", c.count_per_step},
                               {"bytes_per_step", bytes_up(c.size_bytes * static_cast<double>(c.count_per_step))},
                               {"inter_node_fraction", c.inter_node_fraction}});
  }
  return json{{"servers", f.servers},
              {"tokens_per_step", f.tokens_per_step},
              {"activation_bytes_per_token", bytes_up(f.activation_bytes_per_token)},
              {"pipeline_node_boundaries", f.pipeline_boundaries},
              {"per_token",
               {{"pipeline_bytes", bytes_up(f.pipeline_bytes_per_token)},
                {"ep_all_to_all_bytes", bytes_up(f.ep_all_to_all_bytes_per_token)},
                {"inter_node_bytes", bytes_up(f.inter_node_bytes_per_token)}}},
              {"per_step", {{"inter_node_bytes", bytes_up(f.inter_node_bytes_per_step)}}},
              {"per_prefill", {{"inter_node_bytes", bytes_up(f.inter_node_bytes_per_prefill)}}},
              {"collectives", collectives}};
}

std::string architecture_line(const ModelConfig& m) {
  std::string s = (m.model_type.empty() ? std::string("unknown type") : m.model_type) + ": " +
                  std::to_string(m.num_layers) + " layers, hidden " + std::to_string(m.hidden_size) + ", ";
  if (m.mla) {
    s += "MLA (" + std::to_string(m.num_heads) + " heads, latent " + std::to_string(m.mla->kv_lora_rank) + "+" +
         std::to_string(m.mla->qk_rope_head_dim) + ")";
  } else {
    s += "GQA (" + std::to_string(m.num_heads) + " heads, " + std::to_string(m.num_kv_heads) + " KV heads x " +
         std::to_string(m.head_dim) + ")";
  }
  if (m.is_moe()) {
    s += ", MoE " + std::to_string(m.moe.routed_experts) + " experts top-" + std::to_string(m.moe.experts_per_token) +
         (m.moe.shared_intermediate_size > 0 ? " + shared" : "") + " on " + std::to_string(m.moe_layer_count()) +
         " layers";
  } else {
    s += ", dense";
  }
  if (m.windowed_layer_count() > 0) s += ", " + std::to_string(m.windowed_layer_count()) + " windowed-attention layers";
  if (m.vision_params > 0) s += ", vision tower";
  return s;
}

std::string layout_line(const Layout& l) {
  std::string s = "tp=" + std::to_string(l.tp) + " pp=" + std::to_string(l.pp) + " ep=" + std::to_string(l.ep);
  if (l.mode == ParallelMode::expert) {
    s += " (expert parallel: " + std::to_string(l.experts_per_gpu) + " experts per GPU per MoE layer, attention x" +
         std::to_string(l.dp_attention) + " data-parallel)";
  } else if (l.pp > 1) {
    std::string stages;
    for (std::uint64_t n : l.layers_per_stage) stages += (stages.empty() ? "" : "/") + std::to_string(n);
    s += " (pipeline: layers " + stages + ")";
  } else {
    s += " (tensor parallel)";
  }
  return s;
}

std::string memory_line(const GpuMemory& m) {
  return "weights " + format_bytes(m.weights) + " + KV " + format_bytes(m.kv_cache) + " + reserve " +
         format_bytes(m.reserve) + " of " + format_bytes(m.usable) + " usable; " + format_bytes(m.free()) + " free";
}

}  // namespace

std::string format_bytes(double bytes) {
  const double a = std::fabs(bytes);
  if (a >= 1e12) return printf_string("%.2f TB", bytes / 1e12);
  if (a >= 1e9) return printf_string("%.1f GB", bytes / 1e9);
  if (a >= 1e6) return printf_string("%.1f MB", bytes / 1e6);
  if (a >= 1e3) return printf_string("%.1f kB", bytes / 1e3);
  return printf_string("%.0f B", bytes);
}

SizedModel size_model(std::string name, double published_params, const ModelConfig& model,
                      const SizingRequest& request) {
  SizedModel s{std::move(name), published_params, model, plan_deployment(model, request), {}};
  if (s.plan.best) s.fabric = fabric_traffic(model, request, *s.plan.best);
  return s;
}

json to_json(const SizedModel& s) {
  const SizingPlan& p = s.plan;
  const SizingRequest& r = p.request;
  const ModelConfig& m = s.model;
  const LayerParams layers = p.params.sum_layers();
  json moe = nullptr;
  if (m.is_moe()) {
    moe = json{{"routed_experts", m.moe.routed_experts},
               {"experts_per_token", m.moe.experts_per_token},
               {"expert_intermediate_size", m.moe.expert_intermediate_size},
               {"shared_intermediate_size", m.moe.shared_intermediate_size},
               {"moe_layers", m.moe_layer_count()}};
  }
  json mla = nullptr;
  if (m.mla) {
    mla = json{{"kv_lora_rank", m.mla->kv_lora_rank},
               {"qk_rope_head_dim", m.mla->qk_rope_head_dim},
               {"q_lora_rank", m.mla->q_lora_rank},
               {"qk_nope_head_dim", m.mla->qk_nope_head_dim},
               {"v_head_dim", m.mla->v_head_dim}};
  }
  json j{
      {"model", s.name},
      {"model_type", m.model_type},
      {"config_source", m.origin},
      {"server", r.server.key},
      {"server_name", r.server.name},
      {"gpus_per_server", r.server.gpus},
      {"gpu_memory_bytes", bytes_down(r.server.gpu_memory_bytes)},
      {"weights_dtype", to_string(r.weights_dtype)},
      {"kv_dtype", to_string(r.kv_dtype)},
      {"context_tokens", r.context_tokens},
      {"sequences", r.sequences},
      {"gpu_util", r.gpu_util},
      {"reserve_bytes_per_gpu", bytes_up(r.reserve_bytes)},
      {"architecture",
       {{"layers", m.num_layers},
        {"hidden_size", m.hidden_size},
        {"attention", m.mla ? "mla" : "gqa"},
        {"num_attention_heads", m.num_heads},
        {"num_key_value_heads", m.num_kv_heads},
        {"head_dim", m.mla ? json(nullptr) : json(m.head_dim)},
        {"mla", mla},
        {"vocab_size", m.vocab_size},
        {"tie_word_embeddings", m.tie_word_embeddings},
        {"moe", moe},
        {"windowed_layers", m.windowed_layer_count()},
        {"mtp_layers_not_counted", m.mtp_layers}}},
      {"params",
       {{"total", p.params.total()},
        {"published", s.published_params > 0 ? json(s.published_params) : json(nullptr)},
        {"active_per_token", p.params.active_per_token},
        {"embedding", p.params.embedding},
        {"lm_head", p.params.lm_head},
        {"attention", layers.attention},
        {"dense_mlp", layers.dense_mlp},
        {"shared_experts", layers.shared_experts},
        {"routed_experts", layers.routed_experts},
        {"router", layers.router},
        {"norms", layers.norms + p.params.final_norm},
        {"vision", p.params.vision}}},
      {"weights_bytes", bytes_up(p.weights.total())},
      {"kv_bytes_per_token", bytes_up(p.kv_bytes_per_token)},
      {"kv_cache_bytes", bytes_up(p.kv_cache_bytes)},
      {"tp_within_server", p.tp},
      {"fits", p.best.has_value()},
  };
  if (p.best) {
    j["min_servers"] = p.best->servers;
    j["gpus_total"] = p.best->gpus;
    j["layout"] = layout_json(p.best->layout);
    j["per_gpu_bytes"] = memory_json(p.best->worst_gpu);
    j["fabric"] = fabric_json(s.fabric);
  } else {
    j["min_servers"] = nullptr;
    j["gpus_total"] = nullptr;
    j["layout"] = nullptr;
    j["per_gpu_bytes"] = nullptr;
    j["fabric"] = nullptr;
    j["no_fit_reason"] = p.no_fit_reason;
  }
  json alternatives = json::array();
  for (const Candidate& c : p.alternatives) alternatives.push_back(candidate_json(c));
  j["alternatives"] = alternatives;
  return j;
}

void print_human(std::ostream& out, const SizedModel& s) {
  const SizingPlan& p = s.plan;
  const SizingRequest& r = p.request;
  const ModelConfig& m = s.model;
  const double total = static_cast<double>(p.params.total());
  out << s.name << "  (" << architecture_line(m) << ")\n";
  out << "  parameters   " << format_params(total);
  if (s.published_params > 0) {
    out << " (published " << format_params(s.published_params) << ", "
        << printf_string("%+.1f%%", 100.0 * (total - s.published_params) / s.published_params) << ")";
  }
  out << "; " << format_params(static_cast<double>(p.params.active_per_token)) << " active per token";
  if (m.mtp_layers > 0) out << "; MTP layer not counted";
  out << "\n";
  out << "  weights      " << to_string(r.weights_dtype) << "  " << format_bytes(p.weights.total()) << "\n";
  out << "  KV cache     " << to_string(r.kv_dtype) << "  " << format_bytes(p.kv_bytes_per_token) << "/token x "
      << r.context_tokens << " tokens x " << r.sequences << (r.sequences == 1 ? " sequence" : " sequences") << " = "
      << format_bytes(p.kv_cache_bytes) << (m.windowed_layer_count() > 0 ? " (windowed layers keep their window)" : "")
      << "\n";
  out << "  server       " << r.server.name << ": " << format_bytes(r.server.gpu_memory_bytes) << " per GPU, "
      << printf_string("%.0f%%", r.gpu_util * 100) << " usable, " << format_bytes(r.reserve_bytes) << " reserve\n";
  if (!p.best) {
    out << "  minimum      none: " << p.no_fit_reason << "\n";
    return;
  }
  const Candidate& c = *p.best;
  out << "  minimum      " << c.servers << (c.servers == 1 ? " server" : " servers") << " (" << c.gpus
      << " GPUs): " << layout_line(c.layout) << "\n";
  out << "  per GPU      " << memory_line(c.worst_gpu) << "\n";
  const FabricTraffic& f = s.fabric;
  out << "  fabric       per token " << format_bytes(f.inter_node_bytes_per_token) << " across nodes";
  if (f.pipeline_bytes_per_token > 0)
    out << " (pipeline: " << f.pipeline_boundaries << " node boundaries x "
        << format_bytes(f.activation_bytes_per_token) << ")";
  if (f.ep_all_to_all_bytes_per_token > 0) out << " (EP all-to-all dispatch+combine)";
  out << "; per decode step (" << f.tokens_per_step << (f.tokens_per_step == 1 ? " token) " : " tokens) ")
      << format_bytes(f.inter_node_bytes_per_step) << "; per prefill of one context "
      << format_bytes(f.inter_node_bytes_per_prefill) << "\n";
  bool first = true;
  for (const Collective& col : f.collectives) {
    out << (first ? "  collectives  " : "               ") << col.name << ": " << col.op << " of "
        << format_bytes(col.size_bytes) << " x" << col.count_per_step << " per step, "
        << (col.crosses_fabric ? printf_string("%.0f%% across nodes", col.inter_node_fraction * 100)
                               : std::string("inside a node"))
        << "\n";
    first = false;
  }
  for (const Candidate& alt : p.alternatives) {
    out << "  alternative  " << alt.servers << (alt.servers == 1 ? " server" : " servers") << ": "
        << layout_line(alt.layout) << "; per GPU " << memory_line(alt.worst_gpu) << "\n";
  }
}

void print_table(std::ostream& out, const std::vector<std::vector<SizedModel>>& rows,
                 const std::vector<ServerSpec>& servers) {
  char line[512];
  std::snprintf(line, sizeof line, "%-36s %9s %6s %9s %10s", "Model", "Params", "Dtype", "Context", "KV/token");
  out << line;
  for (const ServerSpec& s : servers) {
    std::snprintf(line, sizeof line, " %8s", s.key.c_str());
    out << line;
  }
  out << "\n";
  for (const std::vector<SizedModel>& row : rows) {
    if (row.empty()) continue;
    const SizedModel& first = row.front();
    std::snprintf(line, sizeof line, "%-36s %9s %6s %9llu %10s", first.name.c_str(),
                  format_params(static_cast<double>(first.plan.params.total())).c_str(),
                  std::string(to_string(first.plan.request.weights_dtype)).c_str(),
                  static_cast<unsigned long long>(first.plan.request.context_tokens),
                  format_bytes(first.plan.kv_bytes_per_token).c_str());
    out << line;
    for (const SizedModel& cell : row) {
      const std::string v = cell.plan.best ? std::to_string(cell.plan.best->servers) : "-";
      std::snprintf(line, sizeof line, " %8s", v.c_str());
      out << line;
    }
    out << "\n";
  }
  out << "(minimum servers per type; '-' = does not fit; each model at its native weight format and maximum context,"
         " unless overridden)\n";
}

}  // namespace fabricperf::sizing
