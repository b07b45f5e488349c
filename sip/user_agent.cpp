#include "sip/user_agent.h"

#include <algorithm>
#include <charconv>

#include "sip/message_builder.h"

namespace siptgw::sip {

namespace {

constexpr std::string_view kAllow = "INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, INFO, OPTIONS";
constexpr std::string_view kSdp = "application/sdp";

// Adds raw "Name: value\r\n" lines to a builder.
void addRaw(MessageBuilder& b, std::string_view lines) {
  while (!lines.empty()) {
    std::size_t eol = lines.find("\r\n");
    std::string_view line = lines.substr(0, eol);
    lines = eol == std::string_view::npos ? std::string_view{} : lines.substr(eol + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    b.header(name, value);
  }
}

std::string u32(std::uint32_t v) {
  char buf[10];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

}  // namespace

std::string_view toString(SessionState s) {
  switch (s) {
    case SessionState::Calling: return "Calling";
    case SessionState::Incoming: return "Incoming";
    case SessionState::Early: return "Early";
    case SessionState::WaitingAck: return "WaitingAck";
    case SessionState::Confirmed: return "Confirmed";
    case SessionState::Terminating: return "Terminating";
    case SessionState::Terminated: return "Terminated";
  }
  return "?";
}

std::string_view toString(EndReason r) {
  switch (r) {
    case EndReason::LocalBye: return "LocalBye";
    case EndReason::RemoteBye: return "RemoteBye";
    case EndReason::Rejected: return "Rejected";
    case EndReason::Cancelled: return "Cancelled";
    case EndReason::NoAck: return "NoAck";
    case EndReason::Rel1xxTimeout: return "Rel1xxTimeout";
    case EndReason::Timeout: return "Timeout";
    case EndReason::TransportError: return "TransportError";
    case EndReason::DialogLost: return "DialogLost";
    case EndReason::SessionExpired: return "SessionExpired";
  }
  return "?";
}

// ---------------------------------------------------------------- InviteSession

InviteSession::InviteSession(UserAgent& ua, SessionId id, bool uac)
    : ua_(ua), id_(id), state_(uac ? SessionState::Calling : SessionState::Incoming), uac_(uac) {
  seTimer_.bind(ua.clock_);
}

InviteSession::~InviteSession() = default;

InviteSession::Reliable1xx& InviteSession::rel() {
  if (!rel_) {
    rel_ = std::make_unique<Reliable1xx>();
    rel_->retransmit.bind(ua_.clock_);
    rel_->giveUp.bind(ua_.clock_);
  }
  return *rel_;
}

InviteSession::Ok2xx& InviteSession::ok() {
  if (!ok_) {
    ok_ = std::make_unique<Ok2xx>();
    ok_->retransmit.bind(ua_.clock_);
    ok_->giveUp.bind(ua_.clock_);
  }
  return *ok_;
}

InviteSession::UacSetup& InviteSession::setup() {
  if (!setup_) setup_ = std::make_unique<UacSetup>();
  return *setup_;
}

InviteSession::Offers& InviteSession::offers() {
  if (!offers_) {
    offers_ = std::make_unique<Offers>();
    offers_->retry.bind(ua_.clock_);
  }
  return *offers_;
}

InviteSession::Received& InviteSession::received() {
  if (!received_) received_ = std::make_unique<Received>();
  return *received_;
}

// RFC 3262: once the final response is out and no reliable provisional awaits its PRACK,
// nothing reads the 100rel state again.
void InviteSession::freeRel1xxWhenDone() {
  if (rel_ && finalCode_ != 0 && !rel_->pending) rel_.reset();
}

bool InviteSession::hasPart(SessionPart p) const {
  switch (p) {
    case SessionPart::Reliable1xx: return rel_ != nullptr;
    case SessionPart::Ok2xx: return ok_ != nullptr;
    case SessionPart::SentAck: return ack_ != nullptr;
    case SessionPart::UacSetup: return setup_ != nullptr;
    case SessionPart::Offers: return offers_ != nullptr;
    case SessionPart::Received: return received_ != nullptr;
    case SessionPart::Preconditions: return pre_ != nullptr;
  }
  return false;
}

namespace {
const std::string kEmpty;
const std::vector<std::string> kNoStrings;
const std::vector<Dialog> kNoDialogs;
}  // namespace

const std::vector<Dialog>& InviteSession::earlyDialogs() const { return setup_ ? setup_->early : kNoDialogs; }
const std::string& InviteSession::remoteReason() const { return received_ ? received_->remoteReason : kEmpty; }
const std::string& InviteSession::lastBody() const { return received_ ? received_->lastBody : kEmpty; }
const std::string& InviteSession::lastBodyType() const { return received_ ? received_->lastBodyType : kEmpty; }
const std::vector<std::string>& InviteSession::peerInfoPackages() const {
  return received_ ? received_->infoPackages : kNoStrings;
}

void InviteSession::noteRemoteReason(const Message& m) {
  if (const HeaderField* h = m.find(HeaderId::Reason)) received().remoteReason = h->value;
}

const Dialog* InviteSession::dialog() const {
  if (dialog_) return &*dialog_;
  return setup_ == nullptr || setup_->early.empty() ? nullptr : &setup_->early.back();
}

Dialog* InviteSession::activeDialog() {
  if (dialog_) return &*dialog_;
  return setup_ == nullptr || setup_->early.empty() ? nullptr : &setup_->early.back();
}

Dialog* InviteSession::earlyDialog(std::string_view remoteTag) {
  if (!setup_) return nullptr;
  for (Dialog& d : setup_->early) {
    if (d.remoteTag() == remoteTag) return &d;
  }
  return nullptr;
}

Dialog* InviteSession::dialogWithKey(std::string_view key) {
  if (dialog_ && dialog_->hasKey(key)) return &*dialog_;
  if (setup_) {
    for (Dialog& e : setup_->early) {
      if (e.hasKey(key)) return &e;
    }
  }
  return nullptr;
}

std::string_view InviteSession::localTag() const {
  if (dialog_ && !uac_) return dialog_->localTag();  // UAS: the tag the dialog was made with
  return setup_ ? std::string_view(setup_->localTag) : std::string_view{};
}

void InviteSession::addContact(MessageBuilder& b) const {
  const std::string_view param = transport_ == TransportType::Tcp   ? ";transport=tcp"
                                 : transport_ == TransportType::Tls ? ";transport=tls"
                                                                    : "";
  b.headerParts(HeaderId::Contact, {"<sip:", ua_.cfg_.user, "@", ua_.transport_.sentBy(transport_, dst_.remote.v6),
                                    param, ">"});
}

TxnId InviteSession::sendInDialog(Dialog& d, std::string_view method, std::string_view extra,
                                  std::string_view body, std::string_view ctype) {
  Destination nd = d.nextHop(transport_).value_or(dst_);
  if (isReliable(nd.transport) && nd.transport == dst_.transport) nd.connection = dst_.connection;
  std::string out;
  MessageBuilder b(out);
  d.buildRequest(b, method, ua_.via(nd));
  if (method == "INVITE" || method == "UPDATE") addContact(b);
  b.header(HeaderId::UserAgent, ua_.cfg_.product);
  addRaw(b, extra);
  b.finish(body, body.empty() ? std::string_view{} : ctype);
  auto r = ua_.layer_.sendRequest(std::move(out), nd);
  if (!r) return 0;
  ua_.bind(*r, *this);
  return *r;
}

void InviteSession::buildResponse(std::string& out, std::uint16_t code, std::string_view reason,
                                  std::string_view extra, std::string_view sdp, std::string_view ctype) {
  if (!invite_) return;  // answered and confirmed: nothing more answers the initial INVITE
  MessageBuilder b(out);
  appendResponseFor(b, *invite_, code, reason, localTag());
  if (code > 100 && code < 300) {
    b.copy(*invite_, HeaderId::RecordRoute);  // §12.1.1
    addContact(b);
    if (const std::string sup = ua_.supportedTags(); !sup.empty()) b.header(HeaderId::Supported, sup);
    b.header(HeaderId::Allow, kAllow);
  }
  b.header(HeaderId::Server, ua_.cfg_.product);
  addRaw(b, extra);
  b.finish(sdp, sdp.empty() ? std::string_view{} : ctype.empty() ? kSdp : ctype);
}

bool InviteSession::provisional(std::uint16_t code, std::string_view reason, std::string_view sdp,
                                bool reliable, std::string_view contentType) {
  if (uac_ || finalCode_ != 0 || state_ == SessionState::Terminated || code <= 100 || code >= 200) {
    return false;
  }
  if (reliable && peer100rel_ && ua_.cfg_.support100rel) {
    if (rel_ && rel_->pending) {
      rel_->queue.push_back({code, std::string(reason), std::string(sdp), std::string(contentType)});
      return true;
    }
    sendReliable(code, std::string(reason), std::string(sdp), std::string(contentType));
    return true;
  }
  // Unreliable: SDP only as a preview of the answer to the INVITE's offer (RFC 6337 §3.1.2);
  // a body without SDP (e.g. SIP-T ISUP) goes as given.
  const bool preview = oa_.state() == OaState::RemoteOffer || sdpOfBody(sdp, contentType).empty();
  std::string out;
  buildResponse(out, code, reason, {}, preview ? sdp : std::string_view{}, contentType);
  if (!ua_.layer_.respond(inviteTxn_, out)) return false;
  state_ = SessionState::Early;
  return true;
}

void InviteSession::sendReliable(std::uint16_t code, std::string reason, std::string sdp, std::string ctype) {
  std::string_view body;
  const std::string_view part = sdpOfBody(sdp, ctype);
  bool withSdp = false;
  if (!part.empty()) {
    if (oa_.state() == OaState::RemoteOffer) {
      oa_.sendAnswer();
      withSdp = true;
    } else if (oa_.state() == OaState::Stable) {
      oa_.sendOffer();  // RFC 3262 §5: an offer in a reliable provisional
      withSdp = true;
    }
    if (withSdp) {
      localSdp_ = part;
      body = sdp;
      if (pre_ && part.size() == sdp.size()) body = ourSdp();  // plain SDP: with our status
    }
  } else {
    body = sdp;  // no session description: e.g. ISUP alone (RFC 3204)
  }
  if (rseq_ == 0) {
    rseq_ = static_cast<std::uint32_t>(ua_.rng_() % 0x7ffffff0u) + 1;  // RFC 3262 §3: 1..2^31-1
  } else {
    ++rseq_;
  }
  Reliable1xx& r = rel();
  r.bytes.clear();
  buildResponse(r.bytes, code, reason, "Require: 100rel\r\nRSeq: " + u32(rseq_) + "\r\n" + recvInfoHeader(), body,
                ctype);
  r.pending = true;
  r.hasSdp = withSdp;
  state_ = SessionState::Early;
  if (!ua_.layer_.respond(inviteTxn_, r.bytes)) return;
  const TimerConfig& tc = ua_.layer_.config().timers;
  r.interval = tc.rel1xxInitial();
  r.retransmit.start(r.interval, [this] { retransmitRel1xx(); });
  r.giveUp.start(64 * tc.t1, [this] {
    rel_->retransmit.stop();
    rel_->queue.clear();
    rel_->answerDeferred = false;
    std::string out;
    buildResponse(out, ua_.cfg_.rel1xxFailCode, "Server Time-out", {}, {});
    static_cast<void>(ua_.layer_.respond(inviteTxn_, out));
    finalCode_ = ua_.cfg_.rel1xxFailCode;
    end(EndReason::Rel1xxTimeout, finalCode_);
  });
}

void InviteSession::retransmitRel1xx() {
  if (!rel_ || !rel_->pending || finalCode_ != 0) return;
  ++ua_.stats_.rel1xxRetransmits;
  static_cast<void>(ua_.layer_.respond(inviteTxn_, rel_->bytes));
  rel_->interval *= 2;  // RFC 3262 §3: doubles (no T2 cap)
  rel_->retransmit.start(rel_->interval, [this] { retransmitRel1xx(); });
}

bool InviteSession::answer(std::string_view sdp, std::string_view contentType) {
  if (uac_ || finalCode_ != 0 || state_ == SessionState::Terminated) return false;
  const std::string_view part = sdpOfBody(sdp, contentType);
  // Not plain SDP: the application's full body (e.g. SDP + ISUP) goes out as given.
  const bool plain = part.data() == sdp.data() && part.size() == sdp.size();
  const std::string_view fullBody = plain ? std::string_view{} : sdp;
  if (rel_) {
    rel_->queue.clear();  // no provisional after the final response
    if (rel_->pending && rel_->hasSdp) {  // RFC 3262 §3: wait for its PRACK
      if (!part.empty()) localSdp_ = part;
      rel_->answerDeferred = true;
      rel_->answerBody = fullBody;
      rel_->answerCtype = contentType;
      return true;
    }
  }
  if (!part.empty()) localSdp_ = part;
  sendAnswerNow(fullBody, contentType);
  return true;
}

void InviteSession::sendAnswerNow(std::string_view fullBody, std::string_view fullCtype) {
  if (rel_) {
    rel_->answerDeferred = false;
    rel_->retransmit.stop();
    rel_->giveUp.stop();
  }
  std::string_view body;
  if (oa_.state() == OaState::RemoteOffer) {
    oa_.sendAnswer();
    body = ourSdp();
  } else if (oa_.state() == OaState::Stable && !oa_.completed() && !localSdp_.empty()) {
    oa_.sendOffer();  // INVITE without offer: the 2xx offers, the ACK answers
    body = ourSdp();
  }
  std::string_view ctype;
  if (!fullBody.empty() && (!body.empty() || sdpOfBody(fullBody, fullCtype).empty())) {
    body = fullBody;  // the application's full body (e.g. SDP + ISUP)
    ctype = fullCtype;
  }
  std::string extra = recvInfoHeader();
  if (seInterval_ != 0) {
    if (extra.empty()) {
      extra = timerResponseHeaders();  // moved in, not copied
    } else {
      extra += timerResponseHeaders();
    }
  }
  Ok2xx& o = ok();
  o.bytes.clear();
  buildResponse(o.bytes, 200, "OK", extra, body, ctype);
  finalCode_ = 200;
  if (!ua_.layer_.respond(inviteTxn_, o.bytes)) {
    end(EndReason::TransportError, 503);
    return;
  }
  startSessionTimer();
  ++ua_.stats_.answered;
  if (dialog_) dialog_->confirm();
  state_ = SessionState::WaitingAck;
  start2xxRetransmission(inviteCSeq_, dst_, false);
  if (rel_) {
    // A reliable 1xx still unacknowledged is not resent after the final response, but its
    // PRACK may yet come (RFC 3262 §3).
    std::string().swap(rel_->bytes);
    freeRel1xxWhenDone();
  }
}

// §13.3.1.4: ok_->bytes (just sent) goes again from T1 doubling to T2 until the ACK with
// CSeq `cseq` — "even if the transport at the UAS is reliable": the 2xx goes end to end and
// a later hop may be UDP. No ACK after 64·T1: the dialog is confirmed, the session ends
// with BYE.
void InviteSession::start2xxRetransmission(std::uint32_t cseq, const Destination& dst, bool isReinvite) {
  Ok2xx& o = *ok_;
  o.cseq = cseq;
  o.dst = dst;
  o.isReinvite = isReinvite;
  const TimerConfig& tc = ua_.layer_.config().timers;
  o.interval = tc.t1;
  o.retransmit.start(o.interval, [this] { retransmit2xx(); });
  o.giveUp.start(64 * tc.t1, [this] {
    ok_->retransmit.stop();
    if (Dialog* d = activeDialog()) sendInDialog(*d, "BYE", {}, {}, {});
    end(EndReason::NoAck, 408);
  });
}

void InviteSession::retransmit2xx() {
  if (state_ != SessionState::WaitingAck || !ok_) return;
  ++ua_.stats_.ok2xxRetransmits;
  ua_.layer_.sendStateless(ok_->dst, ok_->bytes);
  ok_->interval = std::min(ok_->interval * 2, ua_.layer_.config().timers.t2);
  ok_->retransmit.start(ok_->interval, [this] { retransmit2xx(); });
}

bool InviteSession::reject(std::uint16_t code, std::string_view reason, std::string_view reasonHeader) {
  if (uac_ || finalCode_ != 0 || state_ == SessionState::Terminated || code < 300) return false;
  rel_.reset();  // a final response: no provisional is resent or queued any more
  std::string extra;
  if (!reasonHeader.empty()) extra.append("Reason: ").append(reasonHeader).append("\r\n");
  std::string out;
  buildResponse(out, code, reason, extra, {});
  static_cast<void>(ua_.layer_.respond(inviteTxn_, out));
  finalCode_ = code;
  end(EndReason::Rejected, code);
  return true;
}

bool InviteSession::bye(std::string_view reasonHeader) {
  if (state_ == SessionState::Terminated || state_ == SessionState::Terminating) return false;
  if (uac_ && finalCode_ == 0) return cancel(reasonHeader);
  if (!uac_ && finalCode_ == 0) return false;  // reject() instead
  if (state_ == SessionState::WaitingAck && ok_ && !ok_->isReinvite) {
    ok_->byeAfterAck = true;  // §15: not before the ACK (or its timeout)
    ok_->byeReason = reasonHeader;
    return true;
  }
  Dialog* d = activeDialog();
  if (d == nullptr) return false;
  std::string extra;
  if (!reasonHeader.empty()) extra.append("Reason: ").append(reasonHeader).append("\r\n");
  if (sendInDialog(*d, "BYE", extra, {}, {}) == 0) {
    // Not even sent (the transport refused it, or the request would not parse): the session
    // ends now, as after a BYE's 408 or 503 (§15.1.1: it ends whatever the BYE's fate).
    end(EndReason::LocalBye, 503);
    return true;
  }
  state_ = SessionState::Terminating;
  return true;
}

bool InviteSession::cancel(std::string_view reasonHeader) {
  if (!uac_ || finalCode_ != 0 || cancelSent_ || state_ == SessionState::Terminated) return false;
  setup().cancelReason = reasonHeader;
  if (!gotProvisional_) {  // §9.1: not before a provisional response
    cancelPending_ = true;
    return true;
  }
  cancelSent_ = static_cast<bool>(ua_.layer_.sendCancel(inviteTxn_, setup_->cancelReason));
  return cancelSent_;
}

bool InviteSession::update(std::string_view sdp) {
  Dialog* d = activeDialog();
  if (d == nullptr || state_ == SessionState::Terminated || !oa_.sendOffer()) return false;
  localSdp_ = sdp;
  offers().updateSdp = sdp;
  sendInDialog(*d, "UPDATE", seInterval_ != 0 && finalCode_ / 100 == 2 ? timerRequestHeaders() : std::string(), sdp,
               kSdp);
  return true;
}

void InviteSession::retryAfter491(std::function<void()> retry) {
  // §14.1: the Call-ID owner (our UAC role) waits 2.1-4 s, the other side 0-2 s, in 10 ms units.
  const std::uint32_t ms = uac_ ? 2100 + 10 * static_cast<std::uint32_t>(ua_.rng_() % 191)
                                : 10 * static_cast<std::uint32_t>(ua_.rng_() % 201);
  offers().retry.start(ms, std::move(retry));
}

bool InviteSession::reinvite(std::string_view sdp) {
  if (state_ != SessionState::Confirmed || !dialog_ || reinviteTxn_ != 0) return false;
  if (sdp.empty() ? oa_.state() != OaState::Stable : !oa_.sendOffer()) return false;
  if (!sdp.empty()) localSdp_ = sdp;
  offers().reinviteSdp = sdp;
  std::string extra;
  extra.append("Allow: ").append(kAllow).append("\r\n");
  if (seInterval_ != 0) extra += timerRequestHeaders();  // every re-INVITE refreshes (RFC 4028 §7.4)
  reinviteTxn_ = sendInDialog(*dialog_, "INVITE", extra, sdp, kSdp);
  if (reinviteTxn_ == 0) {
    oa_.rollbackLocal();
    return false;
  }
  ++ua_.stats_.reinvitesOut;
  return true;
}

void InviteSession::onReinviteResponse(const Message& rsp) {
  const std::uint16_t code = rsp.statusCode();
  if (code < 200 || state_ == SessionState::Terminated) return;
  if (code < 300 && ack_ && rsp.cseq()->number == ack_->cseq) {  // retransmitted 2xx
    ++ua_.stats_.ackResent;
    ua_.layer_.sendStateless(ack_->dst, ack_->bytes);
    return;
  }
  reinviteTxn_ = 0;
  if (code < 300) {
    if (!dialog_) return;
    dialog_->refreshTarget(rsp);  // §12.2.1.2
    if (const BodyView bv = inspect(rsp);
        bv.kind == SdpBody::Sdp && (oa_.state() == OaState::LocalOffer || oa_.state() == OaState::Stable)) {
      oa_.receive();  // our offer's answer, or (re-INVITE without offer) the 2xx's offer
      setRemoteSdp(bv.sdp);
    }
    sendAck(*dialog_, rsp, false);  // answers a 2xx offer
    timerFromResponse(rsp);
    ua_.handler_.onReinviteResult(*this, rsp);
    return;
  }
  oa_.rollbackLocal();  // RFC 6337 §3.1.1: the session stays as before the re-INVITE
  const std::string sdp = offers_ ? offers_->reinviteSdp : std::string();
  if (code == 422 && bumpMinSE(rsp)) {  // RFC 4028 §7.4: again with the larger interval
    if (reinvite(sdp)) return;
  }
  if (code == 491) retryAfter491([this, sdp] { reinvite(sdp); });
  ua_.handler_.onReinviteResult(*this, rsp);
  if (code == 481 || code == 408) onInDialogFailure(code);
}

void InviteSession::onReinviteFailure(TxnFailure f) {
  reinviteTxn_ = 0;
  oa_.rollbackLocal();
  onInDialogFailure(equivalentStatus(f));
}

void InviteSession::onInDialogFailure(std::uint16_t code) {
  // §12.2.1.2 / §14.1: 481 means the dialog is gone; a 408 or timeout ends it with BYE.
  if (state_ == SessionState::Terminated || finalCode_ / 100 != 2) return;
  if (code == 481) return end(EndReason::DialogLost, code);
  if (Dialog* d = activeDialog(); d != nullptr && state_ != SessionState::Terminating) {
    sendInDialog(*d, "BYE", {}, {}, {});
  }
  end(EndReason::Timeout, code);
}

BodyView InviteSession::inspect(const Message& m) {
  BodyView bv = inspectBody(m, ua_.cfg_.acceptedBodyTypes);
  if (bv.multipart && bv.kind != SdpBody::Unsupported && bv.kind != SdpBody::Malformed) keepBody(m);
  return bv;
}

void InviteSession::keepBody(const Message& m) {
  Received& r = received();
  r.lastBody = m.body();
  const HeaderField* ct = m.find(HeaderId::ContentType);
  r.lastBodyType = ct != nullptr ? ct->value : std::string_view{};
  if (auto parts = lastBodyParts()) ua_.handler_.onBodyParts(*this, m, *parts);
}

Result<MultipartBody, ParseError> InviteSession::lastBodyParts() const {
  const auto ct = parseContentType(lastBodyType());
  if (!ct) return Unexpected<ParseError>{ct.error()};
  return parseMultipart(lastBody(), ct->param("boundary"));
}

// ---- RFC 3312 preconditions

void InviteSession::setRemoteSdp(std::string_view sdp) {
  remoteSdp_ = sdp;
  if (!pre_) return;
  pre_->applyRemote(remoteSdp_);
  const SessionId id = id_;
  UserAgent& ua = ua_;
  ua_.clock_.post([&ua, id] {
    if (InviteSession* s = ua.find(id)) s->checkPreconditions();
  });
}

namespace {

// RFC 3264 §8: a changed description carries the next o= version.
std::string withNextVersion(std::string_view sdp) {
  std::string out(sdp);
  const std::size_t o = out.find("o=");
  if (o == std::string::npos) return out;
  std::size_t p = o;
  for (int field = 0; field < 2 && p != std::string::npos; ++field) p = out.find(' ', p + 1);
  if (p == std::string::npos) return out;
  const std::size_t end = out.find(' ', p + 1);
  if (end == std::string::npos) return out;
  std::uint64_t v = 0;
  for (std::size_t i = p + 1; i < end; ++i) {
    if (out[i] < '0' || out[i] > '9') return out;
    v = v * 10 + static_cast<std::uint64_t>(out[i] - '0');
  }
  out.replace(p + 1, end - p - 1, std::to_string(v + 1));
  return out;
}

}  // namespace

std::string_view InviteSession::ourSdp() {
  if (pre_ && !localSdp_.empty()) {
    std::string next = pre_->rewrite(localSdp_);
    if (next != localSdp_) localSdp_ = withNextVersion(next);
    preUpdatePending_ = false;  // this SDP tells the peer our status
  }
  return localSdp_;
}

void InviteSession::checkPreconditions() {
  if (!pre_ || state_ == SessionState::Terminated) return;
  sendPreconditionUpdate();
  if (!preMetReported_ && pre_->met()) {
    preMetReported_ = true;
    ua_.handler_.onPreconditionsMet(*this);
  }
}

void InviteSession::sendPreconditionUpdate() {
  // RFC 3312 §6 / RFC 3311: by UPDATE once no offer is pending; while one is, the next
  // answer or this call after it carries the status.
  if (!preUpdatePending_ || activeDialog() == nullptr || oa_.state() != OaState::Stable || !oa_.completed()) return;
  if (!uac_ && !pre_->confirmRequested()) return;
  preUpdatePending_ = false;
  update(withNextVersion(pre_->rewrite(localSdp_)));
}

bool InviteSession::setLocalResources(bool ready) {
  if (!pre_ || state_ == SessionState::Terminated) return false;
  if (!ready) {
    pre_->setLocalFailed();
    if (!uac_ && finalCode_ == 0) {
      rejectPrecondition();
      return true;
    }
    return bye("SIP;cause=580;text=\"Precondition Failure\"");
  }
  pre_->setLocalReady(true);
  preUpdatePending_ = true;
  checkPreconditions();
  return true;
}

void InviteSession::rejectPrecondition() {
  rel_.reset();  // a final response: no provisional is resent or queued any more
  std::string out;
  buildResponse(out, 580, "Precondition Failure", {}, pre_->rewrite(localSdp_.empty() ? remoteSdp_ : localSdp_, true));
  static_cast<void>(ua_.layer_.respond(inviteTxn_, out));
  finalCode_ = 580;
  end(EndReason::Rejected, 580);
}

void InviteSession::onUpdateResponse(const Message& rsp) {
  const std::uint16_t code = rsp.statusCode();
  if (code < 300) {
    if (Dialog* d = activeDialog()) d->refreshTarget(rsp);
    if (const BodyView bv = inspect(rsp); bv.kind == SdpBody::Sdp && oa_.state() == OaState::LocalOffer) {
      oa_.receive();
      setRemoteSdp(bv.sdp);
    }
    if (finalCode_ / 100 == 2) timerFromResponse(rsp);
    return;
  }
  const bool hadOffer = oa_.state() == OaState::LocalOffer;  // else a bare session refresh
  oa_.rollbackLocal();
  auto again = [this, hadOffer] {
    if (hadOffer) {
      update(offers_ ? offers_->updateSdp : std::string());
    } else {
      sessionRefresh();
    }
  };
  if (code == 422 && bumpMinSE(rsp)) return again();  // RFC 4028 §7.4
  if (code == 491) return retryAfter491(again);
  if (code == 481 || code == 408) onInDialogFailure(code);
}

// ---- RFC 4028 session timer

bool InviteSession::buildInvite(std::uint32_t cseq) {
  std::string bytes;
  MessageBuilder b(bytes);
  const UacSetup& u = *setup_;
  b.request("INVITE", u.reqUri);
  b.header(HeaderId::Via, ua_.via(dst_));
  b.header(HeaderId::MaxForwards, u.maxForwards);
  // A name-addr is taken as it is (display name, RFC 3323 anonymous From); a bare URI is
  // put in angle brackets (§20.10: always, so its parameters stay URI parameters).
  const bool fromIsNameAddr = u.fromUri.find('<') != std::string::npos;
  const bool toIsNameAddr = u.toUri.find('<') != std::string::npos;
  b.headerParts(HeaderId::From, {fromIsNameAddr ? "" : "<", u.fromUri, fromIsNameAddr ? ";tag=" : ">;tag=", u.localTag});
  b.headerParts(HeaderId::To, {toIsNameAddr ? "" : "<", u.toUri, toIsNameAddr ? "" : ">"});
  b.header(HeaderId::CallId, u.callId);
  b.headerParts(HeaderId::CSeq, {u32(cseq), " INVITE"});
  addContact(b);
  if (const std::string sup = ua_.supportedTags(); !sup.empty()) b.header(HeaderId::Supported, sup);
  if (ua_.cfg_.require100rel && pre_) {
    b.header(HeaderId::Require, "100rel, precondition");
  } else if (ua_.cfg_.require100rel || pre_) {
    b.header(HeaderId::Require, pre_ ? "precondition" : "100rel");
  }
  b.header(HeaderId::Allow, kAllow);
  b.header(HeaderId::UserAgent, ua_.cfg_.product);
  addRaw(b, recvInfoHeader());
  if (seInterval_ != 0) {  // RFC 4028 §7.1
    const RefresherPref pref = ua_.cfg_.sessionTimer.refresher;
    std::string_view who = pref == RefresherPref::Local    ? ";refresher=uac"
                           : pref == RefresherPref::Remote ? ";refresher=uas"
                                                           : "";
    b.headerParts(HeaderId::SessionExpires, {u32(seInterval_), who});
    b.header(HeaderId::MinSE, u32(seMin_));
  }
  addRaw(b, u.extra);
  b.finish(u.body, u.body.empty() ? std::string_view{} : u.ctype.empty() ? kSdp : std::string_view(u.ctype));
  auto parsed = MessageRef::parse(bytes);
  if (!parsed) return false;
  invite_ = std::move(*parsed);
  inviteCSeq_ = cseq;
  return true;
}

std::uint16_t InviteSession::timerAsUas(const Message& req, std::string& rejectHeaders) {
  if (!ua_.cfg_.sessionTimer.enabled) return 0;
  const TimerConfig& tc = ua_.layer_.config().timers;
  peerTimer_ = req.hasOptionTag(HeaderId::Supported, "timer") || req.hasOptionTag(HeaderId::Require, "timer");
  const auto se = req.sessionExpires();
  const auto mse = req.minSE();
  const std::uint32_t reqMin = mse ? std::max<std::uint32_t>(mse->delta, 90) : 90;
  std::uint32_t interval = std::max(tc.sessionExpires, reqMin);  // §9: ours when none was asked
  Refresher who = Refresher::None;
  if (se) {
    // §9: 422 only to a UAC that understands it; else the interval stands as asked.
    if (se->delta < tc.minSE && peerTimer_) {
      rejectHeaders = "Min-SE: " + u32(tc.minSE) + "\r\n";
      return 422;
    }
    // §9: the UAS may lower the interval (not below the request's Min-SE), never raise it.
    interval = se->delta;
    if (tc.sessionExpires < interval) interval = std::max(tc.sessionExpires, reqMin);
    who = se->refresher;
  }
  if (!peerTimer_) {
    who = Refresher::Uas;  // §9: a UAC without the extension cannot refresh
  } else if (who == Refresher::None) {
    who = ua_.cfg_.sessionTimer.refresher == RefresherPref::Remote ? Refresher::Uac : Refresher::Uas;
  }
  seMin_ = std::max(tc.minSE, reqMin);
  seInterval_ = interval;
  seWeRefresh_ = who == Refresher::Uas;
  return 0;
}

void InviteSession::timerFromResponse(const Message& rsp) {
  if (!ua_.cfg_.sessionTimer.enabled) return;
  peerTimer_ = peerTimer_ || rsp.hasOptionTag(HeaderId::Require, "timer") ||
               rsp.hasOptionTag(HeaderId::Supported, "timer");
  const auto se = rsp.sessionExpires();
  if (!se) {
    // §7.2: the UAS lacks the extension. We asked for seInterval_ (every request of ours
    // carries it); either we refresh alone at that interval, or there is no expiration.
    if (seInterval_ != 0 && ua_.cfg_.sessionTimer.refreshAlone &&
        !rsp.hasOptionTag(HeaderId::Require, "timer")) {
      seWeRefresh_ = true;
      startSessionTimer();
      return;
    }
    seInterval_ = 0;
    seTimer_.stop();
    return;
  }
  seInterval_ = se->delta;
  seWeRefresh_ = se->refresher != Refresher::Uas;  // uac is us; absent leaves it to us (§7.2)
  startSessionTimer();
}

bool InviteSession::bumpMinSE(const Message& rsp422) {
  if (!ua_.cfg_.sessionTimer.enabled) return false;
  const auto m = rsp422.minSE();
  if (!m || m->delta <= seInterval_) return false;  // would not change anything: no loop
  seMin_ = std::max(seMin_, m->delta);
  seInterval_ = m->delta;
  return true;
}

std::string InviteSession::timerRequestHeaders() const {
  // §7.4: the refresher stays who it was, named from this request's point of view.
  return "Supported: timer\r\nSession-Expires: " + u32(seInterval_) +
         (seWeRefresh_ ? ";refresher=uac" : ";refresher=uas") + "\r\nMin-SE: " + u32(seMin_) + "\r\n";
}

std::string InviteSession::timerResponseHeaders() const {
  std::string h;
  h.reserve(64);  // one allocation, not one per concatenation
  h.append("Session-Expires: ").append(u32(seInterval_));
  h.append(seWeRefresh_ ? ";refresher=uas\r\n" : ";refresher=uac\r\n");
  if (peerTimer_) h.append("Require: timer\r\n");  // §9
  return h;
}

void InviteSession::startSessionTimer() {
  seTimer_.stop();
  if (seInterval_ == 0 || state_ == SessionState::Terminated) return;
  const std::uint64_t now = ua_.clock_.nowMs();
  seRefreshAt_ = seWeRefresh_ ? now + TimerConfig::sessionRefreshAfter(seInterval_) : 0;
  seExpiryAt_ = now + TimerConfig::sessionExpiryByeAfter(seInterval_);
  armSessionTimer();
}

// One timer for the refresh and the expiry, whichever is due first: a held call keeps one
// pending timer, not two. At the same instant the expiry wins (a refresh then is too late).
void InviteSession::armSessionTimer() {
  const bool refreshFirst = seRefreshAt_ != 0 && seRefreshAt_ < seExpiryAt_;
  const std::uint64_t at = refreshFirst ? seRefreshAt_ : seExpiryAt_;
  const std::uint64_t now = ua_.clock_.nowMs();
  seTimer_.start(static_cast<std::uint32_t>(at > now ? at - now : 0), [this, refreshFirst] {
    if (!refreshFirst) return sessionExpired();
    seRefreshAt_ = 0;
    sessionRefresh();
    // Still waiting for the expiry unless the refresh re-armed (busy: retry) or ended it.
    if (!seTimer_.running() && state_ != SessionState::Terminated) armSessionTimer();
  });
}

void InviteSession::sessionRefresh() {
  if (state_ == SessionState::Terminated || state_ == SessionState::Terminating || !dialog_) return;
  const bool useUpdate = ua_.cfg_.sessionTimer.preferUpdate && peerAllowsUpdate_;
  if (useUpdate) {  // RFC 4028 §7.4 / RFC 3311: no body, the session is unchanged
    ++ua_.stats_.sessionRefreshes;
    sendInDialog(*dialog_, "UPDATE", timerRequestHeaders(), {}, {});
    return;
  }
  // A re-INVITE with the SDP we already gave (same o= version): nothing changes (RFC 4028
  // §7.4, RFC 3264 §8). Busy with another INVITE or offer: try again in a second.
  const std::string sdp = localSdp_;
  if (state_ == SessionState::Confirmed && oa_.state() == OaState::Stable && reinvite(sdp)) {
    ++ua_.stats_.sessionRefreshes;
    return;
  }
  seRefreshAt_ = ua_.clock_.nowMs() + 1000;
  armSessionTimer();
}

void InviteSession::sessionExpired() {
  if (state_ == SessionState::Terminated || state_ == SessionState::Terminating) return;
  if (Dialog* d = activeDialog()) {
    sendInDialog(*d, "BYE", "Reason: SIP;cause=408;text=\"Session timer expired\"\r\n", {}, {});
  }
  end(EndReason::SessionExpired, 408);
}

void InviteSession::onInfo(Transaction& t, const Message& req) {
  if (!req.has(HeaderId::InfoPackage)) {  // RFC 2976 legacy INFO
    ua_.respond(t, req, 200, "OK");
    ua_.handler_.onInfo(*this, req, {});
    return;
  }
  const auto pkg = req.infoPackage();
  const auto& ours = ua_.cfg_.infoPackages;
  if (!pkg || std::none_of(ours.begin(), ours.end(), [&](const std::string& p) { return iequals(p, pkg->name); })) {
    return ua_.respond(t, req, 469, "Bad Info Package", recvInfoHeader());  // RFC 6086 §4.2.2
  }
  ua_.respond(t, req, 200, "OK");
  ua_.handler_.onInfo(*this, req, pkg->name);
}

void InviteSession::notePeerRecvInfo(const Message& m) {
  if (!m.has(HeaderId::RecvInfo)) return;  // §5.2: absent leaves the last list in force
  peerRecvInfo_ = true;
  if (received_) received_->infoPackages.clear();
  m.forEachValue(HeaderId::RecvInfo, [this](std::string_view v, const HeaderField&) {
    if (auto p = parseInfoPackage(v)) received().infoPackages.emplace_back(p->name);
    return true;
  });
}

std::string InviteSession::recvInfoHeader() const {
  // RFC 6086 §5.2: when we take packages, or to a peer using the framework (then possibly empty).
  const auto& ours = ua_.cfg_.infoPackages;
  if (ours.empty() && !peerRecvInfo_) return {};
  std::string h = "Recv-Info: ";
  for (std::size_t i = 0; i < ours.size(); ++i) h.append(i ? ", " : "").append(ours[i]);
  return h.append("\r\n");
}

bool InviteSession::peerAcceptsInfo(std::string_view infoPackage) const {
  const std::vector<std::string>& theirs = peerInfoPackages();
  return std::any_of(theirs.begin(), theirs.end(),
                     [&](const std::string& p) { return iequals(p, infoPackage); });
}

bool InviteSession::info(std::string_view contentType, std::string_view body, std::string_view infoPackage) {
  Dialog* d = activeDialog();
  if (d == nullptr || state_ == SessionState::Terminated) return false;
  if (!infoPackage.empty() && !peerAcceptsInfo(infoPackage)) return false;  // RFC 6086 §4.2.1
  std::string extra;
  if (!infoPackage.empty()) extra.append("Info-Package: ").append(infoPackage).append("\r\n");
  sendInDialog(*d, "INFO", extra, body, contentType);
  return true;
}

void InviteSession::end(EndReason why, std::uint16_t code) {
  if (state_ == SessionState::Terminated) return;
  const SessionState was = state_;
  state_ = SessionState::Terminated;
  rel_.reset();  // their timers stop with them
  ok_.reset();
  if (offers_) offers_->retry.stop();
  seTimer_.stop();
  if (dialog_) dialog_->terminate();
  UaStats& st = ua_.stats_;
  switch (why) {
    case EndReason::LocalBye:
    case EndReason::RemoteBye:
      // A BYE while we wait for the ACK also ends an answered call (the ACK was lost).
      if (was == SessionState::Confirmed || was == SessionState::Terminating ||
          was == SessionState::WaitingAck)
        ++st.completed;
      break;
    case EndReason::Rejected: ++st.rejected; break;
    case EndReason::Cancelled: ++st.cancelled; break;
    case EndReason::SessionExpired: ++st.expired; break;  // the peer stopped refreshing: no fault of ours
    default: ++st.failed; break;
  }
  ua_.handler_.onTerminated(*this, why, code);
  ua_.finished(*this);
}

void InviteSession::sendAck(Dialog& d, const Message& ok, bool sendBye) {
  Destination nd = d.nextHop(transport_).value_or(dst_);
  if (isReliable(nd.transport) && nd.transport == dst_.transport) nd.connection = dst_.connection;
  std::string out;
  MessageBuilder b(out);
  d.buildRequest(b, "ACK", ua_.via(nd), ok.cseq()->number);
  b.header(HeaderId::UserAgent, ua_.cfg_.product);
  std::string answerSdp;
  if (!sendBye && oa_.state() == OaState::RemoteOffer) {  // offer in the 2xx: answer in the ACK
    ua_.handler_.onOffer(*this, remoteSdp_, answerSdp);
    if (answerSdp.empty()) answerSdp = localSdp_;
    if (!answerSdp.empty()) oa_.sendAnswer();
  }
  b.finish(answerSdp, answerSdp.empty() ? std::string_view{} : kSdp);
  ua_.layer_.sendStateless(nd, out);
  if (!sendBye) {
    if (!ack_) ack_ = std::make_unique<SentAck>();
    ack_->bytes = std::move(out);
    ack_->dst = nd;
    ack_->cseq = ok.cseq()->number;
  } else {
    sendInDialog(d, "BYE", {}, {}, {});
  }
}

void InviteSession::onInviteResponse(const Message& rsp) {
  const std::uint16_t code = rsp.statusCode();
  if (code == 100) {  // §9.1: any provisional response, 100 included, lets a held CANCEL go
    if (finalCode_ == 0 && state_ != SessionState::Terminated) {
      gotProvisional_ = true;
      if (cancelPending_ && !cancelSent_) {
        cancelPending_ = false;
        cancelSent_ = static_cast<bool>(ua_.layer_.sendCancel(inviteTxn_, setup().cancelReason));
      }
    }
    return;
  }
  noteRemoteReason(rsp);
  const std::string_view tag = rsp.to() ? rsp.to()->tag : std::string_view{};
  // A 2xx once confirmed is a retransmission or another fork's: not news for the application.
  const bool repeat2xx = code >= 200 && code < 300 && dialog_;
  const BodyView bv = repeat2xx ? inspectBody(rsp, ua_.cfg_.acceptedBodyTypes) : inspect(rsp);
  const SdpBody body = bv.kind;
  if (code < 300) notePeerRecvInfo(rsp);
  if (code < 200) {
    if (finalCode_ != 0 || state_ == SessionState::Terminated) return;
    gotProvisional_ = true;
    if (cancelPending_ && !cancelSent_) {
      cancelPending_ = false;
      cancelSent_ = static_cast<bool>(ua_.layer_.sendCancel(inviteTxn_, setup().cancelReason));
    }
    Dialog* d = nullptr;
    if (!tag.empty()) {
      d = earlyDialog(tag);
      if (d == nullptr) {
        auto nd = Dialog::createUac(*invite_, rsp);
        if (nd) {
          std::vector<Dialog>& early = setup().early;
          early.push_back(std::move(*nd));
          d = &early.back();
          ua_.bindDialog(*d, *this);
        }
      } else {
        d->onResponseToInitial(rsp);
      }
    }
    if (state_ == SessionState::Calling) state_ = SessionState::Early;
    const bool reliable = ua_.cfg_.support100rel && rsp.hasOptionTag(HeaderId::Require, "100rel") &&
                          rsp.rseq() && d != nullptr;
    if (reliable) {
      const std::uint32_t rseq = *rsp.rseq();
      // RFC 3262 §4: only the next in sequence is processed and PRACKed.
      if (d->lastRSeq != 0 && rseq != d->lastRSeq + 1) return;
      d->lastRSeq = rseq;
      std::string answerSdp;
      if (body == SdpBody::Sdp) {
        const OfferAnswer::Rx rx = oa_.receive();
        if (rx == OfferAnswer::Rx::Answer || rx == OfferAnswer::Rx::Offer) setRemoteSdp(bv.sdp);
        if (rx == OfferAnswer::Rx::Offer) {
          ua_.handler_.onOffer(*this, remoteSdp_, answerSdp);
          if (answerSdp.empty()) answerSdp = localSdp_;
          if (!answerSdp.empty()) oa_.sendAnswer();
        }
      }
      std::string extra = "RAck: " + u32(rseq) + " " + u32(inviteCSeq_) + " INVITE\r\n";
      ++ua_.stats_.prackOut;
      sendInDialog(*d, "PRACK", extra, answerSdp, kSdp);
    } else if (body == SdpBody::Sdp && remoteSdp_.empty()) {
      remoteSdp_ = bv.sdp;  // early media preview: offer/answer and preconditions unchanged
    }
    ua_.handler_.onProvisional(*this, rsp);
    return;
  }
  if (code < 300) {
    if (dialog_) {
      if (dialog_->remoteTag() == tag) {  // a retransmission of the 2xx: ACK again
        if (!ack_ || rsp.cseq()->number != ack_->cseq) return;
        ++ua_.stats_.ackResent;
        ua_.layer_.sendStateless(ack_->dst, ack_->bytes);
      } else if (auto nd = Dialog::createUac(*invite_, rsp)) {  // §13.2.2.4: another fork
        sendAck(*nd, rsp, true);
      }
      return;
    }
    if (state_ == SessionState::Terminated) return;
    Dialog* chosen = earlyDialog(tag);
    if (chosen != nullptr) {
      dialog_ = std::move(*chosen);
      dialog_->onResponseToInitial(rsp);
    } else {
      auto nd = Dialog::createUac(*invite_, rsp);
      if (!nd) return;
      dialog_ = std::move(*nd);
      ua_.bindDialog(*dialog_, *this);
    }
    // The final response: the other forks' early dialogs end (§13.2.2.4) and the INVITE
    // will not be rebuilt; only a CANCEL that crossed the 2xx still needs its Reason.
    std::unique_ptr<UacSetup> done = std::move(setup_);
    if (done) {
      for (const Dialog& e : done->early) {
        if (&e != chosen) ua_.unbindDialog(e, *this);
      }
    }
    finalCode_ = code;
    ++ua_.stats_.answered;
    // §13.2.1: the answer to the INVITE's offer, or an offer when none was made; a
    // 2xx repeating an answer already given in a reliable 1xx changes nothing.
    if (body == SdpBody::Sdp &&
        (oa_.state() == OaState::LocalOffer || (oa_.state() == OaState::Stable && !oa_.completed()))) {
      oa_.receive();
      setRemoteSdp(bv.sdp);
    }
    if (cancelSent_ || cancelPending_) {  // the 2xx crossed our CANCEL: ACK, then BYE
      sendAck(*dialog_, rsp, false);
      Dialog& d = *dialog_;
      std::string extra;
      if (done && !done->cancelReason.empty()) extra.append("Reason: ").append(done->cancelReason).append("\r\n");
      if (sendInDialog(d, "BYE", extra, {}, {}) == 0) return end(EndReason::LocalBye, 503);
      state_ = SessionState::Terminating;
      return;
    }
    sendAck(*dialog_, rsp, false);
    state_ = SessionState::Confirmed;
    peerAllowsUpdate_ = rsp.hasOptionTag(HeaderId::Allow, "UPDATE");
    timerFromResponse(rsp);
    ++ua_.stats_.confirmed;
    ua_.handler_.onAnswered(*this, rsp);
    return;
  }
  if (state_ == SessionState::Terminated || finalCode_ != 0) return;
  if (code == 422 && ua_.cfg_.sessionTimer.enabled && !retried422_ && !cancelSent_ && !cancelPending_ &&
      bumpMinSE(rsp)) {
    // RFC 4028 §7.3: once more with Session-Expires raised to the 422's Min-SE, new CSeq,
    // same Call-ID and From tag.
    retried422_ = true;
    if (buildInvite(inviteCSeq_ + 1)) {
      if (auto r = ua_.layer_.sendRequest(invite_, dst_)) {
        inviteTxn_ = *r;
        ua_.bind(*r, *this);
        return;
      }
    }
  }
  finalCode_ = code;
  end(code == 487 && cancelSent_ ? EndReason::Cancelled : EndReason::Rejected, code);
}

void InviteSession::onInviteFailure(TxnFailure f) {
  if (finalCode_ != 0) return;
  finalCode_ = equivalentStatus(f);
  // §9.1: our CANCEL got no final response to the INVITE in 64·T1: cancelled all the same.
  if (cancelSent_ && f == TxnFailure::Timeout) return end(EndReason::Cancelled, finalCode_);
  end(f == TxnFailure::Timeout ? EndReason::Timeout : EndReason::TransportError, finalCode_);
}

void InviteSession::onAck(const Message& ack) {
  if (state_ != SessionState::WaitingAck || !ok_ || !ack.cseq() || ack.cseq()->number != ok_->cseq) return;
  const bool wasReinvite = ok_->isReinvite;
  const bool byeAfterAck = ok_->byeAfterAck;
  const std::string byeReason = std::move(ok_->byeReason);
  ok_.reset();  // acknowledged: never retransmitted again (§13.3.1.4)
  state_ = SessionState::Confirmed;
  if (const BodyView bv = inspect(ack); bv.kind == SdpBody::Sdp && oa_.state() == OaState::LocalOffer) {
    oa_.receive();
    setRemoteSdp(bv.sdp);
  }
  if (!wasReinvite) {
    // UAS: every response to the INVITE is sent, so the confirmed dialog keeps no copy of
    // the request (memory per held call).
    invite_.reset();
    ++ua_.stats_.confirmed;
    ua_.handler_.onConfirmed(*this);
  }
  if (byeAfterAck && state_ == SessionState::Confirmed) bye(byeReason);
}

void InviteSession::onCancel() {
  if (uac_ || finalCode_ != 0 || state_ == SessionState::Terminated) return;
  rel_.reset();  // a final response: no provisional is resent or queued any more
  std::string out;
  buildResponse(out, 487, "Request Terminated", {}, {});
  static_cast<void>(ua_.layer_.respond(inviteTxn_, out));
  finalCode_ = 487;
  end(EndReason::Cancelled, 487);
}

void InviteSession::onPrack(Transaction& t, const Message& req) {
  auto rack = req.rack();
  if (!rack || !rel_ || !rel_->pending || rack->rseq != rseq_ || rack->cseq != inviteCSeq_ ||
      rack->method != "INVITE") {
    ++ua_.stats_.responses481;
    ua_.respond(t, req, 481, "Call/Transaction Does Not Exist");  // RFC 3262 §3
    return;
  }
  rel_->pending = false;
  rel_->retransmit.stop();
  rel_->giveUp.stop();
  ++ua_.stats_.prackIn;
  std::string answerSdp;
  if (const BodyView bv = inspect(req); bv.kind == SdpBody::Sdp) {
    const OfferAnswer::Rx rx = oa_.receive();
    setRemoteSdp(bv.sdp);
    if (rx == OfferAnswer::Rx::Offer) {  // RFC 3262 §5: an offer in the PRACK
      ua_.handler_.onOffer(*this, remoteSdp_, answerSdp);
      if (!answerSdp.empty()) localSdp_ = answerSdp;
      answerSdp = ourSdp();
      oa_.sendAnswer();
    }
  }
  ua_.respond(t, req, 200, "OK", {}, answerSdp);
  ua_.handler_.onPrack(*this, req);
  if (state_ == SessionState::Terminated) return;
  if (finalCode_ != 0) return freeRel1xxWhenDone();  // a PRACK after the 2xx (RFC 3262 §3)
  if (!rel_) return;
  if (!rel_->queue.empty()) {
    Reliable1xx::Queued q = std::move(rel_->queue.front());
    rel_->queue.pop_front();
    sendReliable(q.code, std::move(q.reason), std::move(q.sdp), std::move(q.ctype));
  } else if (rel_->answerDeferred) {
    const std::string body = std::move(rel_->answerBody), ctype = std::move(rel_->answerCtype);
    sendAnswerNow(body, ctype);
  }
}

void InviteSession::onUpdate(Transaction& t, const Message& req) {
  Dialog* d = activeDialog();
  if (d != nullptr) d->refreshTarget(req);
  const BodyView bv = inspect(req);
  const SdpBody body = bv.kind;
  if (body == SdpBody::Unsupported) return ua_.respond(t, req, 415, "Unsupported Media Type", ua_.acceptHeader());
  if (body == SdpBody::Malformed) return ua_.respond(t, req, 488, "Not Acceptable Here");
  std::string extra;  // header lines for respond(): Contact first (RFC 3311 §5.2, target refresh)
  {
    MessageBuilder lines(extra, 160);
    addContact(lines);
  }
  const bool refresh = finalCode_ / 100 == 2;  // RFC 4028: an UPDATE in a confirmed dialog refreshes
  if (refresh) {
    std::string reject;
    if (timerAsUas(req, reject) != 0) return ua_.respond(t, req, 422, "Session Interval Too Small", reject);
    if (seInterval_ != 0) extra += timerResponseHeaders();
  }
  if (body == SdpBody::None) {
    ua_.respond(t, req, 200, "OK", extra);
    if (refresh) startSessionTimer();
    return;
  }
  const OfferAnswer::Rx rx = oa_.receiveOffer();
  if (rx == OfferAnswer::Rx::GlareLocal) {
    ++ua_.stats_.responses491;
    return ua_.respond(t, req, 491, "Request Pending");
  }
  if (rx == OfferAnswer::Rx::GlareRemote) {  // RFC 3311 §5.2
    ++ua_.stats_.responses500;
    return ua_.respond(t, req, 500, "Server Internal Error", "Retry-After: " + u32(static_cast<std::uint32_t>(ua_.rng_() % 10)) + "\r\n");
  }
  setRemoteSdp(bv.sdp);
  std::string answerSdp;
  ua_.handler_.onOffer(*this, remoteSdp_, answerSdp);
  if (!answerSdp.empty()) localSdp_ = answerSdp;
  answerSdp = ourSdp();
  oa_.sendAnswer();
  ua_.respond(t, req, 200, "OK", extra, answerSdp);
  if (refresh) startSessionTimer();
}

void InviteSession::onReInvite(Transaction& t, const Message& req) {
  if (finalCode_ == 0 || state_ == SessionState::WaitingAck) {  // §14.2
    ++ua_.stats_.responses500;
    return ua_.respond(t, req, 500, "Server Internal Error", "Retry-After: " + u32(static_cast<std::uint32_t>(ua_.rng_() % 10)) + "\r\n");
  }
  if (oa_.state() != OaState::Stable || reinviteTxn_ != 0) {  // §14.2: glare with ours
    ++ua_.stats_.responses491;
    return ua_.respond(t, req, 491, "Request Pending");
  }
  const BodyView bv = inspect(req);
  const SdpBody body = bv.kind;
  if (body == SdpBody::Unsupported) return ua_.respond(t, req, 415, "Unsupported Media Type", ua_.acceptHeader());
  if (body == SdpBody::Malformed) return ua_.respond(t, req, 488, "Not Acceptable Here");
  std::string timerHeaders;
  if (timerAsUas(req, timerHeaders) != 0) {
    return ua_.respond(t, req, 422, "Session Interval Too Small", timerHeaders);
  }
  timerHeaders = seInterval_ != 0 ? timerResponseHeaders() : std::string();
  Dialog* d = activeDialog();
  if (d != nullptr) d->refreshTarget(req);
  std::string sdp;
  if (body == SdpBody::Sdp) {
    oa_.receiveOffer();
    setRemoteSdp(bv.sdp);
    ua_.handler_.onOffer(*this, remoteSdp_, sdp);
    if (sdp.empty()) sdp = localSdp_;
    oa_.sendAnswer();
  } else {
    sdp = localSdp_;
    if (!sdp.empty()) oa_.sendOffer();
  }
  Ok2xx& o = ok();
  o.bytes.clear();
  MessageBuilder b(o.bytes);
  appendResponseFor(b, req, 200, "OK", {});
  addContact(b);
  b.header(HeaderId::Allow, kAllow);
  b.header(HeaderId::Server, ua_.cfg_.product);
  addRaw(b, timerHeaders);
  b.finish(sdp, sdp.empty() ? std::string_view{} : kSdp);
  static_cast<void>(ua_.layer_.respond(t.id(), o.bytes));
  startSessionTimer();
  state_ = SessionState::WaitingAck;
  start2xxRetransmission(req.cseq()->number, t.destination(), true);
}

void InviteSession::onRequestInDialog(Transaction& t, const Message& req, Dialog& d) {
  if (state_ == SessionState::Terminated) {
    ++ua_.stats_.responses481;
    return ua_.respond(t, req, 481, "Call/Transaction Does Not Exist");
  }
  if (std::uint16_t bad = d.checkRemoteCSeq(req); bad != 0) {  // §12.2.2
    ++ua_.stats_.responses500;
    return ua_.respond(t, req, bad, bad == 500 ? "Server Internal Error" : "Bad Request");
  }
  const std::string_view m = req.method();
  if (m == "BYE") {
    noteRemoteReason(req);
    ua_.respond(t, req, 200, "OK");
    if (!uac_ && finalCode_ == 0) {  // §15.1.2: BYE before our final response
      std::string out;
      buildResponse(out, 487, "Request Terminated", {}, {});
      static_cast<void>(ua_.layer_.respond(inviteTxn_, out));
      finalCode_ = 487;
    }
    end(EndReason::RemoteBye, 0);
  } else if (m == "PRACK") {
    onPrack(t, req);
  } else if (m == "UPDATE") {
    notePeerRecvInfo(req);
    onUpdate(t, req);
  } else if (m == "INVITE") {
    notePeerRecvInfo(req);
    onReInvite(t, req);
  } else if (m == "INFO") {
    onInfo(t, req);
  } else if (m == "OPTIONS") {
    ua_.respond(t, req, 200, "OK", "Allow: " + std::string(kAllow) + "\r\n");
  } else {
    ua_.respond(t, req, 405, "Method Not Allowed", "Allow: " + std::string(kAllow) + "\r\n");
  }
}

// ---------------------------------------------------------------- UserAgent

UserAgent::UserAgent(TimerService& clock, TransportSender& transport, SessionHandler& handler,
                     UaConfig cfg, TransactionConfig txnCfg)
    : clock_(clock),
      transport_(transport),
      handler_(handler),
      cfg_(std::move(cfg)),
      layer_(clock, transport, *this, txnCfg),
      rng_(0x5eed0000u ^ reinterpret_cast<std::uintptr_t>(this)) {}

UserAgent::~UserAgent() = default;

InviteSession* UserAgent::find(SessionId id) {
  return sessions_.find(id);
}

InviteSession* UserAgent::byTxn(const Transaction& t) {
  return t.tuLabel == 0 ? nullptr : find(t.tuLabel);
}

void UserAgent::bind(Transaction& t, InviteSession& s) {
  if (t.state() == TxnState::Terminated) return;  // ended already: nothing more comes from it
  boundTxns_ += t.tuLabel == 0;
  t.tuLabel = s.id();
}

void UserAgent::bind(TxnId t, InviteSession& s) {
  if (Transaction* x = layer_.find(t)) bind(*x, s);
}

// 15 hex digits (60 random bits; RFC 3261 §19.3 asks for at least 32) so that a tag and each
// copy of it (session, dialog, Call-ID prefix) fit std::string's inline buffer.
std::string UserAgent::newTag() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t r = rng_() >> 4;
  std::string tag(15, '0');
  for (std::size_t i = tag.size(); i-- > 0; r >>= 4) tag[i] = kHex[r & 0xf];
  return tag;
}

std::string UserAgent::acceptHeader() const {
  std::string h = "Accept: application/sdp, multipart/mixed";
  for (const std::string& t : cfg_.acceptedBodyTypes) h.append(", ").append(t);
  return h.append("\r\n");
}

std::string UserAgent::supportedTags() const {
  std::string s;
  auto add = [&s](std::string_view tag) {
    if (!s.empty()) s.append(", ");
    s.append(tag);
  };
  if (cfg_.support100rel) add("100rel");
  if (cfg_.sessionTimer.enabled) add("timer");
  if (cfg_.preconditions.enabled) add("precondition");
  return s;
}

std::string UserAgent::via(const Destination& dst) { return layer_.viaFor(dst, layer_.newBranch()); }

void UserAgent::finished(InviteSession& s) {
  const SessionId id = s.id();
  clock_.post([this, id] {
    const InviteSession* ended = sessions_.find(id);
    if (ended == nullptr) return;
    // Its transactions keep its label until they terminate (onTerminated).
    if (ended->dialog_) unbindDialog(*ended->dialog_, *ended);
    for (const Dialog& e : ended->earlyDialogs()) unbindDialog(e, *ended);
    sessions_.erase(id);
  });
}

void UserAgent::unbindDialog(const Dialog& d, const InviteSession& s) {
  auto [it, last] = dialogs_.equal_range(keyHash(d.key()));
  for (; it != last; ++it) {
    if (it->second == &s) {
      dialogs_.erase(it);
      return;
    }
  }
}

InviteSession* UserAgent::byDialogKey(std::string_view key, Dialog** dialog) {
  auto [it, last] = dialogs_.equal_range(keyHash(key));
  for (; it != last; ++it) {
    if (Dialog* d = it->second->dialogWithKey(key)) {
      if (dialog != nullptr) *dialog = d;
      return it->second;
    }
  }
  return nullptr;
}

void UserAgent::respond(Transaction& t, const Message& req, std::uint16_t code, std::string_view reason,
                        std::string_view extra, std::string_view body) {
  std::string out;
  MessageBuilder b(out, 512);
  const std::string tag = req.to() && req.to()->tag.empty() && code > 100 ? newTag() : std::string();
  appendResponseFor(b, req, code, reason, tag);
  b.header(HeaderId::Server, cfg_.product);
  addRaw(b, extra);
  b.finish(body, body.empty() ? std::string_view{} : kSdp);
  static_cast<void>(layer_.respond(t.id(), out));
}

InviteSession* UserAgent::invite(std::string_view requestUri, const Destination& dst, std::string_view from,
                                 std::string_view to, std::string_view sdp, std::string_view extraHeaders,
                                 std::uint32_t maxForwards, std::string_view contentType) {
  auto owned = std::unique_ptr<InviteSession>(new InviteSession(*this, sessions_.nextId(), true));
  InviteSession& s = *owned;
  s.dst_ = dst;
  s.transport_ = dst.transport;
  InviteSession::UacSetup& u = s.setup();
  u.localTag = newTag();
  std::string sentBy(transport_.sentBy(dst.transport, dst.remote.v6));
  u.callId = newTag() + "@" + sentBy.substr(0, sentBy.rfind(':'));
  u.reqUri = requestUri;
  u.maxForwards = maxForwards;
  u.fromUri = from;
  u.toUri = to;
  u.extra = extraHeaders;
  u.body = sdp;
  u.ctype = contentType;
  if (cfg_.preconditions.enabled && cfg_.preconditions.offer && !sdp.empty() && sdpOfBody(sdp, contentType) == sdp) {
    s.pre_ = std::make_unique<Preconditions>();  // RFC 3312 §4: mandatory qos both ways on both segments, none current yet
    s.pre_->desire(PrecondStrength::Mandatory, PrecondStatus::Local);
    s.pre_->desire(PrecondStrength::Mandatory, PrecondStatus::Remote);
    u.body = s.pre_->rewrite(sdp);
  }
  if (cfg_.sessionTimer.enabled) {
    s.seInterval_ = layer_.config().timers.sessionExpires;
    s.seMin_ = layer_.config().timers.minSE;
  }
  if (!s.buildInvite(1)) return nullptr;
  if (const std::string_view part = sdpOfBody(u.body, contentType); !part.empty()) {
    s.oa_.sendOffer();
    s.localSdp_ = part;
  }
  auto r = layer_.sendRequest(s.invite_, dst);
  if (!r) return nullptr;
  s.inviteTxn_ = *r;
  ++stats_.invitesOut;
  sessions_.insert(std::move(owned));
  bind(*r, s);
  return &s;
}

void UserAgent::onNewInvite(Transaction& t, const Message& req) {
  ++stats_.invitesIn;
  // §8.2.2.3: every Require tag must be one we support.
  std::string unsupported;
  if (auto req_tags = req.tokens(HeaderId::Require)) {
    for (std::string_view tag : *req_tags) {
      if (cfg_.support100rel && iequals(tag, "100rel")) continue;
      if (cfg_.sessionTimer.enabled && iequals(tag, "timer")) continue;
      if (cfg_.preconditions.enabled && iequals(tag, "precondition")) continue;
      if (!unsupported.empty()) unsupported.append(", ");
      unsupported.append(tag);
    }
  }
  if (!unsupported.empty()) {
    ++stats_.responses420;
    return respond(t, req, 420, "Bad Extension", "Unsupported: " + unsupported + "\r\n");
  }
  const bool peer100rel = req.hasOptionTag(HeaderId::Supported, "100rel") ||
                          req.hasOptionTag(HeaderId::Require, "100rel");
  if (cfg_.require100rel && !peer100rel) {  // RFC 3262 §3 / RFC 3261 §21.4.16
    ++stats_.responses421;
    return respond(t, req, 421, "Extension Required", "Require: 100rel\r\n");
  }
  const BodyView bv = inspectBody(req, cfg_.acceptedBodyTypes, &offerScratch_);
  const SdpBody body = bv.kind;
  if (body == SdpBody::Unsupported) return respond(t, req, 415, "Unsupported Media Type", acceptHeader());
  if (body == SdpBody::Malformed) return respond(t, req, 488, "Not Acceptable Here");

  std::unique_ptr<Preconditions> pre;
  if (cfg_.preconditions.enabled && body == SdpBody::Sdp && Preconditions::inUse(bv.sdp) &&
      (req.hasOptionTag(HeaderId::Require, "precondition") || req.hasOptionTag(HeaderId::Supported, "precondition"))) {
    pre = std::make_unique<Preconditions>();
    pre->applyRemote(bv.sdp);
    if (pre->failed()) {  // RFC 3312 §8: e.g. a mandatory precondition of an unknown type
      return respond(t, req, 580, "Precondition Failure", {}, pre->rewrite(bv.sdp, true));
    }
  }
  auto owned = std::unique_ptr<InviteSession>(new InviteSession(*this, sessions_.nextId(), false));
  InviteSession& s = *owned;
  s.pre_ = std::move(pre);
  s.preMetReported_ = s.preconditionsMet();
  s.invite_ = t.requestRef();  // the transaction's (= the transport's) parse
  s.inviteCSeq_ = req.cseq()->number;  // the transport checked CSeq
  auto d = Dialog::createUas(*s.invite_, newTag());
  if (!d) {
    return respond(t, req, 400, "Bad Request",
                   "Warning: 399 siptgw \"No usable Contact, or a bad Record-Route\"\r\n");
  }
  s.dialog_ = std::move(*d);
  s.inviteTxn_ = t.id();
  s.dst_ = t.destination();
  s.transport_ = s.dst_.transport;
  s.peer100rel_ = peer100rel;
  s.peerAllowsUpdate_ = req.hasOptionTag(HeaderId::Allow, "UPDATE");
  s.notePeerRecvInfo(req);
  if (std::string reject; s.timerAsUas(req, reject) != 0) {  // RFC 4028 §9
    return respond(t, req, 422, "Session Interval Too Small", reject);
  }
  if (body == SdpBody::Sdp) {
    s.oa_.receive();
    s.remoteSdp_ = bv.sdp;
  }
  sessions_.insert(std::move(owned));
  bind(t, s);
  bindDialog(*s.dialog_, s);
  if (bv.multipart) s.keepBody(req);
  // The offer as parsed above, for the handler's own reading of it (InviteSession::
  // incomingOffer); valid during the call only.
  incoming_ = {&s, body == SdpBody::Sdp ? &offerScratch_ : nullptr};
  handler_.onIncoming(s, req);
  incoming_ = {};
}

const SessionDescription* InviteSession::incomingOffer() const {
  return ua_.incoming_.session == this ? ua_.incoming_.offer : nullptr;
}

void UserAgent::onRequest(Transaction& t, const Message& req) {
  const std::string_view m = req.method();
  const bool hasToTag = req.to() && !req.to()->tag.empty();
  if (m == "INVITE" && !hasToTag) return onNewInvite(t, req);
  if (m == "CANCEL") {  // §9.2
    Transaction* target = layer_.cancelTarget(req);
    if (target == nullptr) {
      ++stats_.responses481;
      return respond(t, req, 481, "Call/Transaction Does Not Exist");
    }
    respond(t, req, 200, "OK");
    if (InviteSession* s = byTxn(*target)) {
      s->noteRemoteReason(req);
      s->onCancel();
    }
    return;
  }
  if (!hasToTag) {
    if (m == "OPTIONS") return respond(t, req, 200, "OK", "Allow: " + std::string(kAllow) + "\r\n");
    if (m == "BYE" || m == "PRACK" || m == "UPDATE" || m == "INFO") {
      ++stats_.responses481;
      return respond(t, req, 481, "Call/Transaction Does Not Exist");
    }
    return respond(t, req, 405, "Method Not Allowed", "Allow: " + std::string(kAllow) + "\r\n");
  }
  dialogKeyOfRequestInto(keyScratch_, req);
  Dialog* d = nullptr;
  InviteSession* s = byDialogKey(keyScratch_, &d);
  if (s == nullptr) {  // §12.2.2
    ++stats_.responses481;
    return respond(t, req, 481, "Call/Transaction Does Not Exist");
  }
  bind(t, *s);
  s->onRequestInDialog(t, req, *d);
}

void UserAgent::onAck(const Message& ack, const Source&) {
  dialogKeyOfRequestInto(keyScratch_, ack);
  if (InviteSession* s = byDialogKey(keyScratch_)) s->onAck(ack);
}

void UserAgent::onResponse(Transaction& t, const Message& rsp) {
  InviteSession* s = byTxn(t);
  if (s == nullptr || !rsp.cseq()) return;
  const std::string_view method = rsp.cseq()->method;
  const std::uint16_t code = rsp.statusCode();
  if (method == "INVITE" && t.id() == s->inviteTxn_) return s->onInviteResponse(rsp);
  if (method == "INVITE") return s->onReinviteResponse(rsp);
  if (method == "BYE" && code >= 200) {
    s->noteRemoteReason(rsp);
    if (s->state_ == SessionState::Terminating) s->end(EndReason::LocalBye, code);
    return;
  }
  if (method == "UPDATE" && code >= 200) s->onUpdateResponse(rsp);
}

void UserAgent::onStrayResponse(const Message& rsp, const Source&) {
  // §13.2.2.4: a 2xx retransmission after the INVITE transaction is gone: ACK again.
  if (rsp.statusCode() < 200 || rsp.statusCode() >= 300 || !rsp.cseq() || rsp.cseq()->method != "INVITE") return;
  dialogKeyOfResponseInto(keyScratch_, rsp);
  InviteSession* s = byDialogKey(keyScratch_);
  if (s == nullptr || !s->ack_ || rsp.cseq()->number != s->ack_->cseq) return;
  ++stats_.ackResent;
  layer_.sendStateless(s->ack_->dst, s->ack_->bytes);
}

void UserAgent::onFailure(Transaction& t, TxnFailure f) {
  InviteSession* s = byTxn(t);
  if (s == nullptr) return;
  if (t.id() == s->inviteTxn_ && s->uac_) return s->onInviteFailure(f);
  if (t.id() == s->reinviteTxn_) return s->onReinviteFailure(f);
  if (t.kind() == TxnKind::NonInviteClient && t.request().method() == "UPDATE") {
    return s->onInDialogFailure(equivalentStatus(f));
  }
  if (t.kind() == TxnKind::NonInviteClient && t.request().method() == "BYE" &&
      s->state_ == SessionState::Terminating) {
    s->end(EndReason::LocalBye, equivalentStatus(f));
  }
}

void UserAgent::onTerminated(Transaction& t) {
  const SessionId sid = t.tuLabel;
  if (sid == 0) return;
  t.tuLabel = 0;  // nothing more comes from this transaction
  --boundTxns_;
  // UAC: once the INVITE transaction is over (RFC 6026 Timer M), no 2xx of another fork can
  // reach the session (§13.2.2.4), so a confirmed session keeps no copy of its INVITE.
  if (t.kind() != TxnKind::InviteClient) return;
  InviteSession* s = find(sid);
  if (s == nullptr || !s->uac_ || t.id() != s->inviteTxn_) return;
  if (s->state_ == SessionState::Confirmed || s->state_ == SessionState::Terminating) {
    s->invite_.reset();
  } else if (s->finalCode_ == 0 && s->state_ != SessionState::Terminated) {
    // The INVITE transaction is over and no final response could be used: only 2xx that
    // built no dialog came (no To tag, no usable Contact, §12.1.2), and no fork sent a
    // good one before Timer M. Nothing more can arrive, so the call ends as unanswered.
    s->finalCode_ = 408;
    s->end(EndReason::Timeout, 408);
  }
}

}  // namespace siptgw::sip
