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
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sip/message.h"

namespace siptgw::fuzz {

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
