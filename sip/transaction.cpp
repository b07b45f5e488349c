// SIP transaction layer (RFC 3261 §17, RFC 4320, RFC 6026). See transaction.h.
#include "sip/transaction.h"

#include <array>
#include <cassert>
#include <chrono>
#include <cstdio>
#include <random>

#include "sip/message_builder.h"
#include "sip/text.h"

namespace siptgw::sip {

namespace {

using K = TxnKind;
using S = TxnState;
using E = TxnEvent;

constexpr std::string_view kFig5 = "RFC 3261 Fig. 5 (§17.1.1.2)";
constexpr std::string_view kFig5x = "RFC 3261 Fig. 5 as amended by RFC 6026 §7.2";
constexpr std::string_view kFig6 = "RFC 3261 Fig. 6 (§17.1.2.2)";
constexpr std::string_view kFig7 = "RFC 3261 Fig. 7 (§17.2.1)";
constexpr std::string_view kFig7x = "RFC 3261 Fig. 7 as amended by RFC 6026 §7.1";
constexpr std::string_view kFig8 = "RFC 3261 Fig. 8 (§17.2.2)";
constexpr std::string_view kCancel = "RFC 3261 §9.1";

// Every state change of the four machines. A self-loop is a row too: it is where the
// figures put retransmissions and absorptions.
constexpr TransitionRow kAllRows[] = {

    // INVITE client
    {K::InviteClient, S::Calling, E::TimerA, S::Calling, "resend INVITE; A = 2·A (no cap)", kFig5},
    {K::InviteClient, S::Calling, E::TimerB, S::Terminated, "inform TU (timeout, 408)", kFig5},
    {K::InviteClient, S::Calling, E::TransportError, S::Terminated, "inform TU (503)", kFig5},
    {K::InviteClient, S::Calling, E::Rx1xx, S::Proceeding,
     "1xx to TU; stop A, B (B not after our CANCEL)", kFig5},
    {K::InviteClient, S::Calling, E::Rx2xx, S::Accepted, "2xx to TU; start M", kFig5x},
    {K::InviteClient, S::Calling, E::Rx300to699, S::Completed, "send ACK; resp. to TU; start D", kFig5},
    {K::InviteClient, S::Proceeding, E::Rx1xx, S::Proceeding, "1xx to TU", kFig5},
    {K::InviteClient, S::Proceeding, E::TimerB, S::Terminated,
     "cancelled, no final response in 64·T1: inform TU (timeout, 408)", kCancel},
    {K::InviteClient, S::Proceeding, E::Rx2xx, S::Accepted, "2xx to TU; start M", kFig5x},
    {K::InviteClient, S::Proceeding, E::Rx300to699, S::Completed, "send ACK; resp. to TU; start D", kFig5},
    {K::InviteClient, S::Accepted, E::Rx2xx, S::Accepted, "2xx to TU", kFig5x},
    {K::InviteClient, S::Accepted, E::TimerM, S::Terminated, "-", kFig5x},
    {K::InviteClient, S::Completed, E::Rx300to699, S::Completed, "resend ACK (absorb)", kFig5},
    {K::InviteClient, S::Completed, E::TransportError, S::Terminated, "inform TU (503)", kFig5},
    {K::InviteClient, S::Completed, E::TimerD, S::Terminated, "-", kFig5},
    // non-INVITE client
    {K::NonInviteClient, S::Trying, E::TimerE, S::Trying, "resend; E = min(2·E, T2)", kFig6},
    {K::NonInviteClient, S::Trying, E::TimerF, S::Terminated, "inform TU (timeout, 408)", kFig6},
    {K::NonInviteClient, S::Trying, E::TransportError, S::Terminated, "inform TU (503)", kFig6},
    {K::NonInviteClient, S::Trying, E::Rx1xx, S::Proceeding, "1xx to TU", kFig6},
    {K::NonInviteClient, S::Trying, E::Rx2xx, S::Completed, "resp. to TU; start K", kFig6},
    {K::NonInviteClient, S::Trying, E::Rx300to699, S::Completed, "resp. to TU; start K", kFig6},
    {K::NonInviteClient, S::Proceeding, E::TimerE, S::Proceeding, "resend; E = T2", kFig6},
    {K::NonInviteClient, S::Proceeding, E::Rx1xx, S::Proceeding, "1xx to TU", kFig6},
    {K::NonInviteClient, S::Proceeding, E::TimerF, S::Terminated, "inform TU (timeout, 408)", kFig6},
    {K::NonInviteClient, S::Proceeding, E::TransportError, S::Terminated, "inform TU (503)", kFig6},
    {K::NonInviteClient, S::Proceeding, E::Rx2xx, S::Completed, "resp. to TU; start K", kFig6},
    {K::NonInviteClient, S::Proceeding, E::Rx300to699, S::Completed, "resp. to TU; start K", kFig6},
    {K::NonInviteClient, S::Completed, E::TimerK, S::Terminated, "-", kFig6},
    // INVITE server
    {K::InviteServer, S::Proceeding, E::RxRequest, S::Proceeding, "resend last provisional", kFig7},
    {K::InviteServer, S::Proceeding, E::Timer100, S::Proceeding, "send 100 Trying (TU silent 200 ms)", kFig7},
    {K::InviteServer, S::Proceeding, E::Tu1xx, S::Proceeding, "send 1xx", kFig7},
    {K::InviteServer, S::Proceeding, E::Tu2xx, S::Accepted, "send 2xx; start L", kFig7x},
    {K::InviteServer, S::Proceeding, E::Tu300to699, S::Completed, "send resp.; start G (UDP), H", kFig7},
    {K::InviteServer, S::Proceeding, E::TransportError, S::Terminated, "inform TU", kFig7},
    {K::InviteServer, S::Accepted, E::RxRequest, S::Accepted, "absorb (not to TU)", kFig7x},
    {K::InviteServer, S::Accepted, E::Tu2xx, S::Accepted, "send 2xx (TU retransmission)", kFig7x},
    {K::InviteServer, S::Accepted, E::RxAck, S::Accepted, "ACK to TU", kFig7x},
    {K::InviteServer, S::Accepted, E::TransportError, S::Accepted, "inform TU", kFig7x},
    {K::InviteServer, S::Accepted, E::TimerL, S::Terminated, "-", kFig7x},
    {K::InviteServer, S::Completed, E::RxRequest, S::Completed, "resend response", kFig7},
    {K::InviteServer, S::Completed, E::TimerG, S::Completed, "resend response; G = min(2·G, T2)", kFig7},
    {K::InviteServer, S::Completed, E::RxAck, S::Confirmed, "start I", kFig7},
    {K::InviteServer, S::Completed, E::TimerH, S::Terminated, "inform TU (no ACK)", kFig7},
    {K::InviteServer, S::Completed, E::TransportError, S::Terminated, "inform TU", kFig7},
    {K::InviteServer, S::Confirmed, E::RxAck, S::Confirmed, "absorb", kFig7},
    {K::InviteServer, S::Confirmed, E::TimerI, S::Terminated, "-", kFig7},
    // non-INVITE server
    {K::NonInviteServer, S::Trying, E::RxRequest, S::Trying, "discard", kFig8},
    {K::NonInviteServer, S::Trying, E::Tu1xx, S::Proceeding, "send 1xx", kFig8},
    {K::NonInviteServer, S::Trying, E::Timer100, S::Proceeding, "send 100 once E reached T2 (RFC 4320 §4.1)", kFig8},
    {K::NonInviteServer, S::Trying, E::Tu2xx, S::Completed, "send resp.; start J", kFig8},
    {K::NonInviteServer, S::Trying, E::Tu300to699, S::Completed, "send resp.; start J", kFig8},
    {K::NonInviteServer, S::Proceeding, E::RxRequest, S::Proceeding, "resend provisional", kFig8},
    {K::NonInviteServer, S::Proceeding, E::Tu1xx, S::Proceeding, "send 1xx", kFig8},
    {K::NonInviteServer, S::Proceeding, E::Tu2xx, S::Completed, "send resp.; start J", kFig8},
    {K::NonInviteServer, S::Proceeding, E::Tu300to699, S::Completed, "send resp.; start J", kFig8},
    {K::NonInviteServer, S::Proceeding, E::TransportError, S::Terminated, "inform TU", kFig8},
    {K::NonInviteServer, S::Completed, E::RxRequest, S::Completed, "resend final response", kFig8},
    {K::NonInviteServer, S::Completed, E::TransportError, S::Terminated, "inform TU", kFig8},
    {K::NonInviteServer, S::Completed, E::TimerJ, S::Terminated, "-", kFig8},
    {K::NonInviteServer, S::Trying, E::TransportError, S::Terminated, "TU told by respond()'s result", "RFC 3261 §17.2.4"},
};
std::array<std::uint64_t, std::size(kAllRows)> gCounts{};

// Row index by (kind, from, event), built once: go() runs on every message and timer, and a
// linear scan of kAllRows read ~2.4 KB each time. -1: no row.
constexpr std::size_t kKinds = 4, kStates = 7, kEvents = static_cast<std::size_t>(E::TransportError) + 1;
constexpr std::size_t rowSlot(K k, S s, E e) {
  return (static_cast<std::size_t>(k) * kStates + static_cast<std::size_t>(s)) * kEvents +
         static_cast<std::size_t>(e);
}
constexpr auto kRowIndex = [] {
  std::array<std::int8_t, kKinds * kStates * kEvents> index{};
  for (auto& i : index) i = -1;
  for (std::size_t r = std::size(kAllRows); r-- > 0;) {
    index[rowSlot(kAllRows[r].kind, kAllRows[r].from, kAllRows[r].event)] = static_cast<std::int8_t>(r);
  }
  return index;
}();
static_assert(std::size(kAllRows) < 128);
static_assert(static_cast<std::size_t>(S::Terminated) + 1 == kStates);

std::uint16_t statusOf(std::string_view response) {
  // "SIP/2.0 NNN ..."
  if (response.size() < 11) return 0;
  std::uint32_t code = 0;
  if (!parseUint(response.substr(8, 3), 699, code)) return 0;
  return static_cast<std::uint16_t>(code);
}

TxnEvent responseEvent(std::uint16_t code, bool fromTu) {
  if (code < 200) return fromTu ? E::Tu1xx : E::Rx1xx;
  if (code < 300) return fromTu ? E::Tu2xx : E::Rx2xx;
  return fromTu ? E::Tu300to699 : E::Rx300to699;
}

// First comma element of the first Via field: the top Via as written.
std::string_view topViaRaw(const Message& m) {
  const HeaderField* h = m.find(HeaderId::Via);
  if (h == nullptr) return {};
  std::size_t comma = findTopLevel(h->value, ',');
  return trim(comma == std::string_view::npos ? h->value : h->value.substr(0, comma));
}

std::string makeTag(std::uint64_t& seed) {
  seed = seed * 6364136223846793005ull + 1442695040888963407ull;
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(seed >> 1));
  return buf;
}

}  // namespace

std::string_view toString(TxnKind k) {
  switch (k) {
    case K::InviteClient: return "INVITE client";
    case K::NonInviteClient: return "non-INVITE client";
    case K::InviteServer: return "INVITE server";
    case K::NonInviteServer: return "non-INVITE server";
  }
  return "?";
}

std::string_view toString(TxnState s) {
  switch (s) {
    case S::Calling: return "Calling";
    case S::Trying: return "Trying";
    case S::Proceeding: return "Proceeding";
    case S::Accepted: return "Accepted";
    case S::Completed: return "Completed";
    case S::Confirmed: return "Confirmed";
    case S::Terminated: return "Terminated";
  }
  return "?";
}

std::string_view toString(TxnEvent e) {
  static constexpr std::string_view names[] = {
      "1xx", "2xx", "300-699", "request", "ACK", "TU 1xx", "TU 2xx", "TU 300-699",
      "Timer A", "Timer B", "Timer D", "Timer E", "Timer F", "Timer K", "Timer M",
      "Timer G", "Timer H", "Timer I", "Timer J", "Timer L", "Timer 100", "transport error"};
  auto i = static_cast<std::size_t>(e);
  return i < std::size(names) ? names[i] : "?";
}

std::string_view toString(TxnError e) {
  switch (e) {
    case TxnError::NoSuchTransaction: return "no such transaction";
    case TxnError::BadMessage: return "bad message";
    case TxnError::NoMagicCookie: return "branch lacks the z9hG4bK magic cookie";
    case TxnError::DuplicateBranch: return "a client transaction with this branch exists";
    case TxnError::WrongState: return "not allowed in this state";
    case TxnError::NotAllowed: return "not allowed";
    case TxnError::ProvisionalToNonInvite: return "only 100 may answer a non-INVITE (RFC 4320)";
    case TxnError::Early100: return "100 to non-INVITE before Timer E reached T2 (RFC 4320)";
    case TxnError::Forbidden408: return "408 to a non-INVITE (RFC 4320)";
    case TxnError::Transport: return "transport error";
  }
  return "?";
}

std::span<const TransitionRow> transitionTable() {
  return kAllRows;
}
std::span<const std::uint64_t> transitionCounts() {
  return gCounts;
}

std::uint16_t equivalentStatus(TxnFailure f) {
  switch (f) {
    case TxnFailure::Timeout: return 408;
    case TxnFailure::TransportError: return 503;
    case TxnFailure::NoAck: return 0;
  }
  return 0;
}

// ---------------------------------------------------------------------------- TxnKeyIndex

std::uint64_t TxnKeyIndex::hash(std::string_view key) {
  return std::hash<std::string_view>{}(key);
}

Transaction* TxnKeyIndex::find(std::string_view key, std::uint64_t h) const {
  if (slots_.empty()) return nullptr;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.id == 0) return nullptr;
    if (s.hash != h) continue;
    Transaction* t = owners_.find(s.id);
    if (t != nullptr && t->state_ != TxnState::Terminated && t->*member_ == key) return t;
  }
}

void TxnKeyIndex::insert(std::uint64_t h, const Transaction& t) {
  if ((size_ + 1) * 2 > slots_.size()) rebuild();  // load, stale entries included, at most 1/2
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = h & mask;
  while (slots_[i].id != 0) i = (i + 1) & mask;
  slots_[i] = Slot{h, t.id_};
  ++size_;
}

void TxnKeyIndex::rebuild() {
  // The live entries first, packed to the front of the old table (one lookup each), so
  // the new table's size follows from their count.
  std::vector<Slot> old = std::move(slots_);
  std::size_t live = 0;
  for (const Slot& s : old) {
    if (s.id != 0 && owners_.find(s.id) != nullptr) old[live++] = s;
  }
  // Load at most 1/4 afterwards: as many stale entries again fit before the next rebuild,
  // so each costs a sequential pass over at most 8 slots per insert since the last one.
  std::size_t cap = 64;
  while (cap < 4 * (live + 1)) cap *= 2;
  slots_.assign(cap, Slot{});
  size_ = 0;
  const std::size_t mask = cap - 1;
  for (std::size_t k = 0; k < live; ++k) {
    const Slot& s = old[k];
    std::size_t i = s.hash & mask;
    while (slots_[i].id != 0) i = (i + 1) & mask;
    slots_[i] = s;
    ++size_;
  }
}

// --------------------------------------------------------------------------- LingerLanes

std::uint64_t LingerLanes::add(std::uint32_t ms, Transaction* t, TxnEvent ev) {
  std::size_t li = 0;
  while (li < lanes_.size() && lanes_[li]->ms != ms) ++li;
  if (li == lanes_.size()) {
    lanes_.push_back(std::make_unique<Lane>());
    lanes_.back()->ms = ms;
    lanes_.back()->timer.bind(clock_);
  }
  Lane& l = *lanes_[li];
  if (l.tail - l.head == l.ring.size()) {  // full: re-lay the queued seqs into a larger ring
    std::vector<Entry> bigger(l.ring.empty() ? 256 : l.ring.size() * 2);
    for (std::uint64_t s = l.head; s != l.tail; ++s)
      bigger[s & (bigger.size() - 1)] = l.ring[s & (l.ring.size() - 1)];
    l.ring = std::move(bigger);
  }
  const std::uint64_t seq = l.tail++;
  l.ring[seq & (l.ring.size() - 1)] = Entry{clock_.nowMs() + ms, t, ev};
  ++live_;
  if (!l.timer.running()) arm(l);
  return (seq << 8) | (li + 1);
}

void LingerLanes::remove(std::uint64_t ticket) {
  const std::size_t li = (ticket & 0xff) - 1;
  if (li >= lanes_.size()) return;
  Lane& l = *lanes_[li];
  const std::uint64_t seq = ticket >> 8;
  if (seq < l.head || seq >= l.tail) return;
  Entry& e = l.ring[seq & (l.ring.size() - 1)];
  if (e.txn == nullptr) return;
  e.txn = nullptr;
  --live_;
}

void LingerLanes::arm(Lane& l) {
  const std::size_t mask = l.ring.size() - 1;
  while (l.head != l.tail && l.ring[l.head & mask].txn == nullptr) ++l.head;
  if (l.head == l.tail) {
    l.timer.stop();
    return;
  }
  std::uint64_t at = l.ring[l.head & mask].due;
  if (slack_ > 1) at = (at + slack_ - 1) / slack_ * slack_;
  const std::uint64_t now = clock_.nowMs();
  l.timer.start(at > now ? static_cast<std::uint32_t>(at - now) : 0, [this, &l] { drain(l); });
}

void LingerLanes::drain(Lane& l) {
  const std::uint64_t now = clock_.nowMs();
  constexpr std::uint64_t kAhead = 4;
  while (l.head != l.tail) {
    const std::size_t mask = l.ring.size() - 1;
    const Entry e = l.ring[l.head & mask];
    if (e.txn != nullptr && e.due > now) break;
    ++l.head;
    if (l.tail - l.head > kAhead) {
      if (Transaction* next = l.ring[(l.head + kAhead) & mask].txn) __builtin_prefetch(next);
    }
    if (e.txn == nullptr) continue;
    --live_;
    e.txn->linger_ = 0;
    e.txn->go(e.ev, TxnState::Terminated);  // may add to this lane (the ring may grow)
  }
  arm(l);
}

// ---------------------------------------------------------------------------- Transaction

Transaction::Transaction(TransactionLayer& layer, TxnId id, TxnKind kind, TxnState initial)
    : layer_(layer), id_(id), kind_(kind), state_(initial) {
  t1_.bind(layer.clock_);
  t2_.bind(layer.clock_);
  t3_.bind(layer.clock_);
}

void Transaction::go(TxnEvent ev, TxnState to) {
  const std::int8_t row = kRowIndex[rowSlot(kind_, state_, ev)];
  assert(row >= 0 && kAllRows[row].to == to && "transition not in the table");
  if (row >= 0) ++gCounts[static_cast<std::size_t>(row)];
  state_ = to;
  // Past the final response nothing reads the request again (the layer keeps what it
  // resends as bytes: the final response, the ACK), while the transaction lives on for up
  // to 64·T1 to absorb retransmissions: let the shared parse go.
  if (to == S::Accepted || to == S::Completed || to == S::Confirmed || to == S::Terminated) {
    request_.reset();
  }
  if (to == S::Terminated) {
    t1_.stop();
    t2_.stop();
    t3_.stop();
    if (linger_ != 0) {
      layer_.lanes_.remove(linger_);
      linger_ = 0;
    }
    layer_.terminated(*this);
  }
}

const Message& Transaction::request() const {
  static const Message kNone;
  return request_ ? *request_ : kNone;
}

bool Transaction::transmit(std::string_view bytes) {
  return layer_.transport_.send(dst_, bytes, id_) == TransportErrc::Ok;
}

const TimerConfig& Transaction::timers() const {
  return layer_.cfg_.timers;
}

void Transaction::linger(TxnEvent ev, std::uint32_t ms) {
  if (ms == 0) {  // reliable transport: nothing to absorb, ends from a posted turn
    t2_.start(0, [this, ev] { go(ev, S::Terminated); });
    return;
  }
  linger_ = layer_.lanes_.add(ms, this, ev);
}

// -------------------------------------------------------------- INVITE client (Fig. 5)

void InviteClientTransaction::start() {
  if (!reliable()) {
    a_ = timers().timerA();
    t1_.start(a_, [this] { fireA(); });
  }
  t2_.start(timers().timerB(), [this] { fireB(); });
}

// Timer B in Calling (§17.1.1.2); after our CANCEL also in Proceeding, where §9.1 gives the
// INVITE 64·T1 for its final response before the client transaction is destroyed.
void InviteClientTransaction::fireB() {
  if (state_ != S::Calling && !(cancelled_ && state_ == S::Proceeding)) return layer_.ignored();
  layer_.reportFailure(*this, TxnFailure::Timeout);
  go(E::TimerB, S::Terminated);
}

void InviteClientTransaction::cancelled() {
  if (state_ != S::Calling && state_ != S::Proceeding) return;
  cancelled_ = true;
  t2_.start(timers().timerB(), [this] { fireB(); });  // 64·T1 from the CANCEL
}

void InviteClientTransaction::fireA() {
  if (state_ != S::Calling) return layer_.ignored();
  if (!transmit(request_.bytes())) return onTransportError();
  ++layer_.stats_.requestRetransmits;
  a_ *= 2;  // §17.1.1.2: doubles with no cap; Timer B ends it
  t1_.start(a_, [this] { fireA(); });
  go(E::TimerA, S::Calling);
}

void InviteClientTransaction::onResponse(const Message& rsp) {
  const std::uint16_t code = rsp.statusCode();
  const TxnEvent ev = responseEvent(code, false);
  switch (state_) {
    case S::Calling:
    case S::Proceeding:
      t1_.stop();
      if (ev != E::Rx1xx || !cancelled_) t2_.stop();  // a cancelled INVITE keeps its §9.1 wait
      if (ev == E::Rx1xx) {
        go(ev, S::Proceeding);
      } else if (ev == E::Rx2xx) {
        go(ev, S::Accepted);
        linger(E::TimerM, timers().timerM());
      } else {
        buildAck(rsp);
        if (!transmit(ack_)) {
          // The response still goes up; the failed ACK ends the transaction (Fig. 5).
          go(ev, S::Completed);
          layer_.deliverResponse(*this, rsp);
          return onTransportError();
        }
        go(ev, S::Completed);
        linger(E::TimerD, timers().timerD(reliable()));
      }
      layer_.deliverResponse(*this, rsp);
      return;
    case S::Accepted:
      if (ev != E::Rx2xx) return layer_.ignored();
      go(ev, S::Accepted);
      layer_.deliverResponse(*this, rsp);
      return;
    case S::Completed:
      if (ev != E::Rx300to699) return layer_.ignored();
      ++layer_.stats_.retransmissionsAbsorbed;
      if (!transmit(ack_)) return onTransportError();
      go(ev, S::Completed);
      return;
    default:
      return layer_.ignored();
  }
}

void InviteClientTransaction::onTransportError() {
  if (state_ != S::Calling && state_ != S::Completed) return layer_.ignored();
  layer_.reportFailure(*this, TxnFailure::TransportError);
  go(E::TransportError, S::Terminated);
}

void InviteClientTransaction::buildAck(const Message& rsp) {
  // §17.1.1.3: Request-URI, Call-ID, From, CSeq number and the single top Via of the
  // INVITE; To of the response (with its tag); the INVITE's Route set.
  const Message& req = *request_;
  ack_.clear();
  MessageBuilder b(ack_, 512);
  b.request("ACK", req.requestUriText());
  b.header(HeaderId::Via, topViaRaw(req));
  b.copy(req, HeaderId::Route);
  b.header(HeaderId::MaxForwards, std::uint32_t{70});
  if (const HeaderField* f = req.find(HeaderId::From)) b.header(HeaderId::From, f->value);
  if (const HeaderField* t = rsp.find(HeaderId::To)) b.header(HeaderId::To, t->value);
  if (const HeaderField* c = req.find(HeaderId::CallId)) b.header(HeaderId::CallId, c->value);
  char num[16];
  std::snprintf(num, sizeof num, "%u", req.cseq() ? req.cseq()->number : 0u);
  b.headerParts(HeaderId::CSeq, {num, " ACK"});
  b.finish();
}

// --------------------------------------------------------- non-INVITE client (Fig. 6)

void NonInviteClientTransaction::start() {
  if (!reliable()) {
    e_ = timers().timerE();
    t1_.start(e_, [this] { fireE(); });
  }
  t2_.start(timers().timerF(), [this] {
    if (state_ != S::Trying && state_ != S::Proceeding) return layer_.ignored();
    layer_.reportFailure(*this, TxnFailure::Timeout);
    go(E::TimerF, S::Terminated);
  });
}

void NonInviteClientTransaction::fireE() {
  if (state_ != S::Trying && state_ != S::Proceeding) return layer_.ignored();
  if (!transmit(request_.bytes())) return onTransportError();
  ++layer_.stats_.requestRetransmits;
  const std::uint32_t t2 = timers().t2;
  e_ = state_ == S::Trying ? (2 * e_ < t2 ? 2 * e_ : t2) : t2;
  t1_.start(e_, [this] { fireE(); });
  go(E::TimerE, state_);
}

void NonInviteClientTransaction::onResponse(const Message& rsp) {
  const TxnEvent ev = responseEvent(rsp.statusCode(), false);
  if (state_ == S::Trying || state_ == S::Proceeding) {
    if (ev == E::Rx1xx) {
      go(ev, S::Proceeding);
    } else {
      t1_.stop();
      t2_.stop();
      go(ev, S::Completed);
      linger(E::TimerK, timers().timerK(reliable()));
    }
    layer_.deliverResponse(*this, rsp);
    return;
  }
  if (state_ == S::Completed) {
    ++layer_.stats_.retransmissionsAbsorbed;
    return;
  }
  layer_.ignored();
}

void NonInviteClientTransaction::onTransportError() {
  if (state_ != S::Trying && state_ != S::Proceeding) return layer_.ignored();
  layer_.reportFailure(*this, TxnFailure::TransportError);
  go(E::TransportError, S::Terminated);
}

// -------------------------------------------------------------- INVITE server (Fig. 7)

void InviteServerTransaction::start() {
  const std::uint32_t delay = layer_.cfg_.invite100DelayMs;
  if (delay == 0) return;
  t3_.start(delay, [this] {
    if (state_ != S::Proceeding || sentProvisional_) return layer_.ignored();
    if (!send100()) return onTransportError();
    go(E::Timer100, S::Proceeding);
  });
}

void InviteServerTransaction::afterTu() {
  if (layer_.cfg_.invite100DelayMs != 0 || state_ != S::Proceeding || sentProvisional_) return;
  if (!send100()) onTransportError();
}

bool InviteServerTransaction::send100() {
  last_.clear();
  MessageBuilder b(last_, 512);
  appendResponseFor(b, *request_, 100, "Trying", {});
  if (const HeaderField* ts = request_->find(HeaderId::Timestamp)) {
    b.header(HeaderId::Timestamp, ts->value);  // §8.2.6.1
  }
  b.finish();
  sentProvisional_ = true;
  return transmit(last_);
}

Result<Ok, TxnError> InviteServerTransaction::respond(std::string_view response,
                                                      std::uint16_t code) {
  const TxnEvent ev = responseEvent(code, true);
  if (state_ == S::Accepted) {
    if (ev != E::Tu2xx) return Unexpected{TxnError::WrongState};
    if (!transmit(response)) return Unexpected{TxnError::Transport};
    go(ev, S::Accepted);
    return Ok{};
  }
  if (state_ != S::Proceeding) return Unexpected{TxnError::WrongState};
  t3_.stop();
  if (!transmit(response)) {
    go(E::TransportError, S::Terminated);
    return Unexpected{TxnError::Transport};
  }
  if (ev == E::Tu1xx) {
    last_.assign(response);
    sentProvisional_ = true;
    go(ev, S::Proceeding);
  } else if (ev == E::Tu2xx) {
    std::string().swap(last_);  // the TU retransmits the 2xx (§13.3.1.4): nothing to resend here
    go(ev, S::Accepted);
    linger(E::TimerL, timers().timerL());
  } else {
    last_.assign(response);
    if (key_.starts_with("2|")) {
      // RFC 2543 ACK matching needs the To tag of this response (§17.2.3).
      Message m;
      if (m.parse(last_) && m.to()) toTag_.assign(m.to()->tag);
    }
    go(ev, S::Completed);
    if (!reliable()) {
      g_ = timers().timerG();
      t1_.start(g_, [this] { fireG(); });
    }
    t2_.start(timers().timerH(), [this] {
      layer_.reportFailure(*this, TxnFailure::NoAck);
      go(E::TimerH, S::Terminated);
    });
  }
  return Ok{};
}

void InviteServerTransaction::fireG() {
  if (state_ != S::Completed) return layer_.ignored();
  if (!transmit(last_)) return onTransportError();
  ++layer_.stats_.responseRetransmits;
  const std::uint32_t t2 = timers().t2;
  g_ = 2 * g_ < t2 ? 2 * g_ : t2;
  t1_.start(g_, [this] { fireG(); });
  go(E::TimerG, S::Completed);
}

void InviteServerTransaction::onRetransmission() {
  ++layer_.stats_.retransmissionsAbsorbed;
  switch (state_) {
    case S::Proceeding:
    case S::Completed:
      if (!last_.empty() && !transmit(last_)) return onTransportError();
      return go(E::RxRequest, state_);
    case S::Accepted:
      return go(E::RxRequest, S::Accepted);
    default:
      return;  // Confirmed: the INVITE is long answered; absorbed silently
  }
}

void InviteServerTransaction::onAck(const Message& ack, const Source& src) {
  switch (state_) {
    case S::Completed:
      t1_.stop();
      t2_.stop();
      go(E::RxAck, S::Confirmed);
      linger(E::TimerI, timers().timerI(reliable()));
      return;
    case S::Confirmed:
      ++layer_.stats_.retransmissionsAbsorbed;
      return go(E::RxAck, S::Confirmed);
    case S::Accepted:
      go(E::RxAck, S::Accepted);
      layer_.tu_.onAck(ack, src);
      return;
    default:
      return layer_.ignored();
  }
}

void InviteServerTransaction::onTransportError() {
  switch (state_) {
    case S::Proceeding:
    case S::Completed:
      layer_.reportFailure(*this, TxnFailure::TransportError);
      return go(E::TransportError, S::Terminated);
    case S::Accepted:
      layer_.reportFailure(*this, TxnFailure::TransportError);
      return go(E::TransportError, S::Accepted);
    default:
      return layer_.ignored();
  }
}

// --------------------------------------------------------- non-INVITE server (Fig. 8)

void NonInviteServerTransaction::start() {
  createdMs_ = layer_.clock_.nowMs();
  if (layer_.cfg_.nonInvite100 && !reliable()) {
    t3_.start(timers().nonInvite100Delay(), [this] {
      if (state_ != S::Trying) return layer_.ignored();
      last_.clear();
      MessageBuilder b(last_, 512);
      appendResponseFor(b, *request_, 100, "Trying", {});
      b.finish();
      if (!transmit(last_)) {
        // Nothing was sent yet, so Fig. 8 has no row: the TU learns at its own send.
        last_.clear();
        return;
      }
      go(E::Timer100, S::Proceeding);
    });
  }
}

Result<Ok, TxnError> NonInviteServerTransaction::respond(std::string_view response,
                                                         std::uint16_t code) {
  if (code == 408) return Unexpected{TxnError::Forbidden408};
  if (code > 100 && code < 200) return Unexpected{TxnError::ProvisionalToNonInvite};
  if (code == 100 && !reliable() &&
      layer_.clock_.nowMs() < createdMs_ + timers().nonInvite100Delay()) {
    return Unexpected{TxnError::Early100};
  }
  if (state_ != S::Trying && state_ != S::Proceeding) return Unexpected{TxnError::WrongState};
  const TxnEvent ev = responseEvent(code, true);
  if (!transmit(response)) {
    if (state_ == S::Proceeding) layer_.reportFailure(*this, TxnFailure::TransportError);
    go(E::TransportError, S::Terminated);
    return Unexpected{TxnError::Transport};
  }
  last_.assign(response);
  t3_.stop();
  if (ev == E::Tu1xx) {
    go(ev, S::Proceeding);
    return Ok{};
  }
  go(ev, S::Completed);
  linger(E::TimerJ, timers().timerJ(reliable()));
  return Ok{};
}

void NonInviteServerTransaction::onRetransmission() {
  ++layer_.stats_.retransmissionsAbsorbed;
  switch (state_) {
    case S::Trying:
      return go(E::RxRequest, S::Trying);
    case S::Proceeding:
    case S::Completed:
      if (!transmit(last_)) return onTransportError();
      return go(E::RxRequest, state_);
    default:
      return;
  }
}

void NonInviteServerTransaction::onTransportError() {
  if (state_ != S::Proceeding && state_ != S::Completed) return layer_.ignored();
  layer_.reportFailure(*this, TxnFailure::TransportError);
  go(E::TransportError, S::Terminated);
}

// ------------------------------------------------------------------------------- layer

TransactionLayer::TransactionLayer(TimerService& clock, TransportSender& transport,
                                   TransactionUser& tu, TransactionConfig cfg)
    : clock_(clock), transport_(transport), tu_(tu), cfg_(cfg), lanes_(clock, cfg.lingerSlackMs) {
  reaper_.bind(clock_);
  std::random_device rd;
  branchSeed_ = (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
                static_cast<std::uint64_t>(
                    std::chrono::steady_clock::now().time_since_epoch().count());
}

TransactionLayer::~TransactionLayer() = default;

std::string TransactionLayer::newBranch() {
  return "z9hG4bK" + makeTag(branchSeed_);
}

std::string TransactionLayer::viaFor(const Destination& dst, std::string_view branch) const {
  std::string v = "SIP/2.0/";
  v += toString(dst.transport);
  v += ' ';
  v += transport_.sentBy(dst.transport, dst.remote.v6);
  v += ";branch=";
  v += branch;
  if (dst.transport == TransportType::Udp) v += ";rport";
  return v;
}

Transaction* TransactionLayer::find(TxnId id) {
  return byId_.find(id);
}

Result<TxnId, TxnError> TransactionLayer::sendRequest(std::string request, Destination dst) {
  applyUdpSizeLimit(request, dst, transport_.udpRequestLimit(),
                    transport_.sentBy(TransportType::Tcp, dst.remote.v6));
  auto parsed = MessageRef::parse(request);
  if (!parsed) return Unexpected{TxnError::BadMessage};
  return startClient(std::move(*parsed), dst);
}

Result<TxnId, TxnError> TransactionLayer::sendRequest(MessageRef request, Destination dst) {
  if (!request) return Unexpected{TxnError::BadMessage};
  if (dst.transport == TransportType::Udp && request.bytes().size() > transport_.udpRequestLimit()) {
    return sendRequest(std::string(request.bytes()), dst);  // §18.1.1 rewrites the Via
  }
  return startClient(std::move(request), dst);
}

Result<TxnId, TxnError> TransactionLayer::startClient(MessageRef request, Destination dst) {
  const Message& req = *request;
  if (!req.isRequest() || !req.topVia() || !req.cseq()) return Unexpected{TxnError::BadMessage};
  if (req.method() == "ACK") return Unexpected{TxnError::NotAllowed};
  const Via& via = *req.topVia();
  if (!via.hasMagicCookie()) return Unexpected{TxnError::NoMagicCookie};
  const bool invite = req.method() == "INVITE";
  std::unique_ptr<Transaction> t;
  const TxnId id = byId_.nextId();
  if (invite) {
    t = std::make_unique<InviteClientTransaction>(*this, id);
  } else {
    t = std::make_unique<NonInviteClientTransaction>(*this, id);
  }
  t->key_.assign(via.branch).append("|").append(req.method());
  const std::uint64_t keyHash = TxnKeyIndex::hash(t->key_);
  if (clientKeys_.find(t->key_, keyHash) != nullptr) return Unexpected{TxnError::DuplicateBranch};
  t->request_ = std::move(request);
  t->dst_ = dst;
  if (!t->transmit(t->request_.bytes())) return Unexpected{TxnError::Transport};
  Transaction* raw = t.get();
  byId_.insert(std::move(t));  // first: the index keeps only entries the map has
  clientKeys_.insert(keyHash, *raw);
  ++stats_.created;
  if (invite) {
    static_cast<InviteClientTransaction*>(raw)->start();
  } else {
    static_cast<NonInviteClientTransaction*>(raw)->start();
  }
  return id;
}

Result<TxnId, TxnError> TransactionLayer::sendCancel(TxnId inviteId, std::string_view reason) {
  Transaction* t = find(inviteId);
  if (t == nullptr || t->kind_ != K::InviteClient) return Unexpected{TxnError::NoSuchTransaction};
  if (t->state_ != S::Calling && t->state_ != S::Proceeding) {
    return Unexpected{TxnError::WrongState};
  }
  // §9.1: same Request-URI, Call-ID, To, From, CSeq number and single Via as the INVITE.
  const Message& inv = *t->request_;
  std::string cancel;
  MessageBuilder b(cancel, 512);
  b.request("CANCEL", inv.requestUriText());
  b.header(HeaderId::Via, topViaRaw(inv));
  b.copy(inv, HeaderId::Route);
  b.header(HeaderId::MaxForwards, std::uint32_t{70});
  b.copy(inv, HeaderId::From);
  b.copy(inv, HeaderId::To);
  b.copy(inv, HeaderId::CallId);
  char num[16];
  std::snprintf(num, sizeof num, "%u", inv.cseq() ? inv.cseq()->number : 0u);
  b.headerParts(HeaderId::CSeq, {num, " CANCEL"});
  if (!reason.empty()) b.header(HeaderId::Reason, reason);
  b.finish();
  auto sent = sendRequest(std::move(cancel), t->dst_);
  if (sent) static_cast<InviteClientTransaction*>(t)->cancelled();
  return sent;
}

Result<Ok, TxnError> TransactionLayer::respond(TxnId id, std::string_view response) {
  Transaction* t = find(id);
  if (t == nullptr || t->state_ == S::Terminated) return Unexpected{TxnError::NoSuchTransaction};
  const std::uint16_t code = statusOf(response);
  if (code < 100) return Unexpected{TxnError::BadMessage};
  if (t->kind_ == K::InviteServer) {
    return static_cast<InviteServerTransaction*>(t)->respond(response, code);
  }
  if (t->kind_ == K::NonInviteServer) {
    return static_cast<NonInviteServerTransaction*>(t)->respond(response, code);
  }
  return Unexpected{TxnError::NotAllowed};
}

TransportErrc TransactionLayer::sendStateless(const Destination& dst, std::string_view bytes) {
  return transport_.send(dst, bytes, 0);
}

bool TransactionLayer::serverKey(const Message& m, std::string_view method,
                                 std::string& out) const {
  const Via& via = *m.topVia();
  out.clear();
  if (via.hasMagicCookie()) {
    // §17.2.3: branch, sent-by, method (ACK counts as INVITE).
    out.append("1|").append(via.branch).append("|").append(via.host).append(":");
    if (via.port) out.append(std::to_string(*via.port));
    out.append("|").append(method);
    return true;
  }
  // RFC 2543 (§17.2.3 last paragraphs): Request-URI, From tag, Call-ID, CSeq, top Via; the To
  // tag is compared separately.
  if (!m.from() || !m.callId() || !m.cseq()) return false;
  out.append("2|").append(m.requestUriText()).append("|").append(m.from()->tag).append("|");
  out.append(*m.callId()).append("|").append(std::to_string(m.cseq()->number)).append("|");
  out.append(method).append("|").append(topViaRaw(m));
  return true;
}

Transaction* TransactionLayer::matchServer(const Message& m, std::string_view method) {
  if (!serverKey(m, method, scratchKey_)) return nullptr;
  const bool rfc2543 = scratchKey_.starts_with("2|");
  std::string_view toTag = m.to() ? m.to()->tag : std::string_view();
  if (rfc2543 && m.method() == "ACK") {
    Transaction* t = serverKeys_.find(scratchKey_, TxnKeyIndex::hash(scratchKey_));
    if (t != nullptr && t->kind_ == K::InviteServer &&
        static_cast<InviteServerTransaction*>(t)->toTag() == toTag) {
      return t;
    }
    scratchKey_.append("|").append(toTag);  // a re-INVITE carried the tag already
    return findScratchKey();
  }
  if (rfc2543 && !toTag.empty()) scratchKey_.append("|").append(toTag);
  return findScratchKey();
}

Transaction* TransactionLayer::findScratchKey() {
  scratchHash_ = TxnKeyIndex::hash(scratchKey_);
  return serverKeys_.find(scratchKey_, scratchHash_);
}

Transaction* TransactionLayer::cancelTarget(const Message& cancel) {
  if (!cancel.topVia()) return nullptr;
  Transaction* t = matchServer(cancel, "INVITE");
  return t != nullptr && t->kind_ == K::InviteServer ? t : nullptr;
}

void TransactionLayer::onMessage(Message& m, const Source& src) {
  if (m.isRequest()) {
    onRequestReceived(m, src);
  } else {
    onResponseReceived(m, src);
  }
}

void TransactionLayer::onRequestReceived(Message& m, const Source& src) {
  if (!m.topVia() || !m.cseq() || !m.callId() || !m.from() || !m.to()) {
    ++stats_.badMessages;
    return;
  }
  const std::string_view method = m.method();
  const bool isAck = method == "ACK";
  Transaction* t = matchServer(m, isAck ? std::string_view("INVITE") : method);
  if (isAck) {
    if (t != nullptr && t->kind_ == K::InviteServer) {
      static_cast<InviteServerTransaction*>(t)->onAck(m, src);
    } else {
      tu_.onAck(m, src);  // the ACK for a 2xx is its own transaction (§17.1.1.3)
    }
    return;
  }
  if (t != nullptr) {
    if (t->kind_ == K::InviteServer) {
      static_cast<InviteServerTransaction*>(t)->onRetransmission();
    } else {
      static_cast<NonInviteServerTransaction*>(t)->onRetransmission();
    }
    return;
  }

  // A new server transaction.
  const bool invite = method == "INVITE";
  const TxnId id = byId_.nextId();
  std::unique_ptr<Transaction> owned;
  if (invite) {
    owned = std::make_unique<InviteServerTransaction>(*this, id);
  } else {
    owned = std::make_unique<NonInviteServerTransaction>(*this, id);
  }
  Transaction& n = *owned;
  n.request_ = MessageRef::share(m);  // the transport's parse, not a copy
  if (!n.request_->topVia()) {
    ++stats_.badMessages;
    return;
  }
  std::optional<Destination> dst = responseDestination(*n.request_->topVia(), src);
  if (!dst) {
    ++stats_.badMessages;
    return;
  }
  n.dst_ = *dst;
  n.key_ = scratchKey_;
  const std::uint64_t keyHash = scratchHash_;  // matchServer() hashed this key

  // §8.2.2.2 merged requests: no To tag, and From tag, Call-ID and CSeq of an ongoing
  // transaction that this request did not match.
  bool merged = false;
  std::uint64_t mergeHash = 0;
  if (cfg_.detectMergedRequests && m.to()->tag.empty()) {
    n.mergeKey_.append(m.from()->tag).append("|").append(*m.callId()).append("|");
    n.mergeKey_.append(std::to_string(m.cseq()->number)).append("|").append(m.cseq()->method);
    mergeHash = TxnKeyIndex::hash(n.mergeKey_);
    merged = mergeKeys_.find(n.mergeKey_, mergeHash) != nullptr;
    if (merged) n.mergeKey_.clear();
  }
  byId_.insert(std::move(owned));  // first: the indexes keep only entries the map has
  serverKeys_.insert(keyHash, n);
  if (!n.mergeKey_.empty()) mergeKeys_.insert(mergeHash, n);
  ++stats_.created;

  if (invite) {
    static_cast<InviteServerTransaction&>(n).start();
  } else {
    static_cast<NonInviteServerTransaction&>(n).start();
  }
  if (merged) {
    ++stats_.merged482;
    std::string rsp;
    MessageBuilder b(rsp, 512);
    std::string tag = makeTag(branchSeed_);
    appendResponseFor(b, *n.request_, 482, "Loop Detected", tag);
    b.finish();
    (void)respond(id, rsp);
    return;
  }
  // The TU may answer at once, which lets the transaction drop the request (go()): keep it
  // alive for the TU's whole call.
  const MessageRef keep = n.request_;
  tu_.onRequest(n, *keep);
  // A terminated transaction is deleted by the reaper, never inside this event.
  if (invite) static_cast<InviteServerTransaction&>(n).afterTu();
}

void TransactionLayer::onResponseReceived(Message& m, const Source& src) {
  // A response without a usable From, To or Call-ID (mandatory, §8.1.1, §20) is malformed:
  // dropped like a lost datagram (§18.1.2) rather than letting it end a client transaction
  // whose TU cannot use it (a 2xx no dialog can be built from would leave the call hanging).
  if (!m.topVia() || !m.cseq() || !m.callId() || !m.from() || !m.to()) {
    ++stats_.badMessages;
    return;
  }
  scratchKey_.assign(m.topVia()->branch).append("|").append(m.cseq()->method);
  Transaction* t = clientKeys_.find(scratchKey_, TxnKeyIndex::hash(scratchKey_));
  if (t == nullptr) {
    ++stats_.strayResponses;
    tu_.onStrayResponse(m, src);
    return;
  }
  if (t->kind_ == K::InviteClient) {
    static_cast<InviteClientTransaction*>(t)->onResponse(m);
  } else {
    static_cast<NonInviteClientTransaction*>(t)->onResponse(m);
  }
}

void TransactionLayer::onSendFailed(std::uint64_t cookie, TransportErrc) {
  Transaction* t = find(cookie);
  if (t == nullptr || t->state_ == S::Terminated) return;
  switch (t->kind_) {
    case K::InviteClient: return static_cast<InviteClientTransaction*>(t)->onTransportError();
    case K::NonInviteClient: return static_cast<NonInviteClientTransaction*>(t)->onTransportError();
    case K::InviteServer: return static_cast<InviteServerTransaction*>(t)->onTransportError();
    case K::NonInviteServer: return static_cast<NonInviteServerTransaction*>(t)->onTransportError();
  }
}

void TransactionLayer::reportFailure(Transaction& t, TxnFailure f) {
  tu_.onFailure(t, f);
}

void TransactionLayer::deliverResponse(Transaction& t, const Message& rsp) {
  tu_.onResponse(t, rsp);
}

void TransactionLayer::terminated(Transaction& t) {
  // Its index entries go stale here without being touched (TxnKeyIndex): find() no longer
  // returns a Terminated transaction, nor one the reaper has deleted.
  tu_.onTerminated(t);
  // Deleted later, never inside its own event; the reaper Timer dies with the layer.
  dead_.push_back(t.id_);
  if (!reaper_.running()) {
    reaper_.start(0, [this] {
      reaping_.swap(dead_);  // both keep their capacity: no allocation per termination
      for (TxnId id : reaping_) {
        byId_.erase(id);
      }
      reaping_.clear();
    });
  }
}

}  // namespace siptgw::sip
