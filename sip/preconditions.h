// Preconditions: the segmented status table of RFC 3312 §5 (as updated by RFC 4032) for the
// "qos" precondition of a session's first media stream, from our point of view. The peer's
// SDP is read with its sense inverted (§6: its local segment is our remote one, its send is
// our recv); our SDP gets a=curr/a=des/a=conf lines built from the table. Mandatory rows
// must be current before the session may alert (RFC 3312 §6, RFC 4032 §3); a mandatory
// precondition of a type other than qos cannot be met (§5.1: answered with "unknown").
// The e2e segment is taken as current once either side reports it or our own resources are
// ready (the side that reserves end to end is the one that can tell).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sip/sdp.h"

namespace siptgw::sip {

class Preconditions {
 public:
  struct Row {  // one segment, one direction
    bool current = false;
    PrecondStrength desired = PrecondStrength::None;  // None: no desire expressed
    bool confirm = false;  // the peer asked to be told when this row changes (a=conf)
  };

  // The SDP has a=des lines in its first media section: preconditions are in use.
  static bool inUse(std::string_view sdp);
  // Merges the peer's SDP (first media section): its desires strengthen ours (RFC 3312 §6:
  // the answerer may upgrade, never downgrade), its current status fills our remote rows.
  void applyRemote(std::string_view sdp);
  // Our own reservation (local segment, and e2e).
  void setLocalReady(bool ready);
  void setLocalFailed() { localFailed_ = true; }
  // Offerer side: we want `s` on both segments, both directions (RFC 3312 §4).
  void desire(PrecondStrength s, PrecondStatus segment);

  bool met() const;     // every mandatory row current, nothing failed
  bool failed() const;  // our reservation failed, a failure strength, or an unknown mandatory type
  bool confirmRequested() const;  // the peer wants to hear when our local rows change
  const Row& row(PrecondStatus segment, bool send) const {
    return rows_[static_cast<int>(segment)][send ? 0 : 1];
  }

  // `sdp` with the precondition lines of its first media section replaced by ours (for a
  // 580, `failure` marks unmet mandatory rows "failure" and unknown types "unknown").
  std::string rewrite(std::string_view sdp, bool failure = false) const;

 private:
  void appendLines(std::string& out, bool failure) const;
  Row rows_[3][2];  // [PrecondStatus][send, recv]
  bool used_[3] = {false, false, false};
  struct Unknown {
    std::string type;
    PrecondStatus status;
    PrecondDirection direction;
  };
  std::vector<Unknown> unknown_;  // mandatory preconditions of a type we do not know
  bool localFailed_ = false, remoteFailed_ = false;
};

}  // namespace siptgw::sip
