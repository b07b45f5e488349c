// Header name table (RFC 3261 §7.3.3, §20; RFC 3262, 3323, 3325, 3326, 4028, 5009, 5806,
// 6086, 7044). See header_id.h.
#include "sip/header_id.h"

#include <array>

#include "sip/text.h"

namespace siptgw::sip {

namespace {
struct Entry {
  std::string_view name;
  char compact;
  bool list;
};

constexpr std::array<Entry, static_cast<std::size_t>(HeaderId::kCount)> kTable = {{
    {"", '\0', false},
    {"Via", 'v', true},
    {"Max-Forwards", '\0', false},
    {"From", 'f', false},
    {"To", 't', false},
    {"Call-ID", 'i', false},
    {"CSeq", '\0', false},
    {"Contact", 'm', true},
    {"Route", '\0', true},
    {"Record-Route", '\0', true},
    {"Require", '\0', true},
    {"Proxy-Require", '\0', true},
    {"Supported", 'k', true},
    {"Unsupported", '\0', true},
    {"Allow", '\0', true},
    {"RSeq", '\0', false},
    {"RAck", '\0', false},
    {"Reason", '\0', true},
    {"Session-Expires", 'x', false},
    {"Min-SE", '\0', false},
    {"Privacy", '\0', false},
    {"P-Asserted-Identity", '\0', true},
    {"P-Preferred-Identity", '\0', true},
    {"History-Info", '\0', true},
    {"Diversion", '\0', true},
    {"Info-Package", '\0', false},
    {"Recv-Info", '\0', true},
    {"P-Early-Media", '\0', true},
    {"Content-Type", 'c', false},
    {"Content-Disposition", '\0', false},
    {"Content-Length", 'l', false},
    {"Content-Encoding", 'e', true},
    {"Expires", '\0', false},
    {"Min-Expires", '\0', false},
    {"Event", 'o', false},
    {"Allow-Events", 'u', true},
    {"Refer-To", 'r', false},
    {"Referred-By", 'b', false},
    {"Subject", 's', false},
    {"Accept-Contact", 'a', true},
    {"Reject-Contact", 'j', true},
    {"Request-Disposition", 'd', true},
    {"Identity", 'y', false},
    {"Identity-Info", 'n', false},
    {"Accept", '\0', true},
    {"User-Agent", '\0', false},
    {"Server", '\0', false},
    {"Date", '\0', false},
    {"Timestamp", '\0', false},
    {"Warning", '\0', true},
    {"Retry-After", '\0', false},
    {"WWW-Authenticate", '\0', false},
    {"Authorization", '\0', false},
    {"Proxy-Authenticate", '\0', false},
    {"Proxy-Authorization", '\0', false},
}};

constexpr std::array<HeaderId, 26> makeCompactTable() {
  std::array<HeaderId, 26> t{};
  for (std::size_t i = 1; i < kTable.size(); ++i) {
    char c = kTable[i].compact;
    if (c != '\0') t[static_cast<std::size_t>(c - 'a')] = static_cast<HeaderId>(i);
  }
  return t;
}
constexpr std::array<HeaderId, 26> kCompact = makeCompactTable();

// Full names go through a small open-addressing hash table (FNV-1a over the lower-cased
// name, 256 slots for ~55 names): one hash and usually one compare per header line, which
// matters because every line of every message is looked up.
constexpr std::uint32_t hashLower(std::string_view s) {
  std::uint32_t h = kHeaderHashSeed;
  for (char c : s) h = headerHashStep(h, c);
  return h;
}
constexpr std::size_t kSlots = 256;
constexpr std::array<std::uint8_t, kSlots> makeHashTable() {
  std::array<std::uint8_t, kSlots> t{};
  for (std::size_t i = 1; i < kTable.size(); ++i) {
    std::size_t slot = hashLower(kTable[i].name) & (kSlots - 1);
    while (t[slot] != 0) slot = (slot + 1) & (kSlots - 1);
    t[slot] = static_cast<std::uint8_t>(i);
  }
  return t;
}
constexpr std::array<std::uint8_t, kSlots> kHash = makeHashTable();
}  // namespace

HeaderId lookupHeader(std::string_view name) {
  return lookupHeader(name, hashLower(name));
}

HeaderId lookupHeader(std::string_view name, std::uint32_t nameHash) {
  if (name.size() == 1) {
    char c = toLower(name[0]);
    if (c >= 'a' && c <= 'z') return kCompact[static_cast<std::size_t>(c - 'a')];
    return HeaderId::Other;
  }
  std::size_t slot = nameHash & (kSlots - 1);
  while (kHash[slot] != 0) {
    const std::string_view cand = kTable[kHash[slot]].name;
    if (iequals(cand, name)) {
      return static_cast<HeaderId>(kHash[slot]);
    }
    slot = (slot + 1) & (kSlots - 1);
  }
  return HeaderId::Other;
}

std::string_view headerName(HeaderId id) {
  return kTable[static_cast<std::size_t>(id)].name;
}
char compactForm(HeaderId id) {
  return kTable[static_cast<std::size_t>(id)].compact;
}
bool isListHeader(HeaderId id) {
  return kTable[static_cast<std::size_t>(id)].list;
}

}  // namespace siptgw::sip
