// SIP message parsing: RFC 3261 §7 (start line, header fields, folding, compact forms,
// Content-Length), §18.3 (datagram framing), §7.5 (leading CRLF). See message.h.
#include "sip/message.h"

#include <cstring>

namespace siptgw::sip {

namespace {

struct LineEnd {
  std::size_t end;   // index of the line's last content byte + 1
  std::size_t next;  // index just past the terminator
};

// Finds the end of the line starting at pos: CRLF, or a bare LF for robustness (the bytes
// are kept, so re-serialisation is still exact). Returns false when there is no LF.
inline bool findLine(std::string_view in, std::size_t pos, LineEnd& out) {
  const void* p = std::memchr(in.data() + pos, '\n', in.size() - pos);
  if (p == nullptr) return false;
  std::size_t k = static_cast<std::size_t>(static_cast<const char*>(p) - in.data());
  out.next = k + 1;
  out.end = (k > pos && in[k - 1] == '\r') ? k - 1 : k;
  return true;
}

inline std::string_view rtrimWs(std::string_view s) {
  std::size_t n = s.size();
  while (n > 0 && isWs(s[n - 1])) --n;
  return s.substr(0, n);
}

bool isSipVersion(std::string_view v) {
  return iequals(v, "SIP/2.0");
}

}  // namespace

void Message::reset() {
  isRequest_ = true;
  method_ = requestUriText_ = version_ = reason_ = startLineRaw_ = separator_ = body_ = {};
  requestUri_ = Uri{};
  statusCode_ = 0;
  contentLength_.reset();
  bodyModified_ = false;
  wire_ = {};
  headers_.clear();
  scratch_.clear();
  invalidate();
}

void Message::invalidate() {
  topVia_.reset();
  from_.reset();
  to_.reset();
  callId_.reset();
  cseq_.reset();
  maxForwards_.reset();
}

Result<Ok, ParseError> Message::parse(std::string_view in, const ParseLimits& limits) {
  reset();
  if (in.size() > limits.maxMessageSize) {
    return parseFail(ParseErrc::MessageTooLarge, "message exceeds size limit");
  }
  std::size_t pos = 0;
  while (pos < in.size() && (in[pos] == '\r' || in[pos] == '\n')) ++pos;
  if (pos == in.size()) return parseFail(ParseErrc::Empty, "empty message");

  // ---- start line
  std::uint32_t line = 1;
  LineEnd le;
  if (!findLine(in, pos, le)) {
    return parseFail(ParseErrc::MissingEmptyLine, "start line not terminated", line);
  }
  if (le.end - pos > limits.maxLineLength) {
    return parseFail(ParseErrc::LineTooLong, "start line too long", line);
  }
  startLineRaw_ = in.substr(pos, le.next - pos);
  std::string_view sl = in.substr(pos, le.end - pos);
  if (sl.size() >= 4 && iequals(sl.substr(0, 4), "SIP/")) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§7.2)
    isRequest_ = false;
    std::size_t sp = sl.find(' ');
    if (sp == std::string_view::npos)
      return parseFail(ParseErrc::BadStartLine, "bad status line", line);
    version_ = sl.substr(0, sp);
    if (!isSipVersion(version_))
      return parseFail(ParseErrc::BadVersion, "unsupported SIP version", line);
    std::string_view code = sl.substr(sp + 1, 3);
    std::uint32_t c = 0;
    if (code.size() != 3 || !parseUint(code, 699, c) || c < 100) {
      return parseFail(ParseErrc::BadStatusCode, "bad status code", line);
    }
    statusCode_ = static_cast<std::uint16_t>(c);
    std::string_view after = sl.substr(sp + 4);
    if (!after.empty()) {
      if (after[0] != ' ') return parseFail(ParseErrc::BadStatusCode, "bad status code", line);
      reason_ = after.substr(1);
    }
    for (char ch : reason_) {
      if (ch == '\r') return parseFail(ParseErrc::BadLineEnding, "bare CR in status line", line);
    }
  } else {
    // Request-Line = Method SP Request-URI SP SIP-Version (§7.1): single spaces only
    std::size_t sp1 = sl.find(' ');
    if (sp1 == std::string_view::npos || sp1 == 0) {
      return parseFail(ParseErrc::BadStartLine, "bad request line", line);
    }
    method_ = sl.substr(0, sp1);
    if (!isToken(method_)) return parseFail(ParseErrc::BadMethod, "method is not a token", line);
    std::size_t sp2 = sl.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) {
      return parseFail(ParseErrc::BadStartLine, "request line without SIP version", line);
    }
    requestUriText_ = sl.substr(sp1 + 1, sp2 - sp1 - 1);
    version_ = sl.substr(sp2 + 1);
    if (requestUriText_.empty()) {
      return parseFail(ParseErrc::BadStartLine, "extra whitespace in request line", line);
    }
    if (!isSipVersion(version_)) {
      if (version_.find(' ') != std::string_view::npos || version_.empty()) {
        return parseFail(ParseErrc::BadStartLine, "extra whitespace in request line", line);
      }
      return parseFail(ParseErrc::BadVersion, "unsupported SIP version", line);
    }
    if (const char* why = parseUriInto(requestUriText_, requestUri_)) {
      return parseFail(ParseErrc::BadRequestUri, why, line, "Request-URI");
    }
    // RFC 3261 §19.1.1 (table): headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11)
    if (requestUri_.isSip() && !requestUri_.sip.headers.empty()) {
      return parseFail(ParseErrc::BadRequestUri, "headers not allowed in Request-URI", line,
                       "Request-URI");
    }
  }
  pos = le.next;

  // ---- header fields
  const std::size_t maxHeaders = limits.maxHeaders < kMaxHeaders ? limits.maxHeaders : kMaxHeaders;
  std::uint64_t foldedMask = 0;  // bit i: field i was folded (kMaxHeaders == 64)
  std::size_t foldedBytes = 0;
  std::size_t valueStart = 0;
  for (;;) {
    ++line;
    if (pos >= in.size() || !findLine(in, pos, le)) {
      return parseFail(ParseErrc::MissingEmptyLine, "header section not terminated by empty line",
                       line);
    }
    if (le.end - pos > limits.maxLineLength) {
      return parseFail(ParseErrc::LineTooLong, "header line too long", line);
    }
    if (le.end == pos) {
      separator_ = in.substr(pos, le.next - pos);
      pos = le.next;
      break;
    }
    const char first = in[pos];
    if (first == ' ' || first == '\t') {
      // continuation of the previous field (§7.3.1)
      if (headers_.empty()) {
        return parseFail(ParseErrc::BadHeaderLine, "continuation line without a header", line);
      }
      HeaderField& h = headers_.back();
      const std::size_t idx = headers_.size() - 1;
      h.raw = std::string_view(h.raw.data(), in.data() + le.next - h.raw.data());
      h.value = rtrimWs(in.substr(valueStart, le.end - valueStart));
      foldedMask |= std::uint64_t{1} << idx;
      foldedBytes += h.value.size();
      pos = le.next;
      continue;
    }
    std::size_t i = pos;
    std::uint32_t nameHash = kHeaderHashSeed;
    while (i < le.end && isTokenChar(in[i])) nameHash = headerHashStep(nameHash, in[i++]);
    // Views made directly: every position here is inside `in`, and string_view::substr's
    // range check is an out-of-line call per header otherwise.
    const std::string_view name(in.data() + pos, i - pos);
    while (i < le.end && isWs(in[i])) ++i;
    if (name.empty() || i >= le.end || in[i] != ':') {
      return parseFail(ParseErrc::BadHeaderLine, "header line without name and colon", line);
    }
    ++i;
    while (i < le.end && isWs(in[i])) ++i;
    if (headers_.size() >= maxHeaders) {
      return parseFail(ParseErrc::TooManyHeaders, "too many headers", line);
    }
    valueStart = i;
    headers_.emplace(lookupHeader(name, nameHash), name, rtrimWs(std::string_view(in.data() + i, le.end - i)),
                     std::string_view(in.data() + pos, le.next - pos), line);  // capacity checked above
    pos = le.next;
  }

  // ---- unfold folded values into scratch (reserved once so earlier views stay valid)
  if (foldedMask != 0) {
    scratch_.reserve(foldedBytes);
    for (std::size_t k = 0; k < headers_.size(); ++k) {
      if (!(foldedMask & (std::uint64_t{1} << k))) continue;
      HeaderField& h = headers_[k];
      const std::size_t start = scratch_.size();
      std::string_view v = h.value;
      for (std::size_t j = 0; j < v.size(); ++j) {
        char c = v[j];
        if (c == '\r' || c == '\n') {
          while (!scratch_.empty() && scratch_.size() > start && isWs(scratch_.back())) {
            scratch_.pop_back();
          }
          while (j + 1 < v.size() && (v[j + 1] == '\r' || v[j + 1] == '\n' || isWs(v[j + 1]))) ++j;
          if (scratch_.size() > start) scratch_.push_back(' ');
          continue;
        }
        scratch_.push_back(c);
      }
      h.value = std::string_view(scratch_.data() + start, scratch_.size() - start);
    }
  }

  // ---- body framing (Content-Length; §18.3 for datagrams)
  std::string_view rest = in.substr(pos);
  for (const HeaderField& h : headers_) {
    if (h.id != HeaderId::ContentLength) continue;
    auto cl = parseContentLength(h.value);
    if (!cl)
      return parseFail(ParseErrc::BadContentLength, "Content-Length is not a number", h.line,
                       "Content-Length");
    if (contentLength_ && *contentLength_ != cl.value()) {
      return parseFail(ParseErrc::BadContentLength, "conflicting Content-Length values", h.line,
                       "Content-Length");
    }
    contentLength_ = cl.value();
  }
  if (contentLength_) {
    if (*contentLength_ > limits.maxBodySize) {
      return parseFail(ParseErrc::BodyTooLarge, "body exceeds size limit", 0, "Content-Length");
    }
    if (*contentLength_ > rest.size()) {
      return parseFail(ParseErrc::TruncatedBody, "fewer body bytes than Content-Length", 0,
                       "Content-Length");
    }
    body_ = rest.substr(0, *contentLength_);
  } else {
    if (rest.size() > limits.maxBodySize) {
      return parseFail(ParseErrc::BodyTooLarge, "body exceeds size limit");
    }
    body_ = rest;
  }
  // Start line, header fields (raw, folds included) and separator lie back to back, and
  // the body follows: serialize(parse(x)) == x is this range.
  if (!separator_.empty() && body_.data() != nullptr && body_.data() >= startLineRaw_.data()) {
    wire_ = std::string_view(startLineRaw_.data(),
                             static_cast<std::size_t>(body_.data() + body_.size() - startLineRaw_.data()));
  }
  return Ok{};
}

const HeaderField* Message::find(HeaderId id) const {
  for (const HeaderField& h : headers_) {
    if (h.id == id) return &h;
  }
  return nullptr;
}

const HeaderField* Message::find(std::string_view name) const {
  HeaderId id = lookupHeader(name);
  if (id != HeaderId::Other) return find(id);
  for (const HeaderField& h : headers_) {
    if (h.id == HeaderId::Other && iequals(h.name, name)) return &h;
  }
  return nullptr;
}

std::size_t Message::count(HeaderId id) const {
  std::size_t n = 0;
  for (const HeaderField& h : headers_) n += h.id == id ? 1 : 0;
  return n;
}

namespace {
template <class T>
Result<T, ParseError> annotate(Result<T, ParseError> r, const HeaderField& h, HeaderId id) {
  if (r) return r;
  ParseError e = r.error();
  e.line = h.line;
  e.header = headerName(id);
  return Unexpected<ParseError>{e};
}
Unexpected<ParseError> missing(HeaderId id) {
  return parseFail(ParseErrc::MissingHeader, "missing header", 0, headerName(id));
}
}  // namespace

template <class T>
Result<T, ParseError> Message::single(HeaderId id,
                                      Result<T, ParseError> (*fn)(std::string_view)) const {
  const HeaderField* first = nullptr;
  for (const HeaderField& h : headers_) {
    if (h.id != id) continue;
    if (first != nullptr) {
      return parseFail(ParseErrc::DuplicateHeader, "header must appear only once", h.line,
                       headerName(id));
    }
    first = &h;
  }
  if (first == nullptr) return missing(id);
  return annotate(fn(first->value), *first, id);
}

template <class T, std::size_t N>
Result<InlineVec<T, N>, ParseError> Message::list(
    HeaderId id, Result<T, ParseError> (*fn)(std::string_view)) const {
  InlineVec<T, N> out;
  std::optional<ParseError> err;
  forEachValue(id, [&](std::string_view v, const HeaderField& h) {
    auto r = annotate(fn(v), h, id);
    if (!r) {
      err = r.error();
      return false;
    }
    if (!out.push(r.value())) {
      err = ParseError{ParseErrc::TooManyValues, "too many values", h.line, headerName(id)};
      return false;
    }
    return true;
  });
  if (err) return Unexpected<ParseError>{*err};
  return out;
}

namespace {
Result<Via, ParseError> firstVia(std::string_view v) {
  std::size_t comma = findTopLevel(v, ',');
  return parseVia(comma == std::string_view::npos ? v : v.substr(0, comma));
}
}  // namespace

const Result<Via, ParseError>& Message::topVia() const {
  if (!topVia_) {
    const HeaderField* h = find(HeaderId::Via);
    topVia_.emplace(h ? annotate(firstVia(h->value), *h, HeaderId::Via)
                      : Result<Via, ParseError>(missing(HeaderId::Via)));
  }
  return *topVia_;
}
void Message::cacheNameAddr(HeaderId id, Cache<NameAddr>& cache) const {
  const HeaderField* first = nullptr;
  for (const HeaderField& h : headers_) {
    if (h.id != id) continue;
    if (first != nullptr) {
      cache.emplace(parseFail(ParseErrc::DuplicateHeader, "header must appear only once", h.line,
                              headerName(id)));
      return;
    }
    first = &h;
  }
  if (first == nullptr) {
    cache.emplace(missing(id));
    return;
  }
  // Parse straight into the cache slot: a NameAddr is ~340 bytes, worth not copying.
  cache.emplace(NameAddr{});
  ParseError err;
  if (!parseNameAddrInto(first->value, cache->value(), err)) {
    err.line = first->line;
    err.header = headerName(id);
    cache.emplace(Unexpected<ParseError>{err});
  }
}

const Result<NameAddr, ParseError>& Message::from() const {
  if (!from_) cacheNameAddr(HeaderId::From, from_);
  return *from_;
}
const Result<NameAddr, ParseError>& Message::to() const {
  if (!to_) cacheNameAddr(HeaderId::To, to_);
  return *to_;
}
const Result<std::string_view, ParseError>& Message::callId() const {
  if (!callId_) callId_.emplace(single<std::string_view>(HeaderId::CallId, &parseCallId));
  return *callId_;
}
const Result<CSeq, ParseError>& Message::cseq() const {
  if (!cseq_) cseq_.emplace(single<CSeq>(HeaderId::CSeq, &parseCSeq));
  return *cseq_;
}
const Result<std::uint32_t, ParseError>& Message::maxForwards() const {
  if (!maxForwards_) {
    maxForwards_.emplace(single<std::uint32_t>(HeaderId::MaxForwards, &parseMaxForwards));
  }
  return *maxForwards_;
}

Result<ContentType, ParseError> Message::contentType() const {
  return single<ContentType>(HeaderId::ContentType, &parseContentType);
}
Result<ContentDisposition, ParseError> Message::contentDisposition() const {
  return single<ContentDisposition>(HeaderId::ContentDisposition, &parseContentDisposition);
}
Result<std::uint32_t, ParseError> Message::expires() const {
  return single<std::uint32_t>(HeaderId::Expires, &parseDeltaSeconds);
}
Result<std::uint32_t, ParseError> Message::rseq() const {
  return single<std::uint32_t>(HeaderId::RSeq, &parseRSeq);
}
Result<RAck, ParseError> Message::rack() const {
  return single<RAck>(HeaderId::RAck, &parseRAck);
}
Result<SessionExpires, ParseError> Message::sessionExpires() const {
  return single<SessionExpires>(HeaderId::SessionExpires, &parseSessionExpires);
}
Result<MinSE, ParseError> Message::minSE() const {
  return single<MinSE>(HeaderId::MinSE, &parseMinSE);
}
Result<Privacy, ParseError> Message::privacy() const {
  return single<Privacy>(HeaderId::Privacy, &parsePrivacy);
}
Result<InfoPackage, ParseError> Message::infoPackage() const {
  return single<InfoPackage>(HeaderId::InfoPackage, &parseInfoPackage);
}

Result<InlineVec<Via, 16>, ParseError> Message::vias() const {
  return list<Via, 16>(HeaderId::Via, &parseVia);
}
Result<InlineVec<Contact, 8>, ParseError> Message::contacts() const {
  return list<Contact, 8>(HeaderId::Contact, &parseContact);
}
Result<InlineVec<NameAddr, 16>, ParseError> Message::routes() const {
  return list<NameAddr, 16>(HeaderId::Route, &parseNameAddr);
}
Result<InlineVec<NameAddr, 16>, ParseError> Message::recordRoutes() const {
  return list<NameAddr, 16>(HeaderId::RecordRoute, &parseNameAddr);
}
Result<InlineVec<Reason, 4>, ParseError> Message::reasons() const {
  return list<Reason, 4>(HeaderId::Reason, &parseReason);
}
Result<InlineVec<NameAddr, 2>, ParseError> Message::pAssertedIdentities() const {
  return list<NameAddr, 2>(HeaderId::PAssertedIdentity, &parseNameAddr);
}
Result<InlineVec<HistoryInfoEntry, 32>, ParseError> Message::historyInfo() const {
  return list<HistoryInfoEntry, 32>(HeaderId::HistoryInfo, &parseHistoryInfo);
}
Result<InlineVec<Diversion, 8>, ParseError> Message::diversions() const {
  return list<Diversion, 8>(HeaderId::Diversion, &parseDiversion);
}
Result<InlineVec<std::string_view, 32>, ParseError> Message::tokens(HeaderId id) const {
  return list<std::string_view, 32>(id, &parseToken);
}
Result<InlineVec<InfoPackage, 8>, ParseError> Message::recvInfo() const {
  // RFC 6086 §7.3: an empty Recv-Info is legal ("I accept no packages").
  InlineVec<InfoPackage, 8> out;
  std::optional<ParseError> err;
  forEachValue(HeaderId::RecvInfo, [&](std::string_view v, const HeaderField& h) {
    if (v.empty()) return true;
    auto r = annotate(parseInfoPackage(v), h, HeaderId::RecvInfo);
    if (!r)
      err = r.error();
    else if (!out.push(r.value()))
      err = ParseError{ParseErrc::TooManyValues, "too many values", h.line, "Recv-Info"};
    return !err;
  });
  if (err) return Unexpected<ParseError>{*err};
  return out;
}
Result<InlineVec<EarlyMedia, 4>, ParseError> Message::pEarlyMedia() const {
  return list<EarlyMedia, 4>(HeaderId::PEarlyMedia, &parsePEarlyMedia);
}

bool Message::hasOptionTag(HeaderId id, std::string_view tag) const {
  bool found = false;
  forEachValue(id, [&](std::string_view v, const HeaderField&) {
    found = iequals(v, tag);
    return !found;
  });
  return found;
}

bool Message::addHeader(std::string_view name, std::string_view value) {
  return insertHeader(headers_.size(), name, value);
}
bool Message::insertHeader(std::size_t index, std::string_view name, std::string_view value) {
  HeaderField h;
  h.id = lookupHeader(name);
  h.name = name;
  h.value = value;
  wire_ = {};
  invalidate();
  return headers_.insert(index < headers_.size() ? index : headers_.size(), h);
}
void Message::removeHeader(std::size_t index) {
  wire_ = {};
  if (index < headers_.size()) headers_.erase(index);
  invalidate();
}
void Message::setHeaderValue(std::size_t index, std::string_view value) {
  if (index >= headers_.size()) return;
  headers_[index].value = value;
  wire_ = {};
  headers_[index].raw = {};
  invalidate();
}
void Message::setBody(std::string_view body) {
  wire_ = {};
  body_ = body;
  bodyModified_ = true;
  contentLength_ = static_cast<std::uint32_t>(body.size());
}
void Message::setRequestLine(std::string_view method, std::string_view uri) {
  isRequest_ = true;
  method_ = method;
  requestUriText_ = uri;
  version_ = "SIP/2.0";
  auto u = parseUri(uri);
  wire_ = {};
  requestUri_ = u ? u.value() : Uri{};
  startLineRaw_ = {};
}
void Message::setStatusLine(std::uint16_t code, std::string_view reason) {
  isRequest_ = false;
  statusCode_ = code;
  reason_ = reason;
  wire_ = {};
  version_ = "SIP/2.0";
  startLineRaw_ = {};
}

bool operator==(const Message& a, const Message& b) {
  if (a.isRequest_ != b.isRequest_ || a.body_ != b.body_ ||
      a.headers_.size() != b.headers_.size()) {
    return false;
  }
  if (a.isRequest_) {
    if (a.method_ != b.method_ || a.requestUriText_ != b.requestUriText_) return false;
  } else if (a.statusCode_ != b.statusCode_ || a.reason_ != b.reason_) {
    return false;
  }
  for (std::size_t i = 0; i < a.headers_.size(); ++i) {
    const HeaderField& x = a.headers_[i];
    const HeaderField& y = b.headers_[i];
    if (x.id != y.id || x.name != y.name) return false;
    // After setBody() the serializer writes the new length, so compare it as a number.
    if (x.id == HeaderId::ContentLength) continue;
    if (x.value != y.value) return false;
  }
  return a.contentLength_ == b.contentLength_;
}

Result<Message, ParseError> parseMessage(std::string_view bytes, const ParseLimits& limits) {
  Message m;
  auto r = m.parse(bytes, limits);
  if (!r) return Unexpected<ParseError>{r.error()};
  return Result<Message, ParseError>(std::move(m));
}

}  // namespace siptgw::sip
