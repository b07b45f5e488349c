// The SIP transaction layer (RFC 3261 §17, as amended by RFC 4320 and RFC 6026): the four
// transaction state machines as plain classes with an explicit state enum, every state
// change a row of transitionTable() citing the figure/clause it implements (a test walks
// the rows), request/response matching (§17.1.3, §17.2.3 including the RFC 2543 fallback),
// merged-request detection (§8.2.2.2), the ACK for non-2xx (§17.1.1.3) and CANCEL (§9.1).
//
// Threading: everything runs on the core thread; timers come from the injected
// TimerService (ManualTimerService in tests). The layer owns its transactions; the TU
// refers to them by TxnId, and a terminated transaction is deleted by a posted task, never
// from inside its own event.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.h"
#include "config/slot_map.h"
#include "config/timer_service.h"
#include "sip/message.h"
#include "sip/message_ref.h"
#include "sip/timers.h"
#include "sip/transport_types.h"

namespace siptgw::sip {

using TxnId = std::uint64_t;  // never 0

enum class TxnKind : std::uint8_t { InviteClient, NonInviteClient, InviteServer, NonInviteServer };
enum class TxnState : std::uint8_t {
  Calling,     // INVITE client
  Trying,      // non-INVITE client and server
  Proceeding,
  Accepted,    // RFC 6026: INVITE client and server after a 2xx
  Completed,
  Confirmed,   // INVITE server
  Terminated,
};
enum class TxnEvent : std::uint8_t {
  Rx1xx, Rx2xx, Rx300to699,      // responses from the transport (client)
  RxRequest,                     // a retransmission of the request (server)
  RxAck,                         // ACK matching an INVITE server transaction
  Tu1xx, Tu2xx, Tu300to699,      // responses from the TU (server)
  TimerA, TimerB, TimerD, TimerE, TimerF, TimerK, TimerM,
  TimerG, TimerH, TimerI, TimerJ, TimerL,
  Timer100,                      // delayed 100 Trying (§17.2.1 200 ms rule; RFC 4320 §4.1)
  TransportError,
};
std::string_view toString(TxnKind k);
std::string_view toString(TxnState s);
std::string_view toString(TxnEvent e);

struct TransitionRow {
  TxnKind kind;
  TxnState from;
  TxnEvent event;
  TxnState to;
  std::string_view action;
  std::string_view ref;  // figure / clause
};
std::span<const TransitionRow> transitionTable();
// How often each row of transitionTable() was taken in this process (tests check coverage).
std::span<const std::uint64_t> transitionCounts();

enum class TxnError : std::uint8_t {
  NoSuchTransaction,
  BadMessage,          // does not parse, or lacks what the operation needs
  NoMagicCookie,       // client requests need an RFC 3261 branch (§8.1.1.7)
  DuplicateBranch,     // a client transaction with this branch and method exists
  WrongState,          // e.g. a response after the final one (§17.2.1)
  NotAllowed,          // ACK through sendRequest (ACK for 2xx is stateless: sendStateless)
  ProvisionalToNonInvite,  // RFC 4320 §4.1: only 100 may answer a non-INVITE
  Early100,            // RFC 4320 §4.1: no 100 to non-INVITE over UDP before Timer E = T2
  Forbidden408,        // RFC 4320 §4.1: no 408 to a non-INVITE
  Transport,           // the send failed at once; the transaction is terminated
};
std::string_view toString(TxnError e);

struct TransactionConfig {
  TimerConfig timers;
  // §17.2.1: the server transaction sends 100 Trying for an INVITE "unless it knows that
  // the TU will generate a provisional or final response within 200 ms". 0: as soon as
  // the TU's handling of the INVITE returns without a response (a TU that answers or rings
  // at once sends no 100); otherwise when the TU has sent no provisional response within
  // this many ms (the RFC's 200 ms).
  std::uint32_t invite100DelayMs = 0;
  // RFC 4320 §4.1: send 100 to a non-INVITE over UDP once the client's Timer E reached T2
  // if the TU has not answered by then (off: the TU decides).
  bool nonInvite100 = false;
  // §8.2.2.2 merged requests answered 482 by the layer.
  bool detectMergedRequests = true;
  // The wait-out timers (D, I, J, K of §17, L and M of RFC 6026) only bound how long a
  // finished transaction keeps absorbing retransmissions, so they may fire this much late
  // (never early): those due within one step end together, in one wake-up (LingerLanes).
  std::uint32_t lingerSlackMs = 100;
};

class TransactionLayer;
class Transaction;

// Transactions by key (§17.1.3 / §17.2.3 matching): open addressing with linear probing
// over {hash, TxnId} slots, the key string compared only when the 64-bit hashes match. A
// miss touches one cache line and nothing of any transaction; a node-based map chased a
// heap node and the transaction's key string for every entry in the bucket.
// Entries are never erased one by one. A transaction ends 32 s after its call (Timer J/L),
// when its slot, at a random place in a table of megabytes, is out of every cache: erasing
// it was the dearest step of that cleanup. Instead an entry goes stale when its transaction
// ends (its TxnId no longer names a live one in the layer's SlotMap; generations make a
// reused slot of that map a different id), find() passes over stale entries as over any
// other, and when live and stale entries together reach half the table it is rebuilt with
// the live ones only, in one sequential pass, at a size that leaves room for as many stale
// entries again before the next rebuild.
// `member` names the Transaction string the index is keyed on (key_ or mergeKey_).
class TxnKeyIndex {
 public:
  TxnKeyIndex(const SlotMap<Transaction>& owners, std::string Transaction::*member)
      : owners_(owners), member_(member) {}
  static std::uint64_t hash(std::string_view key);
  // The live (not Terminated) transaction with this key, or null.
  Transaction* find(std::string_view key, std::uint64_t h) const;
  // The key must not be live (find() first); `t` must be in the owners' map by the next
  // insert() (a rebuild keeps only entries whose TxnId it finds there).
  void insert(std::uint64_t h, const Transaction& t);
  // Entries in the table, stale ones included, and its size in slots (tests).
  std::size_t entries() const { return size_; }
  std::size_t capacity() const { return slots_.size(); }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    TxnId id = 0;  // 0: empty
  };
  void rebuild();
  const SlotMap<Transaction>& owners_;
  std::string Transaction::*member_;
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

// Finished transactions waiting out a fixed-length timer (Timer D, I, J, K of RFC 3261
// Table 4; L and M of RFC 6026 §7). Within one layer each of those timers always has the
// same length (64·T1, T4 or 32 s), so their deadlines come in the order they were started:
// one FIFO ring per length instead of tens of thousands of entries in the shared timer
// heap, and one service timer per ring, armed for its oldest deadline rounded up to `slack`
// ms, ends every transaction due by then in one pass, walking the ring in order. Those
// transactions are cold by then (32 s old): the pass prefetches a few entries ahead.
class LingerLanes {
 public:
  LingerLanes(TimerService& clock, std::uint32_t slackMs) : clock_(clock), slack_(slackMs) {}
  // Queues `t` to take `ev` into Terminated after `ms` (> 0); returns its ticket (never 0).
  std::uint64_t add(std::uint32_t ms, Transaction* t, TxnEvent ev);
  // Forgets a ticket whose transaction ended otherwise; harmless once it has fired.
  void remove(std::uint64_t ticket);
  std::size_t size() const { return live_; }

 private:
  struct Entry {
    std::uint64_t due = 0;
    Transaction* txn = nullptr;  // null: removed
    TxnEvent ev{};
  };
  struct Lane {
    std::uint32_t ms = 0;
    std::vector<Entry> ring;            // power-of-two size; entry of seq s at s & (size-1)
    std::uint64_t head = 1, tail = 1;   // seqs [head, tail) are queued
    Timer timer;
  };
  void arm(Lane& l);
  void drain(Lane& l);
  TimerService& clock_;
  std::uint32_t slack_;
  std::vector<std::unique_ptr<Lane>> lanes_;  // a handful: one per distinct length
  std::size_t live_ = 0;                      // queued entries not removed
};

class Transaction {
 public:
  virtual ~Transaction() = default;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  TxnId id() const { return id_; }
  TxnKind kind() const { return kind_; }
  TxnState state() const { return state_; }
  bool isClient() const { return kind_ == TxnKind::InviteClient || kind_ == TxnKind::NonInviteClient; }
  // The request that created the transaction (shared with the transport's parse and the
  // session, MessageRef; for server transactions with received/rport already stamped).
  // Kept until the final response; an empty message after that.
  const Message& request() const;
  const MessageRef& requestRef() const { return request_; }
  const Destination& destination() const { return dst_; }
  bool reliable() const { return isReliable(dst_.transport); }
  // The key this transaction matches on (§17.1.3 / §17.2.3).
  std::string_view key() const { return key_; }
  // The TU's own label for the transaction (the UserAgent: the session it belongs to; 0:
  // none), never touched by the layer. It takes the TU from a transaction to its state
  // without a table of its own, whose entry would have to be found and erased again when
  // the transaction ends, 32 s later and out of cache.
  std::uint64_t tuLabel = 0;

 protected:
  Transaction(TransactionLayer& layer, TxnId id, TxnKind kind, TxnState initial);
  // Takes the row (kind_, state_, ev); asserts it exists and leads to `to`.
  void go(TxnEvent ev, TxnState to);
  // Sends bytes to dst_; false (and the TransportError transition is left to the caller)
  // when the transport refuses at once.
  bool transmit(std::string_view bytes);
  const TimerConfig& timers() const;
  // Waits `ms` in the final state, then takes `ev` to Terminated (Timer D/I/J/K/L/M).
  void linger(TxnEvent ev, std::uint32_t ms);

  TransactionLayer& layer_;
  TxnId id_;
  TxnKind kind_;
  TxnState state_;
  MessageRef request_;
  Destination dst_;
  std::string key_;
  std::string mergeKey_;
  Timer t1_;  // A / E / G / delayed 100
  Timer t2_;  // B / F / H (D / I / J / K / L / M over reliable transports: zero)
  Timer t3_;  // delayed 100 Trying
  std::uint64_t linger_ = 0;  // ticket in the layer's LingerLanes while lingering

  friend class TransactionLayer;
  friend class TxnKeyIndex;
  friend class LingerLanes;
};

// RFC 3261 §17.1.1 (Figure 5) as amended by RFC 6026 §7.2 (Accepted, Timer M).
class InviteClientTransaction final : public Transaction {
 public:
  InviteClientTransaction(TransactionLayer& l, TxnId id) : Transaction(l, id, TxnKind::InviteClient, TxnState::Calling) {}
  void start();
  void onResponse(const Message& rsp);
  void onTransportError();
  // A CANCEL for this INVITE went out (§9.1): when no final response has come 64·T1 later,
  // the transaction ends as if Timer B had fired (a Timeout to the TU), even in Proceeding.
  void cancelled();
  // The ACK this transaction sent for a non-2xx final response (§17.1.1.3), for tests.
  std::string_view ack() const { return ack_; }
  std::uint32_t timerAInterval() const { return a_; }

 private:
  void buildAck(const Message& rsp);
  void fireA();
  void fireB();
  std::uint32_t a_ = 0;
  bool cancelled_ = false;
  std::string ack_;
};

// RFC 3261 §17.1.2 (Figure 6).
class NonInviteClientTransaction final : public Transaction {
 public:
  NonInviteClientTransaction(TransactionLayer& l, TxnId id) : Transaction(l, id, TxnKind::NonInviteClient, TxnState::Trying) {}
  void start();
  void onResponse(const Message& rsp);
  void onTransportError();

 private:
  void fireE();
  std::uint32_t e_ = 0;
};

// RFC 3261 §17.2.1 (Figure 7) as amended by RFC 6026 §7.1 (Accepted, Timer L).
class InviteServerTransaction final : public Transaction {
 public:
  InviteServerTransaction(TransactionLayer& l, TxnId id) : Transaction(l, id, TxnKind::InviteServer, TxnState::Proceeding) {}
  // Arms the delayed 100 Trying's timer (invite100DelayMs > 0).
  void start();
  // After the TU's handling of the INVITE: the 100 Trying of invite100DelayMs == 0 unless
  // the TU has responded.
  void afterTu();
  Result<Ok, TxnError> respond(std::string_view response, std::uint16_t code);
  void onRetransmission();
  void onAck(const Message& ack, const Source& src);
  void onTransportError();
  std::string_view toTag() const { return toTag_; }
  std::uint32_t timerGInterval() const { return g_; }

 private:
  bool send100();
  void fireG();
  std::string last_;
  std::string toTag_;
  std::uint32_t g_ = 0;
  bool sentProvisional_ = false;
};

// RFC 3261 §17.2.2 (Figure 8) with RFC 4320 §4.1.
class NonInviteServerTransaction final : public Transaction {
 public:
  NonInviteServerTransaction(TransactionLayer& l, TxnId id) : Transaction(l, id, TxnKind::NonInviteServer, TxnState::Trying) {}
  void start();
  Result<Ok, TxnError> respond(std::string_view response, std::uint16_t code);
  void onRetransmission();
  void onTransportError();

 private:
  std::string last_;
  std::uint64_t createdMs_ = 0;
};

enum class TxnFailure : std::uint8_t {
  Timeout,         // Timer B / F: the TU treats it as 408 (§8.1.3.1)
  TransportError,  // §8.1.3.1: treated as 503 (Service Unavailable)
  NoAck,           // Timer H: the ACK for a non-2xx never came (§17.2.1)
};
// The status a UAC core acts on for a client failure (§8.1.3.1): 408 or 503; 0 for NoAck.
std::uint16_t equivalentStatus(TxnFailure f);

// The transaction user: the UA core / dialog layer above.
class TransactionUser {
 public:
  virtual ~TransactionUser() = default;
  // A new server transaction: answer with TransactionLayer::respond(t.id(), ...).
  virtual void onRequest(Transaction& t, const Message& request) = 0;
  // An ACK that matched no INVITE server transaction (the ACK for a 2xx, §17.2.3 / §13.3.1.4)
  // or one received in the Accepted state (RFC 6026 §7.1).
  virtual void onAck(const Message& ack, const Source& src) = 0;
  virtual void onResponse(Transaction& t, const Message& response) = 0;
  // A response that matched no client transaction — a 2xx retransmission after Timer M,
  // for the dialog layer to re-ACK (§13.2.2.4).
  virtual void onStrayResponse(const Message& /*response*/, const Source& /*src*/) {}
  virtual void onFailure(Transaction& t, TxnFailure f) = 0;
  virtual void onTerminated(Transaction& /*t*/) {}
};

struct TransactionStats {
  std::uint64_t created = 0;
  // Requests and responses matched to a transaction that had already seen them.
  std::uint64_t retransmissionsAbsorbed = 0;
  // Sent by the timers over unreliable transports: requests by A and E (§17.1.1.2,
  // §17.1.2.2), non-2xx final responses by G (§17.2.1).
  std::uint64_t requestRetransmits = 0;
  std::uint64_t responseRetransmits = 0;
  std::uint64_t merged482 = 0;
  std::uint64_t strayResponses = 0;
  std::uint64_t ignoredEvents = 0;  // events with no row in the current state
  std::uint64_t badMessages = 0;
};

class TransactionLayer final : public TransportListener {
 public:
  TransactionLayer(TimerService& clock, TransportSender& transport, TransactionUser& tu,
                   TransactionConfig cfg = {});
  ~TransactionLayer() override;

  // --- client side
  // Starts a client transaction for `request` (with its top Via: RFC 3261 branch). Applies
  // the §18.1.1 size rule first, so a large UDP request leaves over TCP with a TCP Via.
  Result<TxnId, TxnError> sendRequest(std::string request, Destination dst);
  // The same for a request the TU keeps parsed too (the session's INVITE): shares it.
  Result<TxnId, TxnError> sendRequest(MessageRef request, Destination dst);
  // §9.1: CANCEL for a pending INVITE client transaction, as a new non-INVITE client
  // transaction to the same destination. `reason`: value of a Reason header (RFC 3326), if any.
  Result<TxnId, TxnError> sendCancel(TxnId invite, std::string_view reason = {});
  // A fresh branch: magic cookie + 16 hex digits.
  std::string newBranch();
  // The Via value for a new request: "SIP/2.0/UDP sent-by;branch=...;rport".
  std::string viaFor(const Destination& dst, std::string_view branch) const;

  // --- server side
  // A response built by the TU (e.g. appendResponseFor(b, t.request(), ...)).
  Result<Ok, TxnError> respond(TxnId id, std::string_view response);
  // §9.2: the INVITE server transaction a CANCEL refers to, or nullptr.
  Transaction* cancelTarget(const Message& cancel);

  // Outside any transaction: the ACK for a 2xx (§13.2.2.4) and stateless responses.
  TransportErrc sendStateless(const Destination& dst, std::string_view bytes);

  Transaction* find(TxnId id);
  std::size_t size() const { return byId_.size(); }
  // Transactions in a final state waiting out Timer D/I/J/K/L/M (a subset of size()).
  std::size_t lingering() const { return lanes_.size(); }
  // Entries of the key indexes, the stale ones of ended transactions included, and the
  // slots they occupy (TxnKeyIndex; for tests of their bounds).
  std::size_t keyIndexEntries() const {
    return clientKeys_.entries() + serverKeys_.entries() + mergeKeys_.entries();
  }
  std::size_t keyIndexSlots() const {
    return clientKeys_.capacity() + serverKeys_.capacity() + mergeKeys_.capacity();
  }
  const TransactionStats& stats() const { return stats_; }
  const TransactionConfig& config() const { return cfg_; }
  TimerService& clock() { return clock_; }

  // --- TransportListener
  void onMessage(Message& m, const Source& src) override;
  void onSendFailed(std::uint64_t cookie, TransportErrc why) override;

 private:
  friend class Transaction;
  friend class InviteClientTransaction;
  friend class NonInviteClientTransaction;
  friend class InviteServerTransaction;
  friend class NonInviteServerTransaction;


  void onRequestReceived(Message& m, const Source& src);
  void onResponseReceived(Message& m, const Source& src);
  Transaction* matchServer(const Message& m, std::string_view methodForKey);
  // serverKeys_.find(scratchKey_), its hash kept in scratchHash_.
  Transaction* findScratchKey();
  void terminated(Transaction& t);
  void reportFailure(Transaction& t, TxnFailure f);
  void deliverResponse(Transaction& t, const Message& rsp);
  void ignored() { ++stats_.ignoredEvents; }
  Result<TxnId, TxnError> startClient(MessageRef request, Destination dst);
  bool serverKey(const Message& m, std::string_view method, std::string& out) const;
  void respond482(Message& m, const Source& src);

  TimerService& clock_;
  TransportSender& transport_;
  TransactionUser& tu_;
  TransactionConfig cfg_;
  std::uint64_t branchSeed_;
  SlotMap<Transaction> byId_;  // a TxnId indexes its transaction (config/slot_map.h)
  TxnKeyIndex clientKeys_{byId_, &Transaction::key_};
  TxnKeyIndex serverKeys_{byId_, &Transaction::key_};
  TxnKeyIndex mergeKeys_{byId_, &Transaction::mergeKey_};
  std::string scratchKey_;
  std::uint64_t scratchHash_ = 0;
  std::vector<TxnId> dead_;
  std::vector<TxnId> reaping_;  // dead_ being deleted by the reaper
  Timer reaper_;
  LingerLanes lanes_;
  TransactionStats stats_;
};

}  // namespace siptgw::sip
