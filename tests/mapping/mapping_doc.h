// The generated part of docs/mapping.md: each built-in profile's effective tables.
#pragma once

#include <string>

namespace siptgw::mapping {

// Markdown for every built-in profile (cause → status, status → cause with sources, class
// defaults, 18x rules, numbering defaults), between marker comments.
std::string mappingTablesMarkdown();

}  // namespace siptgw::mapping
