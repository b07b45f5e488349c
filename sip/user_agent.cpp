#include "sip/user_agent.h"

#include <algorithm>
#include <cstdio>

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

std::string firstReason(const Message& m) {
  const HeaderField* h = m.find(HeaderId::Reason);
  return h != nullptr ? std::string(h->value) : std::string();
}

std::string u32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u", v);
  return buf;
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
  }
  return "?";
}

// ---------------------------------------------------------------- InviteSession

InviteSession::InviteSession(UserAgent& ua, SessionId id, bool uac)
    : ua_(ua), id_(id), uac_(uac), state_(uac ? SessionState::Calling : SessionState::Incoming) {
  relTimer_.bind(ua.clock_);
  relGiveUp_.bind(ua.clock_);
  okTimer_.bind(ua.clock_);
  okGiveUp_.bind(ua.clock_);
  retryTimer_.bind(ua.clock_);
}

const Dialog* InviteSession::dialog() const {
  if (dialog_) return &*dialog_;
  return early_.empty() ? nullptr : &early_.back();
}

Dialog* InviteSession::activeDialog() {
  if (dialog_) return &*dialog_;
  return early_.empty() ? nullptr : &early_.back();
}

Dialog* InviteSession::earlyDialog(std::string_view remoteTag) {
  for (Dialog& d : early_) {
    if (d.remoteTag() == remoteTag) return &d;
  }
  return nullptr;
}

std::string InviteSession::contact() const {
  std::string c = "<sip:";
  c.append(ua_.cfg_.user).append(1, '@').append(ua_.transport_.sentBy(transport_, dst_.remote.v6));
  if (transport_ == TransportType::Tcp) c.append(";transport=tcp");
  if (transport_ == TransportType::Tls) c.append(";transport=tls");
  c.append(1, '>');
  return c;
}

void InviteSession::sendInDialog(Dialog& d, std::string_view method, std::string_view extra,
                                 std::string_view body, std::string_view ctype) {
  Destination nd = d.nextHop(transport_).value_or(dst_);
  if (isReliable(nd.transport) && nd.transport == dst_.transport) nd.connection = dst_.connection;
  std::string out;
  MessageBuilder b(out);
  d.buildRequest(b, method, ua_.via(nd));
  if (method == "INVITE" || method == "UPDATE") b.header(HeaderId::Contact, contact());
  b.header(HeaderId::UserAgent, ua_.cfg_.product);
  addRaw(b, extra);
  b.finish(body, body.empty() ? std::string_view{} : ctype);
  auto r = ua_.layer_.sendRequest(std::move(out), nd);
  if (r) ua_.bind(*r, *this);
}

void InviteSession::buildResponse(std::string& out, std::uint16_t code, std::string_view reason,
                                  std::string_view extra, std::string_view sdp) {
  MessageBuilder b(out);
  appendResponseFor(b, invite_, code, reason, localTag_);
  if (code > 100 && code < 300) {
    b.copy(invite_, HeaderId::RecordRoute);  // §12.1.1
    b.header(HeaderId::Contact, contact());
    if (ua_.cfg_.support100rel) b.header(HeaderId::Supported, "100rel");
    b.header(HeaderId::Allow, kAllow);
  }
  b.header(HeaderId::Server, ua_.cfg_.product);
  addRaw(b, extra);
  b.finish(sdp, sdp.empty() ? std::string_view{} : kSdp);
}

bool InviteSession::provisional(std::uint16_t code, std::string_view reason, std::string_view sdp,
                                bool reliable) {
  if (uac_ || finalCode_ != 0 || state_ == SessionState::Terminated || code <= 100 || code >= 200) {
    return false;
  }
  if (reliable && peer100rel_ && ua_.cfg_.support100rel) {
    if (rel1xxPending_) {
      relQueue_.push_back({code, std::string(reason), std::string(sdp)});
      return true;
    }
    sendReliable(code, std::string(reason), std::string(sdp));
    return true;
  }
  // Unreliable: SDP only as a preview of the answer to the INVITE's offer (RFC 6337 §3.1.2).
  std::string_view body = oa_.state() == OaState::RemoteOffer ? sdp : std::string_view{};
  std::string out;
  buildResponse(out, code, reason, {}, body);
  if (!ua_.layer_.respond(inviteTxn_, out)) return false;
  state_ = SessionState::Early;
  return true;
}

void InviteSession::sendReliable(std::uint16_t code, std::string reason, std::string sdp) {
  std::string_view body;
  if (!sdp.empty()) {
    if (oa_.state() == OaState::RemoteOffer) {
      oa_.sendAnswer();
      body = sdp;
    } else if (oa_.state() == OaState::Stable) {
      oa_.sendOffer();  // RFC 3262 §5: an offer in a reliable provisional
      body = sdp;
    }
    if (!body.empty()) localSdp_ = sdp;
  }
  if (rseq_ == 0) {
    rseq_ = static_cast<std::uint32_t>(ua_.rng_() % 0x7ffffff0u) + 1;  // RFC 3262 §3: 1..2^31-1
  } else {
    ++rseq_;
  }
  rel1xx_.clear();
  buildResponse(rel1xx_, code, reason, "Require: 100rel\r\nRSeq: " + u32(rseq_) + "\r\n", body);
  rel1xxPending_ = true;
  rel1xxHasSdp_ = !body.empty();
  state_ = SessionState::Early;
  if (!ua_.layer_.respond(inviteTxn_, rel1xx_)) return;
  const TimerConfig& tc = ua_.layer_.config().timers;
  relInterval_ = tc.rel1xxInitial();
  relTimer_.start(relInterval_, [this] { retransmitRel1xx(); });
  relGiveUp_.start(64 * tc.t1, [this] {
    relTimer_.stop();
    relQueue_.clear();
    answerDeferred_ = false;
    std::string out;
    buildResponse(out, ua_.cfg_.rel1xxFailCode, "Server Time-out", {}, {});
    static_cast<void>(ua_.layer_.respond(inviteTxn_, out));
    finalCode_ = ua_.cfg_.rel1xxFailCode;
    end(EndReason::Rel1xxTimeout, finalCode_);
  });
}

void InviteSession::retransmitRel1xx() {
  if (!rel1xxPending_ || finalCode_ != 0) return;
  ++ua_.stats_.rel1xxRetransmits;
  static_cast<void>(ua_.layer_.respond(inviteTxn_, rel1xx_));
  relInterval_ *= 2;  // RFC 3262 §3: doubles (no T2 cap)
  relTimer_.start(relInterval_, [this] { retransmitRel1xx(); });
}

bool InviteSession::answer(std::string_view sdp) {
  if (uac_ || finalCode_ != 0 || state_ == SessionState::Terminated) return false;
  if (!sdp.empty()) localSdp_ = sdp;
  relQueue_.clear();  // no provisional after the final response
  if (rel1xxPending_ && rel1xxHasSdp_) {  // RFC 3262 §3: wait for its PRACK
    answerDeferred_ = true;
    return true;
  }
  sendAnswerNow();
  return true;
}

void InviteSession::sendAnswerNow() {
  answerDeferred_ = false;
  relTimer_.stop();
  relGiveUp_.stop();
  std::string_view body;
  if (oa_.state() == OaState::RemoteOffer) {
    oa_.sendAnswer();
    body = localSdp_;
  } else if (oa_.state() == OaState::Stable && !oa_.completed() && !localSdp_.empty()) {
    oa_.sendOffer();  // INVITE without offer: the 2xx offers, the ACK answers
    body = localSdp_;
  }
  ok2xx_.clear();
  buildResponse(ok2xx_, 200, "OK", {}, body);
  finalCode_ = 200;
  if (!ua_.layer_.respond(inviteTxn_, ok2xx_)) {
    end(EndReason::TransportError, 503);
    return;
  }
  ++ua_.stats_.answered;
  if (dialog_) dialog_->confirm();
  state_ = SessionState::WaitingAck;
  okCSeq_ = invite_.cseq()->number;
  okDst_ = dst_;
  okIsReinvite_ = false;
  const TimerConfig& tc = ua_.layer_.config().timers;
  if (!isReliable(dst_.transport)) {
    okInterval_ = tc.t1;
    okTimer_.start(okInterval_, [this] { retransmit2xx(); });
  }
  okGiveUp_.start(64 * tc.t1, [this] {
    // §13.3.1.4: no ACK after 64·T1: the dialog is confirmed, the session ends with BYE.
    okTimer_.stop();
    if (Dialog* d = activeDialog()) sendInDialog(*d, "BYE", {}, {}, {});
    end(EndReason::NoAck, 408);
  });
}

void InviteSession::retransmit2xx() {
  if (state_ != SessionState::WaitingAck) return;
  ++ua_.stats_.ok2xxRetransmits;
  ua_.layer_.sendStateless(okDst_, ok2xx_);
  okInterval_ = std::min(okInterval_ * 2, ua_.layer_.config().timers.t2);
  okTimer_.start(okInterval_, [this] { retransmit2xx(); });
}

bool InviteSession::reject(std::uint16_t code, std::string_view reason, std::string_view reasonHeader) {
  if (uac_ || finalCode_ != 0 || state_ == SessionState::Terminated || code < 300) return false;
  relTimer_.stop();
  relGiveUp_.stop();
  relQueue_.clear();
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
  if (state_ == SessionState::WaitingAck && !okIsReinvite_) {
    byeAfterAck_ = true;  // §15: not before the ACK (or its timeout)
    byeReason_ = reasonHeader;
    return true;
  }
  Dialog* d = activeDialog();
  if (d == nullptr) return false;
  std::string extra;
  if (!reasonHeader.empty()) extra.append("Reason: ").append(reasonHeader).append("\r\n");
  sendInDialog(*d, "BYE", extra, {}, {});
  state_ = SessionState::Terminating;
  return true;
}

bool InviteSession::cancel(std::string_view reasonHeader) {
  if (!uac_ || finalCode_ != 0 || cancelSent_ || state_ == SessionState::Terminated) return false;
  cancelReason_ = reasonHeader;
  if (!gotProvisional_) {  // §9.1: not before a provisional response
    cancelPending_ = true;
    return true;
  }
  cancelSent_ = static_cast<bool>(ua_.layer_.sendCancel(inviteTxn_, cancelReason_));
  return cancelSent_;
}

bool InviteSession::update(std::string_view sdp) {
  Dialog* d = activeDialog();
  if (d == nullptr || state_ == SessionState::Terminated || !oa_.sendOffer()) return false;
  localSdp_ = sdp;
  updateSdp_ = sdp;
  sendInDialog(*d, "UPDATE", {}, sdp, kSdp);
  return true;
}

bool InviteSession::info(std::string_view contentType, std::string_view body, std::string_view infoPackage) {
  Dialog* d = activeDialog();
  if (d == nullptr || state_ == SessionState::Terminated) return false;
  std::string extra;
  if (!infoPackage.empty()) extra.append("Info-Package: ").append(infoPackage).append("\r\n");
  sendInDialog(*d, "INFO", extra, body, contentType);
  return true;
}

void InviteSession::end(EndReason why, std::uint16_t code) {
  if (state_ == SessionState::Terminated) return;
  const SessionState was = state_;
  state_ = SessionState::Terminated;
  relTimer_.stop();
  relGiveUp_.stop();
  okTimer_.stop();
  okGiveUp_.stop();
  retryTimer_.stop();
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
    ack_ = std::move(out);
    ackDst_ = nd;
  } else {
    sendInDialog(d, "BYE", {}, {}, {});
  }
}

void InviteSession::onInviteResponse(const Message& rsp) {
  const std::uint16_t code = rsp.statusCode();
  if (code == 100) return;
  if (rsp.has(HeaderId::Reason)) remoteReason_ = firstReason(rsp);
  const std::string_view tag = rsp.to() ? rsp.to()->tag : std::string_view{};
  const SdpBody body = classifyBody(rsp);
  if (code < 200) {
    if (finalCode_ != 0 || state_ == SessionState::Terminated) return;
    gotProvisional_ = true;
    if (cancelPending_ && !cancelSent_) {
      cancelPending_ = false;
      cancelSent_ = static_cast<bool>(ua_.layer_.sendCancel(inviteTxn_, cancelReason_));
    }
    Dialog* d = nullptr;
    if (!tag.empty()) {
      d = earlyDialog(tag);
      if (d == nullptr) {
        auto nd = Dialog::createUac(invite_, rsp);
        if (nd) {
          early_.push_back(std::move(*nd));
          d = &early_.back();
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
        if (rx == OfferAnswer::Rx::Answer || rx == OfferAnswer::Rx::Offer) remoteSdp_ = rsp.body();
        if (rx == OfferAnswer::Rx::Offer) {
          ua_.handler_.onOffer(*this, remoteSdp_, answerSdp);
          if (answerSdp.empty()) answerSdp = localSdp_;
          if (!answerSdp.empty()) oa_.sendAnswer();
        }
      }
      std::string extra = "RAck: " + u32(rseq) + " " + u32(invite_.cseq()->number) + " INVITE\r\n";
      ++ua_.stats_.prackOut;
      sendInDialog(*d, "PRACK", extra, answerSdp, kSdp);
    } else if (body == SdpBody::Sdp && remoteSdp_.empty()) {
      remoteSdp_ = rsp.body();  // early media preview; offer/answer state unchanged
    }
    ua_.handler_.onProvisional(*this, rsp);
    return;
  }
  if (code < 300) {
    if (dialog_) {
      if (dialog_->remoteTag() == tag) {  // a retransmission of the 2xx: ACK again
        ++ua_.stats_.ackResent;
        ua_.layer_.sendStateless(ackDst_, ack_);
      } else if (auto nd = Dialog::createUac(invite_, rsp)) {  // §13.2.2.4: another fork
        sendAck(*nd, rsp, true);
      }
      return;
    }
    if (state_ == SessionState::Terminated) return;
    if (Dialog* d = earlyDialog(tag)) {
      dialog_ = std::move(*d);
      dialog_->onResponseToInitial(rsp);
    } else {
      auto nd = Dialog::createUac(invite_, rsp);
      if (!nd) return;
      dialog_ = std::move(*nd);
      ua_.bindDialog(*dialog_, *this);
    }
    early_.clear();
    finalCode_ = code;
    ++ua_.stats_.answered;
    // §13.2.1: the answer to the INVITE's offer, or an offer when none was made; a
    // 2xx repeating an answer already given in a reliable 1xx changes nothing.
    if (body == SdpBody::Sdp &&
        (oa_.state() == OaState::LocalOffer || (oa_.state() == OaState::Stable && !oa_.completed()))) {
      oa_.receive();
      remoteSdp_ = rsp.body();
    }
    if (cancelSent_ || cancelPending_) {  // the 2xx crossed our CANCEL: ACK, then BYE
      sendAck(*dialog_, rsp, false);
      Dialog& d = *dialog_;
      std::string extra;
      if (!cancelReason_.empty()) extra.append("Reason: ").append(cancelReason_).append("\r\n");
      sendInDialog(d, "BYE", extra, {}, {});
      state_ = SessionState::Terminating;
      return;
    }
    sendAck(*dialog_, rsp, false);
    state_ = SessionState::Confirmed;
    ++ua_.stats_.confirmed;
    ua_.handler_.onAnswered(*this, rsp);
    return;
  }
  if (state_ == SessionState::Terminated || finalCode_ != 0) return;
  finalCode_ = code;
  end(code == 487 && cancelSent_ ? EndReason::Cancelled : EndReason::Rejected, code);
}

void InviteSession::onInviteFailure(TxnFailure f) {
  if (finalCode_ != 0) return;
  finalCode_ = equivalentStatus(f);
  end(f == TxnFailure::Timeout ? EndReason::Timeout : EndReason::TransportError, finalCode_);
}

void InviteSession::onAck(const Message& ack) {
  if (state_ != SessionState::WaitingAck || !ack.cseq() || ack.cseq()->number != okCSeq_) return;
  okTimer_.stop();
  okGiveUp_.stop();
  state_ = SessionState::Confirmed;
  if (classifyBody(ack) == SdpBody::Sdp && oa_.state() == OaState::LocalOffer) {
    oa_.receive();
    remoteSdp_ = ack.body();
  }
  if (!okIsReinvite_) {
    ++ua_.stats_.confirmed;
    ua_.handler_.onConfirmed(*this);
  }
  if (byeAfterAck_ && state_ == SessionState::Confirmed) {
    byeAfterAck_ = false;
    bye(byeReason_);
  }
}

void InviteSession::onCancel() {
  if (uac_ || finalCode_ != 0 || state_ == SessionState::Terminated) return;
  relTimer_.stop();
  relGiveUp_.stop();
  std::string out;
  buildResponse(out, 487, "Request Terminated", {}, {});
  static_cast<void>(ua_.layer_.respond(inviteTxn_, out));
  finalCode_ = 487;
  end(EndReason::Cancelled, 487);
}

void InviteSession::onPrack(Transaction& t, const Message& req) {
  auto rack = req.rack();
  if (!rack || !rel1xxPending_ || rack->rseq != rseq_ || rack->cseq != invite_.cseq()->number ||
      rack->method != "INVITE") {
    ++ua_.stats_.responses481;
    ua_.respond(t, req, 481, "Call/Transaction Does Not Exist");  // RFC 3262 §3
    return;
  }
  rel1xxPending_ = false;
  relTimer_.stop();
  relGiveUp_.stop();
  ++ua_.stats_.prackIn;
  std::string answerSdp;
  if (classifyBody(req) == SdpBody::Sdp) {
    const OfferAnswer::Rx rx = oa_.receive();
    remoteSdp_ = req.body();
    if (rx == OfferAnswer::Rx::Offer) {  // RFC 3262 §5: an offer in the PRACK
      ua_.handler_.onOffer(*this, remoteSdp_, answerSdp);
      if (answerSdp.empty()) answerSdp = localSdp_;
      oa_.sendAnswer();
    }
  }
  ua_.respond(t, req, 200, "OK", {}, answerSdp);
  ua_.handler_.onPrack(*this, req);
  if (state_ == SessionState::Terminated || finalCode_ != 0) return;
  if (!relQueue_.empty()) {
    Queued q = std::move(relQueue_.front());
    relQueue_.pop_front();
    sendReliable(q.code, std::move(q.reason), std::move(q.sdp));
  } else if (answerDeferred_) {
    sendAnswerNow();
  }
}

void InviteSession::onUpdate(Transaction& t, const Message& req) {
  Dialog* d = activeDialog();
  if (d != nullptr) d->refreshTarget(req);
  const SdpBody body = classifyBody(req);
  if (body == SdpBody::Unsupported) return ua_.respond(t, req, 415, "Unsupported Media Type", "Accept: application/sdp\r\n");
  if (body == SdpBody::Malformed) return ua_.respond(t, req, 488, "Not Acceptable Here");
  std::string extra = "Contact: " + contact() + "\r\n";
  if (body == SdpBody::None) return ua_.respond(t, req, 200, "OK", extra);
  const OfferAnswer::Rx rx = oa_.receiveOffer();
  if (rx == OfferAnswer::Rx::GlareLocal) {
    ++ua_.stats_.responses491;
    return ua_.respond(t, req, 491, "Request Pending");
  }
  if (rx == OfferAnswer::Rx::GlareRemote) {  // RFC 3311 §5.2
    ++ua_.stats_.responses500;
    return ua_.respond(t, req, 500, "Server Internal Error", "Retry-After: " + u32(static_cast<std::uint32_t>(ua_.rng_() % 10)) + "\r\n");
  }
  remoteSdp_ = req.body();
  std::string answerSdp;
  ua_.handler_.onOffer(*this, remoteSdp_, answerSdp);
  if (answerSdp.empty()) answerSdp = localSdp_;
  oa_.sendAnswer();
  ua_.respond(t, req, 200, "OK", extra, answerSdp);
}

void InviteSession::onReInvite(Transaction& t, const Message& req) {
  if (finalCode_ == 0 || state_ == SessionState::WaitingAck) {  // §14.2
    ++ua_.stats_.responses500;
    return ua_.respond(t, req, 500, "Server Internal Error", "Retry-After: " + u32(static_cast<std::uint32_t>(ua_.rng_() % 10)) + "\r\n");
  }
  if (oa_.state() != OaState::Stable) {
    ++ua_.stats_.responses491;
    return ua_.respond(t, req, 491, "Request Pending");
  }
  const SdpBody body = classifyBody(req);
  if (body == SdpBody::Unsupported) return ua_.respond(t, req, 415, "Unsupported Media Type", "Accept: application/sdp\r\n");
  if (body == SdpBody::Malformed) return ua_.respond(t, req, 488, "Not Acceptable Here");
  Dialog* d = activeDialog();
  if (d != nullptr) d->refreshTarget(req);
  std::string sdp;
  if (body == SdpBody::Sdp) {
    oa_.receiveOffer();
    remoteSdp_ = req.body();
    ua_.handler_.onOffer(*this, remoteSdp_, sdp);
    if (sdp.empty()) sdp = localSdp_;
    oa_.sendAnswer();
  } else {
    sdp = localSdp_;
    if (!sdp.empty()) oa_.sendOffer();
  }
  ok2xx_.clear();
  MessageBuilder b(ok2xx_);
  appendResponseFor(b, req, 200, "OK", {});
  b.header(HeaderId::Contact, contact());
  b.header(HeaderId::Allow, kAllow);
  b.header(HeaderId::Server, ua_.cfg_.product);
  b.finish(sdp, sdp.empty() ? std::string_view{} : kSdp);
  static_cast<void>(ua_.layer_.respond(t.id(), ok2xx_));
  state_ = SessionState::WaitingAck;
  okIsReinvite_ = true;
  okCSeq_ = req.cseq()->number;
  okDst_ = t.destination();
  const TimerConfig& tc = ua_.layer_.config().timers;
  if (!t.reliable()) {
    okInterval_ = tc.t1;
    okTimer_.start(okInterval_, [this] { retransmit2xx(); });
  }
  okGiveUp_.start(64 * tc.t1, [this] {
    okTimer_.stop();
    if (Dialog* dd = activeDialog()) sendInDialog(*dd, "BYE", {}, {}, {});
    end(EndReason::NoAck, 408);
  });
}

void InviteSession::onRequestInDialog(Transaction& t, const Message& req) {
  const std::string key = dialogKeyOfRequest(req);
  Dialog* d = nullptr;
  if (dialog_ && dialog_->key() == key) d = &*dialog_;
  for (Dialog& e : early_) {
    if (d == nullptr && e.key() == key) d = &e;
  }
  if (d == nullptr || state_ == SessionState::Terminated) {
    ++ua_.stats_.responses481;
    return ua_.respond(t, req, 481, "Call/Transaction Does Not Exist");
  }
  if (std::uint16_t bad = d->checkRemoteCSeq(req); bad != 0) {  // §12.2.2
    ++ua_.stats_.responses500;
    return ua_.respond(t, req, bad, bad == 500 ? "Server Internal Error" : "Bad Request");
  }
  const std::string_view m = req.method();
  if (m == "BYE") {
    if (req.has(HeaderId::Reason)) remoteReason_ = firstReason(req);
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
    onUpdate(t, req);
  } else if (m == "INVITE") {
    onReInvite(t, req);
  } else if (m == "INFO") {
    // RFC 6086 §5.2.2: we advertise no Recv-Info, so any Info-Package is not wanted.
    if (req.has(HeaderId::InfoPackage)) return ua_.respond(t, req, 469, "Bad Info Package");
    ua_.respond(t, req, 200, "OK");  // RFC 2976 legacy INFO
    ua_.handler_.onInfo(*this, req);
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
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

InviteSession* UserAgent::byTxn(TxnId t) {
  auto it = txns_.find(t);
  return it == txns_.end() ? nullptr : find(it->second);
}

std::string UserAgent::newTag() {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng_()));
  return buf;
}

std::string UserAgent::via(const Destination& dst) { return layer_.viaFor(dst, layer_.newBranch()); }

void UserAgent::finished(InviteSession& s) {
  const SessionId id = s.id();
  clock_.post([this, id] {
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    for (const std::string& k : it->second->keys_) dialogs_.erase(k);
    for (TxnId t : it->second->txnIds_) txns_.erase(t);
    sessions_.erase(it);
  });
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
                                 std::uint32_t maxForwards) {
  auto owned = std::unique_ptr<InviteSession>(new InviteSession(*this, ++nextId_, true));
  InviteSession& s = *owned;
  s.dst_ = dst;
  s.transport_ = dst.transport;
  s.localTag_ = newTag();
  std::string sentBy(transport_.sentBy(dst.transport, dst.remote.v6));
  const std::string callId = newTag() + "@" + sentBy.substr(0, sentBy.rfind(':'));
  MessageBuilder b(s.inviteBytes_);
  b.request("INVITE", requestUri);
  b.header(HeaderId::Via, via(dst));
  b.header(HeaderId::MaxForwards, maxForwards);
  // A name-addr is taken as it is (display name, RFC 3323 anonymous From); a bare URI is
  // put in angle brackets (§20.10: always, so its parameters stay URI parameters).
  const bool fromIsNameAddr = from.find('<') != std::string_view::npos;
  const bool toIsNameAddr = to.find('<') != std::string_view::npos;
  b.headerParts(HeaderId::From, {fromIsNameAddr ? "" : "<", from, fromIsNameAddr ? ";tag=" : ">;tag=", s.localTag_});
  b.headerParts(HeaderId::To, {toIsNameAddr ? "" : "<", to, toIsNameAddr ? "" : ">"});
  b.header(HeaderId::CallId, callId);
  b.header(HeaderId::CSeq, "1 INVITE");
  b.header(HeaderId::Contact, s.contact());
  if (cfg_.support100rel) b.header(HeaderId::Supported, "100rel");
  if (cfg_.require100rel) b.header(HeaderId::Require, "100rel");
  b.header(HeaderId::Allow, kAllow);
  b.header(HeaderId::UserAgent, cfg_.product);
  addRaw(b, extraHeaders);
  b.finish(sdp, sdp.empty() ? std::string_view{} : kSdp);
  if (!s.invite_.parse(s.inviteBytes_)) return nullptr;
  if (!sdp.empty()) {
    s.oa_.sendOffer();
    s.localSdp_ = sdp;
  }
  auto r = layer_.sendRequest(s.inviteBytes_, dst);
  if (!r) return nullptr;
  s.inviteTxn_ = *r;
  ++stats_.invitesOut;
  sessions_.emplace(s.id(), std::move(owned));
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
  const SdpBody body = classifyBody(req);
  if (body == SdpBody::Unsupported) return respond(t, req, 415, "Unsupported Media Type", "Accept: application/sdp\r\n");
  if (body == SdpBody::Malformed) return respond(t, req, 488, "Not Acceptable Here");

  auto owned = std::unique_ptr<InviteSession>(new InviteSession(*this, ++nextId_, false));
  InviteSession& s = *owned;
  serialize(req, s.inviteBytes_);
  if (!s.invite_.parse(s.inviteBytes_)) return respond(t, req, 400, "Bad Request");
  s.localTag_ = newTag();
  auto d = Dialog::createUas(s.invite_, s.localTag_);
  if (!d) return respond(t, req, 400, "Bad Request", "Warning: 399 siptgw \"Missing Contact\"\r\n");
  s.dialog_ = std::move(*d);
  s.inviteTxn_ = t.id();
  s.dst_ = t.destination();
  s.transport_ = s.dst_.transport;
  s.peer100rel_ = peer100rel;
  if (body == SdpBody::Sdp) {
    s.oa_.receive();
    s.remoteSdp_ = req.body();
  }
  sessions_.emplace(s.id(), std::move(owned));
  bind(t.id(), s);
  bindDialog(*s.dialog_, s);
  handler_.onIncoming(s, req);
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
    if (InviteSession* s = byTxn(target->id())) {
      if (req.has(HeaderId::Reason)) s->remoteReason_ = firstReason(req);
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
  auto it = dialogs_.find(dialogKeyOfRequest(req));
  InviteSession* s = it == dialogs_.end() ? nullptr : find(it->second);
  if (s == nullptr) {  // §12.2.2
    ++stats_.responses481;
    return respond(t, req, 481, "Call/Transaction Does Not Exist");
  }
  bind(t.id(), *s);
  s->onRequestInDialog(t, req);
}

void UserAgent::onAck(const Message& ack, const Source&) {
  auto it = dialogs_.find(dialogKeyOfRequest(ack));
  if (it == dialogs_.end()) return;
  if (InviteSession* s = find(it->second)) s->onAck(ack);
}

void UserAgent::onResponse(Transaction& t, const Message& rsp) {
  InviteSession* s = byTxn(t.id());
  if (s == nullptr || !rsp.cseq()) return;
  const std::string_view method = rsp.cseq()->method;
  const std::uint16_t code = rsp.statusCode();
  if (method == "INVITE" && t.id() == s->inviteTxn_) return s->onInviteResponse(rsp);
  if (method == "BYE" && code >= 200) {
    if (rsp.has(HeaderId::Reason)) s->remoteReason_ = firstReason(rsp);
    if (s->state_ == SessionState::Terminating) s->end(EndReason::LocalBye, code);
    return;
  }
  if (method == "UPDATE" && code >= 200) {
    if (code < 300) {
      if (Dialog* d = s->activeDialog()) d->refreshTarget(rsp);
      if (classifyBody(rsp) == SdpBody::Sdp && s->oa_.state() == OaState::LocalOffer) {
        s->oa_.receive();
        s->remoteSdp_ = rsp.body();
      }
    } else {
      s->oa_.rollbackLocal();
      if (code == 491) {  // §14.1: retry after a random delay
        const std::uint32_t ms = s->uac_ ? 2100 + static_cast<std::uint32_t>(rng_() % 1901)
                                         : static_cast<std::uint32_t>(rng_() % 2001);
        s->retryTimer_.start(ms, [s] { s->update(s->updateSdp_); });
      }
    }
  }
}

void UserAgent::onStrayResponse(const Message& rsp, const Source&) {
  // §13.2.2.4: a 2xx retransmission after the INVITE transaction is gone: ACK again.
  if (rsp.statusCode() < 200 || rsp.statusCode() >= 300 || !rsp.cseq() || rsp.cseq()->method != "INVITE") return;
  auto it = dialogs_.find(dialogKeyOfResponse(rsp));
  if (it == dialogs_.end()) return;
  InviteSession* s = find(it->second);
  if (s == nullptr || !s->uac_ || s->ack_.empty()) return;
  ++stats_.ackResent;
  layer_.sendStateless(s->ackDst_, s->ack_);
}

void UserAgent::onFailure(Transaction& t, TxnFailure f) {
  InviteSession* s = byTxn(t.id());
  if (s == nullptr) return;
  if (t.id() == s->inviteTxn_ && s->uac_) return s->onInviteFailure(f);
  if (t.kind() == TxnKind::NonInviteClient && t.request().method() == "BYE" &&
      s->state_ == SessionState::Terminating) {
    s->end(EndReason::LocalBye, equivalentStatus(f));
  }
}

}  // namespace siptgw::sip
