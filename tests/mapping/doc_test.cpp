// docs/mapping.md embeds the generated tables verbatim (regenerate with
// `siptgw_print_mapping --write docs/mapping.md`).
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "mapping_doc.h"

namespace siptgw::mapping {
namespace {

TEST(MappingDoc, DocsHoldTheCurrentTables) {
  std::ifstream f(std::string(SIPTGW_SOURCE_DIR) + "/docs/mapping.md");
  ASSERT_TRUE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_NE(ss.str().find(mappingTablesMarkdown()), std::string::npos)
      << "regenerate: siptgw_print_mapping --write docs/mapping.md";
}

TEST(MappingDoc, TablesNameEveryProfileAndRow) {
  const std::string md = mappingTablesMarkdown();
  EXPECT_NE(md.find("### Profile `rfc3398`"), std::string::npos);
  EXPECT_NE(md.find("### Profile `3gpp-29163`"), std::string::npos);
  EXPECT_NE(md.find("### Profile `q1912.5`"), std::string::npos);
  EXPECT_NE(md.find("| 17 | User busy | 486 Busy Here | RFC 3398 §7.2.4.1 |"), std::string::npos);
  EXPECT_NE(md.find("| 480 Temporarily Unavailable | 20 | Subscriber absent | TS 29.163 (unverified) |"),
            std::string::npos);
}

}  // namespace
}  // namespace siptgw::mapping
