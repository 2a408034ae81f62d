#include "fabricperf/collectives/harness.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ostream>
#include <thread>

#include "fabricperf/collectives/pattern.hpp"
#include "fabricperf/collectives/report.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/log.hpp"

namespace fabricperf::collectives {
namespace {

std::uint64_t mix(std::uint64_t h, std::uint64_t v) noexcept {
  h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  return h;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

std::string describe(const CollCall& call) {
  std::string text = std::string(to_string(call.coll)) + " " + std::to_string(call.shape.size_bytes()) + " bytes " +
                     std::string(to_string(call.type));
  if (uses_reduction(call.coll)) text += " " + std::string(to_string(call.op));
  text += call.in_place ? " in-place" : " out-of-place";
  return text;
}

std::uint64_t data_seed(const CollCall& call, int repetition) noexcept {
  std::uint64_t h = 0x5EED;
  h = mix(h, static_cast<std::uint64_t>(call.coll));
  h = mix(h, static_cast<std::uint64_t>(call.type));
  h = mix(h, static_cast<std::uint64_t>(call.op));
  h = mix(h, call.shape.size_bytes());
  h = mix(h, call.in_place ? 1 : 0);
  return mix(h, static_cast<std::uint64_t>(repetition));
}

Harness::Harness(BenchConfig config, Bootstrap& bootstrap, Backend& backend, Watchdog& watchdog, std::ostream& table,
                 RowSink on_row)
    : config_(std::move(config)),
      bootstrap_(bootstrap),
      backend_(backend),
      watchdog_(watchdog),
      table_(table),
      on_row_(std::move(on_row)) {}

const HarnessOutput& Harness::run() {
  // Buffers for the largest shape of any collective and datatype (nccl-tests allocates max bytes).
  std::size_t bytes = 0;
  for (const Collective coll : config_.colls)
    for (const DataType type : config_.types)
      for (const std::uint64_t size : config_.sizes) {
        const CollShape s = coll_shape(coll, size, element_size(type), backend_.nranks());
        bytes = std::max({bytes, s.send_bytes(), s.recv_bytes()});
      }
  current_ = "allocating buffers";
  FP_LOG(info, "collectives") << backend_.name() << " backend, " << backend_.nranks() << " ranks: allocating " << bytes
                              << "-byte send and receive buffers";
  backend_.allocate(bytes, bytes);
  for (const Collective coll : config_.colls) run_collective(coll);
  return output_;
}

void Harness::run_collective(Collective coll) {
  const int nranks = backend_.nranks();
  const bool rooted = is_rooted(coll);
  const std::vector<RedOp> ops = uses_reduction(coll) ? config_.ops : std::vector<RedOp>{RedOp::sum};
  if (rank0())
    table_ << "#\n# Collective: " << to_string(coll) << " (" << backend_.name() << ", " << nranks << " ranks)\n#\n"
           << table_header() << std::flush;
  double busbw_sum = 0;
  int busbw_rows = 0;
  std::int64_t wrong = 0;
  bool checked = false;
  int straggler_rows = 0;
  std::optional<Straggler> worst;
  for (const DataType type : config_.types) {
    for (const RedOp op : ops) {
      CollCall base;
      base.coll = coll;
      base.type = type;
      base.op = op;
      base.root = rooted ? config_.root : 0;
      warm_up(base);
      for (const std::uint64_t size : config_.sizes) {
        CollCall call = base;
        call.shape = coll_shape(coll, size, element_size(type), nranks);
        Measurement halves[2];
        for (const bool in_place : {false, true}) {
          call.in_place = in_place;
          current_ = describe(call);
          FP_LOG(info, "collectives") << current_ << ": measuring";
          halves[in_place ? 1 : 0] = measure(call);
          const Measurement& m = halves[in_place ? 1 : 0];
          output_.rows.push_back(result_json(call, m));
          if (on_row_) on_row_(output_.rows.back());
          busbw_sum += m.bw.busbw_GBps;
          ++busbw_rows;
          if (m.wrong >= 0) {
            checked = true;
            wrong += m.wrong;
          }
          if (m.straggler) {
            ++straggler_rows;
            if (!worst || m.straggler->behind_pct > worst->behind_pct) worst = m.straggler;
          }
        }
        if (rank0()) {
          table_ << row_preamble(call.shape.size_bytes(), call.shape.param_count, to_string(type),
                                 uses_reduction(coll) ? to_string(op) : "none", rooted ? config_.root : -1);
          for (const auto& m : halves) table_ << row_body(m.time_us, m.bw.algbw_GBps, m.bw.busbw_GBps, m.wrong);
          table_ << '\n' << std::flush;
        }
      }
    }
  }
  const double avg = busbw_rows > 0 ? busbw_sum / busbw_rows : 0.0;
  avg_busbw_[std::string(to_string(coll))] = avg;
  wrong_total_ += wrong;
  if (rank0()) table_ << table_footer(wrong, avg) << std::flush;

  const nlohmann::json labels = {{"coll", std::string(to_string(coll))}, {"backend", std::string(backend_.name())}};
  Check data;
  data.name = "data_check";
  data.labels = labels;
  if (config_.check == 0 || !checked) {
    data.status = CheckStatus::skip;
    data.detail = config_.check == 0 ? "results not checked (-c 0)" : "no result of this collective is checkable";
  } else {
    data.expected = 0;
    data.measured = wrong;
    data.status = wrong == 0 ? CheckStatus::pass : CheckStatus::fail;
    data.detail = std::to_string(wrong) + " wrong elements over all sizes, ranks and in/out-of-place runs";
  }
  output_.checks.push_back(data);

  Check bw;
  bw.name = "avg_busbw";
  bw.labels = labels;
  bw.measured = avg;
  if (config_.check_avg_busbw >= 0) {
    bw.expected = config_.check_avg_busbw;
    bw.status = avg >= config_.check_avg_busbw * 0.9 ? CheckStatus::pass : CheckStatus::fail;
    bw.detail = "average bus bandwidth over all sizes must reach 90% of the expected value (nccl-tests' rule)";
  } else {
    bw.status = CheckStatus::skip;
    bw.detail = "average bus bandwidth over all sizes (no --check-avg-busbw given)";
  }
  output_.checks.push_back(bw);

  if (bootstrap_.size() > 1) {
    Check st;
    st.name = "straggler";
    st.labels = labels;
    st.expected = nlohmann::json{{"max_behind_pct", config_.straggler_pct}};
    if (worst) {
      st.status = CheckStatus::warn;
      st.measured = to_json(*worst);
      st.labels["rank"] = worst->rank;
      st.labels["host"] = worst->host;
      char text[256];
      std::snprintf(text, sizeof text,
                    "the slowest rank was more than %.1f%% behind the others' median in %d of %d "
                    "measurements; worst: %s, %.1f%% behind",
                    config_.straggler_pct, straggler_rows, busbw_rows, bootstrap_.describe_rank(worst->rank).c_str(),
                    worst->behind_pct);
      st.detail = text;
    } else {
      st.status = CheckStatus::pass;
      st.detail = "no rank was more than the tolerance behind the others";
    }
    output_.checks.push_back(st);
  }
}

void Harness::warm_up(const CollCall& base) {
  if (config_.warmup_iters == 0 || config_.sizes.empty()) return;
  const std::uint64_t min_size = *std::min_element(config_.sizes.begin(), config_.sizes.end());
  const std::uint64_t max_size = *std::max_element(config_.sizes.begin(), config_.sizes.end());
  for (std::uint64_t size = min_size; size <= max_size; size *= 2) {
    CollCall call = base;
    call.shape = coll_shape(base.coll, size, element_size(base.type), backend_.nranks());
    current_ = "warm-up of " + describe(call);
    FP_LOG(trace, "collectives") << current_ << ": " << config_.warmup_iters << " iteration(s)";
    for (int i = 0; i < config_.warmup_iters; ++i) launch(call, 1);
    backend_.wait(watchdog_);
    if (size > max_size / 2) break;  // no overflow at the top of the range
  }
}

void Harness::maybe_inject_fault() {
  const FaultInjection& f = config_.fault;
  if (f.kind != FaultInjection::Kind::hang && f.kind != FaultInjection::Kind::exit) return;
  if (f.rank != bootstrap_.rank() || launches_ != f.after) return;
  if (f.kind == FaultInjection::Kind::exit) {
    FP_LOG(warn, "collectives") << "injected fault: exiting at operation " << launches_;
    std::_Exit(3);
  }
  FP_LOG(warn, "collectives") << "injected fault: hanging at operation " << launches_;
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));  // answers nobody, like a hung process
}

void Harness::launch(const CollCall& call, int group) {
  maybe_inject_fault();
  watchdog_.set_progress(launches_);
  ++launches_;
  backend_.launch(call, group, watchdog_);
}

void Harness::init_data(const CollCall& call, std::uint64_t seed) {
  const CollShape& s = call.shape;
  const std::size_t elt = s.element_bytes;
  const PatternSpec base{call.coll, call.type, call.op, backend_.nranks(), call.root, seed};
  for (int local = 0; local < backend_.local_ranks(); ++local) {
    const int rank = backend_.first_rank() + local;
    if (!call.in_place) {
      host_.resize(s.send_bytes());
      fill_input(base, rank, 0, s.send_count, host_.data());
      backend_.write(local, BufferKind::send, 0, host_);
      host_.resize(s.recv_bytes());
      fill_poison(host_);
      backend_.write(local, BufferKind::recv, 0, host_);
    } else {
      host_.resize(std::max(s.send_bytes(), s.recv_bytes()));
      fill_poison(host_);
      const std::size_t offset = s.send_inplace_offset * static_cast<std::size_t>(rank) * elt;
      fill_input(base, rank, 0, s.send_count, host_.data() + offset);
      backend_.write(local, BufferKind::recv, 0, host_);
    }
  }
}

std::uint64_t Harness::count_local_wrong(const CollCall& call, std::uint64_t seed) {
  const CollShape& s = call.shape;
  const PatternSpec spec{call.coll, call.type, call.op, backend_.nranks(), call.root, seed};
  std::uint64_t wrong = 0;
  for (int local = 0; local < backend_.local_ranks(); ++local) {
    const int rank = backend_.first_rank() + local;
    host_.resize(call.in_place ? std::max(s.send_bytes(), s.recv_bytes()) : s.recv_bytes());
    backend_.read(local, BufferKind::recv, 0, host_);
    wrong += count_wrong(spec, s, rank, call.in_place, host_);
  }
  return wrong;
}

std::vector<std::pair<double, double>> Harness::gather_pairs(double first, double second) {
  const double mine[2] = {first, second};
  std::string bytes(sizeof mine, '\0');
  std::memcpy(bytes.data(), mine, sizeof mine);
  const auto all = bootstrap_.all_gather(bytes);
  std::vector<std::pair<double, double>> values;
  values.reserve(all.size());
  for (std::size_t r = 0; r < all.size(); ++r) {
    if (all[r].size() != sizeof mine)
      throw PeerError(bootstrap_.describe_rank(static_cast<int>(r)), "malformed timing");
    double v[2] = {0, 0};
    std::memcpy(v, all[r].data(), sizeof v);
    values.emplace_back(v[0], v[1]);
  }
  return values;
}

Measurement Harness::measure(const CollCall& call) {
  Measurement m;
  const bool graph = config_.graph_launches > 0;
  if (config_.check > 0) init_data(call, data_seed(call, 0));
  launch(call, 1);  // synchronising call
  backend_.wait(watchdog_);
  backend_.barrier(watchdog_);

  auto start = Clock::now();
  if (graph) backend_.capture_begin();
  for (int iter = 0; iter < config_.iters; ++iter) {
    if (config_.blocking != 0 && !graph) {
      for (int a = 0; a < config_.agg_iters; ++a) {
        launch(call, 1);
        backend_.wait(watchdog_);
        if (config_.blocking == 1) backend_.barrier(watchdog_);
      }
    } else {
      launch(call, config_.agg_iters);
    }
  }
  if (graph) {
    backend_.capture_end();
    backend_.barrier(watchdog_);
    start = Clock::now();
    backend_.replay(config_.graph_launches);
  }
  backend_.wait(watchdog_);
  const double calls = static_cast<double>(config_.iters) * config_.agg_iters * (graph ? config_.graph_launches : 1);
  double my_us = seconds_since(start) * 1e6 / calls;
  if (config_.fault.kind == FaultInjection::Kind::slow && config_.fault.rank == bootstrap_.rank())
    my_us += config_.fault.slow_us;

  // Check on fresh data (nccl-tests reruns once after timing), then one exchange carries every
  // process's time and wrong-element count.
  const bool checkable = !call.in_place || in_place_result_defined(call.coll, backend_.in_place_copies());
  const bool check = config_.check > 0 && checkable;
  double local_wrong = 0;
  for (int rep = 1; check && rep <= config_.check; ++rep) {
    const std::uint64_t seed = data_seed(call, rep);
    init_data(call, seed);
    if (graph) {
      backend_.capture_begin();
      launch(call, 1);
      backend_.capture_end();
      backend_.replay(1);
    } else {
      launch(call, 1);
    }
    backend_.wait(watchdog_);
    // Every rank runs every repetition (a local early exit would desynchronise the collectives);
    // the worst repetition counts.
    local_wrong = std::max(local_wrong, static_cast<double>(count_local_wrong(call, seed)));
  }

  const auto all = gather_pairs(my_us, local_wrong);
  double wrong = 0;
  for (const auto& [t, w] : all) {
    m.rank_time_us.push_back(t);
    wrong += w;
  }
  m.time_us = combine_rank_times(m.rank_time_us, config_.average);
  m.bw = bandwidth(call.coll, call.shape.size_bytes(), m.time_us * 1e-6, backend_.nranks());
  m.straggler = find_straggler(m.rank_time_us, bootstrap_.hostnames(), config_.straggler_pct);
  if (check) m.wrong = static_cast<std::int64_t>(wrong);
  return m;
}

nlohmann::json Harness::result_json(const CollCall& call, const Measurement& m) const {
  nlohmann::json j = {{"coll", std::string(to_string(call.coll))},
                      {"backend", std::string(backend_.name())},
                      {"ranks", backend_.nranks()},
                      {"size_bytes", call.shape.size_bytes()},
                      {"count", call.shape.param_count},
                      {"dtype", std::string(to_string(call.type))},
                      {"op", uses_reduction(call.coll) ? std::string(to_string(call.op)) : std::string("none")},
                      {"root", is_rooted(call.coll) ? call.root : -1},
                      {"in_place", call.in_place},
                      {"time_us", m.time_us},
                      {"algbw_GBps", m.bw.algbw_GBps},
                      {"busbw_GBps", m.bw.busbw_GBps},
                      {"wrong", m.wrong},
                      {"iterations", config_.iters},
                      {"agg_iters", config_.agg_iters},
                      {"graph_launches", config_.graph_launches},
                      {"rank_time_us", m.rank_time_us}};
  if (m.straggler) j["straggler"] = to_json(*m.straggler);
  return j;
}

}  // namespace fabricperf::collectives
