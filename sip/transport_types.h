// The seam between the SIP transport layer (RFC 3261 §18) and the transaction layer (§17):
// plain values for transports and addresses, the Source of a received message, the
// Destination of a send, and the two interfaces each side implements. Nothing here depends
// on Asio, so the transaction layer is tested against a fake transport and a manual clock.
//
// Also the transport rules that are pure functions of a message: where a response goes
// (§18.2.2, RFC 3581 §4), the received/rport stamp on a received request's top Via (§18.2.1,
// RFC 3581 §4) and the switch to a congestion-controlled transport for requests within 200
// bytes of the MTU (§18.1.1).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sip/headers.h"
#include "sip/message.h"

namespace siptgw::sip {

enum class TransportType : std::uint8_t { Udp, Tcp, Tls };
constexpr bool isReliable(TransportType t) {
  return t != TransportType::Udp;
}
// "UDP", "TCP", "TLS" as in a Via's sent-protocol.
std::string_view toString(TransportType t);
// From a Via transport token (case-insensitive); nullopt for SCTP, WS and others.
std::optional<TransportType> transportFromVia(std::string_view token);
// RFC 3261 §19.1.2: 5060 for UDP/TCP, 5061 for TLS.
constexpr std::uint16_t defaultPort(TransportType t) {
  return t == TransportType::Tls ? 5061 : 5060;
}

// An IP address and port, by value (16 bytes of address; v4 in the first four).
struct Endpoint {
  std::array<std::uint8_t, 16> addr{};
  bool v6 = false;
  std::uint16_t port = 0;

  // IP literal (v4, v6 with or without brackets); nullopt for host names.
  static std::optional<Endpoint> fromIp(std::string_view ip, std::uint16_t port);
  bool valid() const { return port != 0; }
  // "192.0.2.1" / "2001:db8::1" (no brackets) — the form of a Via received parameter.
  std::string ipString() const;
  // "192.0.2.1:5060" / "[2001:db8::1]:5060".
  std::string toString() const;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct EndpointHash {
  std::size_t operator()(const Endpoint& e) const noexcept;
};

// Where a message came from. `connection` identifies the connection (TCP/TLS) or the
// listening socket (UDP) it arrived on; responses prefer the same one (§18.2.2).
struct Source {
  TransportType transport = TransportType::Udp;
  Endpoint remote;
  Endpoint local;
  std::uint64_t connection = 0;
};

struct Destination {
  TransportType transport = TransportType::Udp;
  Endpoint remote;
  // Reliable: use this connection if it is still open, else any open connection to
  // `remote`, else connect. UDP: send from this listening socket (RFC 3581 §4: responses
  // leave from the address/port the request arrived on). 0: any.
  std::uint64_t connection = 0;
};

enum class TransportErrc : std::uint8_t {
  Ok,
  NoListener,       // no socket for this transport / address family
  ConnectFailed,    // TCP/TLS connection could not be set up (incl. TLS handshake)
  ConnectionLost,   // closed or reset before the message was written
  SendFailed,       // the OS refused the datagram / write
  TooLarge,         // larger than a UDP datagram can be
};
std::string_view toString(TransportErrc e);

// Implemented by the transaction layer (or anything above a transport).
class TransportListener {
 public:
  virtual ~TransportListener() = default;
  // One received message that parsed; a request's top Via already carries received/rport.
  // `m` and its views are valid only during the call.
  virtual void onMessage(Message& m, const Source& src) = 0;
  // A send reported Ok but failed later (connect, handshake or write failure); `cookie` is
  // the value given to send().
  virtual void onSendFailed(std::uint64_t cookie, TransportErrc why) = 0;
};

// Implemented by the transport layer; faked in transaction tests.
class TransportSender {
 public:
  virtual ~TransportSender() = default;
  // Queues bytes for dst. An immediate failure is returned; a later one arrives through
  // TransportListener::onSendFailed(cookie) (cookie 0: nobody to tell).
  virtual TransportErrc send(const Destination& dst, std::string_view bytes,
                             std::uint64_t cookie) = 0;
  // "host:port" this transport puts in Via sent-by for the given transport and family;
  // empty when there is no such listener.
  virtual std::string_view sentBy(TransportType t, bool v6) const = 0;
  // Largest request sent over UDP before switching to TCP (§18.1.1: MTU − 200).
  virtual std::size_t udpRequestLimit() const { return 1300; }
};

// §18.2.2 / RFC 3581 §4: where a response to a request with this top Via, received from
// `src`, goes. Reliable: the source connection (its remote endpoint as a fallback target
// when the connection is gone: received + sent-by port). Unreliable: maddr (IP literals
// only) with the sent-by port; else received + rport (or sent-by port, or 5060). nullopt
// when the Via names a host name and carries no received (cannot happen for requests this
// stack received, which always get received when the sent-by is not the source address).
std::optional<Destination> responseDestination(const Via& topVia, const Source& src);

// §18.2.1 / RFC 3581 §4: the value the top Via of a request received from `src` should
// have — `received` added when the sent-by host differs from the source address, or rport
// was requested; rport filled in with the source port when present without value. Writes
// the new value into `out` and returns true when it differs from `raw`.
bool stampVia(std::string_view raw, const Via& via, const Source& src, std::string& out);

// §18.1.2: whether the top Via of a received response names `sentBy` ("host:port" as this
// transport puts it in requests): host compared case-insensitively, a missing port taken
// as the Via transport's default (§19.1.2). A response failing this for every listener is
// not ours and is discarded silently.
bool viaSentByIs(const Via& topVia, std::string_view sentBy);

// §18.1.1: when a request for UDP is larger than `limit`, switch to TCP: rewrites the top
// Via's transport (and sent-by to `tcpSentBy` when given) inside `request`, and sets
// dst.transport. Returns true when it switched.
bool applyUdpSizeLimit(std::string& request, Destination& dst, std::size_t limit,
                       std::string_view tcpSentBy);

}  // namespace siptgw::sip
