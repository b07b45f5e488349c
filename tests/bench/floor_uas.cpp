// floor_uas: the machine's floor for the UA benchmark (tests/bench/sipp_ua_load.sh).
//
// It answers SIPp's basic call (INVITE -> 100, 180, 200; ACK ignored; BYE -> 200) with the
// least work a responder can do: one blocking recvfrom per datagram, the five headers RFC
// 3261 §8.2.6.2 copies into a response (Via, From, To, Call-ID, CSeq) found by a line scan,
// a To tag added, one sendto per response. No transactions, no dialogs, no timers, no
// checks: it is NOT a SIP stack and must never answer anything but the benchmark. Its CPU
// per call is what the kernel and the loopback path cost on this machine for the same
// datagrams; siptgw_test_ua's figure minus this one is what the stack itself costs.
//
//   usage: floor_uas PORT        PORT 0 takes a free one; prints "PORT n" once bound (as
//                                siptgw_test_ua does) and "floor_uas: calls=N" on SIGTERM
#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace {

volatile std::sig_atomic_t stopping = 0;
void onSignal(int) { stopping = 1; }

// The header line `name: ...\r\n` (CRLF included) in the message's header section, by its
// full name only (SIPp sends full names); empty when absent.
std::string_view headerLine(std::string_view msg, std::string_view name) {
  std::size_t pos = msg.find('\n');  // skip the request line
  while (pos != std::string_view::npos && pos + 1 < msg.size()) {
    std::size_t start = pos + 1;
    std::size_t end = msg.find('\n', start);
    if (end == std::string_view::npos || end <= start + 1) return {};  // blank line: body
    std::string_view line = msg.substr(start, end - start + 1);
    if (line.size() > name.size() && line[name.size()] == ':' &&
        strncasecmp(line.data(), name.data(), name.size()) == 0) {
      return line;
    }
    pos = end;
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: floor_uas PORT\n");
    return 2;
  }
  int port = std::atoi(argv[1]);
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_port = htons(static_cast<std::uint16_t>(port));
  local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (s < 0 || bind(s, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    std::perror("floor_uas: bind");
    return 1;
  }
  socklen_t localLen = sizeof local;
  getsockname(s, reinterpret_cast<sockaddr*>(&local), &localLen);
  std::printf("PORT %d\n", ntohs(local.sin_port));
  std::fflush(stdout);
  port = ntohs(local.sin_port);
  struct sigaction sa {};
  sa.sa_handler = onSignal;  // no SA_RESTART: the blocking recvfrom returns EINTR
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  static char in[65536];
  static char out[4096];
  unsigned long calls = 0;
  constexpr std::string_view kNames[] = {"Via", "From", "To", "Call-ID", "CSeq"};
  constexpr std::string_view kSdp =
      "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
  while (stopping == 0) {
    sockaddr_in from{};
    socklen_t fromLen = sizeof from;
    ssize_t n = recvfrom(s, in, sizeof in, 0, reinterpret_cast<sockaddr*>(&from), &fromLen);
    if (n <= 0) continue;
    std::string_view msg(in, static_cast<std::size_t>(n));
    const bool invite = msg.starts_with("INVITE ");
    if (!invite && !msg.starts_with("BYE ")) continue;
    std::string_view lines[5];
    bool complete = true;
    std::size_t copied = 0;
    for (int i = 0; i < 5; ++i) {
      lines[i] = headerLine(msg, kNames[i]);
      complete = complete && !lines[i].empty();
      copied += lines[i].size();
    }
    if (!complete || copied > sizeof out / 2) continue;  // out holds the copies and ~300 bytes more
    struct Status {
      int code;
      const char* reason;
    };
    constexpr Status kInvite[] = {{100, "Trying"}, {180, "Ringing"}, {200, "OK"}};
    const Status* first = invite ? kInvite : kInvite + 2;
    for (const Status* st = first; st != kInvite + 3; ++st) {
      int len = std::snprintf(out, sizeof out, "SIP/2.0 %d %s\r\n", st->code, st->reason);
      for (int i = 0; i < 5; ++i) {
        std::string_view l = lines[i];
        if (i == 2 && invite && st->code != 100) {  // To: our tag (the call's dialog)
          l.remove_suffix(2);
          len += std::snprintf(out + len, sizeof out - len, "%.*s;tag=f%lu\r\n", static_cast<int>(l.size()),
                               l.data(), calls);
        } else {
          std::memcpy(out + len, l.data(), l.size());
          len += static_cast<int>(l.size());
        }
      }
      if (invite && st->code == 200) {
        len += std::snprintf(out + len, sizeof out - len,
                             "Contact: <sip:floor@127.0.0.1:%d>\r\nContent-Type: application/sdp\r\n"
                             "Content-Length: %zu\r\n\r\n%.*s",
                             port, kSdp.size(), static_cast<int>(kSdp.size()), kSdp.data());
      } else {
        len += std::snprintf(out + len, sizeof out - len, "Content-Length: 0\r\n\r\n");
      }
      sendto(s, out, static_cast<std::size_t>(len), 0, reinterpret_cast<sockaddr*>(&from), fromLen);
    }
    if (invite) ++calls;
  }
  std::printf("floor_uas: calls=%lu\n", calls);
  close(s);
  return 0;
}
