#include "sip/dialog.h"

#include <algorithm>
#include <cstdio>

namespace siptgw::sip {

std::string_view toString(DialogState s) {
  switch (s) {
    case DialogState::Early: return "Early";
    case DialogState::Confirmed: return "Confirmed";
    case DialogState::Terminated: return "Terminated";
  }
  return "?";
}

void dialogKeyInto(std::string& out, std::string_view callId, std::string_view localTag,
                   std::string_view remoteTag) {
  out.clear();
  out.reserve(callId.size() + localTag.size() + remoteTag.size() + 2);
  out.append(callId).append(1, '\n').append(localTag).append(1, '\n').append(remoteTag);
}

void dialogKeyOfRequestInto(std::string& out, const Message& req) {
  if (!req.callId() || !req.from() || !req.to()) return out.clear();
  dialogKeyInto(out, *req.callId(), req.to()->tag, req.from()->tag);
}

void dialogKeyOfResponseInto(std::string& out, const Message& rsp) {
  if (!rsp.callId() || !rsp.from() || !rsp.to()) return out.clear();
  dialogKeyInto(out, *rsp.callId(), rsp.from()->tag, rsp.to()->tag);
}

std::string dialogKey(std::string_view callId, std::string_view localTag, std::string_view remoteTag) {
  std::string k;
  dialogKeyInto(k, callId, localTag, remoteTag);
  return k;
}

std::string dialogKeyOfRequest(const Message& req) {
  std::string k;
  dialogKeyOfRequestInto(k, req);
  return k;
}

std::string dialogKeyOfResponse(const Message& rsp) {
  std::string k;
  dialogKeyOfResponseInto(k, rsp);
  return k;
}

bool Dialog::hasKey(std::string_view k) const {
  const std::size_t c = callId_.size(), l = localTag_.size();
  return k.size() == c + l + remoteTag_.size() + 2 && k.substr(0, c) == callId_ && k[c] == '\n' &&
         k.substr(c + 1, l) == localTag_ && k[c + 1 + l] == '\n' && k.substr(c + l + 2) == remoteTag_;
}

std::optional<Destination> destinationForUri(const Uri& uri, TransportType fallback) {
  if (!uri.isSip()) return std::nullopt;
  TransportType t = fallback;
  if (auto tp = uri.sip.transport(); !tp.empty()) {
    if (auto v = transportFromVia(tp)) t = *v;
  }
  if (uri.scheme == UriScheme::Sips) t = TransportType::Tls;
  std::string_view host = uri.sip.host;
  if (auto m = uri.sip.maddr(); !m.empty()) host = m;
  auto ep = Endpoint::fromIp(host, uri.sip.port.value_or(defaultPort(t)));
  if (!ep) return std::nullopt;
  return Destination{t, *ep, 0};
}

namespace {

// The URI of one name-addr / addr-spec value ("<sip:p1;lr>" → "sip:p1;lr").
std::string_view uriText(std::string_view nameAddr) {
  auto lt = nameAddr.find('<');
  if (lt == std::string_view::npos) {
    auto semi = nameAddr.find(';');
    return nameAddr.substr(0, semi);
  }
  auto gt = nameAddr.find('>', lt);
  return nameAddr.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1);
}

// §12.2.1.1 strict routing: parameters not allowed in a Request-URI (§19.1.1 table:
// "method") and URI headers are stripped.
std::string requestUriFromRoute(std::string_view text) {
  Uri u;
  if (parseUriInto(text, u) != nullptr || !u.isSip()) return std::string(text);
  std::string out;
  const std::string_view raw = u.raw;
  const std::string_view params = u.sip.params.raw();
  std::size_t end = raw.find('?');
  if (end == std::string_view::npos) end = raw.size();
  if (params.empty()) return std::string(raw.substr(0, end));
  const std::size_t pstart = static_cast<std::size_t>(params.data() - raw.data());
  out.append(raw.substr(0, pstart));
  while (!out.empty() && out.back() == ';') out.pop_back();
  u.sip.params.forEach([&](const ParamList::Param& p) {
    if (iequals(p.name, "method")) return;
    out.append(1, ';').append(p.name);
    if (p.hasValue) out.append(1, '=').append(p.value);
  });
  return out;
}

}  // namespace

void Dialog::setRouteSet(const Message& m, bool reverse) {
  routeSet_.clear();
  m.forEachValue(HeaderId::RecordRoute, [&](std::string_view v, const HeaderField&) {
    routeSet_.emplace_back(v);
    return true;
  });
  if (reverse) std::reverse(routeSet_.begin(), routeSet_.end());
}

bool Dialog::setTarget(const Message& m) {
  auto c = m.contacts();
  if (!c || c->empty() || (*c)[0].star) return false;
  remoteTarget_.assign((*c)[0].addr.uri.raw);
  return true;
}

Result<Dialog, std::uint16_t> Dialog::createUac(const Message& request, const Message& response) {
  if (!request.callId() || !request.from() || !request.cseq() || !response.to() ||
      response.to()->tag.empty()) {
    return Unexpected{std::uint16_t{0}};
  }
  Dialog d;
  d.uac_ = true;
  d.secure_ = request.requestUri().scheme == UriScheme::Sips;
  d.callId_.assign(*request.callId());
  d.localTag_.assign(request.from()->tag);
  d.remoteTag_.assign(response.to()->tag);
  d.localSeq_ = request.cseq()->number;
  d.localUri_.assign(request.find(HeaderId::From)->value);
  d.remoteUri_.assign(response.find(HeaderId::To)->value);
  d.setRouteSet(response, true);
  if (!d.setTarget(response)) {
    // A 1xx may omit Contact (§12.1.2 only requires it for 2xx): keep the Request-URI.
    if (response.statusCode() >= 200) return Unexpected{std::uint16_t{400}};
    d.remoteTarget_.assign(request.requestUriText());
  }
  d.state_ = response.statusCode() >= 200 ? DialogState::Confirmed : DialogState::Early;
  return d;
}

Result<Dialog, std::uint16_t> Dialog::createUas(const Message& request, std::string_view localTag) {
  if (!request.callId() || !request.from() || !request.to() || !request.cseq()) {
    return Unexpected{std::uint16_t{400}};
  }
  Dialog d;
  d.uac_ = false;
  d.secure_ = request.requestUri().scheme == UriScheme::Sips;
  d.callId_.assign(*request.callId());
  d.localTag_.assign(localTag);
  d.remoteTag_.assign(request.from()->tag);
  d.remoteSeq_ = request.cseq()->number;
  d.localUri_.assign(request.find(HeaderId::To)->value);
  if (request.to()->tag.empty()) d.localUri_.append(";tag=").append(localTag);
  d.remoteUri_.assign(request.find(HeaderId::From)->value);
  d.setRouteSet(request, false);
  if (!d.setTarget(request)) return Unexpected{std::uint16_t{400}};
  d.state_ = DialogState::Early;
  return d;
}

void Dialog::onResponseToInitial(const Message& rsp) {
  if (rsp.statusCode() >= 200 && rsp.statusCode() < 300) {
    if (state_ == DialogState::Early) setRouteSet(rsp, true);
    state_ = DialogState::Confirmed;
  }
  setTarget(rsp);
}

std::uint16_t Dialog::checkRemoteCSeq(const Message& req) {
  if (!req.cseq()) return 400;
  const std::uint32_t n = req.cseq()->number;
  if (remoteSeq_ && n < *remoteSeq_) return 500;
  remoteSeq_ = n;
  return 0;
}

void Dialog::refreshTarget(const Message& m) { setTarget(m); }

bool Dialog::strictRouting() const {
  if (routeSet_.empty()) return false;
  Uri u;
  if (parseUriInto(uriText(routeSet_.front()), u) != nullptr) return false;
  return !(u.isSip() && u.sip.looseRoute());
}

std::string Dialog::nextHopUri() const {
  if (!routeSet_.empty()) return std::string(uriText(routeSet_.front()));
  return remoteTarget_;
}

std::optional<Destination> Dialog::nextHop(TransportType fallback) const {
  const std::string text = nextHopUri();
  Uri u;
  if (parseUriInto(text, u) != nullptr) return std::nullopt;
  return destinationForUri(u, fallback);
}

std::uint32_t Dialog::buildRequest(MessageBuilder& b, std::string_view method, std::string_view via,
                                   std::uint32_t cseq) {
  if (cseq == 0) cseq = ++localSeq_;
  const bool strict = strictRouting();
  if (strict) {
    b.request(method, requestUriFromRoute(uriText(routeSet_.front())));
  } else {
    b.request(method, remoteTarget_);
  }
  b.header(HeaderId::Via, via);
  for (std::size_t i = strict ? 1 : 0; i < routeSet_.size(); ++i) b.header(HeaderId::Route, routeSet_[i]);
  if (strict) b.headerParts(HeaderId::Route, {"<", remoteTarget_, ">"});
  b.header(HeaderId::MaxForwards, std::uint32_t{70});
  b.header(HeaderId::From, localUri_);
  b.header(HeaderId::To, remoteUri_);
  b.header(HeaderId::CallId, callId_);
  char num[16];
  std::snprintf(num, sizeof num, "%u ", cseq);
  b.headerParts(HeaderId::CSeq, {num, method});
  return cseq;
}

}  // namespace siptgw::sip
