// fp_sizing: how many HGX servers a model needs, in which layout, and what crosses the fabric.
#include <iostream>
#include <optional>
#include <string>

#include "fabricperf/cli.hpp"
#include "fabricperf/cli_checks.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/run_output.hpp"
#include "fabricperf/sizes.hpp"
#include "fabricperf/sizing/catalogue.hpp"
#include "fabricperf/sizing/report.hpp"

namespace fs = fabricperf::sizing;

namespace {

struct Options {
  std::string model;
  std::string config;
  bool table = false;
  bool list_models = false;
  std::string server = "h100";
  double gpu_mem_gb = 0;
  std::uint64_t gpus_per_server = 0;
  std::string weights_dtype;
  std::string kv_dtype = "bf16";
  std::string context;
  std::uint64_t sequences = 1;
  double gpu_util = fs::kDefaultGpuUtil;
  double reserve_gb = fs::kDefaultReserveGb;
  std::string json_path;
};

void add_options(CLI::App& app, Options& o) {
  auto* model = app.add_option("--model", o.model, "A built-in model (see --list-models)")
                    ->check(fabricperf::non_empty())
                    ->type_name("NAME");
  auto* config = app.add_option("--config", o.config, "A Hugging Face config.json")
                     ->check(fabricperf::non_empty())
                     ->type_name("FILE");
  auto* table = app.add_flag("--table", o.table, "Every built-in model against h100, h200 and b200 servers");
  auto* list = app.add_flag("--list-models", o.list_models, "List the built-in models and exit");
  model->excludes(config)->excludes(table)->excludes(list);
  config->excludes(table)->excludes(list);
  table->excludes(list);
  app.add_option("--server", o.server, "h100, h200, b200 (HGX, 8 GPUs) or custom")
      ->check(fabricperf::non_empty())
      ->capture_default_str();
  app.add_option("--gpu-mem-gb", o.gpu_mem_gb, "Memory per GPU in GB, for --server custom")
      ->check(fabricperf::number_above(0, fs::kMaxGpuMemGb))
      ->type_name("X");
  app.add_option("--gpus-per-server", o.gpus_per_server, "GPUs per server, for --server custom (at most 1024)")
      ->check(fabricperf::integer_in(1, static_cast<long long>(fs::kMaxGpusPerServer)))
      ->type_name("N");
  app.add_option("--weights-dtype", o.weights_dtype, "bf16, fp16, fp8, int8, int4, fp4 (default: as released)")
      ->check(fabricperf::non_empty())
      ->type_name("D");
  app.add_option("--kv-dtype", o.kv_dtype, "KV-cache format: bf16, fp16, fp32, fp8")
      ->check(fabricperf::non_empty())
      ->type_name("D")
      ->capture_default_str();
  app.add_option("--context", o.context, "Tokens per sequence, K suffix allowed (default: the model's maximum)")
      ->check(fabricperf::non_empty())
      ->type_name("N");
  app.add_option("--sequences", o.sequences, "Sequences held at once (at most 10^9)")
      ->check(fabricperf::integer_in(1, static_cast<long long>(fs::kMaxSequences)))
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--gpu-util", o.gpu_util, "Share of each GPU's memory the runtime may use")
      ->type_name("F")
      ->capture_default_str();
  app.add_option("--reserve-gb", o.reserve_gb, "Per GPU, for activations, CUDA graphs and NCCL buffers")
      ->type_name("X")
      ->capture_default_str();
  app.add_option("--json", o.json_path, "Write the result document to FILE ('-' = stdout)")
      ->check(fabricperf::output_file())
      ->type_name("FILE");
}

fs::ServerSpec server_from(const Options& o) {
  if (o.server == "custom") return fs::custom_server(o.gpu_mem_gb, o.gpus_per_server);
  if (o.gpu_mem_gb != 0 || o.gpus_per_server != 0)
    throw fabricperf::UsageError("--gpu-mem-gb and --gpus-per-server go with --server custom");
  return fs::builtin_server(o.server);
}

fs::SizingRequest request_for(const Options& o, const fs::ModelConfig& model, const fs::ServerSpec& server) {
  fs::SizingRequest r;
  r.server = server;
  r.weights_dtype = o.weights_dtype.empty() ? model.native_weights_dtype : fs::parse_dtype(o.weights_dtype);
  r.kv_dtype = fs::parse_kv_dtype(o.kv_dtype);
  if (!o.context.empty()) {
    r.context_tokens = fabricperf::parse_size(o.context);
    if (r.context_tokens > fs::kMaxContextTokens)
      throw fabricperf::UsageError("--context " + o.context + " is above the limit of " +
                                   std::to_string(fs::kMaxContextTokens) + " tokens");
  } else if (model.max_position_embeddings > 0) {
    r.context_tokens = model.max_position_embeddings;
  } else {
    throw fabricperf::UsageError(model.origin + ": missing field \"max_position_embeddings\" (or give --context)");
  }
  if (o.sequences == 0) throw fabricperf::UsageError("--sequences must be at least 1");
  r.sequences = o.sequences;
  r.gpu_util = o.gpu_util;
  if (!(o.reserve_gb >= 0)) throw fabricperf::UsageError("--reserve-gb must not be negative");
  r.reserve_bytes = o.reserve_gb * 1e9;
  return r;
}

nlohmann::json params_json(const Options& o) {
  nlohmann::json p{{"server", o.server},          {"kv_dtype", o.kv_dtype},     {"sequences", o.sequences},
                   {"gpu_util", o.gpu_util},      {"reserve_gb", o.reserve_gb}, {"table", o.table},
                   {"list_models", o.list_models}};
  if (!o.model.empty()) p["model"] = o.model;
  if (!o.config.empty()) p["config"] = o.config;
  if (!o.weights_dtype.empty()) p["weights_dtype"] = o.weights_dtype;
  if (!o.context.empty()) p["context"] = o.context;
  if (o.server == "custom") {
    p["gpu_mem_gb"] = o.gpu_mem_gb;
    p["gpus_per_server"] = o.gpus_per_server;
  }
  return p;
}

int list_models(fabricperf::RunOutput& out) {
  char line[256];
  std::snprintf(line, sizeof line, "%-36s %-44s %9s %6s %9s\n", "Model", "Hugging Face repository", "Params", "Dtype",
                "Context");
  out.human() << line;
  for (const fs::CatalogueEntry& e : fs::catalogue()) {
    const fs::ParamCount params = fs::count_parameters(e.model);
    std::snprintf(line, sizeof line, "%-36s %-44s %8.1fB %6s %9llu\n", e.name.c_str(), e.hf_repo.c_str(),
                  static_cast<double>(params.total()) / 1e9,
                  std::string(fs::to_string(e.model.native_weights_dtype)).c_str(),
                  static_cast<unsigned long long>(e.model.max_position_embeddings));
    out.human() << line;
    out.add_result({{"model", e.name},
                    {"hf_repo", e.hf_repo},
                    {"aliases", e.aliases},
                    {"params_total", params.total()},
                    {"params_published", e.published_params},
                    {"native_weights_dtype", fs::to_string(e.model.native_weights_dtype)},
                    {"max_context_tokens", e.model.max_position_embeddings},
                    {"source", e.source}});
  }
  return out.finish(fabricperf::RunStatus::ok);
}

int table(const Options& o, fabricperf::RunOutput& out) {
  std::vector<fs::ServerSpec> servers = fs::builtin_servers();
  if (o.server == "custom") servers.push_back(server_from(o));
  std::vector<std::vector<fs::SizedModel>> rows;
  for (const fs::CatalogueEntry& e : fs::catalogue()) {
    std::vector<fs::SizedModel> row;
    for (const fs::ServerSpec& server : servers) {
      row.push_back(fs::size_model(e.name, e.published_params, e.model, request_for(o, e.model, server)));
      out.add_result(fs::to_json(row.back()));
    }
    rows.push_back(std::move(row));
  }
  fs::print_table(out.human(), rows, servers);
  return out.finish(fabricperf::RunStatus::ok);
}

int size_one(const Options& o, fabricperf::RunOutput& out) {
  const fs::ServerSpec server = server_from(o);
  std::string name;
  double published = 0;
  std::optional<fs::ModelConfig> model;
  if (!o.model.empty()) {
    const fs::CatalogueEntry& e = fs::find_catalogue_entry(o.model);
    name = e.name;
    published = e.published_params;
    model = e.model;
  } else {
    model = fs::load_model_config(o.config);
    name = o.config;
  }
  const fs::SizedModel sized = fs::size_model(name, published, *model, request_for(o, *model, server));
  fs::print_human(out.human(), sized);
  out.add_result(fs::to_json(sized));
  if (!sized.plan.best) {
    out.add_error(name + " on " + server.name + ": " + sized.plan.no_fit_reason);
    return out.finish(fabricperf::RunStatus::failed);
  }
  return out.finish(fabricperf::RunStatus::ok);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "fp_sizing: how many GPU servers a model needs at a given context and concurrency, in which parallel layout,\n"
      "and what crosses the fabric per token (the collective sizes worth testing).\n"
      "Give one of --model NAME, --config FILE, --table or --list-models.",
      "fp_sizing"};
  Options o;
  add_options(app, o);
  return fabricperf::run_main(app, argc, argv, [&]() -> int {
    if (o.model.empty() && o.config.empty() && !o.table && !o.list_models)
      throw fabricperf::UsageError("give --model NAME, --config FILE, --table or --list-models");
    fabricperf::RunOutput out("fp_sizing", fabricperf::command_line(argc, argv), o.json_path);
    out.set_params(params_json(o));
    if (o.list_models) return list_models(out);
    if (o.table) return table(o, out);
    return size_one(o, out);
  });
}
