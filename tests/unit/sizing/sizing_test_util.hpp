#pragma once
// Shared helpers for the sizing unit tests.
#include <nlohmann/json.hpp>
#include <string>

#include "fabricperf/sizing/model_config.hpp"
#include "fabricperf/sizing/plan.hpp"

namespace sizing_test {

inline std::string data_path(const std::string& name) {
  return std::string(FABRICPERF_SOURCE_DIR) + "/tests/data/sizing/" + name;
}

inline fabricperf::sizing::ModelConfig load(const std::string& name) {
  return fabricperf::sizing::load_model_config(data_path(name));
}

// A server small enough that the toy models need several: `bytes` per GPU, all of it usable.
inline fabricperf::sizing::SizingRequest toy_request(double bytes, std::uint64_t gpus, std::uint64_t context) {
  fabricperf::sizing::SizingRequest r;
  r.server = {"custom", "toy", gpus, bytes};
  r.weights_dtype = fabricperf::sizing::DType::bf16;
  r.kv_dtype = fabricperf::sizing::DType::bf16;
  r.context_tokens = context;
  r.sequences = 1;
  r.gpu_util = 1.0;
  r.reserve_bytes = 0;
  return r;
}

}  // namespace sizing_test
