// IsupStack plumbing: configuration, MTP primitives (Q.764 §2.10, §2.13), message dispatch,
// UCIC for unprovisioned CICs (§2.12), and the compatibility procedures for unrecognized
// messages and parameters (§2.9.5.3) with CFN (cause 97/99, or the decode error's cause).
#include <algorithm>

#include "isup/codec.h"
#include "isup/isup_stack_internal.h"

namespace siptgw::isup {

std::string_view releaseOriginName(ReleaseOrigin o) {
  switch (o) {
    case ReleaseOrigin::Remote: return "remote";
    case ReleaseOrigin::Local: return "local";
    case ReleaseOrigin::Timeout: return "timeout";
    case ReleaseOrigin::Reset: return "reset";
    case ReleaseOrigin::Blocked: return "blocked";
    case ReleaseOrigin::Abnormal: return "abnormal";
    case ReleaseOrigin::SetupFailed: return "setup-failed";
  }
  return "?";
}

std::string_view alertName(MaintenanceAlert a) {
  switch (a) {
    case MaintenanceAlert::T5Expired: return "T5 expired";
    case MaintenanceAlert::ResetNotAcked: return "reset not acknowledged";
    case MaintenanceAlert::BlockingNotAcked: return "blocking not acknowledged";
    case MaintenanceAlert::UnblockingNotAcked: return "unblocking not acknowledged";
    case MaintenanceAlert::QueryNotAnswered: return "circuit query not answered";
    case MaintenanceAlert::InformationNotReceived: return "information not received";
    case MaintenanceAlert::RemoteUnequipped: return "unequipped at remote";
    case MaintenanceAlert::UserPartUnavailable: return "user part unavailable";
    case MaintenanceAlert::GroupAckMismatch: return "group acknowledgement mismatch";
    case MaintenanceAlert::ContinuityRecheckFailed: return "continuity recheck failed";
  }
  return "?";
}

std::string_view setupErrorName(SetupError e) {
  switch (e) {
    case SetupError::NoSuchGroup: return "no such group";
    case SetupError::DestinationUnavailable: return "destination unavailable";
    case SetupError::Congested: return "congested";
    case SetupError::NoCircuit: return "no circuit";
    case SetupError::NotOutgoing: return "group is incoming-only";
    case SetupError::EncodeFailed: return "encode failed";
  }
  return "?";
}

IsupStack::IsupStack(TimerService& timers, MtpProvider& mtp, StackConfig cfg)
    : timers_(timers), mtp_(mtp), cfg_(std::move(cfg)) {
  mtp_.setUser(this);
}

IsupStack::~IsupStack() {
  mtp_.setUser(nullptr);
  user_ = nullptr;
  calls_.clear();
  procs_.clear();
  group_procs_.clear();
  dests_.clear();
}

Result<uint16_t, std::string> IsupStack::addGroup(const CircuitGroupConfig& g) {
  const uint32_t max_cic = cfg_.variant == Variant::Ansi ? 0x3FFF : 0x0FFF;
  if (groups_.size() >= 0xFFFF) return Unexpected{std::string("too many circuit groups")};
  Destination& d = dest(g.dpc);
  for (const CicRange& r : g.cics) {
    if (r.first > r.last || r.last > max_cic)
      return Unexpected{"group " + g.name + ": bad CIC range " + std::to_string(r.first) + "-" + std::to_string(r.last)};
    for (uint32_t c = r.first; c <= r.last; ++c)
      if (c < d.cic_index.size() && d.cic_index[c] != 0)
        return Unexpected{"group " + g.name + ": CIC " + std::to_string(c) + " already provisioned"};
  }
  const auto gi = static_cast<uint16_t>(groups_.size());
  groups_.push_back(g);
  group_circuits_.emplace_back();
  rr_next_.push_back(0);
  for (const CicRange& r : g.cics) {
    if (d.cic_index.size() <= r.last) d.cic_index.resize(r.last + 1u, 0);
    for (uint32_t c = r.first; c <= r.last; ++c) {
      Circuit circ;
      circ.cic = static_cast<uint16_t>(c);
      circ.group = gi;
      d.cic_index[c] = static_cast<uint32_t>(circuits_.size()) + 1;
      group_circuits_[gi].push_back(static_cast<uint32_t>(circuits_.size()));
      circuits_.push_back(circ);
    }
  }
  auto& list = group_circuits_[gi];
  std::sort(list.begin(), list.end(), [&](uint32_t a, uint32_t b) { return circuits_[a].cic < circuits_[b].cic; });
  return gi;
}

void IsupStack::start() {
  started_ = true;
  if (!cfg_.reset_on_start) return;
  std::vector<uint32_t> dpcs;
  for (const auto& g : groups_)
    if (std::find(dpcs.begin(), dpcs.end(), g.dpc) == dpcs.end()) dpcs.push_back(g.dpc);
  for (uint32_t dpc : dpcs)
    if (mtp_.available(dpc)) resetDestination(dpc);
}

IsupStack::Destination& IsupStack::dest(uint32_t dpc) {
  auto& p = dests_[dpc];
  if (!p) {
    p = std::make_unique<Destination>(timers_);
    p->dpc = dpc;
  }
  return *p;
}

const IsupStack::Destination* IsupStack::findDest(uint32_t dpc) const {
  auto it = dests_.find(dpc);
  return it == dests_.end() ? nullptr : it->second.get();
}

uint32_t IsupStack::circuitIndex(uint32_t dpc, uint16_t cic) const {
  const Destination* d = findDest(dpc);
  if (!d || cic >= d->cic_index.size() || d->cic_index[cic] == 0) return kNone;
  return d->cic_index[cic] - 1;
}

uint32_t IsupStack::dpcOf(uint32_t ci) const { return groups_[circuits_[ci].group].dpc; }

const Circuit* IsupStack::circuit(uint32_t dpc, uint16_t cic) const {
  uint32_t ci = circuitIndex(dpc, cic);
  return ci == kNone ? nullptr : &circuits_[ci];
}

std::optional<CallId> IsupStack::callOn(uint32_t dpc, uint16_t cic) const {
  const Circuit* c = circuit(dpc, cic);
  if (!c || c->call_id == 0) return std::nullopt;
  return c->call_id;
}

bool IsupStack::controls(uint32_t dpc, uint16_t cic) const {
  // §2.9.1.3: the exchange with the higher signalling point code controls the even CICs.
  const bool even = (cic % 2) == 0;
  return (cfg_.opc > dpc) == even;
}

uint8_t IsupStack::congestionLevel(uint32_t dpc) const {
  const Destination* d = findDest(dpc);
  return d ? std::max(d->reduce, d->acl) : 0;
}

bool IsupStack::destinationAvailable(uint32_t dpc) const {
  const Destination* d = findDest(dpc);
  return mtp_.available(dpc) && !(d && (d->paused || d->upu));
}

std::size_t IsupStack::runningProcedures() const { return calls_.size() + procs_.size() + group_procs_.size(); }

std::size_t IsupStack::bytesPerIdleCircuit() {
  // The Circuit record, its slot in the destination's CIC index and in its group's list.
  return sizeof(Circuit) + sizeof(uint32_t) + sizeof(uint32_t);
}

std::size_t IsupStack::bytesPerCall() {
  // An established call: the Call (its timers included; the IAM is dropped once a backward
  // message arrives or the call is offered) and its unordered_map node (next, key, pointer,
  // cached hash) and bucket.
  return sizeof(Call) + sizeof(void*) * 3 + sizeof(CallId) + sizeof(std::size_t);
}

// ---- sending ----

bool IsupStack::send(uint32_t dpc, Message& m) {
  m.variant = cfg_.variant;
  MtpTransfer tr;
  tr.header.service_indicator = kServiceIndicatorIsup;
  tr.header.network_indicator = cfg_.network_indicator;
  tr.header.opc = cfg_.opc;
  tr.header.dpc = dpc;
  tr.header.sls = static_cast<uint8_t>(m.cic & (cfg_.variant == Variant::Ansi ? 0x1F : 0x0F));
  int n = encode(m, std::span<uint8_t>(tr.data.data(), tr.data.size()));
  if (n < 0) {
    ++counters_.send_failures;
    return false;
  }
  tr.size = static_cast<uint16_t>(n);
  if (!mtp_.mtpTransferRequest(tr)) {
    ++counters_.send_failures;
    return false;
  }
  ++counters_.sent[code(m.type)];
  return true;
}

bool IsupStack::sendSimple(uint32_t dpc, uint16_t cic, MessageType t) {
  Message m = makeMessage(cfg_.variant, t, cic);
  return send(dpc, m);
}

Message IsupStack::causeMessage(MessageType t, uint16_t cic, uint8_t cause, std::optional<uint8_t> diag) const {
  Message m = makeMessage(cfg_.variant, t, cic);
  if (auto* ci = m.get<CauseIndicators>(ParamCode::CauseIndicators)) {
    ci->cause = cause;
    ci->location = cfg_.location;
    if (diag) ci->diagnostics.push_back(*diag);
  }
  return m;
}

void IsupStack::sendCfn(uint32_t dpc, uint16_t cic, uint8_t cause, std::optional<uint8_t> diag) {
  Message m = causeMessage(MessageType::CFN, cic, cause, diag);
  send(dpc, m);
}

void IsupStack::alert(MaintenanceAlert a, uint32_t dpc, uint16_t cic) {
  if (user_) user_->onMaintenance(a, dpc, cic);
}

// ---- MTP primitives ----

void IsupStack::mtpTransfer(const MtpTransfer& tr) {
  if (tr.header.service_indicator != kServiceIndicatorIsup) return;
  if (tr.header.dpc != cfg_.opc) return;
  const uint32_t dpc = tr.header.opc;
  if (auto it = dests_.find(dpc); it != dests_.end() && it->second->upu) {
    // §2.13.2: UPA, or any other message, shows the remote user part is back.
    it->second->upu = false;
    it->second->t4.stop();
  }
  const auto payload = tr.payload();
  if (auto err = decode(payload, cfg_.variant, rx_)) {
    ++counters_.decode_errors;
    if (payload.size() < 3) return;  // no message type: nothing to answer
    const uint16_t cic = static_cast<uint16_t>(
        payload[0] | ((payload[1] & (cfg_.variant == Variant::Ansi ? 0x3F : 0x0F)) << 8));
    const auto type = static_cast<MessageType>(payload[2]);
    ++counters_.received[payload[2]];
    const uint32_t ci = circuitIndex(dpc, cic);
    if (type == MessageType::REL && ci != kNone) {
      // §2.9.5.2: a REL whose parameters are in error still releases the circuit.
      onRel(dpc, ci, nullptr, err->cause(), 0);
      return;
    }
    if (type != MessageType::CFN && type != MessageType::RLC)
      sendCfn(dpc, cic, err->cause(), err->diagnostic());
    return;
  }
  Message& m = rx_;
  ++counters_.received[code(m.type)];
  switch (m.type) {
    case MessageType::UPT:  // §2.13.3: answer a user part test whatever the CIC
      sendSimple(dpc, m.cic, MessageType::UPA);
      return;
    case MessageType::UPA:
      return;
    default:
      break;
  }
  const uint32_t ci = circuitIndex(dpc, m.cic);
  if (ci == kNone) {
    // §2.12: a message for a CIC we do not have is answered by UCIC (never UCIC for UCIC).
    ++counters_.unknown_cic;
    if (m.type != MessageType::UCIC && m.type != MessageType::CFN) sendSimple(dpc, m.cic, MessageType::UCIC);
    return;
  }
  if (messageAcronym(cfg_.variant, m.type).empty()) {
    handleUnrecognizedMessage(dpc, m.cic, ci, m);
    return;
  }
  if (!checkCompatibility(dpc, ci, m)) return;
  switch (m.type) {
    case MessageType::GRS: case MessageType::GRA: case MessageType::CGB: case MessageType::CGBA:
    case MessageType::CGU: case MessageType::CGUA: case MessageType::CQM: case MessageType::CQR:
      onGroupMessage(dpc, m);
      return;
    case MessageType::RSC: case MessageType::BLO: case MessageType::BLA: case MessageType::UBL:
    case MessageType::UBA: case MessageType::UCIC: case MessageType::CCR:
      onSupervisionMessage(dpc, ci, m);
      return;
    default:
      onCallMessage(dpc, ci, m);
  }
}

void IsupStack::mtpPause(uint32_t dpc) {
  // §2.13.1: no new calls towards an inaccessible destination; calls and procedures in
  // progress keep their timers (their messages are refused by MTP meanwhile).
  dest(dpc).paused = true;
}

void IsupStack::mtpResume(uint32_t dpc) {
  Destination& d = dest(dpc);
  d.paused = false;
  d.upu = false;
  d.t4.stop();
  if (cfg_.reset_on_resume && started_) resetDestination(dpc);
}

void IsupStack::mtpStatus(const MtpStatus& s) {
  Destination& d = dest(s.affected_dpc);
  const uint32_t dpc = s.affected_dpc;
  if (s.kind == MtpStatus::Kind::Congestion) {
    // §2.10: reduce traffic one step per indication outside T29; T30 restores a step at a time.
    if (d.t29.running()) return;
    if (d.reduce < 3) ++d.reduce;
    d.t29.start(cfg_.timers.ms(IsupTimer::T29), [] {});
    d.t30.start(cfg_.timers.ms(IsupTimer::T30), [this, dpc] { congestionT30(dpc); });
    if (user_) user_->onCongestion(dpc, d.reduce);
    return;
  }
  // User part unavailable (§2.13.2).
  const bool was = d.upu;
  d.upu = true;
  if (!was) alert(MaintenanceAlert::UserPartUnavailable, dpc, 0);
  if (s.cause != UserPartUnavailableCause::Unequipped && !d.t4.running()) sendUpt(dpc);
}

void IsupStack::congestionT30(uint32_t dpc) {
  Destination& d = dest(dpc);
  if (d.reduce > 0) --d.reduce;
  if (d.reduce > 0) d.t30.start(cfg_.timers.ms(IsupTimer::T30), [this, dpc] { congestionT30(dpc); });
  if (user_) user_->onCongestion(dpc, d.reduce);
}

void IsupStack::sendUpt(uint32_t dpc) {
  Destination& d = dest(dpc);
  uint16_t cic = 0;
  for (std::size_t c = 0; c < d.cic_index.size(); ++c)
    if (d.cic_index[c]) {
      cic = static_cast<uint16_t>(c);
      break;
    }
  sendSimple(dpc, cic, MessageType::UPT);
  d.t4.start(cfg_.timers.ms(IsupTimer::T4), [this, dpc] { sendUpt(dpc); });
}

// ---- §2.9.5.3 compatibility ----

void IsupStack::handleUnrecognizedMessage(uint32_t dpc, uint16_t cic, uint32_t ci, const Message& m) {
  ++counters_.unrecognized_messages;
  // §2.9.5.3.1: an unrecognized message is taken to hold only an optional part, its pointer
  // first; the message compatibility information there says what to do.
  const uint8_t type = code(m.type);
  std::optional<MessageCompatibilityInformation> mci;
  const Bytes& b = m.body;
  if (!b.empty() && b[0] != 0) {
    std::size_t i = b[0];
    while (i + 1 < b.size() && b[i] != 0) {
      const uint8_t pc = b[i], len = b[i + 1];
      if (i + 2 + len > b.size()) break;
      if (pc == code(ParamCode::MessageCompatibilityInformation)) {
        ParamValue v = decodeParam(cfg_.variant, pc, std::span<const uint8_t>(b.data() + i + 2, len));
        if (auto* p = std::get_if<MessageCompatibilityInformation>(&v)) mci = *p;
        break;
      }
      i += 2u + len;
    }
  }
  if (!mci) {  // no instructions: discard and notify
    sendCfn(dpc, cic, 97, type);
    return;
  }
  if (mci->release_call) {
    if (Call* c = callOnCircuit(ci); c && c->state != CallState::AwaitingRlc) {
      c->rel_origin = ReleaseOrigin::Abnormal;
      sendRel(*c, 97, cfg_.location, type);  // diagnostic: the message type (Q.850)
    }
    return;
  }
  if (mci->send_notification) sendCfn(dpc, cic, 97, type);
  // discard message (also the "pass on not possible" outcome at an end exchange)
}

bool IsupStack::checkCompatibility(uint32_t dpc, uint32_t ci, Message& m) {
  bool notify = false;
  std::optional<uint8_t> diag;
  for (std::size_t i = 0; i < m.optional.size();) {
    const Parameter& p = m.optional[i];
    const auto* op = std::get_if<Opaque>(&p.value);
    if (!op || op->recognized) {
      ++i;
      continue;
    }
    ++counters_.unrecognized_parameters;
    const uint8_t pcode = code(p.code);
    const ParameterCompatibilityInformation::Entry* e = nullptr;
    if (const auto* pci = m.get<ParameterCompatibilityInformation>(ParamCode::ParameterCompatibilityInformation))
      for (const auto& x : pci->entries)
        if (x.parameter == pcode) e = &x;
    if (!e) {
      // No instructions (§2.9.5.3.2): the parameter is passed to the user unchanged.
      ++i;
      continue;
    }
    // At an end exchange the instructions apply in this order: release, discard message,
    // discard parameter; otherwise "pass on" is not possible and its own indicator rules.
    int action;  // 0 release call, 1 discard message, 2 discard parameter
    if (e->releaseCall()) action = 0;
    else if (e->discardMessage()) action = 1;
    else if (e->discardParameter()) action = 2;
    else action = e->passOnNotPossible() == 3 ? 0 : e->passOnNotPossible();
    if (action == 0) {
      Call* c = callOnCircuit(ci);
      if (c && c->state != CallState::AwaitingRlc) {
        c->rel_origin = ReleaseOrigin::Abnormal;
        sendRel(*c, 99, cfg_.location, pcode);
      } else if (!c && m.type == MessageType::IAM) {
        Call& nc = newCall(ci, false);
        nc.rel_origin = ReleaseOrigin::Abnormal;
        sendRel(nc, 99, cfg_.location, pcode);
      }
      return false;
    }
    if (action == 1) {
      if (e->sendNotification()) sendCfn(dpc, m.cic, 99, pcode);
      return false;
    }
    if (e->sendNotification()) {
      notify = true;
      diag = pcode;
    }
    m.optional.erase(m.optional.begin() + static_cast<std::ptrdiff_t>(i));
  }
  if (notify) sendCfn(dpc, m.cic, 99, diag);
  return true;
}

}  // namespace siptgw::isup
