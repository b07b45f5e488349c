// UserAgent and InviteSession: the UA core above the transaction layer (RFC 3261 §8, §12-15)
// for INVITE sessions, as the TransactionUser of a TransactionLayer.
//
//   UAS (§13.3): 420 + Unsupported for unknown Require tags (§8.2.2.3), 421 when we require
//     100rel and the INVITE does not support it (RFC 3262 §3), 415/488 for bodies we cannot
//     use; provisional responses with To tag, Contact and copied Record-Route (§12.1.1);
//     2xx retransmitted from T1 doubling to T2 until the ACK, and after 64·T1 without ACK
//     the dialog is confirmed and ended with BYE (§13.3.1.4).
//   UAC (§13.2): Supported: 100rel; early dialogs per To tag (forking, §12.1.2/§13.2.2.4);
//     the ACK for a 2xx built end to end in the dialog (§13.2.2.4) and re-sent for each 2xx
//     retransmission (also after Timer M, via onStrayResponse); a 2xx from a second fork is
//     ACKed and ended with BYE; CANCEL (§9.1) sent once a provisional arrived, and a 2xx
//     crossing our CANCEL is ACKed and ended with BYE.
//   CANCEL received (§9.2): 200 to the CANCEL, 487 to the INVITE when still pending; 481
//     when it matches nothing. BYE both ways (§15); a BYE before the final response gets
//     487 on the INVITE (§15.1.2).
//   In-dialog requests (§12.2.2): 481 when no dialog matches, 500 when the CSeq is lower
//     than the remote sequence number, 405 for methods not handled.
//   RFC 3262 (100rel): reliable 1xx with Require: 100rel and RSeq, retransmitted from T1
//     doubling until PRACK, a 5xx (UaConfig::rel1xxFailCode) to the INVITE after 64·T1; the next reliable 1xx waits for the previous one's PRACK; a 2xx waits for the
//     PRACK of a reliable 1xx that carried SDP; PRACK matched on RAck (RSeq, CSeq, method),
//     481 otherwise. UAC: PRACK for each in-order reliable 1xx, per early dialog.
//   Offer/answer (RFC 3264, RFC 6337) through OfferAnswer: offers in INVITE, reliable 1xx,
//     PRACK, UPDATE, 2xx, answers in reliable 1xx, PRACK, 2xx, ACK; 491 for a crossing
//     offer, 500 + Retry-After for an offer while the peer's is unanswered (RFC 3311 §5.2).
//   UPDATE (RFC 3311) received in early/confirmed dialogs; sent with an offer, 491 retried
//     after the §14.1 random delay. INFO (RFC 6086/2976): legacy INFO answered 200; an
//     Info-Package we never advertised in Recv-Info is answered 469.
//   Reason (RFC 3326) can be put on BYE, CANCEL and final responses; the one received on
//     BYE/CANCEL/final responses is kept (InviteSession::remoteReason()).
// Not here: session timers (RFC 4028), preconditions (RFC 3312), re-INVITE sent by us,
// authentication, DNS (destinations are IP literals).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/timer_service.h"
#include "sip/dialog.h"
#include "sip/offer_answer.h"
#include "sip/transaction.h"

namespace siptgw::sip {

using SessionId = std::uint64_t;

enum class SessionState : std::uint8_t {
  Calling,     // UAC: INVITE sent, no provisional
  Incoming,    // UAS: INVITE received, nothing sent but 100
  Early,       // a provisional with To tag sent / received
  WaitingAck,  // UAS: 2xx sent, retransmitting until ACK
  Confirmed,
  Terminating, // BYE sent
  Terminated,
};
std::string_view toString(SessionState s);

enum class EndReason : std::uint8_t {
  LocalBye,
  RemoteBye,
  Rejected,      // final non-2xx sent (UAS) or received (UAC); code says which
  Cancelled,     // UAS: CANCEL received; UAC: 487 after our CANCEL
  NoAck,         // §13.3.1.4: 64·T1 without ACK, BYE sent
  Rel1xxTimeout, // RFC 3262 §3: no PRACK within 64·T1, 5xx sent
  Timeout,       // a transaction timed out (408)
  TransportError,
};
std::string_view toString(EndReason r);

struct UaConfig {
  std::string user = "siptgw";       // Contact user part
  std::string product = "siptgw";    // User-Agent / Server
  bool support100rel = true;         // advertise and accept RFC 3262
  bool require100rel = false;        // UAS: 421 without 100rel; UAC: Require: 100rel
  std::uint16_t rel1xxFailCode = 504;  // RFC 3262 §3 "5xx" after 64·T1 without PRACK
};

class InviteSession;

// The application above (the gateway's call, the test UA). All calls on the core thread.
class SessionHandler {
 public:
  virtual ~SessionHandler() = default;
  // UAS: a new INVITE passed the checks; answer now or later with ring/answer/reject.
  virtual void onIncoming(InviteSession& s, const Message& invite) = 0;
  virtual void onProvisional(InviteSession& /*s*/, const Message& /*rsp*/) {}
  virtual void onAnswered(InviteSession& /*s*/, const Message& /*rsp*/) {}  // UAC: 2xx
  virtual void onConfirmed(InviteSession& /*s*/) {}                         // UAS: ACK
  virtual void onPrack(InviteSession& /*s*/, const Message& /*prack*/) {}
  virtual void onInfo(InviteSession& /*s*/, const Message& /*info*/) {}
  // A remote offer needs an answer (2xx to an INVITE without offer, UPDATE): fill `answer`
  // with an SDP body; empty means "reuse our last local SDP".
  virtual void onOffer(InviteSession& /*s*/, std::string_view /*offer*/, std::string& /*answer*/) {}
  virtual void onTerminated(InviteSession& s, EndReason why, std::uint16_t code) = 0;
};

struct UaStats {
  std::uint64_t invitesIn = 0, invitesOut = 0;
  std::uint64_t answered = 0;      // 2xx sent (UAS) or received (UAC) for initial INVITEs
  std::uint64_t confirmed = 0;     // ACK received (UAS) / sent (UAC)
  std::uint64_t completed = 0;     // ended with BYE after being confirmed
  std::uint64_t rejected = 0;
  std::uint64_t cancelled = 0;
  std::uint64_t failed = 0;        // timeouts, transport errors, no ACK, no PRACK
  std::uint64_t prackIn = 0, prackOut = 0;
  std::uint64_t rel1xxRetransmits = 0, ok2xxRetransmits = 0, ackResent = 0;
  std::uint64_t responses481 = 0, responses500 = 0, responses491 = 0, responses420 = 0,
                responses421 = 0;
};

class UserAgent;

class InviteSession {
 public:
  SessionId id() const { return id_; }
  bool isUac() const { return uac_; }
  SessionState state() const { return state_; }
  // The confirmed dialog, or for a UAS the (early) dialog; for a UAC before a 2xx, the most
  // recent early dialog. nullptr before any.
  const Dialog* dialog() const;
  const std::vector<Dialog>& earlyDialogs() const { return early_; }
  const OfferAnswer& offerAnswer() const { return oa_; }
  const std::string& remoteSdp() const { return remoteSdp_; }
  const std::string& remoteReason() const { return remoteReason_; }
  bool peerSupports100rel() const { return peer100rel_; }
  std::uint32_t lastRSeqSent() const { return rseq_; }
  std::uint16_t finalCode() const { return finalCode_; }
  void* userData = nullptr;

  // --- UAS
  // A provisional response (180/183...); reliable per RFC 3262 when asked and the peer
  // supports it (else sent unreliably). Queued while a previous reliable one awaits PRACK.
  bool provisional(std::uint16_t code, std::string_view reason, std::string_view sdp = {},
                   bool reliable = false);
  // 2xx with SDP (answer to the INVITE's offer, or our offer). Deferred while a reliable
  // provisional with SDP is unacknowledged (RFC 3262 §3).
  bool answer(std::string_view sdp);
  // Final non-2xx; `reasonHeader` e.g. "Q.850;cause=17;text=\"User busy\"".
  bool reject(std::uint16_t code, std::string_view reason, std::string_view reasonHeader = {});

  // --- both
  // BYE (confirmed dialog; UAS waiting for ACK: sent once the ACK arrives or gives up);
  // a UAC before the 2xx cancels instead.
  bool bye(std::string_view reasonHeader = {});
  // UAC: CANCEL the INVITE (held until a provisional arrived, §9.1).
  bool cancel(std::string_view reasonHeader = {});
  // UPDATE with an offer (RFC 3311); false when an offer is outstanding.
  bool update(std::string_view sdp);
  // INFO (RFC 6086 with `infoPackage`, RFC 2976 legacy without).
  bool info(std::string_view contentType, std::string_view body, std::string_view infoPackage = {});

 private:
  friend class UserAgent;
  InviteSession(UserAgent& ua, SessionId id, bool uac);

  Dialog* activeDialog();
  Dialog* earlyDialog(std::string_view remoteTag);
  std::string contact() const;
  void sendInDialog(Dialog& d, std::string_view method, std::string_view extra,
                    std::string_view body, std::string_view ctype);
  void buildResponse(std::string& out, std::uint16_t code, std::string_view reason,
                     std::string_view extra, std::string_view sdp);
  void sendReliable(std::uint16_t code, std::string reason, std::string sdp);
  void sendAnswerNow();
  void retransmitRel1xx();
  void retransmit2xx();
  void sendAck(Dialog& d, const Message& ok, bool sendBye);
  void end(EndReason why, std::uint16_t code);
  void onInviteResponse(const Message& rsp);
  void onInviteFailure(TxnFailure f);
  void onRequestInDialog(Transaction& t, const Message& req);
  void onAck(const Message& ack);
  void onCancel();
  void onPrack(Transaction& t, const Message& req);
  void onUpdate(Transaction& t, const Message& req);
  void onReInvite(Transaction& t, const Message& req);

  UserAgent& ua_;
  SessionId id_;
  bool uac_;
  SessionState state_;
  bool peer100rel_ = false;
  std::uint16_t finalCode_ = 0;

  // The initial INVITE (ours, or a copy of the received one).
  std::string inviteBytes_;
  Message invite_;
  TxnId inviteTxn_ = 0;
  Destination dst_;  // UAC: first hop; UAS: where responses go
  TransportType transport_ = TransportType::Udp;

  std::optional<Dialog> dialog_;  // UAS dialog; UAC confirmed dialog
  std::vector<Dialog> early_;     // UAC early dialogs, one per To tag
  OfferAnswer oa_;
  std::string localSdp_, remoteSdp_, remoteReason_;
  std::string localTag_;

  // UAS: reliable provisional in flight and the ones queued behind it (RFC 3262 §3).
  std::uint32_t rseq_ = 0;
  std::string rel1xx_;
  bool rel1xxPending_ = false, rel1xxHasSdp_ = false;
  std::uint32_t relInterval_ = 0;
  struct Queued {
    std::uint16_t code;
    std::string reason, sdp;
  };
  std::deque<Queued> relQueue_;
  bool answerDeferred_ = false;
  std::string deferredSdp_;
  Timer relTimer_, relGiveUp_;

  // UAS: 2xx retransmission until ACK (§13.3.1.4).
  std::string ok2xx_;
  Destination okDst_;
  bool okIsReinvite_ = false;
  std::uint32_t okInterval_ = 0;
  std::uint32_t okCSeq_ = 0;
  Timer okTimer_, okGiveUp_;
  bool byeAfterAck_ = false;
  std::string byeReason_;

  // UAC
  std::string ack_;
  Destination ackDst_;
  bool cancelPending_ = false, cancelSent_ = false, gotProvisional_ = false;
  std::string cancelReason_;
  std::string updateSdp_;
  Timer retryTimer_;

  std::vector<std::string> keys_;  // dialog keys registered for this session
  std::vector<TxnId> txnIds_;
};

class UserAgent final : public TransactionUser {
 public:
  UserAgent(TimerService& clock, TransportSender& transport, SessionHandler& handler,
            UaConfig cfg = {}, TransactionConfig txnCfg = {});
  ~UserAgent() override;

  TransactionLayer& transactions() { return layer_; }
  const UaStats& stats() const { return stats_; }
  const UaConfig& config() const { return cfg_; }
  std::size_t sessionCount() const { return sessions_.size(); }
  InviteSession* find(SessionId id);

  // UAC: a new INVITE to `requestUri` (first hop `dst`) with an SDP offer (may be empty).
  // `from`/`to`: a URI, or a name-addr when it holds '<'.
  InviteSession* invite(std::string_view requestUri, const Destination& dst, std::string_view from,
                        std::string_view to, std::string_view sdp, std::string_view extraHeaders = {},
                        std::uint32_t maxForwards = 70);

  // --- TransactionUser
  void onRequest(Transaction& t, const Message& request) override;
  void onAck(const Message& ack, const Source& src) override;
  void onResponse(Transaction& t, const Message& response) override;
  void onStrayResponse(const Message& response, const Source& src) override;
  void onFailure(Transaction& t, TxnFailure f) override;

  // Builds and sends a stateless-ish response through the server transaction.
  // `extra`: raw header lines ("Name: value\r\n"...); `body`: SDP when non-empty.
  void respond(Transaction& t, const Message& req, std::uint16_t code, std::string_view reason,
               std::string_view extra = {}, std::string_view body = {});
  std::string newTag();
  std::string via(const Destination& dst);

 private:
  friend class InviteSession;
  void bind(TxnId t, InviteSession& s) {
    txns_[t] = s.id();
    s.txnIds_.push_back(t);
  }
  void bindDialog(const Dialog& d, InviteSession& s) {
    s.keys_.push_back(d.key());
    dialogs_[s.keys_.back()] = s.id();
  }
  void finished(InviteSession& s);
  InviteSession* byTxn(TxnId t);
  void onNewInvite(Transaction& t, const Message& req);

  TimerService& clock_;
  TransportSender& transport_;
  SessionHandler& handler_;
  UaConfig cfg_;
  TransactionLayer layer_;
  SessionId nextId_ = 0;
  std::unordered_map<SessionId, std::unique_ptr<InviteSession>> sessions_;
  std::unordered_map<TxnId, SessionId> txns_;
  std::unordered_map<std::string, SessionId> dialogs_;
  std::mt19937_64 rng_;
  UaStats stats_;
};

}  // namespace siptgw::sip
