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
//     after the §14.1 random delay.
//   re-INVITE sent by us (§14.1): ACK for its 2xx (re-sent for retransmissions), 491 retried
//     after the random interval, 491 to the peer's re-INVITE while ours is pending (§14.2),
//     non-2xx keeps the session, 481 ends it, 408/timeout ends it with BYE (§12.2.1.2).
//   Session timers (RFC 4028): Session-Expires/Min-SE in the INVITE, one retry after 422
//     (§7.3); UAS 422 below our Min-SE and refresher choice (§9); the refresher refreshes at
//     half the interval by UPDATE (peer allows it) or re-INVITE with the unchanged SDP; the
//     other side sends BYE + Reason at SE - min(32, SE/3) (§10). Intervals: TimerConfig.
//   INFO (RFC 6086/2976): our packages in Recv-Info on INVITE, reliable 18x and 2xx; INFO
//     for them goes to onInfo with the package, others get 469 + Recv-Info; legacy INFO 200.
//   Multipart bodies (RFC 5621, RFC 3204): the application/sdp part drives offer/answer,
//     the rest reaches the application (onBodyParts, lastBody()); a required part of an
//     unknown type is 415 + Accept. The application may send a full body (SDP + ISUP).
//   Preconditions (RFC 3312/4032, qos): status tables (sip/preconditions.h) from the SDP
//     exchanged; UAS alerts only once met (onPreconditionsMet), confirms by UPDATE when
//     asked, 580 with SDP on failure; UAC offers des/curr and UPDATEs when ready.
//   Reason (RFC 3326) can be put on BYE, CANCEL and final responses; the one received on
//     BYE/CANCEL/final responses is kept (InviteSession::remoteReason()).
// Not here: authentication, DNS (destinations are IP literals), preconditions other than
// qos, more than the first media stream's preconditions.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/slot_map.h"
#include "config/timer_service.h"
#include "sip/dialog.h"
#include "sip/multipart.h"
#include "sip/offer_answer.h"
#include "sip/preconditions.h"
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
  Timeout,       // a transaction timed out (408), or the INVITE got only unusable 2xx
  TransportError,
  DialogLost,    // 481 to an in-dialog request of ours (RFC 3261 §12.2.1.2, §14.1)
  SessionExpired,  // RFC 4028 §10: no session refresh in time, BYE sent
};
std::string_view toString(EndReason r);

// RFC 4028 session timers. The interval values are TimerConfig::sessionExpires and
// TimerConfig::minSE (sip/timers.h, validated there with the other timers).
enum class RefresherPref : std::uint8_t {
  Local,   // we refresh (UAC: refresher=uac in the INVITE; UAS: refresher=uas when free)
  Remote,  // the peer refreshes when it supports timers
  Auto,    // UAC: no refresher parameter (the UAS chooses); UAS: as Local
};
struct SessionTimerConfig {
  bool enabled = false;
  RefresherPref refresher = RefresherPref::Local;
  bool preferUpdate = true;  // refresh with UPDATE when the peer's Allow lists it, else re-INVITE
  // RFC 4028 §7.2: a 2xx to our INVITE or refresh without Session-Expires comes from a peer
  // without the extension. true: we refresh alone, as if the 2xx had echoed our interval with
  // us as refresher (a refresh that fails ends the session, so a vanished peer cannot hold it
  // for ever); false: the session has no expiration.
  bool refreshAlone = true;
};

// RFC 3312 / RFC 4032 preconditions ("qos" only).
struct PreconditionConfig {
  bool enabled = false;  // Supported: precondition; honour des lines in offers that list the tag
  bool offer = false;    // UAC: our INVITE asks mandatory qos on both segments (Require: precondition)
};

struct UaConfig {
  std::string user = "siptgw";       // Contact user part
  std::string product = "siptgw";    // User-Agent / Server
  bool support100rel = true;         // advertise and accept RFC 3262
  bool require100rel = false;        // UAS: 421 without 100rel; UAC: Require: 100rel
  std::uint16_t rel1xxFailCode = 504;  // RFC 3262 §3 "5xx" after 64·T1 without PRACK
  SessionTimerConfig sessionTimer;
  // RFC 6086 Info Packages we accept, advertised in Recv-Info on the INVITE, reliable 18x
  // and 2xx (§5.2); INFO for any other package gets 469 (§4.2.2).
  std::vector<std::string> infoPackages;
  // RFC 5621 / RFC 3204: body part types handled besides SDP; a required part of any other
  // type gets 415 with Accept (RFC 3261 §21.4.16).
  std::vector<std::string> acceptedBodyTypes = {"application/ISUP"};
  PreconditionConfig preconditions;
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
  // INFO accepted: `package` is its Info-Package (RFC 6086), empty for legacy RFC 2976 INFO.
  virtual void onInfo(InviteSession& /*s*/, const Message& /*info*/, std::string_view /*package*/) {}
  // A remote offer needs an answer (2xx to an INVITE without offer, UPDATE): fill `answer`
  // with an SDP body; empty means "reuse our last local SDP".
  virtual void onOffer(InviteSession& /*s*/, std::string_view /*offer*/, std::string& /*answer*/) {}
  // The final response to a re-INVITE we sent (InviteSession::reinvite); a non-2xx other
  // than 481/408 leaves the session as it was (RFC 3261 §14.1).
  virtual void onReinviteResult(InviteSession& /*s*/, const Message& /*rsp*/) {}
  // A multipart/mixed body arrived in this session (INVITE, 18x, 2xx, PRACK, UPDATE, ACK):
  // its SDP part already went to offer/answer; `parts` views into `m` (also kept as
  // InviteSession::lastBody()).
  virtual void onBodyParts(InviteSession& /*s*/, const Message& /*m*/, const MultipartBody& /*parts*/) {}
  // RFC 3312 §6: every mandatory precondition is now met (the UAS may alert). Posted, so
  // it comes after the response to the message that completed them.
  virtual void onPreconditionsMet(InviteSession& /*s*/) {}
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
  std::uint64_t expired = 0;       // RFC 4028: ended by the session timer (BYE sent)
  std::uint64_t reinvitesOut = 0, sessionRefreshes = 0;  // re-INVITEs sent; RFC 4028 refreshes sent
  std::uint64_t prackIn = 0, prackOut = 0;
  std::uint64_t rel1xxRetransmits = 0, ok2xxRetransmits = 0, ackResent = 0;
  std::uint64_t responses481 = 0, responses500 = 0, responses491 = 0, responses420 = 0,
                responses421 = 0;
};

class UserAgent;

// What a session allocated besides itself (SessionParts::*), for memory checks: a plain
// answered call keeps none once confirmed.
enum class SessionPart : std::uint8_t {
  Reliable1xx,  // UAS: RFC 3262 reliable provisional in flight / queued, deferred 2xx
  Ok2xx,        // UAS: a 2xx retransmitted until its ACK (§13.3.1.4)
  SentAck,      // UAC: the last ACK for a 2xx, re-sent for its retransmissions (§13.2.2.4)
  UacSetup,     // UAC until the final response: the INVITE's parts for a 422 rebuild, early dialogs, CANCEL
  Offers,       // our re-INVITE / UPDATE offers kept for a 491/422 retry (§14.1, RFC 3311)
  Received,     // Reason, multipart body, Recv-Info packages received from the peer
  Preconditions,  // RFC 3312 status table
};

class InviteSession {
 public:
  ~InviteSession();
  SessionId id() const { return id_; }
  bool isUac() const { return uac_; }
  SessionState state() const { return state_; }
  // The confirmed dialog, or for a UAS the (early) dialog; for a UAC before a 2xx, the most
  // recent early dialog. nullptr before any.
  const Dialog* dialog() const;
  // UAC before the 2xx: the early dialogs, one per To tag (empty afterwards).
  const std::vector<Dialog>& earlyDialogs() const;
  const OfferAnswer& offerAnswer() const { return oa_; }
  const std::string& remoteSdp() const { return remoteSdp_; }
  // During SessionHandler::onIncoming only: the INVITE's SDP offer as the stack parsed it
  // (views into that INVITE), so the handler need not parse it again; nullptr otherwise or
  // when the INVITE has no offer.
  const SessionDescription* incomingOffer() const;
  const std::string& remoteReason() const;
  bool peerSupports100rel() const { return peer100rel_; }
  // The last multipart body received (RFC 5621) and its Content-Type; lastBodyParts()
  // parses it (views into lastBody()).
  const std::string& lastBody() const;
  const std::string& lastBodyType() const;
  Result<MultipartBody, ParseError> lastBodyParts() const;
  std::uint32_t lastRSeqSent() const { return rseq_; }
  std::uint16_t finalCode() const { return finalCode_; }
  // RFC 4028: the negotiated session interval (s), 0 when no session timer runs.
  std::uint32_t sessionInterval() const { return seInterval_; }
  bool weRefresh() const { return seWeRefresh_; }
  // Whether the session holds this on-demand part now (see SessionPart).
  bool hasPart(SessionPart p) const;
  void* userData = nullptr;

  // RFC 3312: the status table when the session uses preconditions, else nullptr.
  const Preconditions* preconditions() const { return pre_.get(); }
  bool preconditionsMet() const { return !pre_ || pre_->met(); }
  // Our resource reservation is done (true) or failed (false). Done: the new status goes to
  // the peer in the next answer, or at once in an UPDATE when no offer is pending (the UAC
  // always, the UAS when the peer asked with a=conf, RFC 3312 §6). Failed: a UAS whose
  // INVITE is pending answers 580 with SDP marking the failure (§8); otherwise BYE/CANCEL.
  bool setLocalResources(bool ready);

  // --- UAS
  // A provisional response (180/183...); reliable per RFC 3262 when asked and the peer
  // supports it (else sent unreliably). Queued while a previous reliable one awaits PRACK.
  // `contentType` (e.g. multipart/mixed with SDP + ISUP, RFC 3204/5621) makes `sdp` the
  // whole body; its SDP part drives offer/answer. Empty: `sdp` is application/sdp.
  bool provisional(std::uint16_t code, std::string_view reason, std::string_view sdp = {},
                   bool reliable = false, std::string_view contentType = {});
  // 2xx with SDP (answer to the INVITE's offer, or our offer). Deferred while a reliable
  // provisional with SDP is unacknowledged (RFC 3262 §3).
  bool answer(std::string_view sdp, std::string_view contentType = {});
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
  // re-INVITE in the confirmed dialog (RFC 3261 §14.1), with an offer when `sdp` is not
  // empty (else the 2xx offers and our ACK answers with the current local SDP). False while
  // an INVITE transaction or an offer is outstanding. A 491 is retried after the §14.1
  // random interval; 481 and 408 (or a timeout) end the session.
  bool reinvite(std::string_view sdp);
  bool reinvitePending() const { return reinviteTxn_ != 0; }
  // INFO (RFC 6086 with `infoPackage`, RFC 2976 legacy without); false for a package the
  // peer did not list in its Recv-Info (RFC 6086 §4.2.1).
  bool peerAcceptsInfo(std::string_view infoPackage) const;
  const std::vector<std::string>& peerInfoPackages() const;
  bool info(std::string_view contentType, std::string_view body, std::string_view infoPackage = {});

 private:
  friend class UserAgent;
  InviteSession(UserAgent& ua, SessionId id, bool uac);

  // The parts below are allocated when first used (memory per held call, issue #5): a
  // plain answered call keeps none of them once the ACK is in.

  // UAS: reliable provisional in flight and the ones queued behind it (RFC 3262 §3), and a
  // 2xx waiting for its PRACK. Freed once the final response is sent and nothing awaits a
  // PRACK.
  struct Reliable1xx {
    struct Queued {
      std::uint16_t code;
      std::string reason, sdp, ctype;
    };
    std::string bytes;  // the reliable 1xx in flight
    std::uint32_t interval = 0;
    bool pending = false, hasSdp = false, answerDeferred = false;
    std::list<Queued> queue;  // a list: an empty std::deque allocates
    std::string answerBody, answerCtype;  // deferred answer(): the full body when not plain SDP
    Timer retransmit, giveUp;
  };
  // UAS: the 2xx retransmitted until the ACK (§13.3.1.4); freed at the ACK.
  struct Ok2xx {
    std::string bytes;
    Destination dst;
    std::uint32_t interval = 0, cseq = 0;
    bool isReinvite = false, byeAfterAck = false;
    std::string byeReason;
    Timer retransmit, giveUp;
  };
  // UAC: the last ACK we sent for a 2xx (initial INVITE or our re-INVITE), re-sent when
  // that 2xx is retransmitted (§13.2.2.4).
  struct SentAck {
    std::string bytes;
    Destination dst;
    std::uint32_t cseq = 0;
  };
  // UAC until the final response to the INVITE: its parts, kept to rebuild it after a 422
  // (RFC 4028 §7.3), the early dialogs (one per To tag) and a CANCEL's Reason.
  struct UacSetup {
    std::string reqUri, fromUri, toUri, callId, localTag, extra, body, ctype, cancelReason;
    std::vector<Dialog> early;
    std::uint32_t maxForwards = 70;
  };
  // Our offers in a re-INVITE / UPDATE, kept for the §14.1 retry after 491 (or 422).
  struct Offers {
    std::string reinviteSdp, updateSdp;
    Timer retry;
  };
  // What the peer sent that the application may read: Reason (RFC 3326), the last
  // multipart body (RFC 5621), its Recv-Info (RFC 6086).
  struct Received {
    std::string remoteReason, lastBody, lastBodyType;
    std::vector<std::string> infoPackages;
  };
  Reliable1xx& rel();
  Ok2xx& ok();
  UacSetup& setup();
  Offers& offers();
  Received& received();
  void freeRel1xxWhenDone();

  Dialog* activeDialog();
  Dialog* earlyDialog(std::string_view remoteTag);
  // The dialog of this session with this key (confirmed or early), else nullptr.
  Dialog* dialogWithKey(std::string_view key);
  std::string_view localTag() const;
  // Contact: <sip:user@sent-by;transport=...> for this session's transport, into the message.
  void addContact(MessageBuilder& b) const;
  TxnId sendInDialog(Dialog& d, std::string_view method, std::string_view extra,
                     std::string_view body, std::string_view ctype);
  void retryAfter491(std::function<void()> retry);
  void onReinviteResponse(const Message& rsp);
  void onReinviteFailure(TxnFailure f);
  void onInDialogFailure(std::uint16_t code);
  void onInfo(Transaction& t, const Message& req);
  void notePeerRecvInfo(const Message& m);
  void noteRemoteReason(const Message& m);
  std::string recvInfoHeader() const;
  void onUpdateResponse(const Message& rsp);
  BodyView inspect(const Message& m);
  void setRemoteSdp(std::string_view sdp);
  std::string_view ourSdp();  // localSdp_ with our precondition lines
  void checkPreconditions();
  void sendPreconditionUpdate();
  void rejectPrecondition();
  void keepBody(const Message& m);
  // RFC 4028
  // Builds the initial INVITE (or its 422 retry) into invite_; false when it does not parse.
  bool buildInvite(std::uint32_t cseq);
  std::uint16_t timerAsUas(const Message& req, std::string& rejectHeaders);
  void timerFromResponse(const Message& rsp);
  bool bumpMinSE(const Message& rsp422);
  std::string timerRequestHeaders() const;
  std::string timerResponseHeaders() const;
  void startSessionTimer();
  void armSessionTimer();
  void sessionRefresh();
  void sessionExpired();
  void buildResponse(std::string& out, std::uint16_t code, std::string_view reason,
                     std::string_view extra, std::string_view sdp, std::string_view ctype = {});
  void sendReliable(std::uint16_t code, std::string reason, std::string sdp, std::string ctype);
  void sendAnswerNow(std::string_view fullBody, std::string_view fullCtype);
  void start2xxRetransmission(std::uint32_t cseq, const Destination& dst, bool isReinvite);
  void retransmitRel1xx();
  void retransmit2xx();
  void sendAck(Dialog& d, const Message& ok, bool sendBye);
  void end(EndReason why, std::uint16_t code);
  void onInviteResponse(const Message& rsp);
  void onInviteFailure(TxnFailure f);
  void onRequestInDialog(Transaction& t, const Message& req, Dialog& d);
  void onAck(const Message& ack);
  void onCancel();
  void onPrack(Transaction& t, const Message& req);
  void onUpdate(Transaction& t, const Message& req);
  void onReInvite(Transaction& t, const Message& req);

  UserAgent& ua_;
  SessionId id_;
  // The initial INVITE: ours, or the received one as the transport parsed it (shared with
  // its transaction, MessageRef). Released once confirmed.
  MessageRef invite_;
  TxnId inviteTxn_ = 0;
  TxnId reinviteTxn_ = 0;  // our re-INVITE (§14.1)
  Destination dst_;  // UAC: first hop; UAS: where responses go

  std::optional<Dialog> dialog_;  // UAS dialog; UAC confirmed dialog
  OfferAnswer oa_;
  std::string localSdp_, remoteSdp_;

  // The INVITE's CSeq number, which outlives invite_ (a PRACK may follow the ACK, RFC 3262 §3).
  std::uint32_t inviteCSeq_ = 0;
  std::uint32_t rseq_ = 0;        // RFC 3262: RSeq of our last reliable provisional
  // RFC 4028 session timer
  std::uint32_t seInterval_ = 0;  // 0: none
  std::uint32_t seMin_ = 0;       // the largest Min-SE seen (§7.4)
  std::uint16_t finalCode_ = 0;
  SessionState state_;
  TransportType transport_ = TransportType::Udp;
  bool uac_;
  bool peer100rel_ = false;
  bool seWeRefresh_ = false;
  bool peerTimer_ = false;        // the peer listed "timer" in Supported/Require
  bool peerAllowsUpdate_ = false;
  bool peerRecvInfo_ = false;     // RFC 6086: the peer sent Recv-Info at all
  bool preMetReported_ = false, preUpdatePending_ = false;  // RFC 3312
  // UAC
  bool retried422_ = false, cancelPending_ = false, cancelSent_ = false, gotProvisional_ = false;
  // RFC 4028: when we refresh (0: not us) and send BYE (§10), clock ms; seTimer_ runs for
  // the earlier of the two.
  std::uint64_t seRefreshAt_ = 0, seExpiryAt_ = 0;
  Timer seTimer_;

  std::unique_ptr<Reliable1xx> rel_;
  std::unique_ptr<Ok2xx> ok_;
  std::unique_ptr<SentAck> ack_;
  std::unique_ptr<UacSetup> setup_;
  std::unique_ptr<Offers> offers_;
  std::unique_ptr<Received> received_;
  std::unique_ptr<Preconditions> pre_;
};

class UserAgent final : public TransactionUser {
 public:
  UserAgent(TimerService& clock, TransportSender& transport, SessionHandler& handler,
            UaConfig cfg = {}, TransactionConfig txnCfg = {});
  ~UserAgent() override;

  TransactionLayer& transactions() { return layer_; }
  const TransactionLayer& transactions() const { return layer_; }
  const UaStats& stats() const { return stats_; }
  const UaConfig& config() const { return cfg_; }
  std::size_t sessionCount() const { return sessions_.size(); }
  // Entries of the dialog and transaction tables (memory checks: none outlive their use).
  std::size_t dialogBindings() const { return dialogs_.size(); }
  std::size_t transactionBindings() const { return boundTxns_; }
  InviteSession* find(SessionId id);

  // UAC: a new INVITE to `requestUri` (first hop `dst`) with an SDP offer (may be empty).
  // `from`/`to`: a URI, or a name-addr when it holds '<'. With `contentType` the body is
  // `sdp` as given (e.g. multipart SDP + ISUP) and its SDP part is the offer.
  InviteSession* invite(std::string_view requestUri, const Destination& dst, std::string_view from,
                        std::string_view to, std::string_view sdp, std::string_view extraHeaders = {},
                        std::uint32_t maxForwards = 70, std::string_view contentType = {});

  // --- TransactionUser
  void onRequest(Transaction& t, const Message& request) override;
  void onAck(const Message& ack, const Source& src) override;
  void onResponse(Transaction& t, const Message& response) override;
  void onStrayResponse(const Message& response, const Source& src) override;
  void onFailure(Transaction& t, TxnFailure f) override;
  void onTerminated(Transaction& t) override;

  // Builds and sends a stateless-ish response through the server transaction.
  // `extra`: raw header lines ("Name: value\r\n"...); `body`: SDP when non-empty.
  void respond(Transaction& t, const Message& req, std::uint16_t code, std::string_view reason,
               std::string_view extra = {}, std::string_view body = {});
  std::string newTag();
  std::string supportedTags() const;  // our Supported option tags
  std::string acceptHeader() const;   // "Accept: ...\r\n" for 415
  std::string via(const Destination& dst);

 private:
  friend class InviteSession;
  // Transaction → session (Transaction::tuLabel), until the transaction terminates
  // (onTerminated: the layer reports a transaction's failure before its end, and nothing
  // after).
  void bind(Transaction& t, InviteSession& s);
  void bind(TxnId t, InviteSession& s);
  // Dialog → session, keyed by the hash of the dialog key (the session's Dialog holds the
  // key itself; a lookup compares it, so colliding hashes stay apart).
  void bindDialog(const Dialog& d, InviteSession& s) { dialogs_.emplace(keyHash(d.key()), &s); }
  void unbindDialog(const Dialog& d, const InviteSession& s);
  static std::uint64_t keyHash(std::string_view key) { return std::hash<std::string_view>{}(key); }
  // The session and dialog `key` (dialogKey...Into) belongs to, else nullptr.
  InviteSession* byDialogKey(std::string_view key, Dialog** dialog = nullptr);
  void finished(InviteSession& s);
  InviteSession* byTxn(const Transaction& t);
  void onNewInvite(Transaction& t, const Message& req);

  TimerService& clock_;
  TransportSender& transport_;
  SessionHandler& handler_;
  UaConfig cfg_;
  TransactionLayer layer_;
  SlotMap<InviteSession> sessions_;  // a SessionId indexes its session (config/slot_map.h)
  std::size_t boundTxns_ = 0;  // transactions with a session's label (bind)
  std::unordered_multimap<std::uint64_t, InviteSession*> dialogs_;
  std::string keyScratch_;  // dialog key of the message being looked up, storage reused
  // The INVITE's offer, parsed once for the offer/answer check and lent to the handler
  // during onIncoming (InviteSession::incomingOffer).
  SessionDescription offerScratch_;
  struct {
    const InviteSession* session = nullptr;
    const SessionDescription* offer = nullptr;
  } incoming_;
  std::mt19937_64 rng_;
  UaStats stats_;
};

}  // namespace siptgw::sip
