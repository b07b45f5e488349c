// `siptgw isup decode|encode`: operator tools over the ISUP codec (docs/isup-codec.md).
#pragma once

#include <iosfwd>
#include <string>

#include "isup/json.h"
#include "isup/types.h"

namespace siptgw::gateway {

// Return the process exit code: 0 done, 1 malformed input (one line on `err`).
int isupDecode(const std::string& hex, isup::Variant v, isup::Framing f, bool pretty, std::ostream& out,
               std::ostream& err);
int isupEncode(const std::string& json, isup::Variant v, isup::Framing f, std::ostream& out, std::ostream& err);

}  // namespace siptgw::gateway
