// RFC 3312 / RFC 4032 status tables. See preconditions.h.
#include "sip/preconditions.h"

#include <optional>

namespace siptgw::sip {

namespace {

// The lines of the first m= section (attributes only), as views into `sdp`.
template <class F>
void forEachMediaAttribute(std::string_view sdp, F&& f) {
  bool inMedia = false;
  std::size_t pos = 0;
  while (pos < sdp.size()) {
    std::size_t lf = sdp.find('\n', pos);
    if (lf == std::string_view::npos) lf = sdp.size();
    std::string_view line = sdp.substr(pos, lf - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = lf + 1;
    if (line.starts_with("m=")) {
      if (inMedia) return;
      inMedia = true;
      continue;
    }
    if (inMedia && line.starts_with("a=")) f(line.substr(2));
  }
}

std::optional<SdpPrecondition> precondition(std::string_view attr) {
  const std::size_t colon = attr.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto p = parseSdpPrecondition(attr.substr(0, colon), attr.substr(colon + 1));
  if (!p) return std::nullopt;
  return *p;
}

PrecondStatus invert(PrecondStatus s) {
  if (s == PrecondStatus::Local) return PrecondStatus::Remote;
  if (s == PrecondStatus::Remote) return PrecondStatus::Local;
  return PrecondStatus::E2E;
}

bool hasSend(PrecondDirection d, bool invertDir) {
  return invertDir ? (d == PrecondDirection::Recv || d == PrecondDirection::SendRecv)
                   : (d == PrecondDirection::Send || d == PrecondDirection::SendRecv);
}
bool hasRecv(PrecondDirection d, bool invertDir) { return hasSend(d, !invertDir); }

PrecondDirection invert(PrecondDirection d) {
  if (d == PrecondDirection::Send) return PrecondDirection::Recv;
  if (d == PrecondDirection::Recv) return PrecondDirection::Send;
  return d;
}

PrecondDirection directionOf(bool send, bool recv) {
  return send ? (recv ? PrecondDirection::SendRecv : PrecondDirection::Send)
              : (recv ? PrecondDirection::Recv : PrecondDirection::None);
}

int rank(PrecondStrength s) {
  switch (s) {
    case PrecondStrength::Mandatory: return 2;
    case PrecondStrength::Optional: return 1;
    default: return 0;
  }
}

}  // namespace

bool Preconditions::inUse(std::string_view sdp) {
  bool found = false;
  forEachMediaAttribute(sdp, [&](std::string_view a) {
    if (a.starts_with("des:")) found = true;
  });
  return found;
}

void Preconditions::applyRemote(std::string_view sdp) {
  unknown_.clear();  // each SDP states its preconditions anew
  forEachMediaAttribute(sdp, [&](std::string_view a) {
    auto p = precondition(a);
    if (!p) return;
    const PrecondStatus ours = invert(p->status);
    Row* r = rows_[static_cast<int>(ours)];
    if (p->type != "qos") {
      if (p->kind == SdpPrecondition::Kind::Des && p->strength == PrecondStrength::Mandatory) {
        unknown_.push_back({std::string(p->type), ours, invert(p->direction)});
      }
      return;
    }
    const bool send = hasSend(p->direction, true), recv = hasRecv(p->direction, true);
    switch (p->kind) {
      case SdpPrecondition::Kind::Curr:
        // Its view of our local segment is ours to know; its local (our remote) and e2e count.
        if (ours == PrecondStatus::Local) return;
        used_[static_cast<int>(ours)] = true;
        r[0].current = send || (ours == PrecondStatus::E2E && r[0].current);
        r[1].current = recv || (ours == PrecondStatus::E2E && r[1].current);
        break;
      case SdpPrecondition::Kind::Des:
        used_[static_cast<int>(ours)] = true;
        if (p->strength == PrecondStrength::Failure) remoteFailed_ = true;
        for (int i = 0; i < 2; ++i) {
          if ((i == 0 ? send : recv) && rank(p->strength) > rank(r[i].desired)) r[i].desired = p->strength;
        }
        break;
      case SdpPrecondition::Kind::Conf:
        if (send) r[0].confirm = true;
        if (recv) r[1].confirm = true;
        break;
    }
  });
}

void Preconditions::setLocalReady(bool ready) {
  for (int s : {static_cast<int>(PrecondStatus::Local), static_cast<int>(PrecondStatus::E2E)}) {
    rows_[s][0].current = ready;
    rows_[s][1].current = ready;
  }
}

void Preconditions::desire(PrecondStrength s, PrecondStatus segment) {
  used_[static_cast<int>(segment)] = true;
  for (Row& r : rows_[static_cast<int>(segment)]) r.desired = s;
}

bool Preconditions::failed() const { return localFailed_ || remoteFailed_ || !unknown_.empty(); }

bool Preconditions::met() const {
  if (failed()) return false;
  for (const auto& seg : rows_) {
    for (const Row& r : seg) {
      if (r.desired == PrecondStrength::Mandatory && !r.current) return false;
    }
  }
  return true;
}

bool Preconditions::confirmRequested() const {
  for (int s : {static_cast<int>(PrecondStatus::Local), static_cast<int>(PrecondStatus::E2E)}) {
    if (rows_[s][0].confirm || rows_[s][1].confirm) return true;
  }
  return false;
}

void Preconditions::appendLines(std::string& out, bool failure) const {
  auto line = [&out](const SdpPrecondition& p) {
    out.append("a=");
    appendPrecondition(p, out);
    out.append("\r\n");
  };
  static constexpr PrecondStatus kOrder[] = {PrecondStatus::E2E, PrecondStatus::Local, PrecondStatus::Remote};
  for (PrecondStatus st : kOrder) {
    if (!used_[static_cast<int>(st)]) continue;
    const Row* r = rows_[static_cast<int>(st)];
    line({SdpPrecondition::Kind::Curr, "qos", PrecondStrength::None, st, directionOf(r[0].current, r[1].current)});
  }
  for (PrecondStatus st : kOrder) {
    if (!used_[static_cast<int>(st)]) continue;
    const Row* r = rows_[static_cast<int>(st)];
    PrecondStrength s[2] = {r[0].desired, r[1].desired};
    for (int i = 0; i < 2; ++i) {
      if (failure && s[i] == PrecondStrength::Mandatory && !r[i].current) s[i] = PrecondStrength::Failure;
    }
    if (s[0] == s[1]) {
      line({SdpPrecondition::Kind::Des, "qos", s[0], st, PrecondDirection::SendRecv});
    } else {
      line({SdpPrecondition::Kind::Des, "qos", s[0], st, PrecondDirection::Send});
      line({SdpPrecondition::Kind::Des, "qos", s[1], st, PrecondDirection::Recv});
    }
  }
  // §6: ask the peer to confirm our remote segment while a mandatory part of it is pending.
  const Row* rem = rows_[static_cast<int>(PrecondStatus::Remote)];
  const bool sendPending = rem[0].desired == PrecondStrength::Mandatory && !rem[0].current;
  const bool recvPending = rem[1].desired == PrecondStrength::Mandatory && !rem[1].current;
  if (!failure && (sendPending || recvPending)) {
    line({SdpPrecondition::Kind::Conf, "qos", PrecondStrength::None, PrecondStatus::Remote,
          directionOf(sendPending, recvPending)});
  }
  for (const Unknown& u : unknown_) {
    line({SdpPrecondition::Kind::Des, u.type, PrecondStrength::Unknown, u.status, u.direction});
  }
}

std::string Preconditions::rewrite(std::string_view sdp, bool failure) const {
  std::string out;
  out.reserve(sdp.size() + 160);
  bool inMedia = false, done = false;
  std::size_t pos = 0;
  while (pos < sdp.size()) {
    std::size_t lf = sdp.find('\n', pos);
    const std::size_t end = lf == std::string_view::npos ? sdp.size() : lf + 1;
    std::string_view line = sdp.substr(pos, end - pos);
    pos = end;
    if (line.starts_with("m=")) {
      if (inMedia && !done) {
        appendLines(out, failure);
        done = true;
      }
      inMedia = true;
    } else if (inMedia && !done &&
               (line.starts_with("a=curr:") || line.starts_with("a=des:") || line.starts_with("a=conf:"))) {
      continue;
    }
    out.append(line);
    if (lf == std::string_view::npos && !line.empty()) out.append("\r\n");
  }
  if (inMedia && !done) appendLines(out, failure);
  return out;
}

}  // namespace siptgw::sip
