// Circuits and circuit groups (ITU-T Q.764 §2.8 blocking, §2.9.1 dual seizure, §2.9.3 reset,
// §2.12 unequipped CIC): the per-circuit state that call control and circuit supervision
// share, kept small so a 64k-circuit configuration is cheap. A circuit carries no timers and
// no call data: timers live in the call or procedure object that runs them, and only while
// it runs (DESIGN.md "Timers ... owned by the object they time").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace siptgw::isup {

// Call processing state of a circuit (the Q.763 §3.14 circuit state indicator's bits DC).
enum class CircuitCall : uint8_t { Idle, IncomingBusy, OutgoingBusy };

// Blocking bits; maintenance and hardware blocking are independent of each other and of
// the call state (a busy circuit may be blocked: the call continues, no new call is offered).
enum BlockBits : uint8_t {
  kLocalMaint = 1 << 0,
  kRemoteMaint = 1 << 1,
  kLocalHw = 1 << 2,
  kRemoteHw = 1 << 3,
};

enum CircuitFlags : uint8_t {
  kAwaitingResetAck = 1 << 0,   // RSC/GRS sent, RLC/GRA not yet received (§2.9.3)
  kRemoteUnequipped = 1 << 1,   // UCIC received (§2.12): not used for calls
  kAwaitingCcr = 1 << 2,        // COT failure received, T27 running (§2.1.8)
  kLocalUnequipped = 1 << 3,    // configured but taken out of service
};

struct Circuit {
  uint16_t cic = 0;
  uint16_t group = 0;           // index of its CircuitGroup
  CircuitCall call = CircuitCall::Idle;
  uint8_t blocking = 0;         // BlockBits
  uint8_t flags = 0;            // CircuitFlags
  uint8_t spare = 0;
  uint32_t call_id = 0;         // the call on it, 0 when none

  bool blocked() const { return blocking != 0; }
  bool locallyBlocked() const { return blocking & (kLocalMaint | kLocalHw); }
  bool remotelyBlocked() const { return blocking & (kRemoteMaint | kRemoteHw); }
  // Free for a new outgoing call.
  bool selectable() const { return call == CircuitCall::Idle && blocking == 0 && flags == 0; }
};
static_assert(sizeof(Circuit) == 12);

enum class GroupDirection : uint8_t { BothWay, IncomingOnly, OutgoingOnly };

// How an outgoing call picks its circuit. DualSeizureControl is Q.764 §2.9.1.3 method 2:
// circuits this exchange controls (even CICs when its point code is the higher, odd ones
// otherwise) first in ascending order, then the others in descending order.
enum class Selection : uint8_t { Sequential, RoundRobin, DualSeizureControl };

struct CicRange {
  uint16_t first = 0;
  uint16_t last = 0;  // inclusive
};

struct CircuitGroupConfig {
  std::string name;
  uint32_t dpc = 0;
  std::vector<CicRange> cics;
  GroupDirection direction = GroupDirection::BothWay;
  Selection selection = Selection::DualSeizureControl;
};

std::string_view circuitCallName(CircuitCall c);
std::string_view directionName(GroupDirection d);
std::string_view selectionName(Selection s);
// "idle", "outgoing busy, locally blocked (maintenance)", ...
std::string describeCircuit(const Circuit& c);

}  // namespace siptgw::isup
