// fp_gdr: the fp_bw/fp_lat measurement layer (verbs engine options, rows, sweep) with GPU
// memory behind the MemoryProvider interface, per GPU-NIC pair, and a host-staged baseline
// measured in the same run. This file: options, the run's order of steps, main.
#include "fabricperf/gdr/app.hpp"

#include <algorithm>

#include "fabricperf/cli.hpp"
#include "fabricperf/clock.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/gdr/cuda.hpp"
#include "fabricperf/gdr/probe.hpp"
#include "fabricperf/gdr/registration.hpp"
#include "fabricperf/host_info.hpp"
#include "fabricperf/launcher.hpp"
#include "fabricperf/run_output.hpp"
#include "fabricperf/sizes.hpp"
#include "fabricperf/verbs/engine_options.hpp"
#include "fabricperf/verbs/sweep.hpp"
#include "fabricperf/verbs/message_size.hpp"
#include "fabricperf/verbs/session.hpp"
#include "measure.hpp"
#include "setup.hpp"
#include "side.hpp"
#include "table.hpp"

namespace fabricperf::gdr {
namespace {

using namespace fabricperf::verbs;

struct Options : ToolOptions {
  std::string test = "bw";
  std::string op;  // default: write (bw), send (lat)
  std::string mem = "cuda";
  std::string remote_mem;
  int gpu = -1;
  bool all_gpus = false;
  bool no_staged = false;
  int staging_iterations = 20;
  EngineOptions engine = bandwidth_defaults();  // -I stays 0 for --test lat too
  bool iterations_given = false;                // -n given (else 5000 for bw, 1000 for lat)
  bool rx_depth_given = false;                  // -r given (else 512 for bw, 16 for lat)
  bool report_gbits = false;
};

// What the command line asks of the engines: fp_bw's settings, or fp_lat's for --test lat.
EngineOptions engine_settings(const Options& o) {
  EngineOptions e = o.engine;
  if (o.test == "lat") {
    const EngineOptions lat = latency_defaults();
    if (!o.iterations_given) e.iterations = lat.iterations;
    if (!o.rx_depth_given) e.rx_depth = lat.rx_depth;
    e.qps = 1;
  }
  return e;
}

// Under mpirun every rank has the same command line: initiators use --mem, targets
// --remote-mem. The role is needed before the bootstrap starts (to pick GPUs and NICs), so it
// is worked out from the launcher's rank and world size and the pairing (checked after start).
Role mpi_role_guess(const SessionOptions& so) {
  const int rank = launcher_rank();
  const auto launcher = detect_launcher();
  const int size = launcher ? launcher->size : 0;
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

class Run {
 public:
  Run(const Options& o, int argc, char** argv) : o_(o), e_(engine_settings(o)), argc_(argc), argv_(argv) {}
  int operator()();

 private:
  void validate_options();
  int fail_cuda(RunOutput& out, const CudaUnavailable& u);
  HostPlan plan_pairs_and_devices(SessionOptions& so);
  bool set_up_side(Session& session, GpuLanes& lanes, Side& me);
  bool exchange_sides(Session& session, const Side& me, RunOutput& out);
  nlohmann::json params(Session& session, const GpuLanes& lanes, const CycleClock& clock) const;
  void print_banner(Session& session, const GpuLanes& lanes, std::ostream& human) const;

  const Options& o_;
  const EngineOptions e_;
  int argc_;
  char** argv_;
  bool lat_ = false;
  Op op_ = Op::write;
  MemoryKind mine_ = MemoryKind::cuda;
  std::optional<MemoryKind> expected_peer_;
  std::vector<std::uint64_t> sizes_;
  std::uint64_t max_size_ = 0;
  bool print_ = true;
  bool staged_ = false;
  std::vector<Side> sides_;
};

void Run::validate_options() {
  if (o_.test != "bw" && o_.test != "lat") throw UsageError("--test must be bw or lat");
  lat_ = o_.test == "lat";
  op_ = parse_op(o_.op.empty() ? (lat_ ? "send" : "write") : o_.op);
  if (op_ != Op::write && op_ != Op::read && op_ != Op::send)
    throw UsageError("fp_gdr measures write, read and send (got --op " + o_.op + ")");
  mine_ = parse_memory_kind(o_.mem);
  if (!o_.remote_mem.empty()) expected_peer_ = parse_memory_kind(o_.remote_mem);
  if (o_.all_gpus && o_.gpu >= 0) throw UsageError("--gpu and --all-gpus exclude each other");
  if (lat_ && o_.engine.bidirectional) throw UsageError("-b applies to --test bw only");
  check_engine_options(e_);
  if (o_.session.connection == "UD" || o_.session.connection == "ud")
    throw UsageError("fp_gdr uses RC connections (-c UD is fp_bw's)");
  sizes_ = o_.sizes.sizes();
  max_size_ = *std::max_element(sizes_.begin(), sizes_.end());
  check_message_size(max_size_);  // before anything is allocated
}

int Run::fail_cuda(RunOutput& out, const CudaUnavailable& u) {
  print_run_error("fp_gdr", u.message);
  out.set_params({{"test", o_.test}, {"op", std::string(to_string(op_))}, {"mem", std::string(to_string(mine_))}});
  out.add_host(collect_host_info());
  out.add_check(u.check);
  out.add_error(u.message);
  return out.finish(RunStatus::failed);
}

// The GPU-NIC pairs to measure; the session then opens exactly their NICs.
HostPlan Run::plan_pairs_and_devices(SessionOptions& so) {
  if (!needs_cuda(mine_)) {
    if (o_.all_gpus || o_.gpu >= 0)
      throw UsageError(
          "--gpu/--all-gpus need GPU memory on this side (--mem cuda, cuda-dmabuf, cuda-peermem or cuda-host)");
    return {};
  }
  PairRequest req;
  if (o_.gpu >= 0) req.gpu = o_.gpu;
  req.all_gpus = o_.all_gpus;
  if (!o_.session.devices.empty()) req.devices = split_device_list(o_.session.devices);
  HostPlan plan = plan_pairs(list_gpus(), req);
  std::string devices;
  for (const auto& p : plan.pairs) devices += (devices.empty() ? "" : ",") + p.nic;
  so.devices = devices;
  so.all_devices = false;
  return plan;
}

// This side's facts and its endpoints (GPU memory is registered here: a failure becomes this
// side's error, so that both sides stop). False when the side could not set up.
bool Run::set_up_side(Session& session, GpuLanes& lanes, Side& me) {
  for (const auto& pair : lanes.plan().pairs) {
    me.pairs.push_back(pair.to_json());
    Check c = pair_path_check(pair);
    c.labels["host"] = me.host;
    me.checks.push_back(c);
  }
  const EndpointConfig config =
      lat_ ? latency_endpoint(e_, op_, max_size_, false)
           : bandwidth_endpoint(e_, op_, max_size_, false, message_slots(e_, max_size_, false));
  try {
    lanes.create_endpoints(session, config, max_size_);
  } catch (const RegistrationError& e) {
    me.error = e.diagnosis().message();
  } catch (const UsageError&) {
    throw;
  } catch (const Error& e) {
    me.error = e.what();
  }
  for (const auto& c : lanes.registration_checks()) me.checks.push_back(c);
  return me.error.empty();
}

// Every rank learns every side; the reporting rank(s) record every side's checks and errors.
// False when any side could not set up (every rank then stops).
bool Run::exchange_sides(Session& session, const Side& me, RunOutput& out) {
  const auto all = session.gather(me.to_json(), "exchanging the memory of each side");
  sides_.clear();
  for (std::size_t r = 0; r < all.size(); ++r)
    sides_.push_back(Side::from_json(all[r], session.bootstrap().describe_rank(static_cast<int>(r))));
  // Under MPI the reporting rank writes every rank's checks; over TCP each side writes its own
  // and its peer's (both documents describe the pair).
  for (const auto& s : sides_)
    for (const auto& c : s.checks) out.add_check(c);
  bool ok = true;
  for (std::size_t r = 0; r < sides_.size(); ++r) {
    if (sides_[r].error.empty()) continue;
    ok = false;
    const bool local = static_cast<int>(r) == session.rank();
    const std::string msg =
        local ? sides_[r].error : session.bootstrap().describe_rank(static_cast<int>(r)) + ": " + sides_[r].error;
    if (local || print_) print_run_error("fp_gdr", msg);
    out.add_error(msg);
  }
  if (!ok || !session.role()) return ok;
  // Both sides see both sides' choices, so both stop on a mismatch with the same message.
  const Side& peer = sides_.at(static_cast<std::size_t>(session.role()->peer));
  check_remote_mem(me, peer, session.peer_name());
  check_remote_mem(peer, me, session.bootstrap().describe_rank(session.rank()));
  if (lat_ && op_ == Op::write && is_device_memory(peer.mem))
    throw UsageError(write_latency_problem(peer.mem) + " (on " + session.peer_name() + ")");
  return true;
}

nlohmann::json Run::params(Session& session, const GpuLanes& lanes, const CycleClock& clock) const {
  nlohmann::json p = engine_params(e_, true);
  p.update({{"test", o_.test},
            {"op", std::string(to_string(op_))},
            {"mem", std::string(to_string(mine_))},
            {"sizes_bytes", sizes_},
            {"host_staged", staged_},
            {"staging_copy_iterations", o_.staging_iterations},
            {"timeout_s", o_.common.timeout_s},
            {"clock", clock.uses_tsc() ? "tsc" : "monotonic"}});
  if (session.role())
    p["peer_mem"] = std::string(to_string(sides_.at(static_cast<std::size_t>(session.role()->peer)).mem));
  nlohmann::json sides = nlohmann::json::array();
  for (const auto& s : sides_)
    sides.push_back({{"host", s.host}, {"mem", std::string(to_string(s.mem))}, {"pairs", s.pairs}});
  p["sides"] = sides;
  if (!lanes.caps().empty()) p["gpudirect"] = lanes.caps().front().to_json();
  return p;
}

void Run::print_banner(Session& session, const GpuLanes& lanes, std::ostream& human) const {
  const std::string peer_mem =
      session.role() ? std::string(to_string(sides_.at(static_cast<std::size_t>(session.role()->peer)).mem)) : "?";
  human << table_rule() << '\n'
        << "                    fp_gdr: " << (lat_ ? "latency" : "bandwidth") << ", " << to_string(op_) << ", "
        << to_string(mine_) << " <-> " << peer_mem << '\n';
  for (const auto& p : lanes.plan().pairs)
    human << " GPU " << p.gpu.ordinal << " (" << p.gpu.name << ", " << p.gpu.pci << ") <-> " << p.nic << "  path "
          << p.path_name() << (p.overridden ? " (-d)" : "") << '\n';
  for (const auto& c : lanes.registration_checks()) human << " registration: " << c.detail << '\n';
  human << " Peer: " << session.peer_name() << (staged_ ? "; host-staged baseline included" : "") << '\n'
        << table_rule() << '\n'
        << table_header(lat_, o_.report_gbits, staged_) << '\n';
}

int Run::operator()() {
  validate_options();
  const auto [mpi_launched, print] = tool_reporting();
  print_ = print;
  RunOutput out("fp_gdr", command_line(argc_, argv_), print_ ? o_.common.json_path : "");
  std::ostream& human = out.human();

  std::optional<Role> guessed_role;
  if (mpi_launched) {
    guessed_role = mpi_role_guess(o_.session);
    if (*guessed_role == Role::target && expected_peer_) mine_ = *expected_peer_;
  }
  if (lat_ && op_ == Op::write && is_device_memory(mine_)) throw UsageError(write_latency_problem(mine_));
  if (is_device_memory(mine_) && e_.inline_size > 0)
    throw UsageError("-I: inline sends copy the payload with the CPU, which cannot read GPU memory (--mem " +
                     std::string(to_string(mine_)) + ")");

  // CUDA first: a host without a GPU or driver says so at once, before any peer is contacted.
  GpuCapabilities host_caps;
  fill_cuda_capabilities(host_caps, 0);
  if (auto u = check_cuda_usable(mine_, host_caps)) return fail_cuda(out, *u);
  SessionOptions so = o_.session;
  HostPlan plan = plan_pairs_and_devices(so);

  const std::string token =
      run_token("fp_gdr", std::string(to_string(op_)), sizes_,
                " test=" + o_.test + " q=" + std::to_string(e_.qps) + " b=" + std::to_string(e_.bidirectional) +
                    " validate=" + std::to_string(e_.validate) + " staged=" + std::to_string(!o_.no_staged));
  try {
    Session session(so, o_.common);
    session.open_devices();
    session.start(token);
    const auto clock = CycleClock::calibrate();
    const std::string host = session.bootstrap().hostnames().at(static_cast<std::size_t>(session.rank()));
    if (guessed_role && session.role() && session.role()->role != *guessed_role)
      throw UsageError(
          "this rank's role in the pairing differs from what the launcher's environment suggested; "
          "give every rank the same memory (--mem without --remote-mem)");
    GpuLanes lanes(mine_, std::move(plan), host);
    if (print_)
      for (const auto& w : lanes.plan().warnings) human << " warning: " << w << '\n';
    Side me;
    me.mem = mine_;
    me.host = host;
    if (expected_peer_ && !mpi_launched) me.expect_peer_mem = std::string(to_string(*expected_peer_));
    set_up_side(session, lanes, me);
    if (!exchange_sides(session, me, out)) return out.finish(RunStatus::failed);

    // The baseline runs when GPU memory is on either side of the pair (all ranks agree).
    staged_ = !o_.no_staged &&
              std::any_of(sides_.begin(), sides_.end(), [](const Side& s) { return is_device_memory(s.mem); });
    if (staged_) lanes.create_staging(session);
    session.connect();
    if (staged_) lanes.connect_staging(session);
    nlohmann::json my_host = collect_host_info();
    if (host_caps.cuda_driver) {
      const auto a = cuda::availability();
      if (a.driver_version > 0)
        my_host["cuda_version"] =
            std::to_string(a.driver_version / 1000) + "." + std::to_string((a.driver_version % 1000) / 10);
    }
    record_run(session, out, params(session, lanes, clock), lanes.memory_description(), my_host);

    if (print_) print_banner(session, lanes, human);
    MeasurePlan mp;
    mp.engine = e_;
    mp.op = op_;
    mp.latency = lat_;
    mp.sizes = sizes_;
    mp.slots = lat_ ? 1 : message_slots(e_, max_size_, false);
    mp.timeout_s = o_.common.timeout_s;
    mp.staged = staged_;
    mp.staging_iterations = o_.staging_iterations;
    mp.gbits = o_.report_gbits;
    mp.print = print_;
    measure(session, lanes, sides_, clock, mp, out);
    if (print_) human << table_rule() << '\n';
    session.barrier("finishing");
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
  add_tool_options(app, o, "65536", /*allow_ud=*/false);
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
  add_bandwidth_options(app, o.engine);
  auto* iters = app.get_option("--iters")->description("Messages per QP (default 5000 for bw, 1000 for lat)");
  iters->default_str("");
  auto* rx = app.get_option("--rx-depth")->description("Posted receives per QP (send; default 512 for bw, 16 for lat)");
  rx->default_str("");
  app.get_option("--validate")
      ->description(
          "Check data end to end: patterns written into GPU memory by a kernel, checked on the receiving GPU");
  app.add_flag("--report_gbits,--report-gbits", o.report_gbits,
               "Table in Gb/sec (default MiB/sec; JSON is always Gb/s)");
  return run_main(app, argc, argv, [&] {
    o.iterations_given = iters->count() > 0;
    o.rx_depth_given = rx->count() > 0;
    return Run(o, argc, argv)();
  });
}

}  // namespace fabricperf::gdr
