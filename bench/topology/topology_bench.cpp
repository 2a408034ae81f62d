// fp_topo's stages on the AWS p5.48xlarge export (8 H100, 32 EFA, 188 PCI objects): the whole
// pipeline (read, hwloc XML load, model, pairing, checks, JSON) must stay under 100 ms.
// Run: build/bench/topology/bench_topology
#include <benchmark/benchmark.h>

#include "fabricperf/topology/checks.hpp"
#include "fabricperf/topology/hwloc_reader.hpp"
#include "fabricperf/topology/nccl_reader.hpp"
#include "fabricperf/topology/pairing.hpp"
#include "fabricperf/topology/report.hpp"
#include "fabricperf/topology/xml.hpp"

namespace topo = fabricperf::topology;

namespace {

const std::string kData = std::string(FABRICPERF_SOURCE_DIR) + "/tests/data/topology/";
const std::string kP5 = kData + "aws-p5.48xl.hwloc.xml";

// Everything fp_topo --hwloc-xml p5 --json does before printing.
void BM_P5_WholePipeline(benchmark::State& state) {
  for (auto _ : state) {
    const topo::Topology t = topo::load_hwloc_xml(kP5);
    const topo::Pairing p = topo::pair_gpus_with_nics(t);
    const auto checks = topo::run_checks(t, p);
    auto json = topo::result_json(t, p, checks);
    benchmark::DoNotOptimize(json);
  }
  state.counters["budget_ms"] = 100;
}
BENCHMARK(BM_P5_WholePipeline)->Unit(benchmark::kMillisecond);

void BM_P5_HwlocXmlLoad(benchmark::State& state) {
  const std::string text = topo::read_text_file(kP5);
  for (auto _ : state) {
    topo::Topology t = topo::load_hwloc_xml_text(text, kP5);
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_P5_HwlocXmlLoad)->Unit(benchmark::kMillisecond);

void BM_P5_RawXmlParse(benchmark::State& state) {
  const std::string text = topo::read_text_file(kP5);
  for (auto _ : state) {
    auto root = topo::parse_xml(text, kP5);
    benchmark::DoNotOptimize(root);
  }
}
BENCHMARK(BM_P5_RawXmlParse)->Unit(benchmark::kMicrosecond);

void BM_P5_PairingAndMatrix(benchmark::State& state) {
  const topo::Topology t = topo::load_hwloc_xml(kP5);
  for (auto _ : state) {
    auto p = topo::pair_gpus_with_nics(t);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_P5_PairingAndMatrix)->Unit(benchmark::kMicrosecond);

void BM_NDv5_NcclTopo(benchmark::State& state) {
  const std::string text = topo::read_text_file(kData + "azure-ndv5-topo.nccl.xml");
  for (auto _ : state) {
    auto t = topo::parse_nccl_topo(text, "ndv5");
    auto p = topo::pair_gpus_with_nics(t);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_NDv5_NcclTopo)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
