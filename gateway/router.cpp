#include "gateway/router.h"

namespace siptgw::gateway {

std::string_view noRouteWhyName(NoRoute::Why w) {
  switch (w) {
    case NoRoute::Why::NoMatch:
      return "no route matches";
    case NoRoute::Why::BadDigit:
      return "the called number has a character outside 0-9 * #";
    case NoRoute::Why::EmptyNumber:
      return "the route strips every digit";
  }
  return "?";
}

int Router::digitIndex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c == '*') return 10;
  if (c == '#') return 11;
  return -1;
}

Router::Router(const GatewayConfig& cfg) : sip_(1), isup_(1) {
  for (std::size_t i = 0; i < cfg.routes.size(); ++i) {
    const RouteConfig& r = cfg.routes[i];
    std::optional<std::size_t> idx;
    if (r.targetKind == RouteTargetKind::Trunk) {
      for (std::size_t k = 0; k < cfg.trunks.size(); ++k)
        if (cfg.trunks[k].name() == r.target) idx = k;
    } else {
      for (std::size_t k = 0; k < cfg.sip.peers.size(); ++k)
        if (cfg.sip.peers[k].name == r.target) idx = k;
    }
    bool digitsOk = true;
    for (char c : r.prefix) digitsOk = digitsOk && digitIndex(c) >= 0;
    if (!idx || !digitsOk) {
      ++skipped_;
      continue;
    }
    const auto e = static_cast<int32_t>(entries_.size());
    entries_.push_back({r.targetKind, *idx, r.target, r.strip, r.prepend, r.noa, r.from, i});
    if (r.from != RouteSource::Isup) insert(sip_, r.prefix, e);
    if (r.from != RouteSource::Sip) insert(isup_, r.prefix, e);
  }
}

void Router::insert(Trie& t, std::string_view prefix, int32_t entry) {
  std::size_t node = 0;
  for (char c : prefix) {
    const int d = digitIndex(c);
    if (t[node].next[d] == kNone) {
      t[node].next[d] = static_cast<int32_t>(t.size());
      t.emplace_back();  // may reallocate: index, never hold a reference across it
    }
    node = static_cast<std::size_t>(t[node].next[d]);
  }
  int32_t& slot = t[node].entry;
  // One prefix, two routes: the origin-specific one wins over `from: any`; otherwise the
  // first in the file (the configuration rejects exact duplicates).
  if (slot == kNone || (entries_[static_cast<std::size_t>(slot)].from == RouteSource::Any &&
                        entries_[static_cast<std::size_t>(entry)].from != RouteSource::Any))
    slot = entry;
}

Result<RouteMatch, NoRoute> Router::route(CallOrigin origin, std::string_view digits) const {
  const Trie& t = origin == CallOrigin::Sip ? sip_ : isup_;
  int32_t best = t[0].entry;
  std::size_t node = 0;
  bool walking = true;
  for (char c : digits) {
    const int d = digitIndex(c);
    if (d < 0) return Unexpected{NoRoute{NoRoute::Why::BadDigit}};
    if (!walking) continue;  // keep checking the remaining characters
    const int32_t n = t[node].next[d];
    if (n == kNone) {
      walking = false;
      continue;
    }
    node = static_cast<std::size_t>(n);
    if (t[node].entry != kNone) best = t[node].entry;
  }
  if (best == kNone) return Unexpected{NoRoute{NoRoute::Why::NoMatch}};
  const Entry& e = entries_[static_cast<std::size_t>(best)];
  const std::string_view rest =
      digits.size() > e.strip ? digits.substr(e.strip) : std::string_view{};
  if (rest.empty() && e.prepend.empty()) return Unexpected{NoRoute{NoRoute::Why::EmptyNumber}};
  RouteMatch m;
  m.kind = e.kind;
  m.targetIndex = e.targetIndex;
  m.target = e.target;
  m.number.reserve(e.prepend.size() + rest.size());
  m.number.append(e.prepend).append(rest);
  m.noa = e.noa;
  m.routeIndex = e.routeIndex;
  return m;
}

}  // namespace siptgw::gateway
