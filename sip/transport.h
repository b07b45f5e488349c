// SIP transports (RFC 3261 §18) on standalone Asio, all on the core io_context thread:
// UDP, TCP and TLS (asio::ssl over OpenSSL, TLS 1.2 or later), IPv4 and IPv6; as a TLS
// client, SNI and host name verification for configured server names (RFC 5922 §7).
//
// Receive: a datagram is one message (Message::parse); a stream is framed by StreamFramer
// (Content-Length, §18.3), and a CRLFCRLF keep-alive ping is answered with a CRLF pong
// (RFC 5626 §3.5.1). A received request's top Via gets received/rport (§18.2.1, RFC 3581
// §4) before the TransportListener sees it; a response whose top Via sent-by is none of our
// listeners' is discarded silently (§18.1.2). A request that does not parse, or lacks a
// mandatory header (§8.1.1), is answered 400 with a Warning naming the problem when its
// start line and a Via are usable (§8.2.2 / §21.4.1); otherwise it is dropped and counted.
//
// UDP moves in batches (Linux recvmmsg/sendmmsg): a readiness event drains up to 16
// datagrams per system call (at most 4 calls before other work gets the loop), and the UDP
// messages sent while a batch is handled leave together in one sendmmsg when it ends; a
// message the kernel refuses there is reported through onSendFailed. Sends at other times
// (timers, the application) go out at once. The layer owns each UDP descriptor and puts it
// in the reactor only while it waits for readiness: with `udpCoalesceUs`, a read that found
// datagrams is followed by a read on a timer instead, with the descriptor out of the
// reactor so that arrivals in between wake nobody, until four such reads find nothing.
//
// Send: datagrams leave from the listening socket the request came in on (RFC 3581 §4);
// streams reuse the connection a request arrived on while it is open, else any open
// connection to the same remote address/port/transport, else connect (§18.2.2 and
// §18.1.1). Idle connections close after `idleTimeoutMs`. Receive buffers are per socket
// and reused; written messages go through a recycled string pool.
//
// Not here: DNS (RFC 3263) — destinations are IP literals; SCTP and WebSocket transports.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.h"
#include "config/timer_service.h"
#include "sip/message.h"
#include "sip/transport_types.h"

namespace asio {
class io_context;
}

namespace siptgw::sip {

struct TlsConfig {
  std::string certificateFile;  // PEM chain presented by this side
  std::string privateKeyFile;   // PEM
  std::string caFile;           // PEM bundle used to verify the peer
  bool verifyPeer = true;       // server side: also requires a client certificate
  // RFC 5922 §7 (no DNS here, so per address): the host name of the TLS server at an
  // address. Connecting to it sends the name as SNI (RFC 6066 §3) and, with verifyPeer,
  // requires the certificate to match it (subjectAltName dNSName, wildcards as OpenSSL's
  // X509_check_host). Addresses not listed are verified on the chain only.
  struct ServerName {
    Endpoint address;
    std::string hostName;
  };
  std::vector<ServerName> serverNames;
};

struct ListenConfig {
  TransportType transport = TransportType::Udp;
  std::string address = "0.0.0.0";  // IP literal; "::" for IPv6
  std::uint16_t port = 5060;         // 0: ephemeral (tests)
  std::string advertisedHost;        // Via sent-by host; empty: the bound address
};

struct TransportConfig {
  std::vector<ListenConfig> listeners;
  TlsConfig tls;                         // used when a TLS listener or destination exists
  std::uint32_t idleTimeoutMs = 120000;  // reliable connections without traffic
  std::uint32_t connectTimeoutMs = 10000;
  std::size_t mtu = 1500;                // §18.1.1: requests above mtu − 200 leave over TCP
  // UDP receive coalescing, 0: off. When a wake-up finds datagrams, the socket is next read
  // this many µs later, and so on until four reads in a row find none: under load the core
  // thread wakes once per interval instead of once per arrival (what a NIC's interrupt
  // moderation does), at the price of up to this much added latency per received message.
  std::uint32_t udpCoalesceUs = 0;
  // Bytes of datagrams each UDP socket may hold unread (SO_RCVBUF), 0: the kernel's default
  // (net.core.rmem_default). A burst larger than the buffer is lost in the kernel and
  // recovered only by the peers' retransmissions. Asked first with SO_RCVBUFFORCE, which
  // passes net.core.rmem_max with CAP_NET_ADMIN, else with SO_RCVBUF, which rmem_max caps.
  std::uint32_t udpReceiveBufferBytes = 0;
  ParseLimits limits;
};

struct TransportStats {
  std::uint64_t received = 0;
  std::uint64_t sent = 0;
  std::uint64_t malformedDropped = 0;  // unusable: no reply possible
  std::uint64_t malformedAnswered = 0; // answered 400
  std::uint64_t foreignViaDropped = 0; // §18.1.2: responses whose top Via is not ours
  std::uint64_t keepAlivePongs = 0;
  std::uint64_t connectionsAccepted = 0;
  std::uint64_t connectionsOpened = 0;
  std::uint64_t connectionsClosed = 0;
  std::uint64_t idleClosed = 0;
  std::uint64_t sendErrors = 0;
  // UDP system calls that moved datagrams (recvmmsg that returned some; sendmmsg, or
  // sendto for a datagram sent outside a batch): received ÷ udpReadCalls is the mean batch
  // a wake-up drained.
  std::uint64_t udpReadCalls = 0;
  std::uint64_t udpWriteCalls = 0;
  std::uint64_t udpPolls = 0;  // udpCoalesceUs: reads on the interval rather than readiness
};

// `clock` must outlive the TransportLayer; the io_context must not run handlers of a
// destroyed layer's sockets other than to let them complete with operation_aborted.
class TransportLayer final : public TransportSender {
 public:
  TransportLayer(asio::io_context& io, TimerService& clock, TransportConfig cfg);
  ~TransportLayer() override;
  TransportLayer(const TransportLayer&) = delete;
  TransportLayer& operator=(const TransportLayer&) = delete;

  // Opens every listener (and loads TLS files); the error names the listener and the cause.
  Result<Ok, std::string> start();
  void setListener(TransportListener* l);
  // Closes every socket; pending sends fail with ConnectionLost.
  void stop();

  TransportErrc send(const Destination& dst, std::string_view bytes,
                     std::uint64_t cookie) override;
  std::string_view sentBy(TransportType t, bool v6) const override;
  std::size_t udpRequestLimit() const override;

  // The bound address of the first listener of this transport and family (ephemeral ports).
  std::optional<Endpoint> localEndpoint(TransportType t, bool v6) const;
  std::size_t openConnections() const;
  // The smallest receive buffer the kernel gives a UDP socket (getsockopt SO_RCVBUF, which
  // is twice what setsockopt asked for, socket(7)); 0 without UDP sockets.
  std::size_t udpReceiveBufferKernelBytes() const;
  const TransportStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Exposed for tests: the 400 this layer sends for a malformed request, or empty when the
// request is unusable (no request line, an ACK, or no Via that parses). `warnAgent` is the
// Warning header's agent (our host).
std::string buildBadRequest(std::string_view bytes, std::string_view problem,
                            std::string_view warnAgent, const Source& src);

}  // namespace siptgw::sip
