// Fuzz target: bytes as a Hugging Face config.json (or a sizing catalogue entry), through what
// fp_sizing --config does: parse_json_bounded -> parse_model_config (every number range-checked)
// -> size_model on an HGX H100 and on a small custom server (parameter count, plan search, fabric
// traffic) -> the JSON result and the human report.
// Refusals (UsageError/Error: exit 2/1 in fp_sizing) are expected; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>

#include "fabricperf/error.hpp"
#include "fabricperf/input_file.hpp"
#include "fabricperf/sizing/catalogue.hpp"
#include "fabricperf/sizing/report.hpp"
#include "fabricperf/sizing/server.hpp"

namespace fs = fabricperf::sizing;

namespace {

void size_on(const fs::ModelConfig& model, const fs::ServerSpec& server) {
  fs::SizingRequest request;
  request.server = server;
  request.weights_dtype = model.native_weights_dtype;
  request.context_tokens = model.max_position_embeddings > 0 ? model.max_position_embeddings : 4096;
  request.sequences = 4;
  const fs::SizedModel sized = fs::size_model("fuzz.json", 0, model, request);
  (void)fs::to_json(sized).dump(2);
  std::ostringstream out;
  fs::print_human(out, sized);
}

void exercise(const nlohmann::json& config) {
  const fs::ModelConfig model = fs::parse_model_config(config, "fuzz.json");
  size_on(model, fs::builtin_server("h100"));
  size_on(model, fs::custom_server(0.5, 2));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const nlohmann::json json = fabricperf::parse_json_bounded(text, "fuzz.json");
    if (json.is_object() && json.contains("config")) {
      // A catalogue entry (sizing/catalogue/*.json): its own reader, then its config.
      (void)fs::parse_catalogue_entry("fuzz.json", text);
      exercise(json["config"]);
    } else {
      exercise(json);
    }
  } catch (const fabricperf::Error&) {
    // A refusal with a message: what fp_sizing turns into exit 2 (or 1).
  }
  return 0;
}
