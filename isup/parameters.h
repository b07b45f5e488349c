// Typed ISUP parameters (ITU-T Q.763 §3, ANSI T1.113.3 for the ANSI-only ones).
//
// Each struct holds every bit of its parameter, spare and national-use bits included, so
// that decode → encode reproduces the wire bytes exactly (DESIGN.md round-trip law; Q.764
// §2.10 asks receivers to ignore spare bits, not to reject or clear them). Structs are
// values: no heap use unless a raw tail exceeds its inline capacity.
//
// Bit positions follow Q.763's letters: bit A is the least significant bit of the first
// octet. The field tables that map members to bits live in param_traits.h.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

#include <boost/container/small_vector.hpp>

#include "isup/types.h"

namespace siptgw::isup {

// Raw octets with a small inline buffer (no allocation up to 16 octets).
using Bytes = boost::container::small_vector<uint8_t, 16>;

// Address signals as characters '0'-'9','A'-'F' (nibble values 0-15; Q.763 §3.9: 0xB code
// 11, 0xC code 12, 0xF ST/end of pulsing). Inline, at most kMax signals (20 octets).
class Digits {
 public:
  static constexpr std::size_t kMax = 40;
  Digits() = default;
  // Accepts 0-9, A-F, a-f; false (and unchanged) for anything else or too many.
  bool assign(std::string_view s);
  std::string_view view() const { return {buf_.data(), size_}; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  uint8_t nibble(std::size_t i) const;
  void pushNibble(uint8_t n);  // caller checks size() < kMax
  bool operator==(const Digits& o) const { return view() == o.view(); }

 private:
  std::array<char, kMax> buf_{};
  uint8_t size_ = 0;
};

// A parameter kept as its wire octets: unknown codes (passed on unchanged, Q.764 §2.9.5.3),
// and known codes whose contents did not fit the typed form (recognized = true).
struct Opaque {
  Bytes data;
  bool recognized = false;
  bool operator==(const Opaque& o) const { return data == o.data; }
};

// All number parameters share one struct; which members are on the wire, and where, is
// the per-code layout in param_traits.h (Q.763 §3.9, 3.10, 3.16, 3.26, 3.30, 3.39, 3.44,
// 3.46, 3.51; ANSI T1.113 charge number and generic address) and the transit network
// selection (§3.53: odd/even, type of network identification and plan, then BCD digits;
// its layout names numbering_plan "network_identification_plan" and nature_of_address
// "type_of_network_identification"). Odd/even is derived from the digit count.
struct Number {
  uint8_t number_qualifier = 0;  // generic number: number qualifier; ANSI generic address: type of address
  uint8_t nature_of_address = 0;
  uint8_t inn = 0;       // internal network number indicator
  uint8_t ni = 0;        // number incomplete indicator
  uint8_t numbering_plan = 0;
  uint8_t presentation = 0;  // address presentation restricted indicator
  uint8_t screening = 0;
  uint8_t spare = 0;     // spare bits of the layout's first spare field
  uint8_t spare_2 = 0;   // and its second, where it has two
  uint8_t filler = 0;    // filler nibble after an odd number of signals (0 when sent by us)
  Digits digits;
  bool operator==(const Number&) const = default;
};

// Single-octet values: calling party's category (§3.11), transmission medium requirement
// and its prime/used forms (§3.54, 3.55, 3.56), automatic congestion level (§3.4), facility
// indicator (§3.22), ANSI originating line information, circuit validation response
// indicator and circuit group characteristic indicator.
struct Octet {
  uint8_t value = 0;
  bool operator==(const Octet&) const = default;
};

struct NatureOfConnectionIndicators {  // §3.35
  uint8_t satellite = 0, continuity_check = 0, echo_control_device = 0, spare = 0;
  bool operator==(const NatureOfConnectionIndicators&) const = default;
};

// §3.23; bits M (ported number translation) and N (query on release attempt) as added
// for number portability (Q.769.1); bit L spare, O–P national use.
struct ForwardCallIndicators {
  uint8_t national_international_call = 0, end_to_end_method = 0, interworking = 0,
          end_to_end_information = 0, isdn_user_part = 0, isdn_user_part_preference = 0,
          isdn_access = 0, sccp_method = 0, spare = 0, ported_number_translation = 0,
          query_on_release_attempt = 0, national_use = 0;
  bool operator==(const ForwardCallIndicators&) const = default;
};

struct OptionalForwardCallIndicators {  // §3.38
  uint8_t closed_user_group_call = 0, simple_segmentation = 0, spare = 0,
          connected_line_identity_request = 0;
  bool operator==(const OptionalForwardCallIndicators&) const = default;
};

struct OptionalBackwardCallIndicators {  // §3.37
  uint8_t inband_information = 0, call_diversion_may_occur = 0, simple_segmentation = 0,
          mlpp_user = 0, spare = 0;
  bool operator==(const OptionalBackwardCallIndicators&) const = default;
};

struct BackwardCallIndicators {  // §3.5
  uint8_t charge = 0, called_partys_status = 0, called_partys_category = 0,
          end_to_end_method = 0, interworking = 0, end_to_end_information = 0,
          isdn_user_part = 0, holding = 0, isdn_access = 0, echo_control_device = 0,
          sccp_method = 0;
  bool operator==(const BackwardCallIndicators&) const = default;
};

struct InformationRequestIndicators {  // §3.29
  uint8_t calling_party_address_request = 0, holding = 0, spare = 0,
          calling_partys_category_request = 0, charge_information_request = 0, spare_2 = 0,
          malicious_call_identification_request = 0, spare_3 = 0, national_use = 0;
  bool operator==(const InformationRequestIndicators&) const = default;
};

struct InformationIndicators {  // §3.28
  uint8_t calling_party_address_response = 0, hold_provided = 0, spare = 0,
          calling_partys_category_response = 0, charge_information_response = 0,
          solicited_information = 0, spare_2 = 0, national_use = 0;
  bool operator==(const InformationIndicators&) const = default;
};

struct ContinuityIndicators {  // §3.18
  uint8_t continuity = 0, spare = 0;
  bool operator==(const ContinuityIndicators&) const = default;
};

struct RedirectionInformation {  // §3.45
  uint8_t redirecting_indicator = 0, spare = 0, original_redirection_reason = 0,
          redirection_counter = 0, spare_2 = 0, redirecting_reason = 0;
  bool operator==(const RedirectionInformation&) const = default;
};

struct CircuitGroupSupervisionMessageType {  // §3.13
  uint8_t type = 0, spare = 0;
  bool operator==(const CircuitGroupSupervisionMessageType&) const = default;
};

struct SuspendResumeIndicators {  // §3.52
  uint8_t suspend_resume = 0, spare = 0;
  bool operator==(const SuspendResumeIndicators&) const = default;
};

struct EventInformation {  // §3.21
  uint8_t event = 0, event_presentation_restricted = 0;
  bool operator==(const EventInformation&) const = default;
};

struct CallDiversionInformation {  // §3.6
  uint8_t notification_subscription_options = 0, redirecting_reason = 0, spare = 0;
  bool operator==(const CallDiversionInformation&) const = default;
};

struct EchoControlInformation {  // §3.19
  uint8_t outgoing_echo_control_device_information = 0,
          incoming_echo_control_device_information = 0,
          outgoing_echo_control_device_request = 0, incoming_echo_control_device_request = 0;
  bool operator==(const EchoControlInformation&) const = default;
};

struct HopCounter {  // §3.80
  uint8_t hop_counter = 0, spare = 0;
  bool operator==(const HopCounter&) const = default;
};

// Q.931 §4.5.5 bearer capability as carried by §3.57/§3.58: octets 3 and 4 typed, the
// optional later octets (4a, 5, 5a–5d, 6, 7) kept as raw octets.
struct UserServiceInformation {
  uint8_t information_transfer_capability = 0, coding_standard = 0, extension = 1,
          information_transfer_rate = 0, transfer_mode = 0, extension_2 = 1;
  Bytes data;
  bool operator==(const UserServiceInformation&) const = default;
};

struct UserToUserInformation {  // §3.61: the Q.931 user-user contents, opaque here
  Bytes data;
  bool operator==(const UserToUserInformation&) const = default;
};

struct AccessTransport {  // §3.3: Q.931 information elements, opaque here
  Bytes data;
  bool operator==(const AccessTransport&) const = default;
};

struct CircuitStateIndicator {  // §3.14: one octet per circuit of the range
  Bytes data;
  bool operator==(const CircuitStateIndicator&) const = default;
};

struct ApplicationTransport {  // §3.82 (APM, Q.765)
  uint8_t application_context_identifier = 0, extension = 1, release_call = 0,
          send_notification = 0, spare = 0, extension_2 = 1, apm_segmentation = 0,
          sequence = 0, extension_3 = 1;
  Bytes data;  // encapsulated application information
  bool operator==(const ApplicationTransport&) const = default;
};

struct MessageCompatibilityInformation {  // §3.33: first instruction octet typed
  uint8_t transit_at_intermediate_exchange = 0, release_call = 0, send_notification = 0,
          discard_message = 0, pass_on_not_possible = 0,
          broadband_narrowband_interworking = 0, extension = 1;
  Bytes data;  // further instruction octets
  bool operator==(const MessageCompatibilityInformation&) const = default;
};

struct GenericName {  // ANSI T1.113.3 generic name
  uint8_t presentation = 0, spare = 0, availability = 0, type_of_name = 0;
  Bytes data;  // IA5 characters
  bool operator==(const GenericName&) const = default;
};

struct JurisdictionInformation {  // ANSI T1.113.3: six BCD digits
  Digits digits;
  bool operator==(const JurisdictionInformation&) const = default;
};

struct CarrierIdentification {  // ANSI T1.113.3
  uint8_t network_identification_plan = 0, type_of_network_identification = 0, spare = 0;
  Digits digits;
  bool operator==(const CarrierIdentification&) const = default;
};

// §3.12 and Q.850 §2.
struct CauseIndicators {
  uint8_t coding_standard = 0, spare = 0, location = 0;
  bool has_recommendation = false;  // octet 1a present (extension bit of octet 1 = 0)
  uint8_t recommendation = 0;
  uint8_t cause = 0;                // cause value, 7 bits
  Bytes diagnostics;
  bool operator==(const CauseIndicators&) const = default;
};

// §3.43: range, and status bits (range + 1 of them) when the message carries them.
struct RangeAndStatus {
  uint8_t range = 0;
  Bytes status;
  bool operator==(const RangeAndStatus&) const = default;
};

// §3.8: call identity and the point code of the exchange that assigned it (14 bits ITU,
// 24 bits ANSI).
struct CallReference {
  uint32_t call_identity = 0;
  uint32_t point_code = 0;
  uint8_t spare = 0;  // ITU: the two bits above the 14-bit point code
  bool operator==(const CallReference&) const = default;
};

struct PropagationDelayCounter {  // §3.42: milliseconds
  uint16_t value = 0;
  bool operator==(const PropagationDelayCounter&) const = default;
};

struct ClosedUserGroupInterlockCode {  // §3.15
  Digits network_identity;  // four BCD digits, first digit in octet 1 bits 8-5
  uint16_t binary_code = 0;
  bool operator==(const ClosedUserGroupInterlockCode&) const = default;
};

// §3.41: per parameter, its instruction indicators (1–3 octets; the last has bit H = 1).
struct ParameterCompatibilityInformation {
  struct Entry {
    uint8_t parameter = 0;
    uint8_t size = 0;
    std::array<uint8_t, 3> instructions{};
    bool operator==(const Entry&) const = default;
    // First instruction octet (Q.763 §3.41 bits A–G).
    bool transitAtIntermediateExchange() const { return instructions[0] & 0x01; }
    bool releaseCall() const { return instructions[0] & 0x02; }
    bool sendNotification() const { return instructions[0] & 0x04; }
    bool discardMessage() const { return instructions[0] & 0x08; }
    bool discardParameter() const { return instructions[0] & 0x10; }
    uint8_t passOnNotPossible() const { return (instructions[0] >> 5) & 0x03; }
  };
  boost::container::small_vector<Entry, 4> entries;
  bool operator==(const ParameterCompatibilityInformation&) const = default;
};

using ParamValue =
    std::variant<Opaque, Number, Octet, NatureOfConnectionIndicators, ForwardCallIndicators,
                 OptionalForwardCallIndicators, OptionalBackwardCallIndicators,
                 BackwardCallIndicators, InformationRequestIndicators, InformationIndicators,
                 ContinuityIndicators, RedirectionInformation,
                 CircuitGroupSupervisionMessageType, SuspendResumeIndicators,
                 EventInformation, CallDiversionInformation, EchoControlInformation,
                 HopCounter, UserServiceInformation, UserToUserInformation, AccessTransport,
                 CircuitStateIndicator, ApplicationTransport,
                 MessageCompatibilityInformation, GenericName, JurisdictionInformation,
                 CarrierIdentification, CauseIndicators, RangeAndStatus, CallReference,
                 PropagationDelayCounter, ClosedUserGroupInterlockCode,
                 ParameterCompatibilityInformation>;

struct Parameter {
  ParamCode code{};
  ParamValue value;
  bool operator==(const Parameter&) const = default;
};

// What the codec knows of a parameter code in a variant: its Q.763/T1.113 name in
// snake_case (the JSON key) and which ParamValue alternative carries it.
struct ParamInfo {
  std::string_view name;
  std::size_t alternative;  // index into ParamValue
};
// nullptr for codes the variant's codec does not type (they stay Opaque).
const ParamInfo* paramInfo(Variant v, uint8_t code);
std::string_view paramName(Variant v, uint8_t code);  // "" when untyped
// Code for a name; nullopt when unknown in that variant.
std::optional<uint8_t> paramCodeFromName(Variant v, std::string_view name);

// A default-valued typed parameter for `code` (Opaque when the variant does not type it).
ParamValue defaultParam(Variant v, uint8_t code);

// Parameter contents codec (the octets after the length indicator). decodeParam never fails:
// contents that do not fit the typed form come back as Opaque{recognized = true}.
ParamValue decodeParam(Variant v, uint8_t code, std::span<const uint8_t> contents);
// The same, in place (no temporary ParamValue on the hot path).
void decodeParamInto(ParamValue& out, Variant v, uint8_t code, std::span<const uint8_t> contents);
// Appends the contents octets; false when the value cannot be encoded (a field out of
// range, digits too many), in which case `out` is unchanged.
bool encodeParam(Variant v, uint8_t code, const ParamValue& value, Bytes& out);
// Appends to a fixed buffer; returns octets written, or -1 when out of room/invalid.
int encodeParam(Variant v, uint8_t code, const ParamValue& value, std::span<uint8_t> out);

}  // namespace siptgw::isup
