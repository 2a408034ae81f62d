// Hostile input to the topology readers (issue 14 rows 6-9): refused with a UsageError naming the
// file and the value, never a crash, a wrong number or an --emit-env line a shell would run.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "fabricperf/error.hpp"
#include "fabricperf/topology/hwloc_reader.hpp"
#include "fabricperf/topology/nccl_reader.hpp"
#include "fabricperf/topology/pairing.hpp"
#include "fabricperf/topology/report.hpp"
#include "fabricperf/topology/xml.hpp"
#include "fixtures.hpp"

namespace fabricperf::topology {
namespace {

using testing::data_path;
using testing::handmade;

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The UsageError message `body` throws, or "(no error)".
template <typename Body>
std::string usage_error(Body body) {
  try {
    body();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string nccl_with(const std::string& from, const std::string& to) {
  return replaced(read_text_file(handmade("gpus-share-remote-nic.nccl.xml")), from, to);
}

TEST(TopologyHostileInput, EmitEnvRefusesNamesAShellWouldRun) {
  const Topology t = parse_nccl_topo(nccl_with("name=\"mlx5_0\"", "name=\"mlx5_0$(touch PWNED);x\""), "evil.xml");
  const Pairing p = pair_gpus_with_nics(t);
  const std::string e = usage_error([&] { (void)rank_environments(t, p); });
  EXPECT_NE(e.find("evil.xml"), std::string::npos) << e;
  EXPECT_NE(e.find("mlx5_0$(touch PWNED);x"), std::string::npos) << e;
  for (const char* name : {"a`id`", "a b", "a'b", "a\"b", "a\nb", "a|b", "a>b"}) {
    std::string escaped;  // as an XML attribute value
    for (const char c : std::string(name)) {
      escaped += c == '"' ? "&quot;" : c == '>' ? "&gt;" : c == '\n' ? "&#10;" : std::string(1, c);
    }
    const Topology bad = parse_nccl_topo(nccl_with("name=\"mlx5_0\"", "name=\"" + escaped + "\""), "evil.xml");
    const std::string m = usage_error([&] { (void)rank_environments(bad, pair_gpus_with_nics(bad)); });
    EXPECT_NE(m.find("refusing --emit-env"), std::string::npos) << name << ": " << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

TEST(TopologyHostileInput, EmitEnvKeepsOrdinaryNames) {
  const Topology t = load_hwloc_xml(data_path("aws-p5.48xl.hwloc.xml"));
  EXPECT_EQ(rank_environments(t, pair_gpus_with_nics(t)).size(), 8U);
}

TEST(TopologyHostileInput, NcclNumbersOutOfRangeAreRefused) {
  struct Case {
    const char* from;
    const char* to;
  };
  for (const Case& c : {Case{"numaid=\"1\"", "numaid=\"4294967296\""}, Case{"numaid=\"1\"", "numaid=\"-1\""},
                        Case{"speed=\"400000\"", "speed=\"1e308\""}, Case{"speed=\"400000\"", "speed=\"nan\""},
                        Case{"speed=\"400000\"", "speed=\"-5\""}, Case{"port=\"1\"", "port=\"4294967297\""},
                        Case{"port=\"1\"", "port=\"1x\""}, Case{"vendor=\"0x15b3\"", "vendor=\"0x1015b3\""},
                        Case{"class=\"0x020700\"", "class=\"0xffffffffffffffffff\""}}) {
    const std::string e = usage_error([&] { (void)parse_nccl_topo(nccl_with(c.from, c.to), "n.xml"); });
    EXPECT_NE(e.find("n.xml:"), std::string::npos) << c.to << ": " << e;
    EXPECT_NE(e.find(c.to), std::string::npos) << c.to << ": " << e;
  }
}

TEST(TopologyHostileInput, AttributesMustBeValidUtf8) {
  // Found by fuzz_nccl_topo: a byte 0xa6 in <cpu arch> reached the JSON result, whose strict
  // dump threw. XML is UTF-8: such a file is malformed.
  for (const std::string bad : {"x\xa6"
                                "6_64",
                                "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"}) {
    const std::string e = usage_error([&] { (void)parse_nccl_topo(nccl_with("x86_64", bad), "u.xml"); });
    EXPECT_NE(e.find("u.xml:"), std::string::npos) << e;
    EXPECT_NE(e.find("'arch' is not valid UTF-8"), std::string::npos) << e;
  }
  const std::string e = usage_error([&] { (void)parse_nccl_topo(nccl_with("x86_64", "&#xD800;"), "u.xml"); });
  EXPECT_NE(e.find("u.xml:"), std::string::npos) << e;
  // Real multi-byte text is fine.
  EXPECT_NO_THROW((void)parse_nccl_topo(nccl_with("x86_64", "x86_64 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), "u.xml"));
}

// `gpus` GPUs and `nics` NICs on one CPU.
std::string many_devices(int gpus, int nics) {
  std::string xml = "<system version=\"1\"><cpu numaid=\"0\">\n";
  auto busid = [](int i, int function) {
    char text[32];
    std::snprintf(text, sizeof text, "%04x:%02x:00.%d", i / 256, i % 256, function);
    return std::string(text);
  };
  for (int i = 0; i < gpus; ++i)
    xml += "<pci busid=\"" + busid(i, 0) + "\" class=\"0x030200\"><gpu dev=\"0\"/></pci>\n";
  for (int i = 0; i < nics; ++i) {
    xml += "<pci busid=\"" + busid(i, 1) + "\" class=\"0x020700\"><nic><net name=\"mlx5_" + std::to_string(i) +
           "\"/></nic></pci>\n";
  }
  return xml + "</cpu></system>\n";
}

TEST(TopologyHostileInput, DeviceCountsAreCapped) {
  // 20,000 GPUs and NICs (4.5 MB) used to run the pairing for minutes.
  EXPECT_NE(usage_error([] {
              (void)parse_nccl_topo(many_devices(static_cast<int>(kMaxGpus) + 1, 1), "g.xml");
            }).find("g.xml: 257 GPUs, above fp_topo's limit of 256"),
            std::string::npos);
  EXPECT_NE(usage_error([] {
              (void)parse_nccl_topo(many_devices(1, static_cast<int>(kMaxNics) + 1), "n.xml");
            }).find("n.xml: 513 RDMA NICs, above fp_topo's limit of 512"),
            std::string::npos);
  const Topology t = parse_nccl_topo(many_devices(16, 16), "ok.xml");
  EXPECT_EQ(t.gpus.size(), 16U);
  EXPECT_EQ(t.nics.size(), 16U);
}

TEST(TopologyHostileInput, NcclSpeedStillReadWhenSane) {
  const Topology t = parse_nccl_topo(read_text_file(handmade("gpus-share-remote-nic.nccl.xml")), "ok.xml");
  ASSERT_EQ(t.nics.size(), 1U);
  ASSERT_EQ(t.nics[0].ports.size(), 1U);
  EXPECT_EQ(t.nics[0].ports[0].rate, "400 Gb/sec");
  EXPECT_EQ(t.nics[0].numa, 1);
}

TEST(TopologyHostileInput, LibhwlocCrashBecomesARefusal) {
  // libhwloc 2.9 dereferences NULL on this real export with its first complete_cpuset removed.
  std::string text = read_text_file(data_path("keysight-supermicro.hwloc.xml"));
  const auto at = text.find(" complete_cpuset=\"");
  ASSERT_NE(at, std::string::npos);
  text.erase(at, text.find('"', at + 18) + 1 - at);
  const std::string e = usage_error([&] { (void)load_hwloc_xml_text(text, "ks.xml"); });
  EXPECT_NE(e.find("hwloc XML ks.xml: libhwloc crashed while loading it (signal 11): the file is malformed"),
            std::string::npos)
      << e;
}

TEST(TopologyHostileInput, HwlocPortNumbersAndVersionsAreChecked) {
  std::string text = read_text_file(handmade("pix.hwloc.xml"));
  const std::string port = usage_error([&] {
    (void)load_hwloc_xml_text(replaced(text, "name=\"Port1State\"", "name=\"Port99999999999State\""), "p.xml");
  });
  EXPECT_NE(port.find("Port99999999999State"), std::string::npos) << port;
  const std::string version = usage_error([&] {
    (void)precheck_hwloc_xml(replaced(text, "version=\"2.0\"", "version=\"99999999999999999999\""), "v.xml");
  });
  EXPECT_NE(version.find("is not supported"), std::string::npos) << version;
}

TEST(TopologyHostileInput, SpecialFilesAreRefusedWithoutReading) {
  EXPECT_NE(usage_error([] { (void)load_hwloc_xml("/dev/zero"); }).find("not a regular file"), std::string::npos);
  EXPECT_NE(usage_error([] { (void)load_nccl_topo("/dev/zero"); }).find("NCCL topology /dev/zero"), std::string::npos);
  EXPECT_NE(usage_error([] { (void)load_hwloc_xml(""); }).find("empty file name"), std::string::npos);
}

}  // namespace
}  // namespace fabricperf::topology
