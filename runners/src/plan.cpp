// Plans: JSON <-> Plan with every key checked. The defaults' own JSON (to_json(Plan{})) is the
// list of known keys, so a new plan field is added in three places: the struct, to_json and
// from_json below.
#include "fabricperf/runners/plan.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "fabricperf/cli.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/input_file.hpp"
#include "fabricperf/sizes.hpp"

namespace fabricperf::runners {
namespace {

using nlohmann::json;

// A plan is a few KB of JSON; anything past this is not a plan.
constexpr std::size_t kMaxPlanBytes = std::size_t{16} << 20;
// The most one RDMA work request carries (verbs/message_size.hpp; runners may build without verbs).
constexpr std::uint64_t kMaxMessageBytes = 0xffffffffULL;

[[noreturn]] void fail(const std::string& origin, const std::string& path, const std::string& what) {
  throw UsageError(origin + ": " + (path.empty() ? "" : path + ": ") + what);
}

std::string shown(const json& value) {
  std::string text = value.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

json sizes_json(const std::vector<std::uint64_t>& sizes) {
  json out = json::array();
  for (auto s : sizes) out.push_back(format_size(s));
  return out;
}

// Reads typed values out of a merged plan JSON, naming the key path in every error.
class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  std::uint64_t positive(const json& v, const std::string& path, bool allow_zero = false) const {
    if (v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
      const auto n = v.get<std::uint64_t>();
      if (n > 0 || allow_zero) return n;
    }
    fail(origin_, path,
         std::string("expected a ") + (allow_zero ? "non-negative" : "positive") + " integer, got " + shown(v));
  }
  int integer(const json& v, const std::string& path, int min, int max) const {
    if (v.is_number_integer()) {
      const auto n = v.get<std::int64_t>();
      if (n >= min && n <= max) return static_cast<int>(n);
    }
    fail(origin_, path,
         "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + shown(v));
  }
  double number(const json& v, const std::string& path, double min, double max) const {
    if (v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() >= min && v.get<double>() <= max)
      return v.get<double>();
    std::ostringstream range;
    range << "expected a number from " << min << " to " << max << ", got " << shown(v);
    fail(origin_, path, range.str());
  }
  bool boolean(const json& v, const std::string& path) const {
    if (v.is_boolean()) return v.get<bool>();
    fail(origin_, path, "expected true or false, got " + shown(v));
  }
  std::string choice(const json& v, const std::string& path, std::initializer_list<std::string_view> allowed) const {
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    if (v.is_string() && std::find(allowed.begin(), allowed.end(), v.get<std::string>()) != allowed.end())
      return v.get<std::string>();
    fail(origin_, path, "expected one of " + list + ", got " + shown(v));
  }
  std::string text(const json& v, const std::string& path) const {
    if (v.is_string()) return v.get<std::string>();
    fail(origin_, path, "expected a string, got " + shown(v));
  }
  std::uint64_t size(const json& v, const std::string& path) const {
    try {
      if (v.is_string()) return parse_size(v.get<std::string>());
      if (v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() > 0)) return v.get<std::uint64_t>();
    } catch (const UsageError& e) {
      fail(origin_, path, e.what());
    }
    fail(origin_, path, "expected a size like 4096 or \"64K\", got " + shown(v));
  }
  std::vector<std::uint64_t> sizes(const json& v, const std::string& path) const {
    if (!v.is_array() || v.empty()) fail(origin_, path, "expected a non-empty list of sizes, got " + shown(v));
    std::vector<std::uint64_t> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string at = path + "[" + std::to_string(i) + "]";
      out.push_back(size(v[i], at));
      // These are verbs message sizes: one work request carries at most 2^32 - 1 bytes.
      if (out.back() > kMaxMessageBytes)
        fail(origin_, at,
             format_size(out.back()) + " is above " + std::to_string(kMaxMessageBytes) +
                 " bytes, the most one RDMA work request carries");
    }
    return out;
  }
  std::vector<std::string> strings(const json& v, const std::string& path, bool allow_empty) const {
    if (!v.is_array() || (!allow_empty && v.empty()))
      fail(origin_, path,
           std::string("expected a ") + (allow_empty ? "" : "non-empty ") + "list of strings, got " + shown(v));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v.size(); ++i) out.push_back(text(v[i], path + "[" + std::to_string(i) + "]"));
    return out;
  }
  const std::string& origin() const { return origin_; }

 private:
  std::string origin_;
};

// Keys whose members are free (op name -> number) rather than fixed plan keys.
bool is_open_map(const std::string& path) {
  return path == "expect.busbw_min_GBps";
}

// Merges `patch` into `target`, rejecting keys `target` does not have (so typos are caught).
void merge_checked(json& target, const json& patch, const std::string& path, const std::string& origin) {
  if (!patch.is_object()) fail(origin, path, "expected an object with keys, got " + shown(patch));
  for (const auto& [key, value] : patch.items()) {
    const std::string here = path.empty() ? key : path + "." + key;
    if (is_open_map(path)) {
      target[key] = value;
      continue;
    }
    if (!target.contains(key)) {
      std::string known;
      for (const auto& [k, unused] : target.items()) known += (known.empty() ? "" : ", ") + k;
      fail(origin, "", "unknown key '" + here + "' (known" + (path.empty() ? "" : " in " + path) + ": " + known + ")");
    }
    json& slot = target[key];
    if (slot.is_object() && !is_open_map(here)) {
      merge_checked(slot, value, here, origin);
    } else if (is_open_map(here)) {
      if (!value.is_object()) fail(origin, here, "expected an object of op: GB/s, got " + shown(value));
      slot = value;
    } else {
      slot = value;
    }
  }
}

Plan from_json(const json& j, const Reader& r, Plan plan) {
  plan.name = r.text(j["name"], "name");
  plan.description = r.text(j["description"], "description");
  plan.stages = r.strings(j["stages"], "stages", true);
  for (std::size_t i = 0; i < plan.stages.size(); ++i)
    if (!is_stage_name(plan.stages[i]))
      r.choice(j["stages"][i], "stages[" + std::to_string(i) + "]",
               {"reach", "preflight", "verbs_bw", "verbs_lat", "gdr", "collectives", "stress"});
  plan.timeout_s = r.number(j["timeout_s"], "timeout_s", 0.001, 1e6);
  plan.reach.connect_timeout_s = r.number(j["reach"]["connect_timeout_s"], "reach.connect_timeout_s", 0.001, 3600);

  const json& v = j["verbs"];
  plan.verbs.bw.op = r.choice(v["bw"]["op"], "verbs.bw.op", {"write", "read", "send"});
  plan.verbs.bw.sizes = r.sizes(v["bw"]["sizes"], "verbs.bw.sizes");
  plan.verbs.bw.iterations = r.positive(v["bw"]["iterations"], "verbs.bw.iterations");
  plan.verbs.bw.duration_s = r.number(v["bw"]["duration_s"], "verbs.bw.duration_s", 0, 86400);
  plan.verbs.bw.bidirectional = r.boolean(v["bw"]["bidirectional"], "verbs.bw.bidirectional");
  plan.verbs.bw.qps = r.integer(v["bw"]["qps"], "verbs.bw.qps", 1, 1024);
  plan.verbs.bw.window_ms = r.number(v["bw"]["window_ms"], "verbs.bw.window_ms", 1, 3.6e6);
  plan.verbs.lat.op = r.choice(v["lat"]["op"], "verbs.lat.op", {"write", "read", "send"});
  plan.verbs.lat.sizes = r.sizes(v["lat"]["sizes"], "verbs.lat.sizes");
  plan.verbs.lat.iterations = r.positive(v["lat"]["iterations"], "verbs.lat.iterations");
  plan.verbs.mode = r.choice(v["mode"], "verbs.mode", {"all_pairs", "adaptive"});
  const json& a = v["adaptive"];
  plan.verbs.adaptive.rounds = r.positive(a["rounds"], "verbs.adaptive.rounds");
  plan.verbs.adaptive.good_peers = r.integer(a["good_peers"], "verbs.adaptive.good_peers", 1, 64);
  plan.verbs.adaptive.max_retest_rounds = r.positive(a["max_retest_rounds"], "verbs.adaptive.max_retest_rounds", true);
  plan.verbs.adaptive.window_floor_pct = r.number(a["window_floor_pct"], "verbs.adaptive.window_floor_pct", 0, 100);
  plan.verbs.adaptive.seed = r.positive(a["seed"], "verbs.adaptive.seed", true);
  plan.verbs.max_rounds = r.positive(v["max_rounds"], "verbs.max_rounds", true);
  plan.verbs.rails = r.integer(v["rails"], "verbs.rails", 0, 64);
  plan.verbs.devices = r.strings(v["devices"], "verbs.devices", true);
  plan.verbs.gid_index = r.integer(v["gid_index"], "verbs.gid_index", -1, 255);
  plan.verbs.port_base = r.integer(v["port_base"], "verbs.port_base", 1024, 65000);

  const json& g = j["gdr"];
  plan.gdr.op = r.choice(g["op"], "gdr.op", {"write", "read", "send"});
  plan.gdr.sizes = r.sizes(g["sizes"], "gdr.sizes");
  plan.gdr.iterations = r.positive(g["iterations"], "gdr.iterations");

  const json& c = j["collectives"];
  plan.collectives.backend = r.choice(c["backend"], "collectives.backend", {"auto", "nccl", "mpi"});
  plan.collectives.ops = r.strings(c["ops"], "collectives.ops", false);
  for (std::size_t i = 0; i < plan.collectives.ops.size(); ++i)
    r.choice(c["ops"][i], "collectives.ops[" + std::to_string(i) + "]",
             {"all_reduce", "all_gather", "reduce_scatter", "alltoall", "broadcast", "reduce", "sendrecv"});
  plan.collectives.min_bytes = r.size(c["min_size"], "collectives.min_size");
  plan.collectives.max_bytes = r.size(c["max_size"], "collectives.max_size");
  if (plan.collectives.min_bytes > plan.collectives.max_bytes)
    fail(r.origin(), "collectives.min_size", "is larger than collectives.max_size");
  if (const auto memory = physical_memory_bytes(); memory != 0 && plan.collectives.max_bytes > memory)
    fail(r.origin(), "collectives.max_size",
         format_size(plan.collectives.max_bytes) + " is larger than this host's memory (" +
             std::to_string(memory >> 20) + " MiB)");
  plan.collectives.factor = r.number(c["factor"], "collectives.factor", 1.0001, 1024);
  plan.collectives.iterations = r.positive(c["iterations"], "collectives.iterations");
  plan.collectives.warmup = r.positive(c["warmup"], "collectives.warmup", true);
  plan.collectives.dtype =
      r.choice(c["dtype"], "collectives.dtype", {"float", "half", "bfloat16", "double", "int32", "int8"});

  const json& s = j["stress"];
  plan.stress.bisection = r.boolean(s["bisection"], "stress.bisection");
  plan.stress.permutations = r.positive(s["permutations"], "stress.permutations", true);
  plan.stress.seed = r.positive(s["seed"], "stress.seed", true);
  plan.stress.op = r.choice(s["op"], "stress.op", {"write", "read", "send"});
  plan.stress.size = r.size(s["size"], "stress.size");
  plan.stress.iterations = r.positive(s["iterations"], "stress.iterations");
  plan.stress.duration_s = r.number(s["duration_s"], "stress.duration_s", 0, 86400);

  plan.fabric.nodes_per_leaf = r.integer(j["fabric"]["nodes_per_leaf"], "fabric.nodes_per_leaf", 0, 1 << 20);
  plan.fabric.oversubscription = r.number(j["fabric"]["oversubscription"], "fabric.oversubscription", 1, 64);

  const json& e = j["expect"];
  plan.expect.line_rate_pct = r.number(e["line_rate_pct"], "expect.line_rate_pct", 0, 200);
  plan.expect.lat_max_us = r.number(e["lat_max_us"], "expect.lat_max_us", 0, 1e9);
  plan.expect.gdr_line_rate_pct = r.number(e["gdr_line_rate_pct"], "expect.gdr_line_rate_pct", 0, 200);
  plan.expect.stress_line_rate_pct = r.number(e["stress_line_rate_pct"], "expect.stress_line_rate_pct", 0, 200);
  plan.expect.busbw_min_GBps.clear();
  for (const auto& [op, floor] : e["busbw_min_GBps"].items())
    plan.expect.busbw_min_GBps[op] = r.number(floor, "expect.busbw_min_GBps." + op, 0, 1e6);
  plan.expect.busbw_min_line_rate_pct =
      r.number(e["busbw_min_line_rate_pct"], "expect.busbw_min_line_rate_pct", 0, 200);
  plan.expect.bw_min_gbps = r.number(e["bw_min_gbps"], "expect.bw_min_gbps", 0, 1e6);
  plan.expect.bw_min_line_rate_pct = r.number(e["bw_min_line_rate_pct"], "expect.bw_min_line_rate_pct", 0, 200);
  plan.expect.outlier_k = r.number(e["outlier_k"], "expect.outlier_k", 0.5, 1000);
  plan.expect.outlier_min_deviation_pct =
      r.number(e["outlier_min_deviation_pct"], "expect.outlier_min_deviation_pct", 0, 100);
  plan.expect.outlier_min_samples = r.positive(e["outlier_min_samples"], "expect.outlier_min_samples");
  plan.expect.fingerprint_mismatch =
      r.choice(e["fingerprint_mismatch"], "expect.fingerprint_mismatch", {"fail", "warn"});
  plan.expect.soft_rdma = r.choice(e["soft_rdma"], "expect.soft_rdma", {"warn", "judge"}) == "judge"
                              ? SoftRdmaPolicy::judge
                              : SoftRdmaPolicy::warn;
  return plan;
}

json parse_json_text(std::string_view text, const std::string& origin) {
  try {
    return parse_json_bounded(text, origin);  // depth-capped; 1e400 and every other error a UsageError
  } catch (const UsageError& e) {
    // "ORIGIN: invalid JSON: parse error at line 3, column 5: ..." -> "ORIGIN: not valid JSON: ..."
    std::string what = e.what();
    const std::string invalid = origin + ": invalid JSON: ";
    if (what.rfind(invalid, 0) != 0) throw;
    fail(origin, "", "not valid JSON: " + what.substr(invalid.size()));
  }
}

Plan apply_json(const Plan& base, const json& patch, const std::string& origin) {
  json merged = to_json(base);
  merge_checked(merged, patch, "", origin);
  return from_json(merged, Reader(origin), base);
}

Plan parse_plan_at(std::string_view text, const std::string& origin, const Plan& base, const std::string& dir,
                   int depth) {
  json patch = parse_json_text(text, origin);
  if (!patch.is_object()) fail(origin, "", "expected a JSON object at the top, got " + shown(patch));
  Plan start = base;
  if (patch.contains("extends")) {
    if (!patch["extends"].is_string())
      fail(origin, "extends", "expected a preset name or plan file, got " + shown(patch["extends"]));
    const std::string target = patch["extends"].get<std::string>();
    if (depth > 8) fail(origin, "extends", "more than 8 levels of extends (a loop?)");
    if (auto preset = preset_text(target)) {
      start = parse_plan_at(*preset, "preset " + target, Plan{}, "", depth + 1);
    } else {
      const std::filesystem::path p = std::filesystem::path(target).is_absolute() || dir.empty()
                                          ? std::filesystem::path(target)
                                          : std::filesystem::path(dir) / target;
      if (!std::filesystem::exists(p))
        fail(
            origin, "extends", "'" + target + "' is neither a preset (" + [] {
              std::string names;
              for (const auto& n : preset_names()) names += (names.empty() ? "" : ", ") + n;
              return names;
            }() + ") nor a readable plan file");
      start = parse_plan_at(read_input_file(p.string(), "plan", kMaxPlanBytes), "plan " + p.string(), Plan{},
                            p.parent_path().string(), depth + 1);
    }
    patch.erase("extends");
  }
  return apply_json(start, patch, origin);
}

}  // namespace

bool is_stage_name(std::string_view name) noexcept {
  return std::find(std::begin(kStageNames), std::end(kStageNames), name) != std::end(kStageNames);
}

bool Plan::runs(std::string_view stage) const {
  return std::find(stages.begin(), stages.end(), stage) != stages.end();
}

json to_json(const Plan& p) {
  json busbw = json::object();
  for (const auto& [op, floor] : p.expect.busbw_min_GBps) busbw[op] = floor;
  return {
      {"name", p.name},
      {"description", p.description},
      {"stages", p.stages},
      {"timeout_s", p.timeout_s},
      {"reach", {{"connect_timeout_s", p.reach.connect_timeout_s}}},
      {"verbs",
       {{"bw",
         {{"op", p.verbs.bw.op},
          {"sizes", sizes_json(p.verbs.bw.sizes)},
          {"iterations", p.verbs.bw.iterations},
          {"duration_s", p.verbs.bw.duration_s},
          {"bidirectional", p.verbs.bw.bidirectional},
          {"qps", p.verbs.bw.qps},
          {"window_ms", p.verbs.bw.window_ms}}},
        {"lat",
         {{"op", p.verbs.lat.op}, {"sizes", sizes_json(p.verbs.lat.sizes)}, {"iterations", p.verbs.lat.iterations}}},
        {"mode", p.verbs.mode},
        {"adaptive",
         {{"rounds", p.verbs.adaptive.rounds},
          {"good_peers", p.verbs.adaptive.good_peers},
          {"max_retest_rounds", p.verbs.adaptive.max_retest_rounds},
          {"window_floor_pct", p.verbs.adaptive.window_floor_pct},
          {"seed", p.verbs.adaptive.seed}}},
        {"max_rounds", p.verbs.max_rounds},
        {"rails", p.verbs.rails},
        {"devices", p.verbs.devices},
        {"gid_index", p.verbs.gid_index},
        {"port_base", p.verbs.port_base}}},
      {"gdr", {{"op", p.gdr.op}, {"sizes", sizes_json(p.gdr.sizes)}, {"iterations", p.gdr.iterations}}},
      {"collectives",
       {{"backend", p.collectives.backend},
        {"ops", p.collectives.ops},
        {"min_size", format_size(p.collectives.min_bytes)},
        {"max_size", format_size(p.collectives.max_bytes)},
        {"factor", p.collectives.factor},
        {"iterations", p.collectives.iterations},
        {"warmup", p.collectives.warmup},
        {"dtype", p.collectives.dtype}}},
      {"stress",
       {{"bisection", p.stress.bisection},
        {"permutations", p.stress.permutations},
        {"seed", p.stress.seed},
        {"op", p.stress.op},
        {"size", format_size(p.stress.size)},
        {"iterations", p.stress.iterations},
        {"duration_s", p.stress.duration_s}}},
      {"fabric", {{"nodes_per_leaf", p.fabric.nodes_per_leaf}, {"oversubscription", p.fabric.oversubscription}}},
      {"expect",
       {{"line_rate_pct", p.expect.line_rate_pct},
        {"lat_max_us", p.expect.lat_max_us},
        {"gdr_line_rate_pct", p.expect.gdr_line_rate_pct},
        {"stress_line_rate_pct", p.expect.stress_line_rate_pct},
        {"busbw_min_GBps", busbw},
        {"busbw_min_line_rate_pct", p.expect.busbw_min_line_rate_pct},
        {"bw_min_gbps", p.expect.bw_min_gbps},
        {"bw_min_line_rate_pct", p.expect.bw_min_line_rate_pct},
        {"outlier_k", p.expect.outlier_k},
        {"outlier_min_deviation_pct", p.expect.outlier_min_deviation_pct},
        {"outlier_min_samples", p.expect.outlier_min_samples},
        {"fingerprint_mismatch", p.expect.fingerprint_mismatch},
        {"soft_rdma", p.expect.soft_rdma == SoftRdmaPolicy::judge ? "judge" : "warn"}}},
  };
}

Plan parse_plan(std::string_view text, const std::string& origin, const Plan& base) {
  return parse_plan_at(text, origin, base, "", 0);
}

Plan load_preset(std::string_view name) {
  auto text = preset_text(name);
  if (!text) {
    std::string names;
    for (const auto& n : preset_names()) names += (names.empty() ? "" : ", ") + n;
    throw UsageError("unknown preset '" + std::string(name) + "' (presets: " + names + ")");
  }
  return parse_plan(*text, "preset " + std::string(name));
}

Plan load_plan_file(const std::string& path) {
  if (!path.empty() && !std::filesystem::exists(path))
    throw UsageError("plan " + path + ": cannot read the file (it does not exist)");
  const std::string text = read_input_file(path, "plan", kMaxPlanBytes);  // regular files only, capped
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".yaml" || ext == ".yml")
    throw UsageError("plan " + path + ": YAML plans are not supported yet; write the same keys as JSON");
  return parse_plan_at(text, "plan " + path, Plan{}, std::filesystem::path(path).parent_path().string(), 0);
}

void apply_setting(Plan& plan, std::string_view assignment) {
  const auto eq = assignment.find('=');
  const std::string origin = "--set " + std::string(assignment.substr(0, eq));
  if (eq == std::string_view::npos || eq == 0)
    fail(origin, "", "expected KEY.PATH=VALUE, e.g. verbs.bw.iterations=100");
  const std::string key(assignment.substr(0, eq));
  const std::string raw(assignment.substr(eq + 1));
  json value = json::parse(raw, nullptr, false);
  if (value.is_discarded()) value = raw;
  // Build {"a": {"b": value}} from "a.b".
  json patch = value;
  std::string rest = key;
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const auto dot = rest.find('.', start);
    parts.push_back(rest.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (it->empty()) fail(origin, "", "empty key part in '" + key + "'");
    patch = json{{*it, patch}};
  }
  plan = apply_json(plan, patch, origin);
}

void select_stages(Plan& plan, const std::vector<std::string>& only, const std::vector<std::string>& skip) {
  std::string names;
  for (auto n : kStageNames) names += (names.empty() ? "" : ", ") + std::string(n);
  for (const auto& list : {only, skip})
    for (const auto& s : list)
      if (!is_stage_name(s)) throw UsageError("unknown stage '" + s + "' (stages: " + names + ")");
  std::vector<std::string> chosen;
  for (auto n : kStageNames) {
    const std::string name(n);
    const bool wanted = only.empty() ? plan.runs(name) : std::find(only.begin(), only.end(), name) != only.end();
    if (wanted && std::find(skip.begin(), skip.end(), name) == skip.end()) chosen.push_back(name);
  }
  plan.stages = std::move(chosen);
}

json loosened_expectations(const Plan& plan) {
  const Expectations defaults;
  json out = json::array();
  const auto floor = [&](const char* key, double value, double fallback) {
    if (value < fallback) out.push_back({{"key", key}, {"value", value}, {"default", fallback}});
  };
  floor("expect.line_rate_pct", plan.expect.line_rate_pct, defaults.line_rate_pct);
  floor("expect.gdr_line_rate_pct", plan.expect.gdr_line_rate_pct, defaults.gdr_line_rate_pct);
  floor("expect.stress_line_rate_pct", plan.expect.stress_line_rate_pct, defaults.stress_line_rate_pct);
  if (plan.expect.lat_max_us > defaults.lat_max_us)
    out.push_back({{"key", "expect.lat_max_us"}, {"value", plan.expect.lat_max_us}, {"default", defaults.lat_max_us}});
  return out;
}

}  // namespace fabricperf::runners
