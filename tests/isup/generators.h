// Random but valid ISUP messages for property tests, fuzz seeds and benchmarks: every
// typed field gets a value within its bit width, every message type its mandatory
// parameters and (where it has an optional part) a random selection of optional ones.
#pragma once

#include <random>

#include "isup/message.h"

namespace siptgw::isup::testing {

Message randomMessage(std::mt19937& rng, Variant v, MessageType t);
ParamValue randomParam(std::mt19937& rng, Variant v, uint8_t code);
// A typical IAM as a carrier sends it (called/calling number, CPC, FCI, optional
// parameters); used by benchmarks and allocation tests.
Message typicalIam(Variant v);

}  // namespace siptgw::isup::testing
