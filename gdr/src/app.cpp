// fp_gdr: the fp_bw/fp_lat engines (fpverbs) with GPU memory behind the MemoryProvider
// interface, per GPU-NIC pair, with a host-staged baseline measured in the same run.
#include "fabricperf/gdr/app.hpp"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <sstream>

#include "fabricperf/bw/report.hpp"
#include "fabricperf/cli.hpp"
#include "fabricperf/clock.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/gdr/cuda.hpp"
#include "fabricperf/gdr/gpu_memory.hpp"
#include "fabricperf/gdr/probe.hpp"
#include "fabricperf/gdr/registration.hpp"
#include "fabricperf/gdr/report.hpp"
#include "fabricperf/host_info.hpp"
#include "fabricperf/run_output.hpp"
#include "fabricperf/sizes.hpp"
#include "fabricperf/stats.hpp"
#include "fabricperf/verbs/bandwidth_engine.hpp"
#include "fabricperf/verbs/latency_engine.hpp"
#include "fabricperf/verbs/message_size.hpp"
#include "fabricperf/verbs/session.hpp"

namespace fabricperf::gdr {
namespace {

using namespace fabricperf::verbs;

struct Options {
  CommonOptions common;
  PerftestSizeOptions sizes;
  SessionOptions session;
  std::string test = "bw";
  std::string op;  // default: write (bw), send (lat)
  std::string mem = "cuda";
  std::string remote_mem;
  int gpu = -1;
  bool all_gpus = false;
  bool no_staged = false;
  int staging_iterations = 20;
  std::uint64_t iterations = 0;  // default: 5000 (bw), 1000 (lat)
  double duration_s = 0;
  double warmup_s = -1;
  std::uint32_t qps = 1;
  std::uint32_t tx_depth = 128;
  std::uint32_t rx_depth = 512;
  std::uint32_t cq_mod = 100;
  std::uint32_t post_list = 1;
  std::uint32_t inline_size = 0;
  bool bidirectional = false;
  bool report_gbits = false;
  bool validate = false;
};

constexpr std::size_t kValidateBytesPerQp = 64U << 20;

bool is_lat(const Options& o) {
  return o.test == "lat";
}

// Under mpirun every rank has the same command line: initiators use --mem, targets
// --remote-mem. The role is needed before the bootstrap starts (to pick GPUs and NICs), so it
// is worked out from the launcher's rank and world size and the pairing (checked after start).
int launcher_world_size() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS", "PMIX_SIZE"})
    if (const char* v = std::getenv(var)) return std::atoi(v);
  return 0;
}

Role mpi_role_guess(const SessionOptions& so) {
  const int rank = launcher_rank();
  const int size = launcher_world_size();
  if (size >= 2) {
    const auto pairs = so.pairs_file.empty() ? default_pairs(size) : read_pairs_file(so.pairs_file, size);
    if (const auto r = role_of(rank, pairs)) return r->role;
  }
  return rank % 2 == 0 ? Role::target : Role::initiator;
}

std::string write_latency_problem(MemoryKind kind) {
  return "--test lat --op write polls the receive buffer with the CPU, which cannot read GPU memory (--mem " +
         std::string(to_string(kind)) + "): use --op send or --op read, or --mem cuda-host";
}

// Per-side facts exchanged once: memory kind, its pairs, host, registration and path checks.
struct Side {
  MemoryKind mem = MemoryKind::host;
  std::string host;
  nlohmann::json pairs = nlohmann::json::array();  // GpuNicPair::to_json per lane (empty for host memory)
  nlohmann::json checks = nlohmann::json::array();
  std::string error;            // non-empty when this side could not set up (registration failure, ...)
  std::string expect_peer_mem;  // --remote-mem over TCP ("" when not given)
};

nlohmann::json to_json(const Side& s) {
  return {{"mem", std::string(to_string(s.mem))},
          {"host", s.host},
          {"pairs", s.pairs},
          {"checks", s.checks},
          {"error", s.error},
          {"expect_peer_mem", s.expect_peer_mem}};
}

Side side_from_json(const nlohmann::json& j) {
  Side s;
  s.mem = parse_memory_kind(j.value("mem", "host"));
  s.host = j.value("host", "");
  s.pairs = j.value("pairs", nlohmann::json::array());
  s.checks = j.value("checks", nlohmann::json::array());
  s.error = j.value("error", "");
  s.expect_peer_mem = j.value("expect_peer_mem", "");
  return s;
}

Check check_from_json(const nlohmann::json& j) {
  Check c;
  c.name = j.value("name", "");
  const std::string st = j.value("status", "skip");
  c.status = st == "pass"   ? CheckStatus::pass
             : st == "fail" ? CheckStatus::fail
             : st == "warn" ? CheckStatus::warn
                            : CheckStatus::skip;
  c.expected = j.value("expected", nlohmann::json());
  c.measured = j.value("measured", nlohmann::json());
  c.detail = j.value("detail", "");
  c.labels = j.value("labels", nlohmann::json::object());
  return c;
}

// The pair description of lane i of a side (null when the side uses host memory).
nlohmann::json lane_pair(const Side& s, std::size_t i) {
  return i < s.pairs.size() ? s.pairs[i] : nlohmann::json();
}

void fill_identity(EntryIdentity& id, const nlohmann::json& pair, bool local) {
  if (pair.is_null()) return;
  if (local) {
    id.gpu = pair.value("gpu", -1);
    id.gpu_name = pair.value("gpu_name", "");
    id.gpu_pci = pair.value("gpu_pci", "");
    id.path = pair.value("path", "");
  } else {
    id.peer_gpu = pair.value("gpu", -1);
  }
}

// Connects endpoints that Session does not own (the host-staging set) with the peer's matching set.
void connect_extra(Session& session, std::vector<std::unique_ptr<Endpoint>>& eps) {
  std::string mine;
  if (session.role()) {
    std::vector<EndpointInfo> infos;
    for (const auto& e : eps) infos.push_back(e->local_info());
    mine = serialize(infos);
  }
  const auto all = session.bootstrap().all_gather(mine);
  if (session.role()) {
    const std::string peer = session.peer_name();
    std::vector<EndpointInfo> theirs;
    try {
      theirs = parse_endpoint_infos(all.at(static_cast<std::size_t>(session.role()->peer)));
    } catch (const Error& e) {
      throw PeerError(peer, peer + " sent bad connection data for the host-staged baseline: " + e.what());
    }
    if (theirs.size() != eps.size())
      throw PeerError(peer, peer + " has " + std::to_string(theirs.size()) + " host-staging endpoint(s), this side " +
                                std::to_string(eps.size()));
    for (std::size_t i = 0; i < eps.size(); ++i) eps[i]->connect(theirs[i], peer);
  }
  session.barrier();
}

// Host-staging copy costs of one lane at one size: what a staged loop pays per message.
struct CopyCosts {
  double d2h_us = 0;
  double h2d_us = 0;
};

// Latency figures from the initiator's samples.
nlohmann::json latency_figures(const LatencyResult& r) {
  nlohmann::json j;
  Summary s;
  if (r.duration_mode) {
    s = r.histogram_ns.summary(1000.0);
    j["histogram"] = r.histogram_ns.to_json(1000.0);
  } else {
    std::vector<double> samples = r.samples_us;
    s = summarize_in_place(samples);
    j["histogram"] = log_bucket_histogram(samples);
  }
  j["iterations"] = s.count;
  j["t_min_us"] = s.min;
  j["t_max_us"] = s.max;
  j["t_typical_us"] = s.median;
  j["t_avg_us"] = s.mean;
  j["t_stdev_us"] = s.stdev;
  j["p50_us"] = s.median;
  j["p90_us"] = s.p90;
  j["p99_us"] = s.p99;
  j["p99_9_us"] = s.p99_9;
  j["p99_99_us"] = s.p99_99;
  j["half_round_trip"] = r.divisor == 2;
  j["validation"] = r.validation.to_json();
  return j;
}

std::string fmt(double v, int precision = 2) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(precision) << v;
  return s.str();
}

std::string gain_text(const nlohmann::json& row) {
  if (!row.contains("gain_pct") || row["gain_pct"].is_null()) return "";
  const double g = row["gain_pct"].get<double>();
  return (g >= 0 ? "+" : "") + fmt(g, 1) + "%";
}

class Run {
 public:
  Run(const Options& o, int argc, char** argv) : o_(o), argc_(argc), argv_(argv) {}
  int operator()();

 private:
  void validate_options();
  int fail_cuda(RunOutput& out, const CudaUnavailable& u);
  void exchange_sides();
  void create_endpoints();
  void report_checks(RunOutput& out);
  void measure(RunOutput& out);
  nlohmann::json measure_copies(std::size_t lane, std::uint64_t size);
  void add_bw_rows(RunOutput& out, const std::vector<nlohmann::json>& all, std::size_t phase, std::uint64_t size);
  void add_lat_rows(RunOutput& out, const std::vector<nlohmann::json>& all, std::size_t phase, std::uint64_t size);
  nlohmann::json finish_rows(nlohmann::json gdr_row, nlohmann::json staged_row, RunOutput& out);

  const Options& o_;
  int argc_;
  char** argv_;
  Op op_ = Op::write;
  MemoryKind mine_ = MemoryKind::cuda;
  std::optional<MemoryKind> expected_peer_;
  std::vector<std::uint64_t> sizes_;
  std::uint64_t max_size_ = 0;
  std::uint32_t slots_ = 1;
  bool print_ = true;
  bool staged_ = false;
  std::ostream* human_ = nullptr;

  std::unique_ptr<Session> session_;
  HostPlan plan_;
  std::vector<GpuCapabilities> caps_;
  std::vector<std::unique_ptr<MemoryProvider>> providers_, staging_providers_;
  std::vector<std::unique_ptr<Endpoint>> staging_eps_;
  std::vector<std::unique_ptr<cuda::Stream>> streams_;
  std::mutex checks_mutex_;
  std::vector<Check> registration_checks_;
  Side me_, peer_;
  std::vector<Side> all_sides_;
  std::uint64_t epoch_ = 0;
  std::unique_ptr<CycleClock> clock_;
};

void Run::validate_options() {
  if (o_.test != "bw" && o_.test != "lat") throw UsageError("--test must be bw or lat");
  op_ = parse_op(o_.op.empty() ? (is_lat(o_) ? "send" : "write") : o_.op);
  if (op_ != Op::write && op_ != Op::read && op_ != Op::send)
    throw UsageError("fp_gdr measures write, read and send (got --op " + o_.op + ")");
  mine_ = parse_memory_kind(o_.mem);
  if (!o_.remote_mem.empty()) expected_peer_ = parse_memory_kind(o_.remote_mem);
  if (o_.all_gpus && o_.gpu >= 0) throw UsageError("--gpu and --all-gpus exclude each other");
  if (is_lat(o_) && o_.bidirectional) throw UsageError("-b applies to --test bw only");
  if (o_.post_list > o_.tx_depth) throw UsageError("post list (-l) must not exceed the tx depth (-t)");
  const bool ud = o_.session.connection == "UD" || o_.session.connection == "ud";
  if (ud) throw UsageError("fp_gdr uses RC connections (-c UD is fp_bw's)");
  sizes_ = o_.sizes.sizes();
  max_size_ = *std::max_element(sizes_.begin(), sizes_.end());
  check_message_size(max_size_);  // before anything is allocated
}

int Run::fail_cuda(RunOutput& out, const CudaUnavailable& u) {
  std::cerr << "fp_gdr: error: " << u.message << '\n';
  out.set_params({{"test", o_.test}, {"op", std::string(to_string(op_))}, {"mem", std::string(to_string(mine_))}});
  out.add_host(collect_host_info());
  out.add_check(u.check);
  out.add_error(u.message);
  return out.finish(RunStatus::failed);
}

void Run::exchange_sides() {
  const auto all = session_->gather(to_json(me_));
  all_sides_.clear();
  for (const auto& j : all) all_sides_.push_back(side_from_json(j));
  if (session_->role()) peer_ = all_sides_.at(static_cast<std::size_t>(session_->role()->peer));
}

// The data endpoints on GPU (or host) memory, then the pinned-host set for the baseline.
void Run::create_endpoints() {
  auto& lanes = session_->lanes();
  if (!session_->role()) {
    lanes.clear();
    return;
  }
  const std::size_t stride = slot_stride(max_size_, false);
  slots_ = 1;
  if (o_.validate)
    slots_ = static_cast<std::uint32_t>(
        std::clamp<std::size_t>(kValidateBytesPerQp / stride, 1, std::max(o_.tx_depth, o_.rx_depth)));
  EndpointConfig cfg;
  cfg.qp.type = IBV_QPT_RC;
  cfg.qp.send_depth = is_lat(o_) ? 16 : o_.tx_depth;
  cfg.qp.recv_depth = needs_receives(op_) ? (is_lat(o_) ? 16U : o_.rx_depth) : 1;
  cfg.qp.max_inline = o_.inline_size;
  cfg.num_qps = is_lat(o_) ? 1 : o_.qps;
  cfg.bytes_per_qp = is_lat(o_) ? latency_region_bytes(max_size_, false) : checked_bytes(stride, slots_, "QP region");

  const std::string host = session_->bootstrap().hostnames().at(static_cast<std::size_t>(session_->rank()));
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const std::string nic = lanes[i].device->selection().device;
    check_message_size(max_size_, lanes[i].device->selection().max_msg_sz, port_name(lanes[i].device->selection()));
    if (!needs_cuda(mine_)) {
      providers_.push_back(make_host_memory_provider());
    } else {
      GpuMemoryConfig g;
      g.kind = mine_;
      g.gpu = plan_.pairs[i].gpu.ordinal;
      g.caps = caps_[i];
      g.target = RegistrationTarget{g.gpu, plan_.pairs[i].gpu.pci, nic, host};
      g.on_registration = [this](const Check& c) {
        std::lock_guard lock(checks_mutex_);
        registration_checks_.push_back(c);
      };
      providers_.push_back(make_gpu_memory_provider(std::move(g)));
    }
    lanes[i].endpoint = std::make_unique<Endpoint>(*lanes[i].device, *providers_.back(), cfg);
  }
}

nlohmann::json Run::measure_copies(std::size_t lane, std::uint64_t size) {
  CopyCosts c;
  if (is_device_memory(mine_) && lane < streams_.size() && lane < staging_eps_.size()) {
    void* device = session_->lanes()[lane].endpoint->buffer().data();
    void* host = staging_eps_[lane]->buffer().data();
    const auto bytes = static_cast<std::size_t>(size);
    c.d2h_us = cuda::time_copy_us(host, device, bytes, o_.staging_iterations, *streams_[lane]);
    c.h2d_us = cuda::time_copy_us(device, host, bytes, o_.staging_iterations, *streams_[lane]);
  }
  return {{"d2h_us", c.d2h_us}, {"h2d_us", c.h2d_us}};
}

nlohmann::json Run::finish_rows(nlohmann::json gdr_row, nlohmann::json staged_row, RunOutput& out) {
  const bool lat = is_lat(o_);
  if (!staged_row.is_null()) {
    attach_gain(gdr_row, staged_row, lat);
    out.add_result(staged_row);
  }
  out.add_result(gdr_row);
  if (print_) {
    auto line = [&](const nlohmann::json& r) {
      std::ostringstream s;
      const int gpu = r.value("gpu", -1);
      s << ' ' << std::left << std::setw(10) << r.value("size_bytes", std::uint64_t{0}) << std::setw(13)
        << r.value("mode", "") << std::setw(26) << (r.value("mem", "") + "->" + r.value("peer_mem", "")) << std::setw(5)
        << (gpu >= 0 ? std::to_string(gpu) : "-") << std::setw(12) << r.value("device", "") << std::right;
      if (lat) {
        s << std::setw(12) << fmt(r.value("t_typical_us", 0.0)) << std::setw(12) << fmt(r.value("t_avg_us", 0.0))
          << std::setw(12) << fmt(r.value("p99_us", 0.0));
      } else {
        const double gbps = r.value("bw_avg_gbps", 0.0);
        s << std::setw(14) << (o_.report_gbits ? fmt(gbps) : fmt(gbps * 1e9 / 8 / 1048576.0));
        s << std::setw(14)
          << (r.contains("bw_peak_gbps")
                  ? (o_.report_gbits ? fmt(r["bw_peak_gbps"].get<double>())
                                     : fmt(r["bw_peak_gbps"].get<double>() * 1e9 / 8 / 1048576.0))
                  : std::string("-"));
      }
      s << std::setw(10) << gain_text(r);
      return s.str();
    };
    if (!staged_row.is_null()) *human_ << line(staged_row) << '\n';
    *human_ << line(gdr_row) << '\n';
    human_->flush();
  }
  return gdr_row;
}

void Run::add_bw_rows(RunOutput& out, const std::vector<nlohmann::json>& all, std::size_t ph, std::uint64_t size) {
  for (const auto p : session_->phases()[ph]) {
    const auto& pair = session_->pairs()[p];
    const auto& ti = all.at(static_cast<std::size_t>(pair.target));
    const auto& in = all.at(static_cast<std::size_t>(pair.initiator));
    if (!ti.value("active", false) || !in.value("active", false)) continue;
    const Side& is = all_sides_.at(static_cast<std::size_t>(pair.initiator));
    const Side& ts = all_sides_.at(static_cast<std::size_t>(pair.target));
    const auto& il = in.at("lanes");
    const auto& tl = ti.at("lanes");
    for (std::size_t i = 0; i < il.size() && i < tl.size(); ++i) {
      bw::RowContext ctx;
      ctx.op = std::string(to_string(op_));
      ctx.size_bytes = size;
      ctx.qps = o_.qps;
      ctx.bidirectional = o_.bidirectional;
      ctx.duration_mode = o_.duration_s > 0;
      ctx.iterations = o_.iterations;
      ctx.pair = p;
      EntryIdentity id;
      id.test = "bw";
      id.op = ctx.op;
      id.mem = is.mem;
      id.peer_mem = ts.mem;
      fill_identity(id, lane_pair(is, i), true);
      fill_identity(id, lane_pair(ts, i), false);
      auto row = bw::bw_row(ctx, bw::LaneMeasurement::from_json(il[i].at("gdr")),
                            bw::LaneMeasurement::from_json(tl[i].at("gdr")));
      row.update(entry(id, measured_mode(is.mem, ts.mem), size));
      if (o_.validate && row.contains("validation")) {
        const auto v = ValidationOutcome::from_json(row["validation"]);
        Check check;
        check.name = "data_validation";
        check.status = v.passed() ? CheckStatus::pass : CheckStatus::fail;
        check.expected = 0;
        check.measured = v.mismatched_messages;
        check.detail = ctx.op + " " + format_size(size) + " " + to_string(is.mem).data() + " on " +
                       row.value("host", "") + ":" + row.value("device", "") + " -> " + to_string(ts.mem).data() +
                       " on " + row.value("peer_host", "") + ":" + row.value("peer_device", "") + ": " + v.describe();
        check.labels = {{"host", row.value("host", "")},
                        {"device", row.value("device", "")},
                        {"gpu", id.gpu},
                        {"size_bytes", size}};
        if (v.first_bad_offset) check.labels["first_bad_offset"] = *v.first_bad_offset;
        out.add_check(check);
        if (!v.passed() && print_) *human_ << " VALIDATION FAILED: " << check.detail << '\n';
      }
      nlohmann::json staged;
      if (staged_ && il[i].contains("staged") && tl[i].contains("staged")) {
        staged = bw::bw_row(ctx, bw::LaneMeasurement::from_json(il[i]["staged"]),
                            bw::LaneMeasurement::from_json(tl[i]["staged"]));
        staged.update(entry(id, Mode::host_staged, size));
        // Source side copies GPU -> host before sending; sink side host -> GPU after receiving.
        const bool init_src = initiator_is_source(ctx.op);
        const auto& src = init_src ? il[i] : tl[i];
        const auto& snk = init_src ? tl[i] : il[i];
        make_staged_bandwidth(staged, size,
                              StagingCosts{src.at("copy").value("d2h_us", 0.0), snk.at("copy").value("h2d_us", 0.0)});
      }
      finish_rows(std::move(row), std::move(staged), out);
    }
  }
}

void Run::add_lat_rows(RunOutput& out, const std::vector<nlohmann::json>& all, std::size_t ph, std::uint64_t size) {
  for (const auto p : session_->phases()[ph]) {
    const auto& pair = session_->pairs()[p];
    const auto& ti = all.at(static_cast<std::size_t>(pair.target));
    const auto& in = all.at(static_cast<std::size_t>(pair.initiator));
    if (!ti.value("active", false) || !in.value("active", false)) continue;
    const Side& is = all_sides_.at(static_cast<std::size_t>(pair.initiator));
    const Side& ts = all_sides_.at(static_cast<std::size_t>(pair.target));
    const auto& il = in.at("lanes");
    const auto& tl = ti.at("lanes");
    for (std::size_t i = 0; i < il.size() && i < tl.size(); ++i) {
      EntryIdentity id;
      id.test = "lat";
      id.op = std::string(to_string(op_));
      id.mem = is.mem;
      id.peer_mem = ts.mem;
      fill_identity(id, lane_pair(is, i), true);
      fill_identity(id, lane_pair(ts, i), false);
      nlohmann::json row = {{"host", is.host},
                            {"peer_host", ts.host},
                            {"device", il[i].value("device", "")},
                            {"peer_device", tl[i].value("device", "")},
                            {"rank", pair.initiator},
                            {"peer_rank", pair.target},
                            {"pair", p}};
      row.update(il[i].at("gdr"));
      row.update(entry(id, measured_mode(is.mem, ts.mem), size));
      if (o_.validate) {
        auto v = ValidationOutcome::from_json(il[i]["gdr"].at("validation"));
        v.merge(ValidationOutcome::from_json(tl[i].at("validation")));
        row["validation"] = v.to_json();
        Check check;
        check.name = "data_validation";
        check.status = v.passed() ? CheckStatus::pass : CheckStatus::fail;
        check.expected = 0;
        check.measured = v.mismatched_messages;
        check.detail = id.op + " latency " + format_size(size) + " " + std::string(to_string(is.mem)) + " <-> " +
                       std::string(to_string(ts.mem)) + ": " + v.describe();
        check.labels = {{"host", is.host}, {"device", row.value("device", "")}, {"gpu", id.gpu}, {"size_bytes", size}};
        out.add_check(check);
      }
      nlohmann::json staged;
      if (staged_ && il[i].contains("staged")) {
        staged = {{"host", is.host},
                  {"peer_host", ts.host},
                  {"device", il[i].value("device", "")},
                  {"peer_device", tl[i].value("device", "")},
                  {"rank", pair.initiator},
                  {"peer_rank", pair.target},
                  {"pair", p}};
        const auto& f = il[i]["staged"];
        // One-way trip: the sender copies GPU -> host, the receiver host -> GPU. For read the
        // data goes target -> initiator.
        const bool init_src = initiator_is_source(id.op);
        const auto& src = init_src ? il[i] : tl[i];
        const auto& snk = init_src ? tl[i] : il[i];
        const StagingCosts costs{src.at("copy").value("d2h_us", 0.0), snk.at("copy").value("h2d_us", 0.0)};
        make_staged_latency(staged, f, costs);
        staged.update(entry(id, Mode::host_staged, size));
      }
      finish_rows(std::move(row), std::move(staged), out);
    }
  }
}

void Run::measure(RunOutput& out) {
  auto& lanes = session_->lanes();
  std::vector<BandwidthEngine> bw_gdr, bw_staged;
  std::vector<LatencyEngine> lat_gdr, lat_staged;
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    if (is_lat(o_)) {
      lat_gdr.emplace_back(*lanes[i].endpoint, *clock_);
      if (staged_) lat_staged.emplace_back(*staging_eps_[i], *clock_);
    } else {
      bw_gdr.emplace_back(*lanes[i].endpoint, *clock_);
      if (staged_) bw_staged.emplace_back(*staging_eps_[i], *clock_);
    }
  }
  const Role role = session_->role() ? session_->role()->role : Role::target;
  const std::uint64_t iterations = o_.iterations > 0 ? o_.iterations : (is_lat(o_) ? 1000 : 5000);
  auto bw_config = [&](std::uint64_t size, bool validate) {
    BandwidthConfig cfg;
    cfg.op = op_;
    cfg.size = size;
    cfg.iterations = iterations;
    cfg.duration_s = o_.duration_s;
    cfg.warmup_s = o_.duration_s > 0 ? (o_.warmup_s >= 0 ? o_.warmup_s : std::min(2.0, o_.duration_s / 4)) : 0;
    cfg.tx_depth = o_.tx_depth;
    cfg.rx_depth = o_.rx_depth;
    cfg.cq_mod = o_.cq_mod;
    cfg.post_list = o_.post_list;
    cfg.use_inline = o_.inline_size > 0 && size <= o_.inline_size;
    cfg.bidirectional = o_.bidirectional;
    cfg.validate = validate;
    cfg.slots = slots_;
    cfg.timeout_s = o_.common.timeout_s;
    cfg.epoch = ++epoch_;
    return cfg;
  };
  auto lat_config = [&](std::uint64_t size, bool validate) {
    LatencyConfig cfg;
    cfg.op = op_;
    cfg.size = size;
    cfg.iterations = iterations;
    cfg.duration_s = o_.duration_s;
    cfg.warmup_s = o_.duration_s > 0 ? (o_.warmup_s >= 0 ? o_.warmup_s : std::min(2.0, o_.duration_s / 4)) : 0;
    cfg.use_inline = o_.inline_size > 0;
    cfg.validate = validate;
    cfg.timeout_s = o_.common.timeout_s;
    cfg.epoch = ++epoch_;
    return cfg;
  };
  std::vector<BandwidthResult> bw_results(lanes.size()), bw_staged_results(lanes.size());
  std::vector<LatencyResult> lat_results(lanes.size()), lat_staged_results(lanes.size());

  // One run of one engine set on every lane: prepare (ranks idle in the phase keep the epoch in
  // step), barrier, run.
  auto run_once = [&](bool active, std::uint64_t size, bool validate, std::vector<LatencyEngine>& lat,
                      std::vector<BandwidthEngine>& bw, std::vector<LatencyResult>& lat_out,
                      std::vector<BandwidthResult>& bw_out) {
    if (active) {
      if (is_lat(o_)) {
        const auto cfg = lat_config(size, validate);
        for (auto& e : lat) e.prepare(cfg, role);
      } else {
        const auto cfg = bw_config(size, validate);
        for (auto& e : bw) e.prepare(cfg, role);
      }
    } else {
      ++epoch_;
    }
    session_->barrier();
    if (!active) return;
    session_->run_lanes([&](std::size_t i) {
      if (is_lat(o_))
        lat_out[i] = lat[i].run();
      else
        bw_out[i] = bw[i].run();
    });
  };

  for (const auto size : sizes_) {
    for (std::size_t ph = 0; ph < session_->phases().size(); ++ph) {
      const bool active = session_->active_in(ph);
      nlohmann::json mine = {{"active", active}};
      nlohmann::json lane_json = nlohmann::json::array();
      for (std::size_t i = 0; i < lanes.size(); ++i)
        lane_json.push_back({{"device", lanes[i].device->selection().device}});
      // 1. The host-staged baseline: RDMA between pinned host buffers, then the copy costs.
      if (staged_) {
        run_once(active, size, false, lat_staged, bw_staged, lat_staged_results, bw_staged_results);
        if (active)
          for (std::size_t i = 0; i < lanes.size(); ++i) lane_json[i]["copy"] = measure_copies(i, size);
      }
      // 2. GPU memory straight on the wire.
      run_once(active, size, o_.validate, lat_gdr, bw_gdr, lat_results, bw_results);
      if (active) {
        const std::string host = session_->bootstrap().hostnames().at(static_cast<std::size_t>(session_->rank()));
        for (std::size_t i = 0; i < lanes.size(); ++i) {
          auto bw_lane = [&](const BandwidthResult& r) {
            bw::LaneMeasurement m;
            m.host = host;
            m.rank = session_->rank();
            m.device = lanes[i].device->selection().device;
            m.port = lanes[i].device->selection().port;
            m.line_rate_gbps = lanes[i].device->selection().line_rate_gbps;
            m.transmitted = r.transmitted;
            m.tx = r.tx;
            m.posted = r.posted;
            m.received = r.received;
            m.peer_sent = r.peer_sent;
            m.validation = r.validation;
            return m.to_json();
          };
          if (is_lat(o_)) {
            if (lat_results[i].measured) lane_json[i]["gdr"] = latency_figures(lat_results[i]);
            lane_json[i]["validation"] = lat_results[i].validation.to_json();
            if (staged_ && lat_staged_results[i].measured)
              lane_json[i]["staged"] = latency_figures(lat_staged_results[i]);
          } else {
            lane_json[i]["gdr"] = bw_lane(bw_results[i]);
            if (staged_) lane_json[i]["staged"] = bw_lane(bw_staged_results[i]);
          }
        }
        mine["pair"] = session_->role()->pair;
        mine["lanes"] = lane_json;
      }
      const auto all = session_->gather(mine);
      if (!session_->reporting()) continue;
      if (is_lat(o_))
        add_lat_rows(out, all, ph, size);
      else
        add_bw_rows(out, all, ph, size);
    }
  }
}

void Run::report_checks(RunOutput& out) {
  // Under MPI the reporting rank writes every rank's checks; over TCP each side writes its own
  // and its peer's (both documents describe the pair).
  for (const auto& s : all_sides_)
    for (const auto& c : s.checks) out.add_check(check_from_json(c));
}

int Run::operator()() {
  validate_options();
  const bool mpi_launched = launched_by_mpi_launcher();
  const bool report_json = !mpi_launched || launcher_rank() == 0;
  print_ = report_json;
  RunOutput out("fp_gdr", command_line(argc_, argv_), report_json ? o_.common.json_path : "");
  human_ = &out.human();

  std::optional<Role> guessed_role;
  if (mpi_launched) {
    guessed_role = mpi_role_guess(o_.session);
    if (*guessed_role == Role::target && expected_peer_) mine_ = *expected_peer_;
  }
  if (is_lat(o_) && op_ == Op::write && is_device_memory(mine_)) throw UsageError(write_latency_problem(mine_));
  if (is_device_memory(mine_) && o_.inline_size > 0)
    throw UsageError("-I: inline sends copy the payload with the CPU, which cannot read GPU memory (--mem " +
                     std::string(to_string(mine_)) + ")");

  // CUDA first: a host without a GPU or driver says so at once, before any peer is contacted.
  GpuCapabilities host_caps;
  fill_cuda_capabilities(host_caps, 0);
  if (auto u = check_cuda_usable(mine_, host_caps)) return fail_cuda(out, *u);

  SessionOptions so = o_.session;
  if (needs_cuda(mine_)) {
    PairRequest req;
    if (o_.gpu >= 0) req.gpu = o_.gpu;
    req.all_gpus = o_.all_gpus;
    if (!o_.session.devices.empty()) req.devices = split_device_list(o_.session.devices);
    plan_ = plan_pairs(list_gpus(), req);
    std::string devices;
    for (const auto& p : plan_.pairs) devices += (devices.empty() ? "" : ",") + p.nic;
    so.devices = devices;
    so.all_devices = false;
  } else if (o_.all_gpus || o_.gpu >= 0) {
    throw UsageError(
        "--gpu/--all-gpus need GPU memory on this side (--mem cuda, cuda-dmabuf, cuda-peermem or cuda-host)");
  }

  const std::string token = "fp_gdr/1 test=" + o_.test + " op=" + std::string(to_string(op_)) +
                            " sizes=" + std::to_string(sizes_.size()) + ":" + std::to_string(sizes_.front()) + "-" +
                            std::to_string(max_size_) + " q=" + std::to_string(o_.qps) +
                            " b=" + std::to_string(o_.bidirectional) + " validate=" + std::to_string(o_.validate) +
                            " staged=" + std::to_string(!o_.no_staged);
  try {
    session_ = std::make_unique<Session>(so, o_.common);
    session_->open_devices();
    session_->start(token);
    clock_ = std::make_unique<CycleClock>(CycleClock::calibrate());
    const std::string host = session_->bootstrap().hostnames().at(static_cast<std::size_t>(session_->rank()));
    if (guessed_role && session_->role() && session_->role()->role != *guessed_role)
      throw UsageError(
          "this rank's role in the pairing differs from what the launcher's environment suggested; "
          "give every rank the same memory (--mem without --remote-mem)");
    me_.mem = mine_;
    me_.host = host;
    if (expected_peer_ && !mpi_launched) me_.expect_peer_mem = std::string(to_string(*expected_peer_));

    // Pairs, their path checks and the capability facts per lane.
    for (std::size_t i = 0; i < plan_.pairs.size(); ++i) {
      me_.pairs.push_back(plan_.pairs[i].to_json());
      Check c = pair_path_check(plan_.pairs[i]);
      c.labels["host"] = host;
      me_.checks.push_back(to_json(c));
      caps_.push_back(probe_capabilities(plan_.pairs[i].gpu.ordinal, plan_.pairs[i].nic, plan_.topology_hints[i]));
    }
    for (const auto& w : plan_.warnings)
      if (print_) *human_ << " warning: " << w << '\n';

    // GPU memory is registered here: a failure becomes this side's error and both sides stop.
    std::string setup_error;
    try {
      create_endpoints();
    } catch (const RegistrationError& e) {
      setup_error = e.diagnosis().message();
    } catch (const UsageError&) {
      throw;
    } catch (const Error& e) {
      setup_error = e.what();
    }
    {
      std::lock_guard lock(checks_mutex_);
      for (const auto& c : registration_checks_) me_.checks.push_back(to_json(c));
    }
    me_.error = setup_error;
    exchange_sides();
    report_checks(out);
    for (std::size_t r = 0; r < all_sides_.size(); ++r) {
      const auto& s = all_sides_[r];
      if (s.error.empty()) continue;
      const bool local = static_cast<int>(r) == session_->rank();
      const std::string msg =
          local ? s.error : session_->bootstrap().describe_rank(static_cast<int>(r)) + ": " + s.error;
      if (local || report_json) std::cerr << "fp_gdr: error: " << msg << '\n';
      out.add_error(msg);
    }
    if (std::any_of(all_sides_.begin(), all_sides_.end(), [](const Side& s) { return !s.error.empty(); }))
      return out.finish(RunStatus::failed);

    // Both sides see both sides' choices, so both stop on a mismatch with the same message.
    if (session_->role()) {
      const Side& a = all_sides_.at(static_cast<std::size_t>(session_->rank()));
      const Side& b = peer_;
      for (const auto& [x, y, y_name] : {std::tuple{&a, &b, session_->peer_name()},
                                         std::tuple{&b, &a, session_->bootstrap().describe_rank(session_->rank())}}) {
        if (!x->expect_peer_mem.empty() && x->expect_peer_mem != to_string(y->mem))
          throw UsageError("--remote-mem " + x->expect_peer_mem + " but " + y_name + " uses --mem " +
                           std::string(to_string(y->mem)));
      }
      if (is_lat(o_) && op_ == Op::write && is_device_memory(peer_.mem))
        throw UsageError(write_latency_problem(peer_.mem) + " (on " + session_->peer_name() + ")");
    }
    // The baseline runs when GPU memory is on either side of the pair (all ranks agree).
    staged_ = !o_.no_staged &&
              std::any_of(all_sides_.begin(), all_sides_.end(), [](const Side& s) { return is_device_memory(s.mem); });
    if (staged_ && session_->role()) {
      auto& lanes = session_->lanes();
      for (std::size_t i = 0; i < lanes.size(); ++i) {
        if (is_device_memory(mine_)) {
          GpuMemoryConfig g;
          g.kind = MemoryKind::cuda_host;
          g.gpu = plan_.pairs[i].gpu.ordinal;
          g.caps = caps_[i];
          g.target = RegistrationTarget{g.gpu, plan_.pairs[i].gpu.pci, lanes[i].device->selection().device, host};
          staging_providers_.push_back(make_gpu_memory_provider(std::move(g)));
          streams_.push_back(std::make_unique<cuda::Stream>(plan_.pairs[i].gpu.ordinal));
        } else {
          staging_providers_.push_back(make_host_memory_provider());
        }
        staging_eps_.push_back(
            std::make_unique<Endpoint>(*lanes[i].device, *staging_providers_.back(), lanes[i].endpoint->config()));
      }
    }
    session_->connect();
    if (staged_) connect_extra(*session_, staging_eps_);

    nlohmann::json params = {{"test", o_.test},
                             {"op", std::string(to_string(op_))},
                             {"mem", std::string(to_string(mine_))},
                             {"sizes_bytes", sizes_},
                             {"qps", is_lat(o_) ? 1U : o_.qps},
                             {"tx_depth", o_.tx_depth},
                             {"rx_depth", o_.rx_depth},
                             {"cq_mod", o_.cq_mod},
                             {"post_list", o_.post_list},
                             {"inline_bytes", o_.inline_size},
                             {"bidirectional", o_.bidirectional},
                             {"validate", o_.validate},
                             {"host_staged", staged_},
                             {"staging_copy_iterations", o_.staging_iterations},
                             {"timeout_s", o_.common.timeout_s},
                             {"clock", clock_->uses_tsc() ? "tsc" : "monotonic"}};
    if (session_->role()) params["peer_mem"] = std::string(to_string(peer_.mem));
    if (o_.duration_s > 0) {
      params["duration_s"] = o_.duration_s;
    } else {
      params["iterations"] = o_.iterations > 0 ? o_.iterations : (is_lat(o_) ? 1000 : 5000);
    }
    params.update(session_->describe());
    params["memory"] =
        providers_.empty() ? nlohmann::json(std::string(to_string(mine_))) : providers_.front()->describe();
    nlohmann::json sides = nlohmann::json::array();
    for (const auto& s : all_sides_)
      sides.push_back({{"host", s.host}, {"mem", std::string(to_string(s.mem))}, {"pairs", s.pairs}});
    params["sides"] = sides;
    if (!caps_.empty()) params["gpudirect"] = caps_.front().to_json();
    out.set_params(params);

    nlohmann::json my_host = collect_host_info();
    if (host_caps.cuda_driver) {
      const auto a = cuda::availability();
      if (a.driver_version > 0)
        my_host["cuda_version"] =
            std::to_string(a.driver_version / 1000) + "." + std::to_string((a.driver_version % 1000) / 10);
    }
    const auto hosts = session_->gather(my_host);
    if (session_->reporting())
      for (const auto& h : hosts) out.add_host(h);

    if (print_) {
      *human_ << "---------------------------------------------------------------------------------------------\n"
              << "                    fp_gdr: " << (is_lat(o_) ? "latency" : "bandwidth") << ", " << to_string(op_)
              << ", " << to_string(mine_) << " <-> " << (session_->role() ? to_string(peer_.mem) : "?") << '\n';
      for (const auto& p : plan_.pairs)
        *human_ << " GPU " << p.gpu.ordinal << " (" << p.gpu.name << ", " << p.gpu.pci << ") <-> " << p.nic << "  path "
                << p.path_name() << (p.overridden ? " (-d)" : "") << '\n';
      {
        std::lock_guard lock(checks_mutex_);
        for (const auto& c : registration_checks_) *human_ << " registration: " << c.detail << '\n';
      }
      *human_ << " Peer: " << session_->peer_name() << (staged_ ? "; host-staged baseline included" : "") << '\n'
              << "---------------------------------------------------------------------------------------------\n"
              << ' ' << std::left << std::setw(10) << "#bytes" << std::setw(13) << "mode" << std::setw(26)
              << "mem->peer_mem" << std::setw(5) << "gpu" << std::setw(12) << "device" << std::right;
      if (is_lat(o_))
        *human_ << std::setw(12) << "t_typ[us]" << std::setw(12) << "t_avg[us]" << std::setw(12) << "p99[us]";
      else
        *human_ << std::setw(14) << (o_.report_gbits ? "BW avg[Gb/s]" : "BW avg[MB/s]") << std::setw(14)
                << (o_.report_gbits ? "BW peak[Gb/s]" : "BW peak[MB/s]");
      *human_ << std::setw(10) << "gain" << '\n';
    }
    measure(out);
    if (print_)
      *human_ << "---------------------------------------------------------------------------------------------\n";
    session_->barrier();
    return out.finish(RunStatus::ok);
  } catch (...) {
    return out.abort_on_exception(std::current_exception());
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "fp_gdr: GPUDirect RDMA per GPU-NIC pair - the fp_bw/fp_lat measurements with buffers in GPU memory "
      "(dma-buf or nvidia-peermem), against a host-staged baseline",
      "fp_gdr"};
  Options o;
  add_common_options(app, o.common);
  add_perftest_size_options(app, o.sizes, "65536");
  add_session_options(app, o.session, /*allow_ud=*/false);
  if (auto* m = app.get_option_no_throw("--memory")) app.remove_option(m);  // --mem instead
  app.add_option("--test", o.test, "bw (bandwidth, fp_bw) or lat (latency, fp_lat)")
      ->check(CLI::IsMember({"bw", "lat"}))
      ->capture_default_str();
  app.add_option("--op", o.op, "write, read or send (default: write for bw, send for lat)");
  app.add_option("--mem", o.mem,
                 "This side's buffers: host, cuda (dma-buf, else nvidia-peermem), cuda-dmabuf, cuda-peermem, cuda-host")
      ->capture_default_str();
  app.add_option("--remote-mem", o.remote_mem,
                 "The peer's buffers: checked against what the peer uses (TCP); under mpirun the targets' --mem");
  app.add_option("--gpu", o.gpu, "CUDA device to measure (default 0); its NIC comes from the topology")
      ->check(integer_in(0, 1023));
  app.add_flag("--all-gpus", o.all_gpus, "Measure every GPU with its own NIC, all at once (one lane per pair)");
  app.add_flag("--no-host-staged", o.no_staged,
               "Skip the host-staged baseline (cudaMemcpy + RDMA between pinned buffers)");
  app.add_option("--staging-iters", o.staging_iterations, "Copies timed per size for the host-staging cost")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("-n,--iters", o.iterations, "Messages per QP (default 5000 for bw, 1000 for lat)")
      ->check(integer_in(1, 1LL << 40));
  app.add_option("-D,--duration", o.duration_s, "Run for this many seconds instead of -n")->check(number_above(0, 1e6));
  app.add_option("--warmup", o.warmup_s, "Warm-up seconds before a -D measurement (default: min(2, D/4))")
      ->check(number_in(0, 1e6));
  app.add_option("-q,--qp", o.qps, "Number of QPs (bw)")->check(CLI::Range(1U, 64U))->capture_default_str();
  app.add_option("-t,--tx-depth", o.tx_depth, "Outstanding sends per QP (bw)")
      ->check(CLI::Range(1U, 16384U))
      ->capture_default_str();
  app.add_option("-r,--rx-depth", o.rx_depth, "Posted receives per QP (send)")
      ->check(CLI::Range(1U, 16384U))
      ->capture_default_str();
  app.add_option("-Q,--cq-mod", o.cq_mod, "Request a completion every N messages (bw)")
      ->check(CLI::Range(1U, 16384U))
      ->capture_default_str();
  app.add_option("-l,--post_list", o.post_list, "Work requests per post call (bw)")
      ->check(CLI::Range(1U, 1024U))
      ->capture_default_str();
  app.add_option("-I,--inline_size", o.inline_size, "Send messages up to this size inline")
      ->check(CLI::Range(0U, 4096U))
      ->capture_default_str();
  app.add_flag("-b,--bidirectional", o.bidirectional, "Measure both directions at once (bw)");
  app.add_flag("--report_gbits,--report-gbits", o.report_gbits,
               "Table in Gb/sec (default MB/sec; JSON is always Gb/s)");
  app.add_flag("--validate", o.validate,
               "Check data end to end: patterns written into GPU memory by a kernel, checked on the receiving GPU");
  return run_main(app, argc, argv, [&] { return Run(o, argc, argv)(); });
}

}  // namespace fabricperf::gdr
