#include "gateway/sip_tool.h"

#include <fstream>
#include <iterator>
#include <ostream>

#include "sip/check_message.h"

namespace siptgw::gateway {

int sipCheck(const std::string& path, std::ostream& out, std::ostream& err) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    err << "error: " << path << ": cannot read\n";
    return 2;
  }
  const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto r = sip::checkMessage(bytes);
  if (!r) {
    err << "error: " << path << ": " << r.error().message() << "\n";
    return 1;
  }
  out << "ok\n";
  return 0;
}

}  // namespace siptgw::gateway
