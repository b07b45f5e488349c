// Dialog: the state RFC 3261 §12 keeps between two UAs — dialog ID (Call-ID, local tag,
// remote tag), local/remote sequence numbers, local/remote URI, remote target and route
// set — and the rules to build and check in-dialog requests:
//   §12.1.1  UAS side: route set = Record-Route of the request in order, remote target =
//            Contact, remote seq = the request's CSeq, local seq empty;
//   §12.1.2  UAC side: route set = Record-Route of the response reversed, remote target =
//            Contact, local seq = the request's CSeq, remote seq empty; an early dialog per
//            To tag (forking gives several);
//   §12.2.1.1 the Request-URI and Route of a new request (loose routing with lr, and the
//            strict-route case: first route into the Request-URI, remote target last Route);
//   §12.2.2  a lower remote CSeq is rejected with 500; target refresh from Contact;
//   §13.2.2.4 the route set is recomputed from the 2xx that confirms an early dialog.
// Owns copies of everything it needs: dialogs outlive the messages. The dialog ID, the URIs
// and the remote target share one string (one allocation per dialog, memory per held call,
// issue #5); the dialog ID comes first, in the dialogKey() form, so key() is a view of it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.h"
#include "sip/message.h"
#include "sip/message_builder.h"
#include "sip/transport_types.h"

namespace siptgw::sip {

enum class DialogState : std::uint8_t { Early, Confirmed, Terminated };
std::string_view toString(DialogState s);

// "call-id \n local-tag \n remote-tag": the key dialog tables use.
std::string dialogKey(std::string_view callId, std::string_view localTag, std::string_view remoteTag);
// The dialog a received request belongs to (§12.2.2: To tag is ours, From tag theirs).
std::string dialogKeyOfRequest(const Message& req);
// The dialog a received response belongs to (§12.2.1.2: From tag ours, To tag theirs).
std::string dialogKeyOfResponse(const Message& rsp);
// The same keys written into `out`, reusing its storage: table lookups per received
// request then build no string on the heap. `out` is cleared when a header is missing.
void dialogKeyInto(std::string& out, std::string_view callId, std::string_view localTag,
                   std::string_view remoteTag);
void dialogKeyOfRequestInto(std::string& out, const Message& req);
void dialogKeyOfResponseInto(std::string& out, const Message& rsp);

// Where a request for `uri` goes (§8.1.2 with IP literals only, RFC 3263 not implemented):
// host, port (default by transport), transport parameter overriding `fallback`.
std::optional<Destination> destinationForUri(const Uri& uri, TransportType fallback);

class Dialog {
 public:
  // §12.1.2: from our request (INVITE) and a 1xx (with To tag) or 2xx response to it.
  // Error: the status a UAC would treat it as (e.g. 0 for "no To tag"; such responses
  // create no dialog), or the response lacks Contact (400-ish, returned as 400).
  static Result<Dialog, std::uint16_t> createUac(const Message& request, const Message& response);
  // §12.1.1: from a received dialog-creating request and the local tag we put in To.
  static Result<Dialog, std::uint16_t> createUas(const Message& request, std::string_view localTag);

  // UAC: a later 1xx/2xx to the dialog-creating request. A 2xx confirms the dialog and
  // recomputes the route set (§13.2.2.4); its Contact refreshes the remote target.
  void onResponseToInitial(const Message& rsp);
  // §12.2.2 for a received in-dialog request other than ACK/CANCEL: 0 when in order (the
  // remote seq is taken), 500 when its CSeq is lower than the remote seq.
  std::uint16_t checkRemoteCSeq(const Message& req);
  // Target refresh (§12.2: INVITE/re-INVITE, UPDATE and their 2xx): Contact → remote target.
  void refreshTarget(const Message& m);
  void confirm() { state_ = DialogState::Confirmed; }
  void terminate() { state_ = DialogState::Terminated; }

  // §12.2.1.1: writes the start line and Via, Route, Max-Forwards, From, To, Call-ID and
  // CSeq of a new in-dialog request; the caller adds the rest and finishes. `cseq` 0 takes
  // the next local sequence number (ACK passes the INVITE's).
  std::uint32_t buildRequest(MessageBuilder& b, std::string_view method, std::string_view via,
                             std::uint32_t cseq = 0);
  // The URI the request goes to first (§8.1.2): first route, else the remote target (a
  // view into the dialog).
  std::string_view nextHopUri() const;
  std::optional<Destination> nextHop(TransportType fallback) const;
  std::uint32_t nextLocalSeq() const { return localSeq_ + 1; }

  DialogState state() const { return state_; }
  bool isUac() const { return uac_; }
  std::string_view callId() const { return part(0, callIdEnd_); }
  std::string_view localTag() const { return part(callIdEnd_ + 1, localTagEnd_); }
  std::string_view remoteTag() const { return part(localTagEnd_ + 1, keyEnd_); }
  std::string_view key() const { return part(0, keyEnd_); }  // dialogKey(callId, localTag, remoteTag)
  bool hasKey(std::string_view key) const { return key == this->key(); }
  std::uint32_t localSeq() const { return localSeq_; }
  std::optional<std::uint32_t> remoteSeq() const {
    return hasRemoteSeq_ ? std::optional<std::uint32_t>(remoteSeq_) : std::nullopt;
  }
  std::string_view remoteTarget() const { return part(remoteUriEnd_, text_.size()); }
  const std::vector<std::string>& routeSet() const { return routeSet_; }  // name-addr values
  std::string_view localUri() const { return part(keyEnd_, localUriEnd_); }         // our From value, with tag
  std::string_view remoteUri() const { return part(localUriEnd_, remoteUriEnd_); }  // their To value, with tag
  bool secure() const { return secure_; }
  // Whether the first route is a strict router (no lr, §12.2.1.1).
  bool strictRouting() const;

  std::uint32_t lastRSeq = 0;  // RFC 3262 §4: highest RSeq acknowledged in this (early) dialog

 private:
  std::string_view part(std::size_t from, std::size_t to) const {
    return std::string_view(text_).substr(from, to - from);
  }
  // Writes the ID, URIs and target into text_ (one allocation).
  void setText(std::string_view callId, std::string_view localTag, std::string_view remoteTag,
               std::string_view localUri, std::string_view localUriTag, std::string_view remoteUri,
               std::string_view target);
  // False (and nothing changed) when a Record-Route value is not a valid rec-route.
  bool setRouteSet(const Message& m, bool reverse);
  // The first Contact URI; empty when none, or when it is no usable target (URI headers).
  static std::string_view targetOf(const Message& m);
  bool setTarget(const Message& m);

  // callId '\n' localTag '\n' remoteTag, localUri, remoteUri, remoteTarget (last: a target
  // refresh rewrites only the tail); the *End_ offsets end each part.
  std::string text_;
  std::uint32_t callIdEnd_ = 0, localTagEnd_ = 0, keyEnd_ = 0, localUriEnd_ = 0, remoteUriEnd_ = 0;
  std::uint32_t localSeq_ = 0;
  std::uint32_t remoteSeq_ = 0;
  bool hasRemoteSeq_ = false;
  DialogState state_ = DialogState::Early;
  bool uac_ = true;
  bool secure_ = false;
  std::vector<std::string> routeSet_;
};

}  // namespace siptgw::sip
