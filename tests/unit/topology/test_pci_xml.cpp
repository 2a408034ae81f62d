// PCI addresses and the small XML reader.
#include <gtest/gtest.h>

#include <algorithm>

#include "fabricperf/error.hpp"
#include "fabricperf/topology/pci.hpp"
#include "fabricperf/topology/xml.hpp"

namespace fabricperf::topology {
namespace {

TEST(PciAddress, ParsesFullShortAndWideDomains) {
  const auto a = PciAddress::parse("0000:53:00.0");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->bus, 0x53);
  EXPECT_EQ(a->str(), "0000:53:00.0");
  EXPECT_EQ(PciAddress::parse("ab:1F.7")->str(), "0000:ab:1f.7");
  EXPECT_EQ(PciAddress::parse("0101:00:00.0")->domain, 0x0101u);
  EXPECT_EQ(PciAddress::parse("10000:01:00.0")->str(), "10000:01:00.0");  // VMD domains
  EXPECT_EQ(PciAddress::parse("ffff:ff:01.0")->slot(), "ffff:ff:01");
}

TEST(PciAddress, RejectsGarbage) {
  for (const char* bad : {"", "zz", "0000:53:00", "0000:53:00.8", "0000:53:20.0", "0000:5g:00.0", "0000:153:00.0",
                          "pci0000:00", "virtio0"}) {
    EXPECT_FALSE(PciAddress::parse(bad)) << bad;
  }
}

TEST(PciAddress, SlotsGroupFunctionsOfOneCard) {
  EXPECT_TRUE(PciAddress::parse("0000:ab:00.0")->same_slot(*PciAddress::parse("0000:ab:00.1")));
  EXPECT_FALSE(PciAddress::parse("0000:ab:00.0")->same_slot(*PciAddress::parse("0000:ab:01.0")));
  EXPECT_LT(*PciAddress::parse("0000:09:00.0"), *PciAddress::parse("0000:0a:00.0"));
}

TEST(PciClasses, GpusNicsAndNotNvswitches) {
  EXPECT_TRUE(is_nvidia_gpu(0x0302, kVendorNvidia));
  EXPECT_TRUE(is_nvidia_gpu(0x0300, kVendorNvidia));
  EXPECT_FALSE(is_nvidia_gpu(0x0680, kVendorNvidia));  // NVSwitch
  EXPECT_FALSE(is_nvidia_gpu(0x0300, 0x1a03));         // ASPEED BMC VGA
  EXPECT_FALSE(is_nvidia_gpu(0x0300, kVendorAmazon));  // EC2 display
  EXPECT_TRUE(is_rdma_nic_hardware(0x0207, kVendorMellanox, 0x1021));
  EXPECT_TRUE(is_rdma_nic_hardware(0x0200, kVendorAmazon, 0xefa1));
  EXPECT_FALSE(is_rdma_nic_hardware(0x0200, kVendorAmazon, 0xec20));  // ENA: Ethernet only
  EXPECT_FALSE(is_rdma_nic_hardware(0x0604, kVendorMellanox, 0x197c));  // ConnectX-8's switch
}

TEST(Xml, ElementsAttributesEntitiesAndSkippedParts) {
  const auto root = parse_xml(
      "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- c -->\n<!DOCTYPE t SYSTEM \"t.dtd\" [ <!ENTITY x \"y\"> ]>\n"
      "<t a=\"1\" b='two &amp; &lt;3&gt; &#65;&#x42;'>\n  text <![CDATA[ <not/> ]]>\n"
      "  <c name=\"x\"/><!-- inner --><c name=\"y\"><d/></c>\n</t>\n",
      "mem");
  EXPECT_EQ(root.name, "t");
  EXPECT_EQ(root.attribute_or("a", ""), "1");
  EXPECT_EQ(root.attribute_or("b", ""), "two & <3> AB");
  EXPECT_EQ(root.attribute("missing"), nullptr);
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(root.children[1].attribute_or("name", ""), "y");
  EXPECT_EQ(root.children[1].children.at(0).name, "d");
  EXPECT_EQ(root.children[1].line, 6);
}

TEST(Xml, MalformedInputNamesSourceAndLine) {
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {"<a><b></a>", "does not match <b>"},
      {"<a>\n<b>", "never closed"},
      {"<a x=1/>", "must be quoted"},
      {"<a x=\"1\" x=\"2\"/>", "repeated"},
      {"<a/><b/>", "after the root"},
      {"junk<a/>", "text outside"},
      {"<a>&bogus;</a><b", "after the root"},
      {"<a x=\"&bogus;\"/>", "unknown entity"},
      {"<!-- never ends", "unterminated comment"},
      {"", "no root element"},
      {"<a", "unexpected end of file"},
  };
  for (const auto& c : cases) {
    try {
      (void)parse_xml(c.text, "f.xml");
      ADD_FAILURE() << "accepted: " << c.text;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("f.xml:"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.expect), std::string::npos) << c.text << " -> " << e.what();
    }
  }
}

TEST(Xml, DeepNestingIsRefusedNotACrash) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "<a>";
  EXPECT_THROW((void)parse_xml(text, "deep.xml"), UsageError);
}

TEST(Xml, BlankingCommentsKeepsLines) {
  const std::string text = "<a>\n<!-- one\ntwo -->\n<b/></a>";
  const std::string blanked = blank_xml_comments(text);
  EXPECT_EQ(blanked.size(), text.size());
  EXPECT_EQ(blanked.find("<!--"), std::string::npos);
  EXPECT_EQ(std::count(blanked.begin(), blanked.end(), '\n'), 3);
}

TEST(Xml, UnreadableFilesAreUsageErrors) {
  EXPECT_THROW((void)read_text_file("/nonexistent/topo.xml"), UsageError);
  EXPECT_THROW((void)read_text_file("/"), UsageError);
}

}  // namespace
}  // namespace fabricperf::topology

namespace fabricperf::topology {
namespace {

// Every prefix of a real export either parses or fails with a UsageError: no crash, no hang.
TEST(Xml, TruncatedRealExportsFailCleanly) {
  const std::string text =
      read_text_file(std::string(FABRICPERF_SOURCE_DIR) + "/tests/data/topology/aws-g5.48xl.hwloc.xml");
  int failures = 0;
  for (std::size_t cut = 0; cut < text.size(); cut += 61) {
    try {
      (void)parse_xml(std::string_view(text).substr(0, cut), "cut.xml");
    } catch (const UsageError&) {
      ++failures;
    }
  }
  EXPECT_GT(failures, 100);
  EXPECT_NO_THROW((void)parse_xml(text, "whole.xml"));
}

}  // namespace
}  // namespace fabricperf::topology
