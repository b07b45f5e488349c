// Message: a parsed SIP request or response (RFC 3261 §7) as zero-copy views over a
// caller-owned buffer, which must outlive the Message. The header section is indexed once
// into a fixed-capacity inline array (no heap for a typical INVITE); typed headers parse
// on first access and are cached, malformed values surface as Result errors.
//
// Folding (RFC 3261 §7.3.1): a field continued on lines starting with SP/HT keeps its raw
// bytes for re-emission and gets an unfolded value in a per-message scratch buffer — the
// only allocation, and only for folded input. Unknown headers are kept verbatim in place.
// Leading CRLFs before the start line are skipped (RFC 3261 §7.5).
//
// Round trip: serialize(parse(x)) == x byte for byte (minus skipped leading CRLFs and any
// datagram bytes beyond Content-Length, RFC 3261 §18.3); parse(serialize(m)) == m.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "config/result.h"
#include "sip/header_id.h"
#include "sip/headers.h"
#include "sip/inline_vec.h"
#include "sip/parse_error.h"
#include "sip/uri.h"

namespace siptgw::sip {

// Defences against hostile peers; the defaults suit a trunking gateway.
struct ParseLimits {
  std::size_t maxHeaders = 64;       // capped by Message::kMaxHeaders
  std::size_t maxLineLength = 8192;  // one physical line
  std::size_t maxBodySize = 64 * 1024;
  std::size_t maxMessageSize = 128 * 1024;
};

struct HeaderField {
  HeaderId id = HeaderId::Other;
  std::string_view name;   // as on the wire: full or compact, any case
  std::string_view value;  // trimmed; unfolded when the field was folded
  std::string_view raw;    // the field's bytes incl. line ending(s); empty when added
  std::uint32_t line = 0;  // 1-based line of the field name; 0 when added
};

class Message {
 public:
  static constexpr std::size_t kMaxHeaders = 64;

  Message() = default;
  // Views may point into scratch_, whose heap buffer survives a move but not a copy.
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;
  Message(Message&&) noexcept = default;
  Message& operator=(Message&&) noexcept = default;
  ~Message() = default;

  // Parse one complete message (a datagram, or what StreamFramer delimited). Reusable:
  // a second parse() replaces the first.
  Result<Ok, ParseError> parse(std::string_view bytes, const ParseLimits& limits = {});

  // --- start line
  bool isRequest() const { return isRequest_; }
  bool isResponse() const { return !isRequest_; }
  std::string_view method() const { return method_; }
  std::string_view requestUriText() const { return requestUriText_; }
  const Uri& requestUri() const { return requestUri_; }
  std::uint16_t statusCode() const { return statusCode_; }
  std::string_view reasonPhrase() const { return reason_; }
  std::string_view version() const { return version_; }

  // --- raw header access
  std::span<const HeaderField> headers() const { return {headers_.begin(), headers_.size()}; }
  const HeaderField* find(HeaderId id) const;
  const HeaderField* find(std::string_view name) const;  // any name, compact forms too
  bool has(HeaderId id) const { return find(id) != nullptr; }
  std::size_t count(HeaderId id) const;
  std::string_view body() const { return body_; }

  // Calls f(std::string_view value, const HeaderField&) for every value of `id`, splitting
  // comma lists for list headers (RFC 3261 §7.3.1); f returns false to stop.
  template <class F>
  void forEachValue(HeaderId id, F&& f) const {
    for (const HeaderField& h : headers_) {
      if (h.id != id) continue;
      if (!isListHeader(id)) {
        if (!f(h.value, h)) return;
        continue;
      }
      bool go = true;
      forEachCommaValue(h.value, [&](std::string_view v) { return go = f(v, h); });
      if (!go) return;
    }
  }

  // --- typed access, parsed on first use and cached (RFC 3261 §20)
  const Result<Via, ParseError>& topVia() const;
  const Result<NameAddr, ParseError>& from() const;
  const Result<NameAddr, ParseError>& to() const;
  const Result<std::string_view, ParseError>& callId() const;
  const Result<CSeq, ParseError>& cseq() const;
  const Result<std::uint32_t, ParseError>& maxForwards() const;
  // Content-Length as parsed by parse(); nullopt when absent.
  std::optional<std::uint32_t> contentLength() const { return contentLength_; }

  // --- typed access, parsed on each call (single-valued; MissingHeader when absent)
  Result<ContentType, ParseError> contentType() const;
  Result<ContentDisposition, ParseError> contentDisposition() const;
  Result<std::uint32_t, ParseError> expires() const;
  Result<std::uint32_t, ParseError> rseq() const;
  Result<RAck, ParseError> rack() const;
  Result<SessionExpires, ParseError> sessionExpires() const;
  Result<MinSE, ParseError> minSE() const;
  Result<Privacy, ParseError> privacy() const;
  Result<InfoPackage, ParseError> infoPackage() const;

  // --- typed lists (all fields, all comma-separated values, in order)
  Result<InlineVec<Via, 16>, ParseError> vias() const;
  Result<InlineVec<Contact, 8>, ParseError> contacts() const;
  Result<InlineVec<NameAddr, 16>, ParseError> routes() const;
  Result<InlineVec<NameAddr, 16>, ParseError> recordRoutes() const;
  Result<InlineVec<Reason, 4>, ParseError> reasons() const;
  // RFC 3325 §9.1: at most two identities (one sip/sips, one tel).
  Result<InlineVec<NameAddr, 2>, ParseError> pAssertedIdentities() const;
  Result<InlineVec<HistoryInfoEntry, 32>, ParseError> historyInfo() const;
  Result<InlineVec<Diversion, 8>, ParseError> diversions() const;
  Result<InlineVec<std::string_view, 32>, ParseError> tokens(HeaderId id) const;  // Require...
  Result<InlineVec<InfoPackage, 8>, ParseError> recvInfo() const;
  Result<InlineVec<EarlyMedia, 4>, ParseError> pEarlyMedia() const;
  bool hasOptionTag(HeaderId id, std::string_view tag) const;  // e.g. (Require, "100rel")

  // --- editing, for proxies and for the stack building on a received message. New views
  // must outlive the Message; line numbers of added fields are 0.
  bool addHeader(std::string_view name, std::string_view value);
  bool insertHeader(std::size_t index, std::string_view name, std::string_view value);
  void removeHeader(std::size_t index);
  void setHeaderValue(std::size_t index, std::string_view value);
  // Replaces the body; the serializer then writes a matching Content-Length.
  void setBody(std::string_view body);
  void setRequestLine(std::string_view method, std::string_view uri);
  void setStatusLine(std::uint16_t code, std::string_view reason);

  // --- for the serializer
  std::string_view startLineRaw() const { return startLineRaw_; }
  std::string_view separatorRaw() const { return separator_; }
  bool bodyModified() const { return bodyModified_; }
  // The parsed bytes from the start line to the end of the body while nothing was edited
  // (what serialize() would write, so it copies them at once); empty after any edit.
  std::string_view wireRaw() const { return wire_; }

  // Structural equality: start line, header names/values in order, body.
  friend bool operator==(const Message& a, const Message& b);

 private:
  template <class T>
  using Cache = std::optional<Result<T, ParseError>>;

  void reset();
  void invalidate();
  void cacheNameAddr(HeaderId id, Cache<NameAddr>& cache) const;
  template <class T>
  Result<T, ParseError> single(HeaderId id, Result<T, ParseError> (*fn)(std::string_view)) const;
  template <class T, std::size_t N>
  Result<InlineVec<T, N>, ParseError> list(HeaderId id,
                                           Result<T, ParseError> (*fn)(std::string_view)) const;

  bool isRequest_ = true;
  std::string_view method_;
  std::string_view requestUriText_;
  Uri requestUri_;
  std::string_view version_;
  std::uint16_t statusCode_ = 0;
  std::string_view reason_;
  std::string_view startLineRaw_;
  std::string_view separator_;
  std::string_view body_;
  std::optional<std::uint32_t> contentLength_;
  bool bodyModified_ = false;
  std::string_view wire_;
  InlineVec<HeaderField, kMaxHeaders> headers_;
  std::vector<char> scratch_;  // unfolded values; reserved once, never reallocated

  mutable Cache<Via> topVia_;
  mutable Cache<NameAddr> from_;
  mutable Cache<NameAddr> to_;
  mutable Cache<std::string_view> callId_;
  mutable Cache<CSeq> cseq_;
  mutable Cache<std::uint32_t> maxForwards_;

  // The MessageRef box this message lives in, if any (MessageRef::share finds it here). A
  // moved-to message lives elsewhere, so a move carries no link and keeps its own.
  friend class MessageRef;
  struct BoxLink {
    void* box = nullptr;
    BoxLink() = default;
    BoxLink(BoxLink&&) noexcept {}
    BoxLink& operator=(BoxLink&&) noexcept { return *this; }
  };
  BoxLink box_;
};

// Convenience for tests and cold paths.
Result<Message, ParseError> parseMessage(std::string_view bytes, const ParseLimits& limits = {});

}  // namespace siptgw::sip
