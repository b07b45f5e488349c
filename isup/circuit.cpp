#include "isup/circuit.h"

namespace siptgw::isup {

std::string_view circuitCallName(CircuitCall c) {
  switch (c) {
    case CircuitCall::Idle: return "idle";
    case CircuitCall::IncomingBusy: return "incoming busy";
    case CircuitCall::OutgoingBusy: return "outgoing busy";
  }
  return "?";
}

std::string_view directionName(GroupDirection d) {
  switch (d) {
    case GroupDirection::BothWay: return "both-way";
    case GroupDirection::IncomingOnly: return "incoming-only";
    case GroupDirection::OutgoingOnly: return "outgoing-only";
  }
  return "?";
}

std::string_view selectionName(Selection s) {
  switch (s) {
    case Selection::Sequential: return "sequential";
    case Selection::RoundRobin: return "round-robin";
    case Selection::DualSeizureControl: return "even-odd";
  }
  return "?";
}

std::string describeCircuit(const Circuit& c) {
  std::string s(circuitCallName(c.call));
  if (c.blocking & kLocalMaint) s += ", locally blocked (maintenance)";
  if (c.blocking & kLocalHw) s += ", locally blocked (hardware)";
  if (c.blocking & kRemoteMaint) s += ", remotely blocked (maintenance)";
  if (c.blocking & kRemoteHw) s += ", remotely blocked (hardware)";
  if (c.flags & kAwaitingResetAck) s += ", awaiting reset acknowledgement";
  if (c.flags & kAwaitingCcr) s += ", awaiting CCR";
  if (c.flags & kRemoteUnequipped) s += ", unequipped at the remote exchange";
  if (c.flags & kLocalUnequipped) s += ", unequipped";
  return s;
}

}  // namespace siptgw::isup
