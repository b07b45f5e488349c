// SIP transports over Asio (RFC 3261 §18). See transport.h.
#include "sip/transport.h"

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>
#include <unordered_map>

#include "sip/message_builder.h"
#include "sip/message_ref.h"
#include "sip/stream_framer.h"
#include "sip/text.h"

namespace siptgw::sip {

namespace {

using asio::ip::tcp;
using asio::ip::udp;

Endpoint fromAsio(const asio::ip::address& a, std::uint16_t port) {
  Endpoint e;
  e.port = port;
  if (a.is_v6()) {
    auto b = a.to_v6().to_bytes();
    if (a.to_v6().is_v4_mapped()) {
      auto v4 = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_bytes();
      std::memcpy(e.addr.data(), v4.data(), 4);
      return e;
    }
    std::memcpy(e.addr.data(), b.data(), 16);
    e.v6 = true;
  } else {
    auto b = a.to_v4().to_bytes();
    std::memcpy(e.addr.data(), b.data(), 4);
  }
  return e;
}

// The kernel's form of an address (recvmmsg/sendmmsg); v4-mapped IPv6 reads as IPv4, as in
// fromAsio.
Endpoint fromSockaddr(const sockaddr_storage& ss) {
  Endpoint e;
  if (ss.ss_family == AF_INET6) {
    const auto& a6 = reinterpret_cast<const sockaddr_in6&>(ss);
    e.port = ntohs(a6.sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&a6.sin6_addr)) {
      std::memcpy(e.addr.data(), a6.sin6_addr.s6_addr + 12, 4);
    } else {
      std::memcpy(e.addr.data(), a6.sin6_addr.s6_addr, 16);
      e.v6 = true;
    }
  } else if (ss.ss_family == AF_INET) {
    const auto& a4 = reinterpret_cast<const sockaddr_in&>(ss);
    e.port = ntohs(a4.sin_port);
    std::memcpy(e.addr.data(), &a4.sin_addr, 4);
  }
  return e;
}

socklen_t toSockaddr(const Endpoint& e, sockaddr_storage& ss) {
  std::memset(&ss, 0, sizeof ss);
  if (e.v6) {
    auto& a6 = reinterpret_cast<sockaddr_in6&>(ss);
    a6.sin6_family = AF_INET6;
    a6.sin6_port = htons(e.port);
    std::memcpy(a6.sin6_addr.s6_addr, e.addr.data(), 16);
    return sizeof(sockaddr_in6);
  }
  auto& a4 = reinterpret_cast<sockaddr_in&>(ss);
  a4.sin_family = AF_INET;
  a4.sin_port = htons(e.port);
  std::memcpy(&a4.sin_addr, e.addr.data(), 4);
  return sizeof(sockaddr_in);
}

asio::ip::address toAsio(const Endpoint& e) {
  if (e.v6) {
    asio::ip::address_v6::bytes_type b;
    std::memcpy(b.data(), e.addr.data(), 16);
    return asio::ip::address_v6(b);
  }
  asio::ip::address_v4::bytes_type b;
  std::memcpy(b.data(), e.addr.data(), 4);
  return asio::ip::address_v4(b);
}

struct ConnKey {
  TransportType type;
  Endpoint remote;
  friend bool operator==(const ConnKey&, const ConnKey&) = default;
};
struct ConnKeyHash {
  std::size_t operator()(const ConnKey& k) const noexcept {
    return EndpointHash{}(k.remote) * 31 + static_cast<std::size_t>(k.type);
  }
};

// Lines of a raw message: calls f(name, value) per header line (no unfolding), stops at the
// empty line.
template <class F>
void scanHeaderLines(std::string_view bytes, F&& f) {
  std::size_t pos = bytes.find('\n');
  while (pos != std::string_view::npos && pos + 1 < bytes.size()) {
    std::size_t start = pos + 1;
    std::size_t eol = bytes.find('\n', start);
    std::string_view line = bytes.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return;
    std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) f(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
    pos = eol;
  }
}

void appendQuotedSafe(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\r' || c == '\n') c = ' ';
    out += c;
  }
}

}  // namespace

std::string buildBadRequest(std::string_view bytes, std::string_view problem,
                            std::string_view warnAgent, const Source& src) {
  while (bytes.starts_with("\r\n")) bytes.remove_prefix(2);
  // Request-Line: Method SP Request-URI SP SIP-Version (§7.1).
  std::size_t eol = bytes.find("\r\n");
  if (eol == std::string_view::npos) return {};
  std::string_view line = bytes.substr(0, eol);
  std::size_t sp1 = line.find(' ');
  std::size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return {};
  std::string_view method = line.substr(0, sp1);
  if (!isToken(method) || method == "ACK" || !line.substr(sp2 + 1).starts_with("SIP/")) return {};

  std::string out;
  std::string stamped;
  bool haveVia = false;
  std::string_view from, to, callId, cseq;
  std::string rest;  // further Via lines, verbatim
  scanHeaderLines(bytes, [&](std::string_view name, std::string_view value) {
    if (iequals(name, "Via") || iequals(name, "v")) {
      if (!haveVia) {
        std::size_t comma = findTopLevel(value, ',');
        std::string_view top = trim(comma == std::string_view::npos ? value : value.substr(0, comma));
        auto via = parseVia(top);
        if (!via) return;
        haveVia = true;
        if (!stampVia(top, *via, src, stamped)) stamped.assign(top);
        if (comma != std::string_view::npos) stamped.append(",").append(value.substr(comma + 1));
      } else {
        rest.append("Via: ").append(value).append("\r\n");
      }
    } else if (iequals(name, "From") || iequals(name, "f")) {
      from = value;
    } else if (iequals(name, "To") || iequals(name, "t")) {
      to = value;
    } else if (iequals(name, "Call-ID") || iequals(name, "i")) {
      callId = value;
    } else if (iequals(name, "CSeq")) {
      cseq = value;
    }
  });
  if (!haveVia) return {};
  std::string reason = "Bad Request (";
  for (char c : problem) reason += (c == '\r' || c == '\n') ? ' ' : c;
  reason += ')';
  MessageBuilder b(out, 512);
  b.response(400, reason);
  b.header(HeaderId::Via, stamped);
  out.append(rest);
  if (!from.empty()) b.header(HeaderId::From, from);
  if (!to.empty()) b.header(HeaderId::To, to);
  if (!callId.empty()) b.header(HeaderId::CallId, callId);
  if (!cseq.empty()) b.header(HeaderId::CSeq, cseq);
  std::string warning = "399 ";
  warning.append(warnAgent.empty() ? std::string_view("siptgw") : warnAgent).append(" \"");
  appendQuotedSafe(warning, problem);
  warning += '"';
  b.header(HeaderId::Warning, warning);
  b.finish();
  return out;
}

// ----------------------------------------------------------------------------- internals

struct TransportLayer::Impl {
  struct Connection;
  using ConnPtr = std::shared_ptr<Connection>;

  // UDP datagrams move in batches (Linux recvmmsg/sendmmsg): a readiness event drains the
  // socket up to kUdpBatch datagrams per system call, and what handling a batch sends over
  // UDP leaves in one sendmmsg at the batch's end. A datagram reads into its slot's
  // kUdpSlot bytes and spills into the slot's share of `spill` (never touched by common
  // messages); 65,527 bytes is the largest UDP payload (IPv6).
  static constexpr std::size_t kUdpBatch = 16;
  static constexpr std::size_t kUdpRounds = 4;  // batches per event before others get the loop
  static constexpr std::size_t kUdpSlot = 4096;
  static constexpr std::size_t kUdpMax = 65536;
  static constexpr std::size_t kUdpSpill = kUdpMax - kUdpSlot;
  static constexpr std::uint32_t kUdpIdlePolls = 4;
  static constexpr std::size_t kUdpTxArena = 2 * kUdpMax;  // a batch always fits one more

  struct UdpSock {
    std::uint64_t id = 0;
    int fd = -1;  // ours; registered with the reactor (as `ready`) only while waited on
    asio::posix::stream_descriptor ready;
    bool registered = false;
    Endpoint local;
    std::string sentBy;
    // Receive slots.
    std::unique_ptr<char[]> slots;
    std::unique_ptr<char[]> spill;
    std::array<iovec, 2 * kUdpBatch> rxIov{};
    std::array<sockaddr_storage, kUdpBatch> rxFrom{};
    std::array<mmsghdr, kUdpBatch> rx{};
    std::string joined;  // a datagram that spilled, made contiguous
    // The send batch: copies of the messages in `txArena`.
    std::unique_ptr<char[]> txArena;
    std::size_t txUsed = 0;
    std::size_t txCount = 0;
    std::array<iovec, kUdpBatch> txIov{};
    std::array<sockaddr_storage, kUdpBatch> txTo{};
    std::array<mmsghdr, kUdpBatch> tx{};
    std::array<std::uint64_t, kUdpBatch> txCookie{};
    asio::steady_timer poll;  // udpCoalesceUs: the next read
    std::uint32_t emptyPolls = 0;

    explicit UdpSock(asio::io_context& io)
        : ready(io),
          slots(new char[kUdpBatch * kUdpSlot]),
          spill(new char[kUdpBatch * kUdpSpill]),
          txArena(new char[kUdpTxArena]),
          poll(io) {
      for (std::size_t i = 0; i < kUdpBatch; ++i) {
        rxIov[2 * i] = iovec{slots.get() + i * kUdpSlot, kUdpSlot};
        rxIov[2 * i + 1] = iovec{spill.get() + i * kUdpSpill, kUdpSpill};
        rx[i].msg_hdr.msg_iov = &rxIov[2 * i];
        rx[i].msg_hdr.msg_iovlen = 2;
        rx[i].msg_hdr.msg_name = &rxFrom[i];
        tx[i].msg_hdr.msg_iov = &txIov[i];
        tx[i].msg_hdr.msg_iovlen = 1;
        tx[i].msg_hdr.msg_name = &txTo[i];
      }
    }
  };
  struct Acceptor {
    TransportType type;
    tcp::acceptor acc;
    Endpoint local;
    std::string sentBy;
    Acceptor(asio::io_context& io, TransportType t) : type(t), acc(io) {}
  };

  struct Connection : std::enable_shared_from_this<Connection> {
    Impl* impl;
    std::uint64_t id;
    TransportType type;
    tcp::socket tcpSock;                                  // plain TCP
    std::optional<asio::ssl::stream<tcp::socket>> tls;    // TLS
    Endpoint remote;
    Endpoint local;
    bool ready = false;  // connected (and handshaken)
    bool closed = false;
    bool writing = false;
    std::vector<char> rbuf;
    std::size_t rbegin = 0;
    std::size_t rend = 0;
    std::deque<std::pair<std::string, std::uint64_t>> wq;
    Timer idle;
    Timer connectTimer;
    std::uint64_t lastActivity = 0;

    Connection(Impl* i, std::uint64_t cid, TransportType t, asio::ssl::context* ctx)
        : impl(i), id(cid), type(t), tcpSock(i->io) {
      if (ctx != nullptr) tls.emplace(i->io, *ctx);
      idle.bind(i->clock);
      connectTimer.bind(i->clock);
    }
    tcp::socket& lowest() { return tls ? tls->next_layer() : tcpSock; }
  };

  asio::io_context& io;
  TimerService& clock;
  TransportConfig cfg;
  TransportListener* listener = nullptr;
  std::vector<std::unique_ptr<UdpSock>> udp;
  std::vector<std::unique_ptr<Acceptor>> acceptors;
  std::unique_ptr<asio::ssl::context> serverCtx;
  std::unique_ptr<asio::ssl::context> clientCtx;
  std::unordered_map<std::uint64_t, ConnPtr> conns;
  std::unordered_map<ConnKey, std::uint64_t, ConnKeyHash> byRemote;
  std::uint64_t nextId = 0;
  TransportStats stats;
  std::string viaField;
  std::vector<std::string> spare;  // recycled write buffers
  bool udpBatching = false;        // UDP sends queue for the batch's sendmmsg
  // Cookies of batched sends that failed, reported once the batch's sends are out (never
  // from inside a send()).
  std::vector<std::uint64_t> udpFailed;
  std::vector<std::uint64_t> udpFailedScratch;

  Impl(asio::io_context& i, TimerService& c, TransportConfig conf)
      : io(i), clock(c), cfg(std::move(conf)) {}

  // The listener may already be gone (it is usually declared after the transport): no
  // callbacks from the destructor.
  ~Impl() {
    listener = nullptr;
    stopAll();
  }

  void stopAll() {
    asio::error_code ec;
    for (auto& u : udp) {
      u->poll.cancel();
      leaveReactor(*u);  // a pending wait ends, aborted
      if (u->fd >= 0) ::close(u->fd);
      u->fd = -1;
    }
    for (auto& a : acceptors) a->acc.close(ec);
    auto all = conns;
    for (auto& [id, c] : all) close(c, TransportErrc::ConnectionLost);
    for (auto& [id, c] : all) c->impl = nullptr;
  }

  std::string takeBuffer(std::string_view bytes) {
    std::string s;
    if (!spare.empty()) {
      s = std::move(spare.back());
      spare.pop_back();
    }
    s.assign(bytes);
    return s;
  }
  void recycle(std::string&& s) {
    if (spare.size() < 64) spare.push_back(std::move(s));
  }

  // ---- TLS
  Result<Ok, std::string> loadTls() {
    if (serverCtx) return Ok{};
    try {
      auto make = [&](bool server) {
        auto ctx = std::make_unique<asio::ssl::context>(server ? asio::ssl::context::tls_server
                                                               : asio::ssl::context::tls_client);
        SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
        ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::single_dh_use);
        const TlsConfig& t = cfg.tls;
        if (!t.certificateFile.empty()) ctx->use_certificate_chain_file(t.certificateFile);
        if (!t.privateKeyFile.empty()) ctx->use_private_key_file(t.privateKeyFile, asio::ssl::context::pem);
        if (!t.caFile.empty()) ctx->load_verify_file(t.caFile);
        if (t.verifyPeer) {
          ctx->set_verify_mode(server ? asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert
                                      : asio::ssl::verify_peer);
        } else {
          ctx->set_verify_mode(asio::ssl::verify_none);
        }
        return ctx;
      };
      serverCtx = make(true);
      clientCtx = make(false);
    } catch (const std::exception& e) {
      serverCtx.reset();
      clientCtx.reset();
      return Unexpected{std::string("TLS: ") + e.what()};
    }
    return Ok{};
  }

  // ---- start
  Result<Ok, std::string> start() {
    for (const ListenConfig& l : cfg.listeners) {
      asio::error_code ec;
      asio::ip::address addr = asio::ip::make_address(l.address, ec);
      const std::string what = std::string(toString(l.transport)) + " " + l.address + ":" +
                               std::to_string(l.port) + ": ";
      if (ec) return Unexpected{what + "not an IP address"};
      if (l.transport == TransportType::Udp) {
        auto u = std::make_unique<UdpSock>(io);
        udp::endpoint ep(addr, l.port);
        udp::socket sock(io);
        sock.open(ep.protocol(), ec);
        if (!ec && addr.is_v6()) sock.set_option(asio::ip::v6_only(true), ec);
        if (!ec) sock.bind(ep, ec);
        if (!ec) sock.non_blocking(true, ec);
        if (ec) return Unexpected{what + ec.message()};
        if (cfg.udpReceiveBufferBytes != 0) {
          // A refusal leaves the default: the caller compares udpReceiveBufferKernelBytes().
          const int want = static_cast<int>(cfg.udpReceiveBufferBytes);
          const int fd = sock.native_handle();
          if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) != 0)
            (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
        }
        u->id = ++nextId;
        auto bound = sock.local_endpoint(ec);
        if (!ec) u->fd = sock.release(ec);
        if (ec) return Unexpected{what + ec.message()};
        u->local = fromAsio(bound.address(), bound.port());
        u->sentBy = sentByFor(l, u->local);
        udp.push_back(std::move(u));
        receiveUdp(*udp.back());
      } else {
        if (l.transport == TransportType::Tls) {
          auto r = loadTls();
          if (!r) return Unexpected{what + r.error()};
        }
        auto a = std::make_unique<Acceptor>(io, l.transport);
        tcp::endpoint ep(addr, l.port);
        a->acc.open(ep.protocol(), ec);
        if (!ec) a->acc.set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec && addr.is_v6()) a->acc.set_option(asio::ip::v6_only(true), ec);
        if (!ec) a->acc.bind(ep, ec);
        if (!ec) a->acc.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) return Unexpected{what + ec.message()};
        auto bound = a->acc.local_endpoint(ec);
        a->local = fromAsio(bound.address(), bound.port());
        a->sentBy = sentByFor(l, a->local);
        acceptors.push_back(std::move(a));
        accept(*acceptors.back());
      }
    }
    return Ok{};
  }

  static std::string sentByFor(const ListenConfig& l, const Endpoint& local) {
    std::string s;
    if (!l.advertisedHost.empty()) {
      s = l.advertisedHost;
    } else if (local.v6) {
      s = "[" + local.ipString() + "]";
    } else {
      s = local.ipString();
    }
    s += ':';
    s += std::to_string(local.port);
    return s;
  }

  // ---- UDP
  // Readiness, not a receive: drainUdp reads the datagrams itself, so a wake-up costs one
  // recvmmsg per kUdpBatch datagrams and one epoll_ctl to re-arm, where a receive per
  // datagram cost a recvfrom each plus the reactor's poll between them.
  void receiveUdp(UdpSock& u) {
    asio::error_code ec;
    if (!u.registered) u.ready.assign(u.fd, ec);
    if (ec) return;  // cannot happen for an open descriptor
    u.registered = true;
    u.ready.async_wait(asio::posix::descriptor_base::wait_read,
                       [this, &u](const asio::error_code& e) {
                         if (e == asio::error::operation_aborted || u.fd < 0) return;
                         nextUdpRead(u, drainUdp(u));
                       });
  }

  // The descriptor stays ours (release, not close); a pending wait ends, aborted.
  static void leaveReactor(UdpSock& u) {
    if (u.registered) (void)u.ready.release();
    u.registered = false;
  }

  // After a read that found `got` datagrams: with coalescing, read again after the interval
  // while reads find some; otherwise (and once one finds none) wait for readiness.
  void nextUdpRead(UdpSock& u, std::size_t got) {
    if (u.fd < 0) return;
    u.emptyPolls = got == 0 ? u.emptyPolls + 1 : 0;
    if (cfg.udpCoalesceUs == 0 || u.emptyPolls >= kUdpIdlePolls) {
      u.emptyPolls = 0;
      return receiveUdp(u);
    }
    // Polling: arrivals must not wake the thread, so the descriptor leaves the reactor.
    leaveReactor(u);
    u.poll.expires_after(std::chrono::microseconds(cfg.udpCoalesceUs));
    u.poll.async_wait([this, &u](const asio::error_code& ec) {
      if (ec == asio::error::operation_aborted || u.fd < 0) return;
      ++stats.udpPolls;
      nextUdpRead(u, drainUdp(u));
    });
  }

  // Returns the datagrams read.
  std::size_t drainUdp(UdpSock& u) {
    std::size_t got = 0;
    udpBatching = true;
    for (std::size_t round = 0; round < kUdpRounds && u.fd >= 0; ++round) {
      for (auto& m : u.rx) m.msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      const int n = ::recvmmsg(u.fd, u.rx.data(), kUdpBatch, MSG_DONTWAIT, nullptr);
      if (n < 0 && errno == EINTR) continue;
      // EAGAIN: drained. Another error (a pending ICMP error) is consumed by this call.
      if (n <= 0) break;
      ++stats.udpReadCalls;
      got += static_cast<std::size_t>(n);
      for (int i = 0; i < n && u.fd >= 0; ++i) onDatagram(u, static_cast<std::size_t>(i));
      endUdpBatch();
      if (static_cast<std::size_t>(n) < kUdpBatch) break;  // the socket was empty
    }
    endUdpBatch();
    udpBatching = false;
    return got;
  }

  void onDatagram(UdpSock& u, std::size_t i) {
    const std::size_t len = u.rx[i].msg_len;
    // RFC 5626 §4.4.1 STUN keep-alives and bare CRLF pings carry no SIP message.
    if (len == 0) return;
    if ((u.rx[i].msg_hdr.msg_flags & MSG_TRUNC) != 0) {  // larger than any UDP payload
      ++stats.malformedDropped;
      return;
    }
    std::string_view bytes(u.slots.get() + i * kUdpSlot, std::min(len, kUdpSlot));
    if (len > kUdpSlot) {
      u.joined.assign(bytes);
      u.joined.append(u.spill.get() + i * kUdpSpill, len - kUdpSlot);
      bytes = u.joined;
    }
    if (trim(bytes).empty()) return;
    deliver(bytes, Source{TransportType::Udp, fromSockaddr(u.rxFrom[i]), u.local, u.id});
  }

  // Copies the datagram into the socket's batch; sent by the batch's end.
  TransportErrc queueUdp(UdpSock& u, const Destination& d, std::string_view bytes,
                         std::uint64_t cookie) {
    if (u.txCount == kUdpBatch || kUdpTxArena - u.txUsed < bytes.size()) flushUdp(u);
    const std::size_t k = u.txCount++;
    char* at = u.txArena.get() + u.txUsed;
    std::memcpy(at, bytes.data(), bytes.size());
    u.txUsed += bytes.size();
    u.txIov[k] = iovec{at, bytes.size()};
    u.tx[k].msg_hdr.msg_namelen = toSockaddr(d.remote, u.txTo[k]);
    u.txCookie[k] = cookie;
    return TransportErrc::Ok;
  }

  // One sendmmsg per batch; a message the kernel refuses is skipped and its cookie kept
  // for endUdpBatch. A full socket buffer is waited on (as a blocking send_to would) for at
  // most 100 ms, then the rest of the batch fails.
  void flushUdp(UdpSock& u) {
    const int fd = u.fd;
    std::size_t off = 0;
    while (off < u.txCount) {
      const int r = ::sendmmsg(fd, u.tx.data() + off, static_cast<unsigned>(u.txCount - off),
                               MSG_DONTWAIT);
      ++stats.udpWriteCalls;
      if (r > 0) {
        stats.sent += static_cast<std::uint64_t>(r);
        off += static_cast<std::size_t>(r);
        continue;
      }
      if (r < 0 && errno == EINTR) continue;
      const bool full = r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
      if (full && waitWritable(fd)) continue;
      for (std::size_t end = full ? u.txCount : off + 1; off < end; ++off) {
        ++stats.sendErrors;
        if (u.txCookie[off] != 0) udpFailed.push_back(u.txCookie[off]);
      }
    }
    u.txCount = 0;
    u.txUsed = 0;
  }

  static bool waitWritable(int fd) {
    pollfd p{fd, POLLOUT, 0};
    return ::poll(&p, 1, 100) > 0;
  }

  // One datagram now (outside a batch), waiting as flushUdp does when the buffer is full.
  bool sendUdpNow(const UdpSock& u, const Endpoint& to, std::string_view bytes) {
    sockaddr_storage ss;
    const socklen_t len = toSockaddr(to, ss);
    for (bool waited = false;;) {
      if (::sendto(u.fd, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&ss),
                   len) >= 0) {
        ++stats.udpWriteCalls;
        return true;
      }
      if (errno == EINTR) continue;
      if ((errno == EAGAIN || errno == EWOULDBLOCK) && !waited && waitWritable(u.fd)) {
        waited = true;
        continue;
      }
      return false;
    }
  }

  // Sends every socket's batch, then tells the listener of the failures; what it sends in
  // turn joins the next batch, sent before this returns.
  void endUdpBatch() {
    for (;;) {
      for (auto& u : udp) {
        if (u->txCount != 0) flushUdp(*u);
      }
      if (udpFailed.empty()) return;
      udpFailedScratch.swap(udpFailed);
      for (std::uint64_t cookie : udpFailedScratch) {
        if (listener != nullptr) listener->onSendFailed(cookie, TransportErrc::SendFailed);
      }
      udpFailedScratch.clear();
    }
  }

  UdpSock* udpFor(const Destination& d) {
    UdpSock* fallback = nullptr;
    for (auto& u : udp) {
      if (u->local.v6 != d.remote.v6) continue;
      if (d.connection != 0 && u->id == d.connection) return u.get();
      if (fallback == nullptr) fallback = u.get();
    }
    return fallback;
  }

  // ---- streams
  void accept(Acceptor& a) {
    auto c = std::make_shared<Connection>(this, ++nextId, a.type,
                                          a.type == TransportType::Tls ? serverCtx.get() : nullptr);
    a.acc.async_accept(c->lowest(), [this, &a, c](const asio::error_code& ec) {
      if (ec == asio::error::operation_aborted || c->impl == nullptr) return;
      if (!ec) {
        asio::error_code e2;
        auto r = c->lowest().remote_endpoint(e2);
        auto l = c->lowest().local_endpoint(e2);
        if (!e2) {
          c->remote = fromAsio(r.address(), r.port());
          c->local = fromAsio(l.address(), l.port());
          c->lowest().set_option(tcp::no_delay(true), e2);
          ++stats.connectionsAccepted;
          registerConn(c);
          if (c->tls) {
            c->tls->async_handshake(asio::ssl::stream_base::server, [this, c](const asio::error_code& hec) {
              if (c->impl == nullptr) return;
              if (hec) return close(c, TransportErrc::ConnectFailed);
              becomeReady(c);
            });
          } else {
            becomeReady(c);
          }
        }
      }
      if (a.acc.is_open()) accept(a);
    });
  }

  void registerConn(const ConnPtr& c) {
    conns.emplace(c->id, c);
    byRemote[ConnKey{c->type, c->remote}] = c->id;
    c->lastActivity = clock.nowMs();
    armIdle(c, cfg.idleTimeoutMs);
  }

  void armIdle(const ConnPtr& c, std::uint32_t ms) {
    Connection* raw = c.get();
    c->idle.start(ms, [this, raw] {
      auto it = conns.find(raw->id);
      if (it == conns.end()) return;
      ConnPtr cp = it->second;
      const std::uint64_t quiet = clock.nowMs() - cp->lastActivity;
      if (quiet >= cfg.idleTimeoutMs && cp->wq.empty()) {
        ++stats.idleClosed;
        return close(cp, TransportErrc::ConnectionLost);
      }
      armIdle(cp, quiet >= cfg.idleTimeoutMs ? cfg.idleTimeoutMs
                                             : static_cast<std::uint32_t>(cfg.idleTimeoutMs - quiet));
    });
  }

  void becomeReady(const ConnPtr& c) {
    c->ready = true;
    c->connectTimer.stop();
    c->rbuf.resize(8192);
    read(c);
    flush(c);
  }

  void read(const ConnPtr& c) {
    if (c->rend == c->rbuf.size()) {
      if (c->rbegin > 0) {
        std::memmove(c->rbuf.data(), c->rbuf.data() + c->rbegin, c->rend - c->rbegin);
        c->rend -= c->rbegin;
        c->rbegin = 0;
      } else if (c->rbuf.size() < cfg.limits.maxMessageSize + 4096) {
        c->rbuf.resize(c->rbuf.size() * 2);
      } else {
        return close(c, TransportErrc::ConnectionLost);  // framer would have failed first
      }
    }
    auto buf = asio::buffer(c->rbuf.data() + c->rend, c->rbuf.size() - c->rend);
    auto handler = [this, c](const asio::error_code& ec, std::size_t n) {
      if (c->impl == nullptr || c->closed) return;
      if (ec) return close(c, TransportErrc::ConnectionLost);
      c->rend += n;
      c->lastActivity = clock.nowMs();
      if (!frame(c)) return;
      read(c);
    };
    if (c->tls) {
      c->tls->async_read_some(buf, handler);
    } else {
      c->tcpSock.async_read_some(buf, handler);
    }
  }

  // Delivers every complete message in the buffer; false when the connection was closed.
  bool frame(const ConnPtr& c) {
    for (;;) {
      std::string_view pending(c->rbuf.data() + c->rbegin, c->rend - c->rbegin);
      if (pending.empty()) break;
      auto f = frameStream(pending, cfg.limits);
      if (!f) {
        // No way to find the next message boundary: §18.3 leaves closing as the only option.
        ++stats.malformedDropped;
        close(c, TransportErrc::ConnectionLost);
        return false;
      }
      if (f->kind == Frame::Kind::NeedMore) {
        c->rbegin += f->skip;
        break;
      }
      if (f->kind == Frame::Kind::KeepAlive) {
        c->rbegin += f->skip;
        ++stats.keepAlivePongs;
        enqueue(c, "\r\n", 0);  // RFC 5626 §3.5.1 pong
        continue;
      }
      std::string_view bytes = pending.substr(f->skip, f->size);
      c->rbegin += f->skip + f->size;
      Source src{c->type, c->remote, c->local, c->id};
      deliver(bytes, src);
      if (c->closed) return false;
    }
    if (c->rbegin == c->rend) c->rbegin = c->rend = 0;
    return true;
  }

  void enqueue(const ConnPtr& c, std::string_view bytes, std::uint64_t cookie) {
    c->wq.emplace_back(takeBuffer(bytes), cookie);
    if (c->ready) flush(c);
  }

  void flush(const ConnPtr& c) {
    if (c->writing || c->wq.empty() || c->closed) return;
    c->writing = true;
    auto buf = asio::buffer(c->wq.front().first);
    auto handler = [this, c](const asio::error_code& ec, std::size_t) {
      if (c->impl == nullptr) return;
      c->writing = false;
      if (ec) return close(c, TransportErrc::ConnectionLost);
      recycle(std::move(c->wq.front().first));
      c->wq.pop_front();
      ++stats.sent;
      c->lastActivity = clock.nowMs();
      flush(c);
    };
    if (c->tls) {
      asio::async_write(*c->tls, buf, handler);
    } else {
      asio::async_write(c->tcpSock, buf, handler);
    }
  }

  void close(const ConnPtr& c, TransportErrc why) {
    if (c->closed) return;
    c->closed = true;
    c->idle.stop();
    c->connectTimer.stop();
    asio::error_code ec;
    c->lowest().shutdown(tcp::socket::shutdown_both, ec);
    c->lowest().close(ec);
    conns.erase(c->id);
    auto it = byRemote.find(ConnKey{c->type, c->remote});
    if (it != byRemote.end() && it->second == c->id) byRemote.erase(it);
    ++stats.connectionsClosed;
    auto pending = std::move(c->wq);
    c->wq.clear();
    for (auto& [bytes, cookie] : pending) {
      ++stats.sendErrors;
      if (cookie != 0 && listener != nullptr) listener->onSendFailed(cookie, why);
    }
  }

  ConnPtr connect(TransportType t, const Endpoint& remote) {
    if (t == TransportType::Tls) {
      auto r = loadTls();
      if (!r) return nullptr;
    }
    auto c = std::make_shared<Connection>(this, ++nextId, t,
                                          t == TransportType::Tls ? clientCtx.get() : nullptr);
    c->remote = remote;
    if (c->tls) setServerName(*c->tls, remote);
    registerConn(c);
    ++stats.connectionsOpened;
    tcp::endpoint ep(toAsio(remote), remote.port);
    Connection* raw = c.get();
    c->connectTimer.start(cfg.connectTimeoutMs, [this, raw] {
      auto it = conns.find(raw->id);
      if (it != conns.end()) close(it->second, TransportErrc::ConnectFailed);
    });
    c->lowest().async_connect(ep, [this, c](const asio::error_code& ec) {
      if (c->impl == nullptr || c->closed) return;
      if (ec) return close(c, TransportErrc::ConnectFailed);
      asio::error_code e2;
      auto l = c->lowest().local_endpoint(e2);
      if (!e2) c->local = fromAsio(l.address(), l.port());
      c->lowest().set_option(tcp::no_delay(true), e2);
      if (c->tls) {
        c->tls->async_handshake(asio::ssl::stream_base::client, [this, c](const asio::error_code& hec) {
          if (c->impl == nullptr || c->closed) return;
          if (hec) return close(c, TransportErrc::ConnectFailed);
          becomeReady(c);
        });
      } else {
        becomeReady(c);
      }
    });
    return c;
  }

  // RFC 5922 §7 / RFC 6066 §3: SNI and the certificate host check for a configured name.
  void setServerName(asio::ssl::stream<tcp::socket>& s, const Endpoint& remote) {
    for (const auto& n : cfg.tls.serverNames) {
      if (!(n.address == remote)) continue;
      // SSL_set_tlsext_host_name without its C cast
      SSL_ctrl(s.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(n.hostName.c_str()));
      if (cfg.tls.verifyPeer) s.set_verify_callback(asio::ssl::host_name_verification(n.hostName));
      return;
    }
  }

  // ---- receive processing shared by all transports
  void deliver(std::string_view bytes, const Source& src) {
    ++stats.received;
    // Parsed once, into a shared box: the transaction and the session keep this parse
    // (MessageRef) rather than copying and parsing the request again.
    MessageRef rx = MessageRef::make();
    auto r = rx.parseInPlace(bytes, cfg.limits);
    Message& msg = rx.mutableMessage();
    if (!r) return malformed(bytes, r.error().message(), src);
    if (msg.isRequest()) {
      const char* missing = nullptr;
      if (!msg.topVia()) {
        return malformed(bytes, msg.topVia().error().message(), src);
      }
      if (!msg.from()) missing = "From";
      else if (!msg.to()) missing = "To";
      else if (!msg.callId()) missing = "Call-ID";
      else if (!msg.cseq()) missing = "CSeq";
      if (missing != nullptr) {
        return malformed(bytes, std::string("missing or malformed ") + missing + " header", src);
      }
      if (msg.cseq()->method != msg.method()) {
        return malformed(bytes, "CSeq method does not match the request method", src);
      }
      stamp(rx, src);
    } else if (!msg.topVia() || !msg.cseq() || !msg.callId()) {
      ++stats.malformedDropped;  // §18.1.2: nothing to answer a response with
      return;
    } else if (!sentByIsOurs(*msg.topVia())) {
      ++stats.foreignViaDropped;
      return;
    }
    if (listener != nullptr) listener->onMessage(msg, src);
  }

  // §18.1.2: the sent-by of a response's top Via must be one this layer inserts in requests
  // (any listener's: a request may leave over another transport than its response returns).
  bool sentByIsOurs(const Via& v) const {
    for (const auto& u : udp) {
      if (viaSentByIs(v, u->sentBy)) return true;
    }
    for (const auto& a : acceptors) {
      if (viaSentByIs(v, a->sentBy)) return true;
    }
    return udp.empty() && acceptors.empty();  // no listener: no sent-by to compare with
  }

  void stamp(MessageRef& rx, const Source& src) {
    Message& msg = rx.mutableMessage();
    std::string& viaScratch = rx.editStorage();
    const auto& headers = msg.headers();
    for (std::size_t i = 0; i < headers.size(); ++i) {
      if (headers[i].id != HeaderId::Via) continue;
      std::string_view value = headers[i].value;
      std::size_t comma = findTopLevel(value, ',');
      std::string_view top = trim(comma == std::string_view::npos ? value : value.substr(0, comma));
      if (!stampVia(top, *msg.topVia(), src, viaScratch)) return;
      if (comma != std::string_view::npos) viaScratch.append(",").append(value.substr(comma + 1));
      msg.setHeaderValue(i, viaScratch);
      return;
    }
  }

  void malformed(std::string_view bytes, std::string_view problem, const Source& src) {
    std::string_view agent;
    for (auto& u : udp) agent = u->sentBy;
    if (agent.empty() && !acceptors.empty()) agent = acceptors.front()->sentBy;
    std::string rsp = buildBadRequest(bytes, problem, agent, src);
    if (rsp.empty()) {
      ++stats.malformedDropped;
      return;
    }
    // Route as any response (§18.2.2), from the salvaged and stamped top Via.
    Message m;
    if (!m.parse(rsp) || !m.topVia()) {
      ++stats.malformedDropped;
      return;
    }
    auto dst = responseDestination(*m.topVia(), src);
    if (!dst) {
      ++stats.malformedDropped;
      return;
    }
    ++stats.malformedAnswered;
    (void)send(*dst, rsp, 0);
  }

  TransportErrc send(const Destination& d, std::string_view bytes, std::uint64_t cookie) {
    if (d.transport == TransportType::Udp) {
      UdpSock* u = udpFor(d);
      if (u == nullptr) return TransportErrc::NoListener;
      if (bytes.size() > 65507) return TransportErrc::TooLarge;
      if (udpBatching && u->fd >= 0) return queueUdp(*u, d, bytes, cookie);
      if (!sendUdpNow(*u, d.remote, bytes)) {
        ++stats.sendErrors;
        return TransportErrc::SendFailed;
      }
      ++stats.sent;
      return TransportErrc::Ok;
    }
    ConnPtr c;
    if (d.connection != 0) {
      auto it = conns.find(d.connection);
      if (it != conns.end() && it->second->type == d.transport && !it->second->closed) c = it->second;
    }
    if (!c) {
      auto it = byRemote.find(ConnKey{d.transport, d.remote});
      if (it != byRemote.end()) {
        auto ci = conns.find(it->second);
        if (ci != conns.end()) c = ci->second;
      }
    }
    if (!c) {
      if (!d.remote.valid()) return TransportErrc::ConnectFailed;
      c = connect(d.transport, d.remote);
      if (!c) return TransportErrc::ConnectFailed;
    }
    enqueue(c, bytes, cookie);
    return TransportErrc::Ok;
  }
};

// ------------------------------------------------------------------------- the facade

TransportLayer::TransportLayer(asio::io_context& io, TimerService& clock, TransportConfig cfg)
    : impl_(std::make_unique<Impl>(io, clock, std::move(cfg))) {}

TransportLayer::~TransportLayer() = default;

Result<Ok, std::string> TransportLayer::start() {
  return impl_->start();
}

void TransportLayer::setListener(TransportListener* l) {
  impl_->listener = l;
}

void TransportLayer::stop() {
  impl_->stopAll();
}

TransportErrc TransportLayer::send(const Destination& dst, std::string_view bytes,
                                   std::uint64_t cookie) {
  return impl_->send(dst, bytes, cookie);
}

std::string_view TransportLayer::sentBy(TransportType t, bool v6) const {
  if (t == TransportType::Udp) {
    for (auto& u : impl_->udp) {
      if (u->local.v6 == v6) return u->sentBy;
    }
    return {};
  }
  for (auto& a : impl_->acceptors) {
    if (a->type == t && a->local.v6 == v6) return a->sentBy;
  }
  return {};
}

std::size_t TransportLayer::udpRequestLimit() const {
  return impl_->cfg.mtu > 200 ? impl_->cfg.mtu - 200 : impl_->cfg.mtu;
}

std::optional<Endpoint> TransportLayer::localEndpoint(TransportType t, bool v6) const {
  if (t == TransportType::Udp) {
    for (auto& u : impl_->udp) {
      if (u->local.v6 == v6) return u->local;
    }
    return std::nullopt;
  }
  for (auto& a : impl_->acceptors) {
    if (a->type == t && a->local.v6 == v6) return a->local;
  }
  return std::nullopt;
}

std::size_t TransportLayer::openConnections() const {
  return impl_->conns.size();
}

std::size_t TransportLayer::udpReceiveBufferKernelBytes() const {
  std::size_t least = 0;
  for (const auto& u : impl_->udp) {
    int v = 0;
    socklen_t len = sizeof v;
    if (u->fd < 0 || ::getsockopt(u->fd, SOL_SOCKET, SO_RCVBUF, &v, &len) != 0) continue;
    const auto got = static_cast<std::size_t>(v);
    if (least == 0 || got < least) least = got;
  }
  return least;
}

const TransportStats& TransportLayer::stats() const {
  return impl_->stats;
}

}  // namespace siptgw::sip
