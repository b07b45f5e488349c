// An ISUP message (ITU-T Q.763 §1, Table 4; ANSI T1.113.3): circuit identification code,
// message type, and its parameters in wire order, each typed where the codec knows it.
//
// Format knowledge (which parameters are mandatory fixed / mandatory variable, whether an
// optional part exists) is the table in message_formats.cpp, per variant. Unknown message
// types keep everything after the type code verbatim in `body`.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/container/small_vector.hpp>

#include "isup/parameters.h"
#include "isup/types.h"

namespace siptgw::isup {

// Q.763 tables 6–…: the format of one message type.
struct MessageFormat {
  struct Fixed {
    ParamCode code;
    uint8_t length;
  };
  MessageType type;
  std::string_view acronym;  // "IAM"
  std::string_view name;     // "Initial address"
  std::array<Fixed, 4> fixed;
  uint8_t fixed_count;
  std::array<ParamCode, 2> variable;
  uint8_t variable_count;
  bool optional_part;
};

// nullptr for types the variant does not define.
const MessageFormat* messageFormat(Variant v, MessageType t);
std::string_view messageAcronym(Variant v, MessageType t);  // "" when unknown
std::optional<MessageType> messageTypeFromAcronym(Variant v, std::string_view acronym);
// Every format of a variant (for tests and docs).
std::span<const MessageFormat> messageFormats(Variant v);

using ParamList = boost::container::small_vector<Parameter, 12>;

struct Message {
  Variant variant = Variant::Itu;
  uint16_t cic = 0;        // 12 bits (ITU) or 14 bits (ANSI)
  uint8_t cic_spare = 0;   // the spare bits above the CIC, kept as received
  MessageType type{};
  // Mandatory fixed then mandatory variable parameters, in format order.
  ParamList mandatory;
  // Optional parameters in wire order (duplicates and unknown codes included).
  ParamList optional;
  // An optional part present but holding only the end-of-optional-parameters octet (a
  // pointer of 0 is the usual encoding of "no optional parameters").
  bool empty_optional_part = false;
  // Octets after the last parameter (a later protocol version's additions, Q.764 §2.9.5);
  // kept and re-sent.
  Bytes trailing;
  // Unknown message types: every octet after the message type code.
  Bytes body;

  bool operator==(const Message&) const = default;

  // First parameter with this code, mandatory or optional; nullptr if absent.
  const Parameter* find(ParamCode c) const;
  Parameter* find(ParamCode c);
  template <class T>
  const T* get(ParamCode c) const {
    const Parameter* p = find(c);
    return p ? std::get_if<T>(&p->value) : nullptr;
  }
  template <class T>
  T* get(ParamCode c) {
    Parameter* p = find(c);
    return p ? std::get_if<T>(&p->value) : nullptr;
  }
  // Sets a parameter: replaces the mandatory one with that code, else the first optional
  // one, else appends to the optional part.
  void set(ParamCode c, ParamValue v);
  bool remove(ParamCode c);  // optional parameters only
};

// A fresh message of a known type with every mandatory parameter present, default-valued
// (typed), ready to be filled in. Unknown types get no parameters.
Message makeMessage(Variant v, MessageType t, uint16_t cic = 0);

}  // namespace siptgw::isup
