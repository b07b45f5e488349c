// Call routing: which trunk or SIP peer a call goes to, by the longest configured prefix of
// its called number, and the number as sent there (docs/configuration.md, "routes").
//
// A digit trie per call origin (SIP, ISUP), built once from the validated configuration;
// a lookup walks the called digits once (no allocation but the normalised number), so
// thousands of routes cost nothing per call. A route with `from: any` applies to both
// origins; for one prefix a route naming the origin wins over an `any` route.
//
// No match is an explicit NoRoute: the call layer answers 404 (SIP) or releases with
// Q.850 cause 3 "no route to destination" (ISUP), as RFC 3398 §8.2.6.1 / Q.850 pair them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.h"
#include "gateway/gateway_config.h"

namespace siptgw::gateway {

enum class CallOrigin : uint8_t { Sip, Isup };

struct RouteMatch {
  RouteTargetKind kind = RouteTargetKind::Trunk;
  std::size_t targetIndex = 0;         // into GatewayConfig::trunks or GatewayConfig::sip.peers
  std::string_view target;             // its name (owned by the Router)
  std::string number;                  // called number after strip / prepend
  std::optional<NatureOfAddress> noa;  // set by the route; nullopt: keep the call's own
  std::size_t routeIndex = 0;          // into GatewayConfig::routes (for logs)
};

struct NoRoute {
  enum class Why : uint8_t {
    NoMatch,      // no prefix matches (cause 3 / 404)
    BadDigit,     // a character outside 0-9 * # in the called number
    EmptyNumber,  // the route stripped every digit
  };
  Why why = Why::NoMatch;
  static constexpr uint16_t kSipStatus = 404;  // RFC 3398 §8.2.6.1: cause 3 ↔ 404
  static constexpr uint8_t kCause = 3;         // Q.850: no route to destination
};
std::string_view noRouteWhyName(NoRoute::Why w);

class Router {
 public:
  // From a validated configuration. Routes whose target does not exist are skipped (a
  // validated configuration has none) and counted in skipped().
  explicit Router(const GatewayConfig& cfg);

  Result<RouteMatch, NoRoute> route(CallOrigin origin, std::string_view calledDigits) const;

  std::size_t size() const { return entries_.size(); }
  std::size_t skipped() const { return skipped_; }

 private:
  static constexpr std::size_t kAlphabet = 12;  // 0-9 * #
  static constexpr int32_t kNone = -1;
  struct TrieNode {
    std::array<int32_t, kAlphabet> next;
    int32_t entry = kNone;  // index into entries_
    TrieNode() { next.fill(kNone); }
  };
  struct Entry {
    RouteTargetKind kind;
    std::size_t targetIndex;
    std::string target;
    uint8_t strip;
    std::string prepend;
    std::optional<NatureOfAddress> noa;
    RouteSource from;
    std::size_t routeIndex;
  };
  using Trie = std::vector<TrieNode>;

  static int digitIndex(char c);
  void insert(Trie& t, std::string_view prefix, int32_t entry);

  std::vector<Entry> entries_;
  Trie sip_, isup_;
  std::size_t skipped_ = 0;
};

}  // namespace siptgw::gateway
