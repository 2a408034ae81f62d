# One line per libFuzzer target (see README.md): tests/fuzz/fuzz_<name>.cpp defines
# LLVMFuzzerTestOneInput; DEPS are project libraries; SEEDS are files or folders relative to the
# repository root (folders are read recursively).
fabricperf_fuzz_target(NAME result_document SOURCES fuzz_result_document.cpp DEPS fpresults SEEDS tests/data/results tests/fuzz/seeds/result_document)
fabricperf_fuzz_target(NAME hwloc_xml SOURCES fuzz_hwloc_xml.cpp DEPS fptopology SEEDS tests/data/topology)
fabricperf_fuzz_target(NAME nccl_topo SOURCES fuzz_nccl_topo.cpp DEPS fptopology SEEDS tests/data/topology)
fabricperf_fuzz_target(NAME model_config SOURCES fuzz_model_config.cpp DEPS fpsizing SEEDS tests/data/sizing sizing/catalogue)
fabricperf_fuzz_target(NAME bootstrap_frame SOURCES fuzz_bootstrap_frame.cpp DEPS fpcore SEEDS tests/fuzz/seeds/bootstrap_frame)
