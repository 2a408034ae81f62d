#pragma once
// fp_sizing's output: the result entry of the JSON document and the human tables.
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fabricperf/sizing/fabric.hpp"
#include "fabricperf/sizing/model_config.hpp"
#include "fabricperf/sizing/plan.hpp"

namespace fabricperf::sizing {

struct SizedModel {
  std::string name;             // catalogue name or the config path
  double published_params = 0;  // 0 when unknown
  ModelConfig model;
  SizingPlan plan;
  FabricTraffic fabric;  // of plan.best (empty when nothing fits)
};

[[nodiscard]] SizedModel size_model(std::string name, double published_params, const ModelConfig& model,
                                    const SizingRequest& request);

// One entry of the document's "results": min_servers, gpus_total, layout, per_gpu_bytes,
// kv_bytes_per_token, weights_bytes, fabric, plus the model and request it answers.
[[nodiscard]] nlohmann::json to_json(const SizedModel& sized);

// "672.4 GB", "70.3 kB", "512 B" (decimal units).
[[nodiscard]] std::string format_bytes(double bytes);

void print_human(std::ostream& out, const SizedModel& sized);

// --table: one row per model, one column per server type (minimum servers, "-" when none fits).
void print_table(std::ostream& out, const std::vector<std::vector<SizedModel>>& rows,
                 const std::vector<ServerSpec>& servers);

}  // namespace fabricperf::sizing
