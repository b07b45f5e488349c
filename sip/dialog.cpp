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

bool Dialog::setRouteSet(const Message& m, bool reverse) {
  // Each value must be a rec-route (§25.1: name-addr *( SEMI rr-param )): requests in the
  // dialog copy them into Route, so one that does not parse makes the message unusable for
  // a dialog (the caller answers 400 or ignores the response) and changes nothing here.
  bool valid = true;
  m.forEachValue(HeaderId::RecordRoute, [&](std::string_view v, const HeaderField&) {
    NameAddr na;
    ParseError err;
    valid = parseNameAddrInto(v, na, err) && na.angleBrackets;
    return valid;
  });
  if (!valid) return false;
  routeSet_.clear();
  m.forEachValue(HeaderId::RecordRoute, [&](std::string_view v, const HeaderField&) {
    routeSet_.emplace_back(v);
    return true;
  });
  if (reverse) std::reverse(routeSet_.begin(), routeSet_.end());
  return true;
}

std::string_view Dialog::targetOf(const Message& m) {
  auto c = m.contacts();
  if (!c || c->empty() || (*c)[0].star) return {};
  const Uri& u = (*c)[0].addr.uri;
  // §19.1.1 (Table 1): a dialog's Contact has no headers component; the target becomes the
  // Request-URI of requests in the dialog, where headers are not allowed either.
  if (u.isSip() && !u.sip.headers.empty()) return {};
  return u.raw;
}

bool Dialog::setTarget(const Message& m) {
  const std::string_view target = targetOf(m);
  if (target.empty()) return false;
  text_.resize(remoteUriEnd_);
  text_.append(target);
  return true;
}

void Dialog::setText(std::string_view callId, std::string_view localTag, std::string_view remoteTag,
                     std::string_view localUri, std::string_view localUriTag, std::string_view remoteUri,
                     std::string_view target) {
  const std::string_view tagParam = localUriTag.empty() ? std::string_view{} : ";tag=";
  text_.clear();
  text_.reserve(callId.size() + localTag.size() + remoteTag.size() + 2 + localUri.size() + tagParam.size() +
                localUriTag.size() + remoteUri.size() + target.size());
  dialogKeyInto(text_, callId, localTag, remoteTag);
  callIdEnd_ = static_cast<std::uint32_t>(callId.size());
  localTagEnd_ = static_cast<std::uint32_t>(callIdEnd_ + 1 + localTag.size());
  keyEnd_ = static_cast<std::uint32_t>(text_.size());
  text_.append(localUri).append(tagParam).append(localUriTag);
  localUriEnd_ = static_cast<std::uint32_t>(text_.size());
  text_.append(remoteUri);
  remoteUriEnd_ = static_cast<std::uint32_t>(text_.size());
  text_.append(target);
}

Result<Dialog, std::uint16_t> Dialog::createUac(const Message& request, const Message& response) {
  if (!request.callId() || !request.from() || !request.cseq() || !response.to() ||
      response.to()->tag.empty()) {
    return Unexpected{std::uint16_t{0}};
  }
  std::string_view target = targetOf(response);
  if (target.empty()) {
    // A 1xx may omit Contact (§12.1.2 only requires it for 2xx): keep the Request-URI.
    if (response.statusCode() >= 200) return Unexpected{std::uint16_t{400}};
    target = request.requestUriText();
  }
  Dialog d;
  d.uac_ = true;
  d.secure_ = request.requestUri().scheme == UriScheme::Sips;
  d.setText(*request.callId(), request.from()->tag, response.to()->tag, request.find(HeaderId::From)->value, {},
            response.find(HeaderId::To)->value, target);
  d.localSeq_ = request.cseq()->number;
  if (!d.setRouteSet(response, true)) return Unexpected{std::uint16_t{400}};
  d.state_ = response.statusCode() >= 200 ? DialogState::Confirmed : DialogState::Early;
  return d;
}

Result<Dialog, std::uint16_t> Dialog::createUas(const Message& request, std::string_view localTag) {
  if (!request.callId() || !request.from() || !request.to() || !request.cseq()) {
    return Unexpected{std::uint16_t{400}};
  }
  const std::string_view target = targetOf(request);
  if (target.empty()) return Unexpected{std::uint16_t{400}};
  Dialog d;
  d.uac_ = false;
  d.secure_ = request.requestUri().scheme == UriScheme::Sips;
  d.setText(*request.callId(), localTag, request.from()->tag, request.find(HeaderId::To)->value,
            request.to()->tag.empty() ? localTag : std::string_view{}, request.find(HeaderId::From)->value, target);
  d.remoteSeq_ = request.cseq()->number;
  d.hasRemoteSeq_ = true;
  if (!d.setRouteSet(request, false)) return Unexpected{std::uint16_t{400}};
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
  if (hasRemoteSeq_ && n < remoteSeq_) return 500;
  remoteSeq_ = n;
  hasRemoteSeq_ = true;
  return 0;
}

void Dialog::refreshTarget(const Message& m) { setTarget(m); }

bool Dialog::strictRouting() const {
  if (routeSet_.empty()) return false;
  Uri u;
  if (parseUriInto(uriText(routeSet_.front()), u) != nullptr) return false;
  return !(u.isSip() && u.sip.looseRoute());
}

std::string_view Dialog::nextHopUri() const {
  return routeSet_.empty() ? remoteTarget() : uriText(routeSet_.front());
}

std::optional<Destination> Dialog::nextHop(TransportType fallback) const {
  Uri u;
  if (parseUriInto(nextHopUri(), u) != nullptr) return std::nullopt;
  return destinationForUri(u, fallback);
}

std::uint32_t Dialog::buildRequest(MessageBuilder& b, std::string_view method, std::string_view via,
                                   std::uint32_t cseq) {
  if (cseq == 0) cseq = ++localSeq_;
  const bool strict = strictRouting();
  if (strict) {
    b.request(method, requestUriFromRoute(uriText(routeSet_.front())));
  } else {
    b.request(method, remoteTarget());
  }
  b.header(HeaderId::Via, via);
  for (std::size_t i = strict ? 1 : 0; i < routeSet_.size(); ++i) b.header(HeaderId::Route, routeSet_[i]);
  if (strict) b.headerParts(HeaderId::Route, {"<", remoteTarget(), ">"});
  b.header(HeaderId::MaxForwards, std::uint32_t{70});
  b.header(HeaderId::From, localUri());
  b.header(HeaderId::To, remoteUri());
  b.header(HeaderId::CallId, callId());
  char num[16];
  std::snprintf(num, sizeof num, "%u ", cseq);
  b.headerParts(HeaderId::CSeq, {num, method});
  return cseq;
}

}  // namespace siptgw::sip
