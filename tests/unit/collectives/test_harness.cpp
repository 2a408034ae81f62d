// The harness end to end in one process, with the reference backend: every collective, datatype
// and op checks correct; the result entries carry the documented fields; a backend that corrupts
// data is caught (wrong > 0, data_check fails); the table has nccl-tests' shape.
#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

#include "fabricperf/bootstrap.hpp"
#include "fabricperf/collectives/harness.hpp"
#include "fabricperf/collectives/ref_backend.hpp"
#include "fabricperf/error.hpp"

using namespace fabricperf;
using namespace fabricperf::collectives;

namespace {

// Wraps a backend and flips one byte of every receive buffer read back (corrupt), or fails
// after a number of launches.
class CorruptingBackend final : public Backend {
 public:
  explicit CorruptingBackend(std::unique_ptr<Backend> inner, bool corrupt = true, int launches_until_failure = -1)
      : inner_(std::move(inner)), corrupt_(corrupt), launches_left_(launches_until_failure) {}
  std::string_view name() const noexcept override { return "corrupt"; }
  int nranks() const noexcept override { return inner_->nranks(); }
  int local_ranks() const noexcept override { return 1; }
  int first_rank() const noexcept override { return inner_->first_rank(); }
  bool in_place_copies() const noexcept override { return true; }
  nlohmann::json describe() const override { return inner_->describe(); }
  std::vector<nlohmann::json> devices() const override { return inner_->devices(); }
  void allocate(std::size_t s, std::size_t r) override { inner_->allocate(s, r); }
  void write(int l, BufferKind w, std::size_t o, std::span<const std::byte> d) override { inner_->write(l, w, o, d); }
  void read(int l, BufferKind w, std::size_t o, std::span<std::byte> d) override {
    inner_->read(l, w, o, d);
    if (corrupt_ && w == BufferKind::recv && !d.empty()) d[0] = static_cast<std::byte>(~static_cast<unsigned>(d[0]));
  }
  void launch(const CollCall& c, int g, Watchdog& w) override {
    if (launches_left_ == 0) throw Error("injected backend failure");
    if (launches_left_ > 0) --launches_left_;
    inner_->launch(c, g, w);
  }
  void wait(Watchdog& w) override { inner_->wait(w); }
  void barrier(Watchdog& w) override { inner_->barrier(w); }
  void abort() noexcept override {}

 private:
  std::unique_ptr<Backend> inner_;
  bool corrupt_;
  int launches_left_;
};

struct Rig {
  std::unique_ptr<Bootstrap> bootstrap = make_single_process_bootstrap();
  NullProbe probe;
  Watchdog watchdog{std::chrono::seconds(30), nullptr, &probe};
};

// The document fp_coll would write from a run's output.
nlohmann::json as_document(const HarnessOutput& out) {
  nlohmann::json doc = {{"results", out.rows}, {"checks", nlohmann::json::array()}};
  for (const auto& check : out.checks) doc["checks"].push_back(to_json(check));
  return doc;
}

}  // namespace

TEST(Harness, EveryCollectiveDatatypeAndOpThroughTheReferenceBackend) {
  Rig s;
  auto backend = make_ref_backend(*s.bootstrap);
  BenchConfig c;
  c.colls.assign(std::begin(kAllCollectives), std::end(kAllCollectives));
  c.types.assign(std::begin(kAllDataTypes), std::end(kAllDataTypes));
  c.ops.assign(std::begin(kAllRedOps), std::end(kAllRedOps));
  c.sizes = {8, 1024};
  c.iters = 2;
  c.agg_iters = 2;
  Harness h(c, *s.bootstrap, *backend, s.watchdog, std::cout);
  testing::internal::CaptureStdout();
  const auto doc = as_document(h.run());
  const std::string table = testing::internal::GetCapturedStdout();
  EXPECT_EQ(h.wrong_total(), 0);
  const auto& results = doc["results"];
  ASSERT_EQ(results.size(), 2U * 2U * (3U * 10U * 5U + 6U * 10U));
  for (const auto& r : results) {
    EXPECT_EQ(r["wrong"], 0) << r.dump();
    for (const char* key : {"coll", "backend", "ranks", "size_bytes", "count", "dtype", "op", "root", "in_place",
                            "time_us", "algbw_GBps", "busbw_GBps", "wrong", "rank_time_us"})
      EXPECT_TRUE(r.contains(key)) << key;
    EXPECT_EQ(r["rank_time_us"].size(), 1U);
    EXPECT_FALSE(r.contains("straggler"));
  }
  for (const auto& chk : doc["checks"]) {
    if (chk["name"] == "data_check") {
      EXPECT_EQ(chk["status"], "pass") << chk.dump();
    }
  }
  EXPECT_EQ(h.avg_busbw().size(), 9U);
  EXPECT_NE(table.find("# Collective: all_reduce"), std::string::npos);
  EXPECT_NE(table.find("# Avg bus bandwidth"), std::string::npos);
  EXPECT_NE(table.find("bfloat16"), std::string::npos);
}

TEST(Harness, CorruptedResultsAreCountedAndFailTheCheck) {
  Rig s;
  CorruptingBackend backend(make_ref_backend(*s.bootstrap));
  BenchConfig c;
  c.colls = {Collective::all_reduce, Collective::broadcast};
  c.sizes = {1024};
  c.iters = 1;
  Harness h(c, *s.bootstrap, backend, s.watchdog, std::cout);
  testing::internal::CaptureStdout();
  const auto doc = as_document(h.run());
  (void)testing::internal::GetCapturedStdout();
  EXPECT_EQ(h.wrong_total(), 4);  // one element per run: 2 colls x in/out-of-place
  int failed = 0;
  for (const auto& chk : doc["checks"])
    if (chk["name"] == "data_check" && chk["status"] == "fail") ++failed;
  EXPECT_EQ(failed, 2);
  for (const auto& r : doc["results"]) EXPECT_EQ(r["wrong"], 1);
}

TEST(Harness, UncheckedRunsReportMinusOne) {
  Rig s;
  auto backend = make_ref_backend(*s.bootstrap);
  BenchConfig c;
  c.sizes = {4096};
  c.iters = 1;
  c.check = 0;
  c.check_avg_busbw = 1e9;  // impossible: the avg_busbw check fails
  Harness h(c, *s.bootstrap, *backend, s.watchdog, std::cout);
  testing::internal::CaptureStdout();
  const auto doc = as_document(h.run());
  const std::string table = testing::internal::GetCapturedStdout();
  EXPECT_NE(table.find("N/A"), std::string::npos);
  for (const auto& r : doc["results"]) EXPECT_EQ(r["wrong"], -1);
  bool bw_failed = false;
  for (const auto& chk : doc["checks"]) {
    if (chk["name"] == "data_check") {
      EXPECT_EQ(chk["status"], "skip");
    }
    if (chk["name"] == "avg_busbw") bw_failed = chk["status"] == "fail";
  }
  EXPECT_TRUE(bw_failed);
}

// The harness hands each row to the caller as it is measured, and a run that fails keeps the
// rows and checks of what completed before (fp_coll and the suite report those).
TEST(Harness, RowsStreamAsMeasuredAndAFailedRunKeepsWhatCompleted) {
  Rig s;
  BenchConfig c;
  c.colls = {Collective::all_reduce, Collective::broadcast};
  c.sizes = {1024, 4096};
  c.iters = 1;
  c.warmup_iters = 0;
  auto healthy = make_ref_backend(*s.bootstrap);
  std::vector<nlohmann::json> streamed;
  std::ostringstream table;
  Harness whole(c, *s.bootstrap, *healthy, s.watchdog, table,
                [&streamed](const nlohmann::json& row) { streamed.push_back(row); });
  const HarnessOutput& all = whole.run();
  ASSERT_EQ(all.rows.size(), 8U);  // 2 colls x 2 sizes x in/out-of-place
  EXPECT_EQ(streamed, all.rows);
  EXPECT_EQ(all.checks.size(), 4U);  // data_check and avg_busbw per collective (one process: no straggler)
  EXPECT_NE(table.str().find("# Collective: broadcast"), std::string::npos);

  // Enough launches for all_reduce (sync + iterations + check per half row), not for broadcast.
  CorruptingBackend failing(make_ref_backend(*s.bootstrap), /*corrupt=*/false, /*launches_until_failure=*/13);
  std::ostringstream quiet;
  Harness partial(c, *s.bootstrap, failing, s.watchdog, quiet);
  EXPECT_THROW((void)partial.run(), Error);
  const auto& kept = partial.output();
  ASSERT_GE(kept.rows.size(), 4U);
  EXPECT_LT(kept.rows.size(), 8U);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(kept.rows[i]["coll"], "all_reduce");
  ASSERT_EQ(kept.checks.size(), 2U);
  EXPECT_EQ(kept.checks[0].name, "data_check");
  EXPECT_EQ(kept.checks[0].status, CheckStatus::pass);
}
