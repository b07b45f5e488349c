// The script format the stateful fuzz targets share (sip_ua.cpp, gateway_call.cpp): lines
// (LF); an optional first line "=FLAGS"; then records
//   >U or >T     a message from the SIP peer over UDP or TCP: the lines up to the next record,
//                joined with CRLF, with the Echo placeholders below filled in;
//   @N           the clock N ms on (at most a day of clock per script);
//   !X           an action of the target's own.
// Echo remembers what the stack under test last sent, so the peer's script can answer it:
// $TAG our tag (To tag of our last response, From tag of our last request), $CID the Call-ID,
// $BR and $CSEQ the branch and CSeq number of our last request other than ACK, $IBR and
// $ICSEQ those of our last INVITE, $RSEQ the RSeq of our last reliable 1xx, $LEN the body's
// length.
// Also shared: the SIP peer's end of the wire (Wire: checks every message the stack under
// test sends and feeds Echo), the transport's admission check, and SIPTGW_FUZZ_TRACE.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "config/timer_service.h"
#include "sip/check_message.h"
#include "sip/message.h"
#include "sip/transport_types.h"

namespace siptgw::fuzz {

// SIPTGW_FUZZ_TRACE: 0 quiet, 1 start lines of what is received, done and sent, 2 whole
// messages sent.
inline const int kTrace = [] {
  const char* v = std::getenv("SIPTGW_FUZZ_TRACE");
  return v != nullptr ? std::atoi(v) : 0;
}();

// With the clock: `text`'s first line, or all of it when `whole` and tracing at level 2.
inline void trace(const TimerService& clock, std::string_view what, std::string_view text,
                  bool whole = false) {
  if (kTrace == 0) return;
  if (!whole || kTrace < 2) text = text.substr(0, text.find('\r'));
  std::fprintf(stderr, "%llu ms, %.*s: ", static_cast<unsigned long long>(clock.nowMs()),
               static_cast<int>(what.size()), what.data());
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fputc('\n', stderr);
}

// As TransportLayer's deliver() admits a received message; a response's top Via must be
// ours (`host`, port 5060).
inline bool admitted(const sip::Message& m, std::string_view host) {
  if (m.isRequest()) {
    return m.topVia() && m.from() && m.to() && m.callId() && m.cseq() &&
           m.cseq()->method == m.method();
  }
  if (!m.topVia() || !m.cseq() || !m.callId()) return false;
  return m.topVia()->host == host && m.topVia()->port.value_or(5060) == 5060;
}

inline void replaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
    s.replace(p, from.size(), to);
  }
}

struct Echo {
  std::string tag, callId, branch, cseq, inviteBranch, inviteCseq, rseq;

  // What the stack sent (parsed).
  void remember(const sip::Message& m) {
    if (m.isRequest()) {
      const std::string_view method = m.method();
      if (auto t = m.from(); t && !t->tag.empty()) tag.assign(t->tag);
      if (auto c = m.callId()) callId.assign(*c);
      if (method != "ACK" && m.topVia() && m.cseq()) {
        branch.assign(m.topVia()->branch);
        cseq = std::to_string(m.cseq()->number);
        if (method == "INVITE") {
          inviteBranch = branch;
          inviteCseq = cseq;
        }
      }
    } else {
      if (auto t = m.to(); t && !t->tag.empty()) tag.assign(t->tag);
      if (auto c = m.callId()) callId.assign(*c);
      if (auto r = m.rseq()) rseq = std::to_string(*r);
    }
  }

  // The peer's message text with the placeholders filled in.
  void fill(std::string& text) const {
    const std::size_t head = text.find("\r\n\r\n");
    const std::size_t bodyLen = head == std::string::npos ? 0 : text.size() - head - 4;
    replaceAll(text, "$LEN", std::to_string(bodyLen));
    replaceAll(text, "$TAG", tag);
    replaceAll(text, "$CID", callId);
    replaceAll(text, "$IBR", inviteBranch);
    replaceAll(text, "$ICSEQ", inviteCseq);
    replaceAll(text, "$BR", branch);
    replaceAll(text, "$CSEQ", cseq);
    replaceAll(text, "$RSEQ", rseq);
  }
};

// The peer's end of the wire. Aborts (so libFuzzer keeps the input) unless every message
// the stack sends parses with its Content-Length framing its body exactly and, for a
// request, passes checkMessage (RFC 3261 §8.1.1, §25); remembers it in `echo`.
class Wire final : public sip::TransportSender {
 public:
  Wire(const TimerService& clock, std::string_view sentBy) : clock_(clock), sentBy_(sentBy) {}
  sip::TransportErrc send(const sip::Destination&, std::string_view bytes, std::uint64_t) override {
    if (bytes == "\r\n\r\n") return sip::TransportErrc::Ok;  // RFC 5626 keep-alive
    trace(clock_, "sent", bytes, true);
    sip::Message m;
    if (!m.parse(bytes).ok()) std::abort();
    if (m.body().data() + m.body().size() != bytes.data() + bytes.size()) std::abort();
    if (m.isRequest() && !sip::checkMessage(bytes).ok()) std::abort();
    echo.remember(m);
    return sip::TransportErrc::Ok;
  }
  std::string_view sentBy(sip::TransportType, bool) const override { return sentBy_; }
  Echo echo;

 private:
  const TimerService& clock_;
  std::string sentBy_;
};

// Runs a script: flags(line) for a "=FLAGS" first line (before anything else), then
// message(tcp, text), advance(ms) and act(char) per record. False when the script asks
// for more than a day of clock (the input is then not worth running).
template <typename Flags, typename OnMessage, typename OnAdvance, typename OnAct>
bool runScript(std::string_view in, Flags flags, OnMessage message, OnAdvance advance, OnAct act) {
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos <= in.size();) {
    std::size_t nl = in.find('\n', pos);
    if (nl == std::string_view::npos) nl = in.size();
    lines.push_back(in.substr(pos, nl - pos));
    pos = nl + 1;
  }
  if (in.ends_with('\n')) lines.pop_back();  // the empty "line" after the final LF
  std::size_t i = 0;
  flags(!lines.empty() && lines[0].starts_with('=') ? lines[i++] : std::string_view{});
  std::uint64_t clockMs = 0;
  while (i < lines.size()) {
    std::string_view l = lines[i++];
    if (l.starts_with('>')) {
      std::string text;
      while (i < lines.size() && !lines[i].starts_with('>') && !lines[i].starts_with('@') &&
             !lines[i].starts_with('!')) {
        text.append(lines[i++]).append("\r\n");
      }
      message(l.size() > 1 && l[1] == 'T', std::move(text));
    } else if (l.starts_with('@')) {
      std::uint64_t ms = 0;
      for (char c : l.substr(1)) {
        if (c < '0' || c > '9' || ms > 10000000) break;
        ms = ms * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (clockMs + ms > 24ull * 3600 * 1000) return false;  // a day of script is plenty
      clockMs += ms;
      advance(ms);
    } else if (l.starts_with('!') && l.size() > 1) {
      act(l[1]);
    }
  }
  return true;
}

}  // namespace siptgw::fuzz
