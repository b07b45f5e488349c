// Bit-field tables for the typed ISUP parameters (ITU-T Q.763 §3; ANSI T1.113.3): which
// struct member holds which bits of which octet. One table per parameter drives decoding,
// encoding, JSON and the completeness test (every bit of every header octet is covered,
// tests/isup/param_traits_test.cpp), so a field is described exactly once.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "isup/parameters.h"

namespace siptgw::isup {

template <class T>
struct Field {
  std::string_view name;  // JSON key
  uint8_t T::*member;
  uint8_t octet;
  uint8_t shift;
  uint8_t width;
  constexpr uint8_t mask() const { return static_cast<uint8_t>((1u << width) - 1u); }
};

// What follows the fixed header octets.
enum class Tail : uint8_t {
  None,     // exactly `header` octets
  Raw,      // member `data` (Bytes), any length
  Nibbles,  // member `digits`, two BCD digits per octet, low nibble first, no odd/even
};

template <class T>
struct Traits;  // specialised below for each header-described struct

#define SIPTGW_F(T, name, octet, shift, width) Field<T>{#name, &T::name, octet, shift, width}

template <>
struct Traits<NatureOfConnectionIndicators> {
  using T = NatureOfConnectionIndicators;
  static constexpr uint8_t header = 1;
  static constexpr Tail tail = Tail::None;
  static constexpr std::array fields{SIPTGW_F(T, satellite, 0, 0, 2),
                                     SIPTGW_F(T, continuity_check, 0, 2, 2),
                                     SIPTGW_F(T, echo_control_device, 0, 4, 1),
                                     SIPTGW_F(T, spare, 0, 5, 3)};
};

template <>
struct Traits<ForwardCallIndicators> {
  using T = ForwardCallIndicators;
  static constexpr uint8_t header = 2;
  static constexpr Tail tail = Tail::None;
  static constexpr std::array fields{
      SIPTGW_F(T, national_international_call, 0, 0, 1), SIPTGW_F(T, end_to_end_method, 0, 1, 2),
      SIPTGW_F(T, interworking, 0, 3, 1), SIPTGW_F(T, end_to_end_information, 0, 4, 1),
      SIPTGW_F(T, isdn_user_part, 0, 5, 1), SIPTGW_F(T, isdn_user_part_preference, 0, 6, 2),
      SIPTGW_F(T, isdn_access, 1, 0, 1), SIPTGW_F(T, sccp_method, 1, 1, 2),
      SIPTGW_F(T, spare, 1, 3, 1), SIPTGW_F(T, ported_number_translation, 1, 4, 1),
      SIPTGW_F(T, query_on_release_attempt, 1, 5, 1), SIPTGW_F(T, national_use, 1, 6, 2)};
};

template <>
struct Traits<OptionalForwardCallIndicators> {
  using T = OptionalForwardCallIndicators;
  static constexpr uint8_t header = 1;
  static constexpr Tail tail = Tail::None;
  static constexpr std::array fields{SIPTGW_F(T, closed_user_group_call, 0, 0, 2),
                                     SIPTGW_F(T, simple_segmentation, 0, 2, 1),
                                     SIPTGW_F(T, spare, 0, 3, 4),
                                     SIPTGW_F(T, connected_line_identity_request, 0, 7, 1)};
};

template <>
struct Traits<OptionalBackwardCallIndicators> {
  using T = OptionalBackwardCallIndicators;
  static constexpr uint8_t header = 1;
  static constexpr Tail tail = Tail::None;
  static constexpr std::array fields{
      SIPTGW_F(T, inband_information, 0, 0, 1), SIPTGW_F(T, call_diversion_may_occur, 0, 1, 1),
      SIPTGW_F(T, simple_segmentation, 0, 2, 1), SIPTGW_F(T, mlpp_user, 0, 3, 1),
      SIPTGW_F(T, spare, 0, 4, 4)};
};

template <>
struct Traits<BackwardCallIndicators> {
  using T = BackwardCallIndicators;
  static constexpr uint8_t header = 2;
  static constexpr Tail tail = Tail::None;
  static constexpr std::array fields{
      SIPTGW_F(T, charge, 0, 0, 2), SIPTGW_F(T, called_partys_status, 0, 2, 2),
      SIPTGW_F(T, called_partys_category, 0, 4, 2), SIPTGW_F(T, end_to_end_method, 0, 6, 2),
      SIPTGW_F(T, interworking, 1, 0, 1), SIPTGW_F(T, end_to_end_information, 1, 1, 1),
      SIPTGW_F(T, isdn_user_part, 1, 2, 1), SIPTGW_F(T, holding, 1, 3, 1),
      SIPTGW_F(T, isdn_access, 1, 4, 1), SIPTGW_F(T, echo_control_device, 1, 5, 1),
      SIPTGW_F(T, sccp_method, 1, 6, 2)};
};

template <>
struct Traits<InformationRequestIndicators> {
  using T = InformationRequestIndicators;
  static constexpr uint8_t header = 2;
  static constexpr Tail tail = Tail::None;
  static constexpr std::array fields{
      SIPTGW_F(T, calling_party_address_request, 0, 0, 1), SIPTGW_F(T, holding, 0, 1, 1),
      SIPTGW_F(T, spare, 0, 2, 1), SIPTGW_F(T, calling_partys_category_request, 0, 3, 1),
      SIPTGW_F(T, charge_information_request, 0, 4, 1), SIPTGW_F(T, spare_2, 0, 5, 2),
      SIPTGW_F(T, malicious_call_identification_request, 0, 7, 1),
      SIPTGW_F(T, spare_3, 1, 0, 4), SIPTGW_F(T, national_use, 1, 4, 4)};
};

template <>
struct Traits<InformationIndicators> {
  using T = InformationIndicators;
  static constexpr uint8_t header = 2;
  static constexpr Tail tail = Tail::None;
  static constexpr std::array fields{
      SIPTGW_F(T, calling_party_address_response, 0, 0, 2), SIPTGW_F(T, hold_provided, 0, 2, 1),
      SIPTGW_F(T, spare, 0, 3, 2), SIPTGW_F(T, calling_partys_category_response, 0, 5, 1),
      SIPTGW_F(T, charge_information_response, 0, 6, 1),
      SIPTGW_F(T, solicited_information, 0, 7, 1), SIPTGW_F(T, spare_2, 1, 0, 4),
      SIPTGW_F(T, national_use, 1, 4, 4)};
};

template <>
struct Traits<ContinuityIndicators> {
  using T = ContinuityIndicators;
  static constexpr uint8_t header = 1;
  static constexpr Tail tail = Tail::None;
  static constexpr std::array fields{SIPTGW_F(T, continuity, 0, 0, 1),
                                     SIPTGW_F(T, spare, 0, 1, 7)};
};

template <>
struct Traits<RedirectionInformation> {
  using T = RedirectionInformation;
  static constexpr uint8_t header = 2;
  static constexpr Tail tail = Tail::None;
  static constexpr std::array fields{
      SIPTGW_F(T, redirecting_indicator, 0, 0, 3), SIPTGW_F(T, spare, 0, 3, 1),
      SIPTGW_F(T, original_redirection_reason, 0, 4, 4),
      SIPTGW_F(T, redirection_counter, 1, 0, 3), SIPTGW_F(T, spare_2, 1, 3, 1),
      SIPTGW_F(T, redirecting_reason, 1, 4, 4)};
};

template <>
struct Traits<CircuitGroupSupervisionMessageType> {
  using T = CircuitGroupSupervisionMessageType;
  static constexpr uint8_t header = 1;
  static constexpr Tail tail = Tail::None;
  static constexpr std::array fields{SIPTGW_F(T, type, 0, 0, 2), SIPTGW_F(T, spare, 0, 2, 6)};
};

template <>
struct Traits<SuspendResumeIndicators> {
  using T = SuspendResumeIndicators;
  static constexpr uint8_t header = 1;
  static constexpr Tail tail = Tail::None;
  static constexpr std::array fields{SIPTGW_F(T, suspend_resume, 0, 0, 1),
                                     SIPTGW_F(T, spare, 0, 1, 7)};
};

template <>
struct Traits<EventInformation> {
  using T = EventInformation;
  static constexpr uint8_t header = 1;
  static constexpr Tail tail = Tail::None;
  static constexpr std::array fields{SIPTGW_F(T, event, 0, 0, 7),
                                     SIPTGW_F(T, event_presentation_restricted, 0, 7, 1)};
};

template <>
struct Traits<CallDiversionInformation> {
  using T = CallDiversionInformation;
  static constexpr uint8_t header = 1;
  static constexpr Tail tail = Tail::None;
  static constexpr std::array fields{SIPTGW_F(T, notification_subscription_options, 0, 0, 3),
                                     SIPTGW_F(T, redirecting_reason, 0, 3, 4),
                                     SIPTGW_F(T, spare, 0, 7, 1)};
};

template <>
struct Traits<EchoControlInformation> {
  using T = EchoControlInformation;
  static constexpr uint8_t header = 1;
  static constexpr Tail tail = Tail::None;
  static constexpr std::array fields{
      SIPTGW_F(T, outgoing_echo_control_device_information, 0, 0, 2),
      SIPTGW_F(T, incoming_echo_control_device_information, 0, 2, 2),
      SIPTGW_F(T, outgoing_echo_control_device_request, 0, 4, 2),
      SIPTGW_F(T, incoming_echo_control_device_request, 0, 6, 2)};
};

template <>
struct Traits<HopCounter> {
  using T = HopCounter;
  static constexpr uint8_t header = 1;
  static constexpr Tail tail = Tail::None;
  static constexpr std::array fields{SIPTGW_F(T, hop_counter, 0, 0, 5),
                                     SIPTGW_F(T, spare, 0, 5, 3)};
};

template <>
struct Traits<Octet> {
  using T = Octet;
  static constexpr uint8_t header = 1;
  static constexpr Tail tail = Tail::None;
  static constexpr std::array fields{SIPTGW_F(T, value, 0, 0, 8)};
};

template <>
struct Traits<UserServiceInformation> {
  using T = UserServiceInformation;
  static constexpr uint8_t header = 2;
  static constexpr Tail tail = Tail::Raw;
  static constexpr std::array fields{
      SIPTGW_F(T, information_transfer_capability, 0, 0, 5), SIPTGW_F(T, coding_standard, 0, 5, 2),
      SIPTGW_F(T, extension, 0, 7, 1), SIPTGW_F(T, information_transfer_rate, 1, 0, 5),
      SIPTGW_F(T, transfer_mode, 1, 5, 2), SIPTGW_F(T, extension_2, 1, 7, 1)};
};

template <>
struct Traits<UserToUserInformation> {
  static constexpr uint8_t header = 0;
  static constexpr Tail tail = Tail::Raw;
  static constexpr std::array<Field<UserToUserInformation>, 0> fields{};
};

template <>
struct Traits<AccessTransport> {
  static constexpr uint8_t header = 0;
  static constexpr Tail tail = Tail::Raw;
  static constexpr std::array<Field<AccessTransport>, 0> fields{};
};

template <>
struct Traits<CircuitStateIndicator> {
  static constexpr uint8_t header = 0;
  static constexpr Tail tail = Tail::Raw;
  static constexpr std::array<Field<CircuitStateIndicator>, 0> fields{};
};

template <>
struct Traits<ApplicationTransport> {
  using T = ApplicationTransport;
  static constexpr uint8_t header = 3;
  static constexpr Tail tail = Tail::Raw;
  static constexpr std::array fields{
      SIPTGW_F(T, application_context_identifier, 0, 0, 7), SIPTGW_F(T, extension, 0, 7, 1),
      SIPTGW_F(T, release_call, 1, 0, 1), SIPTGW_F(T, send_notification, 1, 1, 1),
      SIPTGW_F(T, spare, 1, 2, 5), SIPTGW_F(T, extension_2, 1, 7, 1),
      SIPTGW_F(T, apm_segmentation, 2, 0, 6), SIPTGW_F(T, sequence, 2, 6, 1),
      SIPTGW_F(T, extension_3, 2, 7, 1)};
};

template <>
struct Traits<MessageCompatibilityInformation> {
  using T = MessageCompatibilityInformation;
  static constexpr uint8_t header = 1;
  static constexpr Tail tail = Tail::Raw;
  static constexpr std::array fields{
      SIPTGW_F(T, transit_at_intermediate_exchange, 0, 0, 1), SIPTGW_F(T, release_call, 0, 1, 1),
      SIPTGW_F(T, send_notification, 0, 2, 1), SIPTGW_F(T, discard_message, 0, 3, 1),
      SIPTGW_F(T, pass_on_not_possible, 0, 4, 1),
      SIPTGW_F(T, broadband_narrowband_interworking, 0, 5, 2), SIPTGW_F(T, extension, 0, 7, 1)};
};

template <>
struct Traits<GenericName> {
  using T = GenericName;
  static constexpr uint8_t header = 1;
  static constexpr Tail tail = Tail::Raw;
  static constexpr std::array fields{SIPTGW_F(T, presentation, 0, 0, 2), SIPTGW_F(T, spare, 0, 2, 2),
                                     SIPTGW_F(T, availability, 0, 4, 1),
                                     SIPTGW_F(T, type_of_name, 0, 5, 3)};
};

template <>
struct Traits<JurisdictionInformation> {
  static constexpr uint8_t header = 0;
  static constexpr Tail tail = Tail::Nibbles;
  static constexpr std::array<Field<JurisdictionInformation>, 0> fields{};
};

template <>
struct Traits<CarrierIdentification> {
  using T = CarrierIdentification;
  static constexpr uint8_t header = 1;
  static constexpr Tail tail = Tail::Nibbles;
  static constexpr std::array fields{SIPTGW_F(T, network_identification_plan, 0, 0, 4),
                                     SIPTGW_F(T, type_of_network_identification, 0, 4, 3),
                                     SIPTGW_F(T, spare, 0, 7, 1)};
};

// Number parameters: one layout per (variant, code). The odd/even indicator is bit H of
// octet `odd_even_octet`; digits follow the header octets.
struct NumberLayout {
  uint8_t header;
  uint8_t odd_even_octet;
  std::span<const Field<Number>> fields;
};

// nullptr when `code` is not a number parameter in variant `v`.
const NumberLayout* numberLayout(Variant v, uint8_t code);

template <class T>
concept HeaderDescribed = requires { Traits<T>::header; };

#undef SIPTGW_F

}  // namespace siptgw::isup
