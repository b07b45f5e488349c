// Config errors name file, line and key path; all errors of a document are reported.
#include <gtest/gtest.h>

#include "config/yaml_reader.h"

namespace siptgw::config {
namespace {

TEST(YamlReader, ValuesDefaultsAndRanges) {
  auto doc = parseYaml("name: gw1\nport: 5060\ntls: yes\nmode: both\n", "t.yaml");
  ASSERT_TRUE(doc.ok());
  Errors errs;
  Node root(*doc, "t.yaml", errs);
  root.allowOnly({"name", "port", "tls", "mode"});
  EXPECT_EQ(root.string("name"), "gw1");
  EXPECT_EQ(root.integer("port", 1, 65535), 5060);
  EXPECT_EQ(root.integer("absent", 0, 10, 7), 7);
  EXPECT_EQ(root.boolean("tls"), true);
  EXPECT_EQ(root.choice("mode", {"incoming", "outgoing", "both"}), "both");
  EXPECT_TRUE(errs.empty()) << errs.describe();
}

TEST(YamlReader, ErrorsNameFileLineAndPath) {
  const char* text =
      "trunks:\n"
      "  - name: a\n"
      "    dpc: 1\n"
      "  - name: b\n"
      "    dpc: 99999\n"
      "    colour: red\n"
      "    direction: sideways\n";
  auto doc = parseYaml(text, "gw.yaml");
  ASSERT_TRUE(doc.ok());
  Errors errs;
  Node root(*doc, "gw.yaml", errs);
  Node trunks = root.child("trunks", true);
  ASSERT_EQ(trunks.size(), 2u);
  for (std::size_t i = 0; i < trunks.size(); ++i) {
    Node t = trunks.at(i);
    t.allowOnly({"name", "dpc", "direction"});
    t.integer("dpc", 0, 16383);
    t.choice("direction", {"incoming", "outgoing", "both"}, "both");
  }
  root.integer("max_calls", 1, 100000);  // missing and required
  ASSERT_EQ(errs.list().size(), 4u) << errs.describe();
  EXPECT_EQ(errs.list()[0].describe(), "gw.yaml:6: trunks[1].colour: unknown key (known here: name, dpc, direction)");
  EXPECT_EQ(errs.list()[1].describe(), "gw.yaml:5: trunks[1].dpc: 99999 is outside 0..16383");
  EXPECT_EQ(errs.list()[2].describe(), "gw.yaml:7: trunks[1].direction: 'sideways' is not one of: incoming, outgoing, both");
  EXPECT_EQ(errs.list()[3].describe(), "gw.yaml:1: missing required key 'max_calls'");
}

TEST(YamlReader, SyntaxErrorHasLine) {
  auto doc = parseYaml("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().file, "bad.yaml");
  EXPECT_GE(doc.error().line, 2);
}

TEST(YamlReader, WrongTypes) {
  auto doc = parseYaml("port: abc\nlist: {a: 1}\nflag: maybe\nhex: 0x1F\n", "t.yaml");
  ASSERT_TRUE(doc.ok());
  Errors errs;
  Node root(*doc, "t.yaml", errs);
  EXPECT_EQ(root.integer("port", 0, 10, 3), 3);
  EXPECT_EQ(root.child("list").size(), 0u);
  EXPECT_EQ(root.boolean("flag", false), false);
  EXPECT_EQ(root.integer("hex", 0, 255), 31);
  ASSERT_EQ(errs.list().size(), 2u) << errs.describe();
  EXPECT_EQ(errs.list()[0].describe(), "t.yaml:1: port: 'abc' is not an integer");
  EXPECT_EQ(errs.list()[1].describe(), "t.yaml:3: flag: true or false is needed here");
}

}  // namespace
}  // namespace siptgw::config
