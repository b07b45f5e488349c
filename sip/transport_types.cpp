// Transport values and the pure §18 rules. See transport_types.h.
#include "sip/transport_types.h"

#include <arpa/inet.h>

#include <cstring>

#include "sip/text.h"

namespace siptgw::sip {

std::string_view toString(TransportType t) {
  switch (t) {
    case TransportType::Udp:
      return "UDP";
    case TransportType::Tcp:
      return "TCP";
    case TransportType::Tls:
      return "TLS";
  }
  return "?";
}

std::optional<TransportType> transportFromVia(std::string_view token) {
  if (iequals(token, "UDP")) return TransportType::Udp;
  if (iequals(token, "TCP")) return TransportType::Tcp;
  if (iequals(token, "TLS")) return TransportType::Tls;
  return std::nullopt;
}

std::string_view toString(TransportErrc e) {
  switch (e) {
    case TransportErrc::Ok:
      return "ok";
    case TransportErrc::NoListener:
      return "no listener for this transport";
    case TransportErrc::ConnectFailed:
      return "connection failed";
    case TransportErrc::ConnectionLost:
      return "connection lost";
    case TransportErrc::SendFailed:
      return "send failed";
    case TransportErrc::TooLarge:
      return "message too large";
  }
  return "?";
}

namespace {
// Dotted-quad IPv4 (four decimal octets, no leading zeros beyond a lone 0, as inet_pton
// accepts them). Every received request's Via is resolved this way (§18.2.1/§18.2.2), and
// inet_pton needs a NUL-terminated copy first; IPv6 still goes through inet_pton.
bool parseIpv4(std::string_view s, std::uint8_t* out) {
  std::size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
    const std::size_t start = i;
    unsigned v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) v = v * 10 + unsigned(s[i++] - '0');
    if (i == start || v > 255 || (i - start > 1 && s[start] == '0')) return false;
    out[part] = static_cast<std::uint8_t>(v);
  }
  return i == s.size();
}
}  // namespace

std::optional<Endpoint> Endpoint::fromIp(std::string_view ip, std::uint16_t port) {
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  Endpoint e;
  e.port = port;
  if (parseIpv4(ip, e.addr.data())) return e;
  if (ip.find(':') == std::string_view::npos) return std::nullopt;  // not IPv6 either
  char buf[64];
  if (ip.empty() || ip.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, ip.data(), ip.size());
  buf[ip.size()] = '\0';
  if (inet_pton(AF_INET6, buf, e.addr.data()) == 1) {
    e.v6 = true;
    return e;
  }
  return std::nullopt;
}

namespace {
// The address without brackets into `buf`; empty on failure.
std::string_view formatIp(const Endpoint& e, char (&buf)[INET6_ADDRSTRLEN]) {
  if (!inet_ntop(e.v6 ? AF_INET6 : AF_INET, e.addr.data(), buf, sizeof buf)) return {};
  return buf;
}
}  // namespace

std::string Endpoint::ipString() const {
  char buf[INET6_ADDRSTRLEN];
  return std::string(formatIp(*this, buf));
}

std::string Endpoint::toString() const {
  std::string s;
  if (v6) s += '[';
  s += ipString();
  if (v6) s += ']';
  s += ':';
  s += std::to_string(port);
  return s;
}

std::size_t EndpointHash::operator()(const Endpoint& e) const noexcept {
  std::uint64_t h = 1469598103934665603ull;
  for (std::uint8_t b : e.addr) h = (h ^ b) * 1099511628211ull;
  h = (h ^ e.port) * 1099511628211ull;
  return static_cast<std::size_t>(h ^ (e.v6 ? 0x9e3779b97f4a7c15ull : 0));
}

std::optional<Destination> responseDestination(const Via& via, const Source& src) {
  Destination d;
  d.transport = src.transport;
  d.connection = src.connection;
  const std::uint16_t sentByPort = via.port.value_or(defaultPort(src.transport));
  if (isReliable(src.transport)) {
    // §18.2.2: the same connection if still open; else connect to received (the source
    // address) and the sent-by port.
    std::optional<Endpoint> ip =
        via.received.empty() ? std::optional<Endpoint>(src.remote) : Endpoint::fromIp(via.received, 0);
    if (!ip) ip = src.remote;
    d.remote = *ip;
    d.remote.port = sentByPort;
    return d;
  }
  if (!via.maddr.empty()) {
    std::optional<Endpoint> m = Endpoint::fromIp(via.maddr, sentByPort);
    if (m) {
      d.remote = *m;
      return d;
    }
  }
  if (!via.received.empty()) {
    std::optional<Endpoint> r = Endpoint::fromIp(via.received, via.rportValue.value_or(sentByPort));
    if (r) {
      d.remote = *r;
      return d;
    }
  }
  std::optional<Endpoint> h = Endpoint::fromIp(via.host, sentByPort);
  if (!h) return std::nullopt;  // a host name: RFC 3263 §5 resolution is not done here
  d.remote = *h;
  return d;
}

bool viaSentByIs(const Via& v, std::string_view sentBy) {
  const std::size_t colon = sentBy.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  if (!iequals(v.host, sentBy.substr(0, colon))) return false;
  std::uint16_t port = 0;
  if (v.port) {
    port = *v.port;
  } else {
    const auto t = transportFromVia(v.transport);
    port = defaultPort(t ? *t : TransportType::Udp);
  }
  return std::to_string(port) == sentBy.substr(colon + 1);
}

bool stampVia(std::string_view raw, const Via& via, const Source& src, std::string& out) {
  std::optional<Endpoint> host = Endpoint::fromIp(via.host, 0);
  Endpoint srcIp = src.remote;
  srcIp.port = 0;
  const bool needReceived = via.rport || !host || !(*host == srcIp);
  // Formatted only when a received= is wanted: most requests come from the host their Via
  // names, and inet_ntop was the larger part of stamping every received request.
  char ipBuf[INET6_ADDRSTRLEN];
  const std::string_view ip = needReceived ? formatIp(src.remote, ipBuf) : std::string_view();
  if (via.received == ip && (!via.rport || via.rportValue == src.remote.port)) {
    return false;
  }

  std::string_view params = via.params.raw();
  std::size_t prefixLen = raw.size();
  if (!params.empty() && params.data() >= raw.data() &&
      params.data() <= raw.data() + raw.size()) {
    prefixLen = static_cast<std::size_t>(params.data() - raw.data());
  }
  out.clear();
  out.append(trimRight(raw.substr(0, prefixLen)));
  std::size_t pos = 0;
  ParamList::Param p;
  while (via.params.next(pos, p)) {
    if (iequals(p.name, "received") || iequals(p.name, "rport")) continue;
    out += ';';
    out.append(p.name);
    if (p.hasValue) {
      out += '=';
      out.append(p.value);
    }
  }
  if (needReceived) {
    out.append(";received=").append(ip);
  }
  if (via.rport) {
    out.append(";rport=").append(std::to_string(src.remote.port));
  }
  return true;
}

namespace {

// The top Via's value inside a serialized request: [begin, end) offsets, or false.
bool findTopVia(std::string_view msg, std::size_t& begin, std::size_t& end) {
  std::size_t pos = msg.find("\r\n");
  while (pos != std::string_view::npos) {
    pos += 2;
    if (pos + 2 > msg.size() || msg.compare(pos, 2, "\r\n") == 0) return false;
    std::size_t eol = msg.find("\r\n", pos);
    if (eol == std::string_view::npos) return false;
    std::string_view line = msg.substr(pos, eol - pos);
    std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view name = trim(line.substr(0, colon));
      if (iequals(name, "Via") || iequals(name, "v")) {
        begin = pos + colon + 1;
        while (begin < eol && isWs(msg[begin])) ++begin;
        end = eol;
        return true;
      }
    }
    pos = eol;
  }
  return false;
}

}  // namespace

bool applyUdpSizeLimit(std::string& request, Destination& dst, std::size_t limit,
                       std::string_view tcpSentBy) {
  if (dst.transport != TransportType::Udp || request.size() <= limit) return false;
  std::size_t b = 0;
  std::size_t e = 0;
  if (!findTopVia(request, b, e)) return false;
  std::string_view value(request.data() + b, e - b);
  // sent-protocol "SIP/2.0/UDP", then LWS, then sent-by up to ';' ',' or LWS.
  std::size_t slash = value.rfind('/', value.find_first_of(" \t"));
  if (slash == std::string_view::npos) return false;
  std::size_t tEnd = slash + 1;
  while (tEnd < value.size() && isTokenChar(value[tEnd])) ++tEnd;
  if (!iequals(value.substr(slash + 1, tEnd - slash - 1), "UDP")) return false;
  std::size_t sbBegin = tEnd;
  while (sbBegin < value.size() && isWs(value[sbBegin])) ++sbBegin;
  std::size_t sbEnd = sbBegin;
  while (sbEnd < value.size() && value[sbEnd] != ';' && value[sbEnd] != ',' && !isWs(value[sbEnd]))
    ++sbEnd;
  if (!tcpSentBy.empty()) request.replace(b + sbBegin, sbEnd - sbBegin, tcpSentBy);
  request.replace(b + slash + 1, 3, "TCP");
  dst.transport = TransportType::Tcp;
  dst.connection = 0;
  return true;
}

}  // namespace siptgw::sip
