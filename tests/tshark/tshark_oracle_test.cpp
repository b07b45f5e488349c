// tshark as the independent oracle for the ISUP encoder (DESIGN.md "Tests"): every message
// type of messageFormats(Itu) and messageFormats(Ansi) is built with non-default values,
// encoded with isup::encode, framed by isup::PcapWriter (MTP3, link type 141) into one pcap
// per variant, and read back by one tshark run per variant. Each frame's fields, as tshark
// prints them with -T fields, must equal what we meant to put on the wire.
//
// Expectations are written from the standards (ITU-T Q.763, ANSI T1.113.3, Q.850, Q.931),
// never from tshark's output; where Wireshark's dissector reports a field differently from
// the standard's value (an offset, an unmasked octet) the conversion is written next to the
// expectation with the dissector function that does it (epan/dissectors/packet-isup.c).
//
// tshark missing is a failure, not a skip: CI installs it (Debian package tshark).
// SIPTGW_TSHARK=/path/to/tshark picks another binary; SIPTGW_TSHARK_KEEP=DIR keeps the pcaps.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

#include "isup/codec.h"
#include "isup/message.h"
#include "isup/mtp3.h"
#include "isup/parameters.h"
#include "isup/pcap_writer.h"

namespace siptgw::isup {
namespace {

namespace fs = std::filesystem;
using P = ParamCode;
using M = MessageType;

// ---------------------------------------------------------------- formatting helpers
// tshark -T fields prints FT_BOOLEAN as 1/0, BASE_DEC integers in decimal, BASE_HEX
// integers as 0x with the field type's width (FT_UINT8: 2 digits, FT_UINT16: 4), FT_BYTES
// as lowercase hex without separators and FT_STRING as is.
std::string b(unsigned v) { return v ? "1" : "0"; }
std::string d(unsigned v) { return std::to_string(v); }
std::string hex(unsigned v, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*x", width, v);
  return buf;
}
std::string h8(unsigned v) { return hex(v, 2); }
std::string h16(unsigned v) { return hex(v, 4); }
std::string bytesHex(std::span<const uint8_t> bs) {
  std::string s;
  char buf[3];
  for (uint8_t x : bs) {
    std::snprintf(buf, sizeof buf, "%02x", x);
    s += buf;
  }
  return s;
}
std::string bytesHex(const Bytes& bs) { return bytesHex(std::span<const uint8_t>(bs.data(), bs.size())); }

Bytes bytes(std::initializer_list<uint8_t> l) { return Bytes(l.begin(), l.end()); }

Digits digits(std::string_view s) {
  Digits dg;
  EXPECT_TRUE(dg.assign(s)) << s;
  return dg;
}

// ---------------------------------------------------------------- one frame
struct Frame {
  std::string label;  // "itu IAM #1"
  Mtp3Header mtp3;
  Message msg;
  // tshark field -> its occurrences in protocol-tree order (joined by ',' as -E occurrence=a
  // prints them). Every field named by any frame of the run is compared in every frame: a
  // field this frame does not name must be absent from tshark's output.
  std::map<std::string, std::vector<std::string>> expect;
  // Where Wireshark is known to report a field differently from the standard (see the
  // comment where it is added): the other joined value accepted for that field.
  std::map<std::string, std::string> dissectorQuirk;
  // Expert infos at warning level that tshark raises for this frame because its dissector
  // lacks something (not because our octets are wrong); each one is documented where added.
  std::set<std::string> allowedWarnings;
  // The format has an optional part (Q.763 / T1.113.3 message tables, as in our codec).
  bool optionalPart = false;
  // tshark does not dissect this message's parameters (see where it is set): only the
  // routing label, CIC and message type are compared.
  bool bodyNotDissected = false;
  // Frame length that the standard dictates, when it is worth checking on its own.
  std::optional<std::size_t> frameLength;
  // A range and status parameter is present; whether it carries the status subfield.
  std::optional<bool> statusPresent;

  void want(const std::string& field, const std::string& value) { expect[field].push_back(value); }
};

// Builds one frame: sets parameters (mandatory ones replace the default-valued ones that
// makeMessage put in format order, optional ones are appended in wire order) and records
// what tshark must report for each. Parameters must be added in wire order, mandatory
// fixed, mandatory variable, then optional, so that repeated fields (numbering plan,
// presentation...) line up with tshark's tree order.
class Builder {
 public:
  Builder(Variant v, const MessageFormat& f, uint16_t cic, const Mtp3Header& h) : v_(v) {
    fr_.label = std::string(variantName(v)) + " " + std::string(f.acronym);
    fr_.mtp3 = h;
    fr_.msg = makeMessage(v, f.type, cic);
    fr_.optionalPart = f.optional_part;
  }
  bool ansi() const { return v_ == Variant::Ansi; }
  Frame& frame() { return fr_; }
  void want(const std::string& field, const std::string& value) { fr_.want(field, value); }

  void put(P c, ParamValue v) { fr_.msg.set(c, std::move(v)); }
  // Builds a parameter in place (no copy of its Bytes: GCC 12's -Wstringop-overread
  // misfires on copies of boost small_vector temporaries at -O2).
  template <class T, class Fn>
  void emplace(P c, Fn fill) {
    ParamValue v(std::in_place_type<T>);
    fill(std::get<T>(v));
    put(c, std::move(v));
  }

  // ---- Q.763 §3.35 nature of connection indicators
  void nci(NatureOfConnectionIndicators x) {
    put(P::NatureOfConnectionIndicators, x);
    want("isup.satellite_indicator", h8(x.satellite));
    want("isup.continuity_check_indicator", h8(x.continuity_check));
    want("isup.echo_control_device_indicator", b(x.echo_control_device));
  }
  // ---- §3.23 forward call indicators (octet 1 is the high octet of tshark's 16-bit field)
  void fci(ForwardCallIndicators x) {
    put(P::ForwardCallIndicators, x);
    want("isup.forw_call_natnl_inatnl_call_indicator", b(x.national_international_call));
    want("isup.forw_call_end_to_end_method_indicator", h16(x.end_to_end_method));
    want("isup.forw_call_interworking_indicator", b(x.interworking));
    want("isup.forw_call_end_to_end_information_indicator", b(x.end_to_end_information));
    want("isup.forw_call_isdn_user_part_indicator", b(x.isdn_user_part));
    want("isup.forw_call_preferences_indicator", h16(x.isdn_user_part_preference));
    want("isup.forw_call_isdn_access_indicator", b(x.isdn_access));
    want("isup.forw_call_sccp_method_indicator", h16(x.sccp_method));
    want("isup.forw_call_ported_num_trans_indicator", b(x.ported_number_translation));
    want("isup.forw_call_qor_attempt_indicator", b(x.query_on_release_attempt));
  }
  // ---- §3.11 calling party's category
  void cpc(uint8_t x) {
    put(P::CallingPartysCategory, Octet{x});
    want("isup.calling_partys_category", h8(x));
  }
  // ---- §3.54 transmission medium requirement
  void tmr(uint8_t x) {
    put(P::TransmissionMediumRequirement, Octet{x});
    want("isup.transmission_medium_requirement", d(x));
  }
  // ---- §3.5 backward call indicators
  // ansiNames: Wireshark's ANSI dissector names bit J differently (below), except in CON,
  // whose backward call indicators it dissects with the ITU routine.
  void bci(BackwardCallIndicators x, bool ansiNames = true) {
    put(P::BackwardCallIndicators, x);
    want("isup.charge_indicator", h16(x.charge));
    want("isup.called_partys_status_indicator", h16(x.called_partys_status));
    want("isup.called_partys_category_indicator", h16(x.called_partys_category));
    want("isup.backw_call_end_to_end_method_indicator", h16(x.end_to_end_method));
    want("isup.backw_call_interworking_indicator", b(x.interworking));
    // Bit J: end-to-end information indicator (Q.763); T1.113.3 uses the bit as the IAM
    // segmentation indicator and Wireshark's ANSI dissector names it so.
    want(ansi() && ansiNames ? "isup.backw_call_iam_seg_ind" : "isup.backw_call_end_to_end_information_indicator",
         b(x.end_to_end_information));
    want("isup.backw_call_isdn_user_part_indicator", b(x.isdn_user_part));
    want("isup.backw_call_holding_indicator", b(x.holding));
    want("isup.backw_call_isdn_access_indicator", b(x.isdn_access));
    want("isup.backw_call_echo_control_device_indicator", b(x.echo_control_device));
    want("isup.backw_call_sccp_method_indicator", h16(x.sccp_method));
  }
  // ---- §3.37 optional backward call indicators
  void obci(OptionalBackwardCallIndicators x) {
    put(P::OptionalBackwardCallIndicators, x);
    want("isup.inband_information_ind", b(x.inband_information));
    want("isup.call_diversion_may_occur_ind", b(x.call_diversion_may_occur));
    want("isup.simple_segmentation_ind", b(x.simple_segmentation));
    want("isup.mlpp_user", b(x.mlpp_user));
  }
  // ---- §3.38 optional forward call indicators
  void ofci(OptionalForwardCallIndicators x) {
    put(P::OptionalForwardCallIndicators, x);
    want("isup.clg_call_ind", d(x.closed_user_group_call));
    want("isup.simple_segmentation_ind", b(x.simple_segmentation));
    want("isup.connected_line_identity_request_ind", b(x.connected_line_identity_request));
  }
  // ---- §3.15 closed user group interlock code
  void cug(std::string_view ni, uint16_t code) {
    ClosedUserGroupInterlockCode x;
    x.network_identity = digits(ni);
    x.binary_code = code;
    put(P::ClosedUserGroupInterlockCode, x);
    want("isup.network_identity", std::string(ni));
    want("isup.binary_code", h16(code));
  }
  // ---- §3.12 / Q.850 cause indicators
  void cause(CauseIndicators x) {
    put(P::CauseIndicators, x);
    wantCause(x);
  }
  void wantCause(const CauseIndicators& x) {
    if (!ansi()) {
      // ITU: packet-isup.c shows the raw octets, then hands them to packet-q931.c's
      // dissect_q931_cause_ie (Q.850 §2.2.5 octets 3, 4 and diagnostics).
      Bytes raw = bytes({static_cast<uint8_t>(0x80 | x.coding_standard << 5 | x.spare << 4 | x.location),
                         static_cast<uint8_t>(0x80 | x.cause)});
      raw.insert(raw.end(), x.diagnostics.begin(), x.diagnostics.end());
      want("isup.cause_indicators", bytesHex(raw));
      want("q931.cause_location", d(x.location));
      want("q931.coding_standard", h8(x.coding_standard));
      want("isup.cause_indicator", d(x.cause));
      if (!x.diagnostics.empty()) {
        // Q.850 Table 1: cause 97's diagnostic is the message type code.
        if (x.cause == 97) want("q931.cause_call.message_type", h8(x.diagnostics[0]));
        else want("q931.cause_call.diagnostic", bytesHex(x.diagnostics));
      }
    } else {
      // ANSI: dissect_ansi_isup_cause_indicators_parameter; coding standard 2 (national)
      // uses the ANSI cause table and field.
      want("isup.cause_location", d(x.location));
      want("ansi_isup.coding_standard", h8(x.coding_standard));
      want(x.coding_standard == 2 ? "ansi_isup.cause_indicator" : "isup.cause_indicator", d(x.cause));
      if (!x.diagnostics.empty()) want("isup.diagnostic", bytesHex(x.diagnostics));
    }
  }
  // ---- §3.4 automatic congestion level
  void acl(uint8_t x) {
    put(P::AutomaticCongestionLevel, Octet{x});
    want("isup.automatic_congestion_level", d(x));
  }
  // ---- §3.52 suspend/resume indicators
  void susres(uint8_t x) {
    put(P::SuspendResumeIndicators, SuspendResumeIndicators{x, 0});
    want("isup.suspend_resume_indicator", b(x));
  }
  // ---- §3.18 continuity indicators
  void continuity(uint8_t x) {
    put(P::ContinuityIndicators, ContinuityIndicators{x, 0});
    want("isup.continuity_indicator", b(x));
  }
  // ---- §3.13 circuit group supervision message type
  void cgsmt(uint8_t x) {
    put(P::CircuitGroupSupervisionMessageType, CircuitGroupSupervisionMessageType{x, 0});
    want("isup.cgs_message_type", d(x));
  }
  // ---- §3.43 range and status. Wireshark reports the number of circuits, range + 1
  // (dissect_isup_range_and_status_parameter: "range = tvb_get_guint8(parameter_tvb, 0) + 1").
  void range(uint8_t r, std::initializer_list<uint8_t> status = {}) {
    emplace<RangeAndStatus>(P::RangeAndStatus, [&](RangeAndStatus& x) {
      x.range = r;
      x.status.assign(status.begin(), status.end());
    });
    want("isup.range_indicator", d(r + 1u));
    fr_.statusPresent = status.size() != 0;
  }
  // ---- §3.14 circuit state indicator: one octet per circuit
  void circuitState(std::initializer_list<uint8_t> states) {
    for (uint8_t s : states) {
      if ((s & 0x0C) == 0) {
        want("isup.mtc_blocking_state", d(s & 0x03));
      } else {
        want("isup.mtc_blocking_state", d(s & 0x03));
        want("isup.call_processing_state", d((s >> 2) & 0x03));
        want("isup.hw_blocking_state", d((s >> 4) & 0x03));
      }
    }
    emplace<CircuitStateIndicator>(P::CircuitStateIndicator, [&](CircuitStateIndicator& x) {
      x.data.assign(states.begin(), states.end());
    });
  }
  // ---- §3.21 event information
  void event(uint8_t ev, uint8_t restricted) {
    put(P::EventInformation, EventInformation{ev, restricted});
    want("isup.event_ind", d(ev));
    want("isup.event_presentation_restr_ind", b(restricted));
  }
  // ---- §3.80 hop counter
  void hop(uint8_t x) {
    put(P::HopCounter, HopCounter{x, 0});
    want("isup.hop_counter", d(x));
  }
  // ---- §3.45 redirection information
  void redirInfo(RedirectionInformation x) {
    put(P::RedirectionInformation, x);
    want("isup.redirecting_ind", d(x.redirecting_indicator));
    want("isup.original_redirection_reason", d(x.original_redirection_reason));
    want("isup.redirection_counter", d(x.redirection_counter));
    want("isup.redirection_reason", d(x.redirecting_reason));
  }
  // ---- §3.29 information request indicators
  void inr(InformationRequestIndicators x) {
    put(P::InformationRequestIndicators, x);
    want("isup.calling_party_address_request_indicator", b(x.calling_party_address_request));
    want("isup.info_req_holding_indicator", b(x.holding));
    want("isup.calling_partys_category_request_indicator", b(x.calling_partys_category_request));
    want("isup.charge_information_request_indicator", b(x.charge_information_request));
    want("isup.malicious_call_ident_request_indicator", b(x.malicious_call_identification_request));
  }
  // ---- §3.28 information indicators
  void inf(InformationIndicators x) {
    put(P::InformationIndicators, x);
    want("isup.calling_party_address_response_indicator", h16(x.calling_party_address_response));
    want("isup.hold_provided_indicator", b(x.hold_provided));
    want("isup.calling_partys_category_response_indicator", b(x.calling_partys_category_response));
    want("isup.charge_information_response_indicator", b(x.charge_information_response));
    want("isup.solicited_indicator", b(x.solicited_information));
  }
  // ---- §3.57 user service information (Q.931 §4.5.5 bearer capability octets 3, 4, 5...)
  void usi(UserServiceInformation x) {
    put(P::UserServiceInformation, x);
    Bytes all = bytes({static_cast<uint8_t>(x.extension << 7 | x.coding_standard << 5 | x.information_transfer_capability),
                       static_cast<uint8_t>(x.extension_2 << 7 | x.transfer_mode << 5 | x.information_transfer_rate)});
    all.insert(all.end(), x.data.begin(), x.data.end());
    want("isup.user_service_information", bytesHex(all));
    want("q931.coding_standard", h8(x.coding_standard));
    want("q931.information_transfer_capability", h8(x.information_transfer_capability));
    want("q931.transfer_mode", h8(x.transfer_mode));
    want("q931.information_transfer_rate", h8(x.information_transfer_rate));
  }
  // ---- §3.3 access transport, §3.61 user-to-user information (Q.931 contents, opaque to us)
  // Access transport here always carries one Q.931 §4.5.17 high layer compatibility IE
  // (7D 02 91 81: ITU-T coding, first HLC to be used, telephony), which tshark hands to its
  // Q.931 IE dissector: that adds one q931.coding_standard occurrence.
  void accessTransportHlc() {
    emplace<AccessTransport>(P::AccessTransport, [&](AccessTransport& x) {
      x.data = bytes({0x7D, 0x02, 0x91, 0x81});
      want("isup.access_transport_parameter_field", bytesHex(x.data));
      want("q931.coding_standard", h8(0));
    });
  }
  void uui(std::initializer_list<uint8_t> l) {
    emplace<UserToUserInformation>(P::UserToUserInformation, [&](UserToUserInformation& x) {
      x.data.assign(l.begin(), l.end());
      want("isup.user_to_user_info", bytesHex(x.data));
    });
  }
  // ---- §3.8 call reference
  void callReference(uint32_t id, uint32_t pc) {
    CallReference x;
    x.call_identity = id;
    x.point_code = pc;
    put(P::CallReference, x);
    want("isup.call_identity", d(id));
    want("isup.signalling_point_code", d(pc));
    // Wireshark's dissect_isup_call_reference_parameter adds the point code item with
    // proto_tree_add_item(..., CALL_ID_LENGTH, SPC_LENGTH, ENC_BIG_ENDIAN), i.e. it reads
    // the two octets after the call identity big-endian, although Q.763 §3.8 (Figure 10)
    // sends the point code LSB first (its own item text uses tvb_get_letohs and is right).
    // It also has no ANSI form: T1.113.3's 3-octet point code (member, cluster, network) is
    // read as the same 2 octets. So the field shows ((octet4 << 8) | octet5) & 0x3FFF; we
    // accept that value as well as the standard one (it still pins both octets down).
    const uint8_t o4 = static_cast<uint8_t>(pc), o5 = static_cast<uint8_t>(pc >> 8);
    fr_.dissectorQuirk["isup.signalling_point_code"] = d(((o4 << 8) | o5) & 0x3FFFu);
  }
  // ---- §3.42 propagation delay counter
  void propagationDelay(uint16_t ms) {
    put(P::PropagationDelayCounter, PropagationDelayCounter{ms});
    want("isup.propagation_delay_counter", d(ms));
  }
  // ---- §3.19 echo control information
  void echoControl(EchoControlInformation x) {
    put(P::EchoControlInformation, x);
    want("isup.OECD_inf_ind_vals", h8(x.outgoing_echo_control_device_information));
    want("isup.IECD_inf_ind_vals", h8(x.incoming_echo_control_device_information));
    want("isup.OECD_req_ind_vals", h8(x.outgoing_echo_control_device_request));
    want("isup.IECD_req_ind_vals", h8(x.incoming_echo_control_device_request));
  }
  // ---- §3.33 message compatibility information (one instruction octet)
  void mci(MessageCompatibilityInformation x) {
    put(P::MessageCompatibilityInformation, x);
    want("isup.transit_at_intermediate_exchange_ind", b(x.transit_at_intermediate_exchange));
    want("isup.Release_call_ind", b(x.release_call));
    want("isup.Send_notification_ind", b(x.send_notification));
    want("isup.Discard_message_ind_value", b(x.discard_message));
    want("isup.Pass_on_not_possible_val", b(x.pass_on_not_possible));
    want("isup.broadband_narrowband_interworking_ind2", h8(x.broadband_narrowband_interworking));
  }
  // ---- §3.41 parameter compatibility information: (parameter, one instruction octet)
  void pci(std::initializer_list<std::pair<uint8_t, uint8_t>> entries) {
    ParameterCompatibilityInformation x;
    for (auto [param, instr] : entries) {
      ParameterCompatibilityInformation::Entry e;
      e.parameter = param;
      e.size = 1;
      e.instructions[0] = static_cast<uint8_t>(instr | 0x80);
      x.entries.push_back(e);
      want("isup.upgraded_parameter", d(param));
      want("isup.transit_at_intermediate_exchange_ind", b(instr & 0x01));
      want("isup.Release_call_ind", b(instr & 0x02));
      want("isup.Send_notification_ind", b(instr & 0x04));
      want("isup.Discard_message_ind_value", b(instr & 0x08));
      want("isup.Discard_parameter_ind", b(instr & 0x10));
      want("isup.Pass_on_not_possible_ind", h8((instr >> 5) & 0x03));
    }
    put(P::ParameterCompatibilityInformation, x);
  }
  // ---- §3.82 application transport
  void apt(ApplicationTransport x) {
    put(P::ApplicationTransport, x);
    want("isup.app_context_identifier", d(x.application_context_identifier));
    want("isup.app_Release_call_indicator", b(x.release_call));
    want("isup.app_Send_notification_ind", b(x.send_notification));
    want("isup.apm_segmentation_ind", d(x.apm_segmentation));
    want("isup.APM_Sequence_ind", b(x.sequence));
  }
  // ---- §3.53 transit network selection (ITU)
  // Carried as a Number whose layout names nature_of_address "type_of_network_identification"
  // and numbering_plan "network_identification_plan" (Q.763 §3.53: bit H is odd/even).
  void tns(Number x) {
    put(P::TransitNetworkSelection, x);
    want("isup.isdn_odd_even_indicator", b(x.digits.size() % 2));
    want("isup.type_of_network_identification", d(x.nature_of_address));
    want("isup.network_identification_plan", d(x.numbering_plan));
    want("isup.transit_network_selection", std::string(x.digits.view()));
  }

  // ---- number parameters (§3.9, 3.10, 3.16, 3.26, 3.30, 3.39, 3.44, 3.46, 3.51; ANSI
  // T1.113.3 called/calling/charge number and generic address)
  void number(P c, Number n) {
    put(c, n);
    const std::string dg(n.digits.view());
    const bool itu = !ansi();
    // Q.763 §3.9 a): bit H of the first octet (generic number: of the second) is the odd/even
    // indicator; tshark reports it for every number parameter.
    const std::string oddEven = b(n.digits.size() % 2);
    if (c != P::GenericNumber) want("isup.isdn_odd_even_indicator", oddEven);
    switch (c) {
      case P::CalledPartyNumber:
        want("isup.called_party_nature_of_address_indicator", d(n.nature_of_address));
        want("isup.inn_indicator", b(n.inn));
        want("isup.numbering_plan_indicator", d(n.numbering_plan));
        want("isup.called", dg);
        break;
      case P::RedirectionNumber:
        want("isup.called_party_nature_of_address_indicator", d(n.nature_of_address));
        want("isup.inn_indicator", b(n.inn));
        want("isup.numbering_plan_indicator", d(n.numbering_plan));
        want("isup.redirection_number", dg);
        break;
      case P::SubsequentNumber:
        want("isup.subsequent_number", dg);
        break;
      case P::CallingPartyNumber:
        want("isup.calling_party_nature_of_address_indicator", d(n.nature_of_address));
        if (itu) want("isup.ni_indicator", b(n.ni));
        want("isup.numbering_plan_indicator", d(n.numbering_plan));
        want("isup.address_presentation_restricted_indicator", d(n.presentation));
        want("isup.screening_indicator", d(n.screening));
        want("isup.calling", dg);
        break;
      case P::ConnectedNumber:
        want("isup.calling_party_nature_of_address_indicator", d(n.nature_of_address));
        want("isup.numbering_plan_indicator", d(n.numbering_plan));
        want("isup.address_presentation_restricted_indicator", d(n.presentation));
        want("isup.screening_indicator", d(n.screening));
        want("isup.connected_number", dg);
        break;
      case P::LocationNumber:
        want("isup.calling_party_nature_of_address_indicator", d(n.nature_of_address));
        want("isup.inn_indicator", b(n.inn));
        want("isup.numbering_plan_indicator", d(n.numbering_plan));
        want("isup.address_presentation_restricted_indicator", d(n.presentation));
        want("isup.screening_indicator", d(n.screening));
        want("isup.location_number", dg);
        break;
      case P::OriginalCalledNumber:
      case P::RedirectingNumber:
        want("isup.calling_party_nature_of_address_indicator", d(n.nature_of_address));
        want("isup.numbering_plan_indicator", d(n.numbering_plan));
        want("isup.address_presentation_restricted_indicator", d(n.presentation));
        want(c == P::RedirectingNumber ? "isup.redirecting" : "isup.original_called_number", dg);
        break;
      case P::GenericNumber:  // ITU generic number; ANSI generic address
        want("isup.number_qualifier_indicator", h8(n.number_qualifier));
        want("isup.isdn_odd_even_indicator", oddEven);
        want("isup.calling_party_nature_of_address_indicator", d(n.nature_of_address));
        if (itu) want("isup.ni_indicator", b(n.ni));
        want("isup.numbering_plan_indicator", d(n.numbering_plan));
        want("isup.address_presentation_restricted_indicator", d(n.presentation));
        // §3.26 f): the generic number's screening indicator has its own code table
        // (user provided verified and failed / network provided); tshark's field for it:
        if (itu) want("isup.screening_indicator_enhanced", d(n.screening));
        want("isup.generic_number", dg);
        break;
      case P::ChargeNumber:
        want("isup.charge_number_nature_of_address_indicator", d(n.nature_of_address));
        want("isup.numbering_plan_indicator", d(n.numbering_plan));
        want("isup.charge_number", dg);
        break;
      default:
        ADD_FAILURE() << "no expectations for number parameter " << int(code(c));
    }
  }

  // ---- ANSI T1.113.3 parameters
  void oli(uint8_t x) {
    put(P::OriginatingLineInformation, Octet{x});
    want("isup.originating_line_info", d(x));
  }
  void jurisdiction(std::string_view dg) {
    JurisdictionInformation x;
    x.digits = digits(dg);
    put(P::JurisdictionInformation, x);
    want("isup.jurisdiction", std::string(dg));
  }
  void carrier(CarrierIdentification x) {
    put(P::CarrierIdentification, x);
    want("ansi_isup.type_of_nw_id", d(x.type_of_network_identification));
    want("ansi_isup.nw_id_plan", d(x.network_identification_plan));
    want("ansi_isup.nw_id", std::string(x.digits.view()));
  }
  void genericName(GenericName x) {
    put(P::GenericName, x);
    want("isup.isdn_generic_name_presentation", d(x.presentation));
    want("isup.isdn_generic_name_availability", b(x.availability));
    want("isup.isdn_generic_name_type", d(x.type_of_name));
    want("isup.isdn_generic_name_ia5", std::string(x.data.begin(), x.data.end()));
  }
  void cvrResponse(uint8_t x) {
    put(P::CircuitValidationResponseIndicator, Octet{x});
    want("isup.conn_rsp_ind", d(x));
  }
  void circuitGroupCharacteristics(uint8_t x) {
    put(P::CircuitGroupCharacteristicIndicator, Octet{x});
    want("isup.cg_carrier_ind", h8(x & 0x03));
    want("isup.cg_char_ind.doubleSeize", h8((x >> 2) & 0x03));
    want("isup.cg_alarm_car_ind", h8((x >> 4) & 0x03));
    want("isup.cg_alarm_cnt_chk", h8((x >> 6) & 0x03));
  }

 private:
  Variant v_;
  Frame fr_;
};

Number num(uint8_t nai, uint8_t np, std::string_view dg) {
  Number n;
  n.nature_of_address = nai;
  n.numbering_plan = np;
  n.digits = digits(dg);
  return n;
}

// ---------------------------------------------------------------- realistic messages
// One frame per message type. `i` (the frame's index) varies CIC and routing label.
Frame buildFrame(Variant v, const MessageFormat& f, unsigned i) {
  const bool ansi = v == Variant::Ansi;
  Mtp3Header h;
  h.network_indicator = ansi ? 2 : (i % 2 ? 0 : 2);
  h.priority = ansi ? static_cast<uint8_t>(i % 4) : 0;
  // ITU: 14-bit point codes (3-8-3); ANSI: 24-bit network-cluster-member.
  h.opc = ansi ? 0xF1A2B3u - i : 0x2A5Bu - i;
  h.dpc = ansi ? 0x0102C8u + i * 0x010101u : 0x1000u + i * 37u;
  h.sls = static_cast<uint8_t>(ansi ? (i * 7) % 256 : i % 16);
  // ITU: 12-bit CIC; ANSI: 14-bit CIC (T1.113.3 §1.2), above 4095 to exercise bits 13-14.
  const uint16_t cic = static_cast<uint16_t>(ansi ? 9000 + i * 17 : 100 + i * 61);
  Builder bl(v, f, cic, h);

  switch (f.type) {
    case M::IAM: {
      bl.nci({.satellite = 1, .continuity_check = 2, .echo_control_device = 1, .spare = 0});
      // Ported number translation and QoR differ from each other (and between variants) so
      // that a bit swapped or shifted between L, M and N shows. ANSI has no QoR bit.
      bl.fci({.national_international_call = 1, .end_to_end_method = 2, .interworking = 1,
              .end_to_end_information = 0, .isdn_user_part = 1, .isdn_user_part_preference = 2,
              .isdn_access = 1, .sccp_method = 3, .ported_number_translation = uint8_t(ansi ? 1 : 0),
              .query_on_release_attempt = uint8_t(ansi ? 0 : 1), .national_use = 0});
      bl.cpc(0x0A);  // ordinary calling subscriber
      UserServiceInformation usi;
      usi.information_transfer_capability = 0x10;  // 3.1 kHz audio
      usi.information_transfer_rate = 0x10;        // 64 kbit/s
      usi.data = bytes({0xA3});                    // layer 1: G.711 A-law
      if (ansi) {
        bl.usi(usi);
      } else {
        bl.tmr(3);  // 3.1 kHz audio
      }
      Number called = num(ansi ? 1 : 4, 1, ansi ? "2125551234" : "493012345678F");
      called.inn = ansi ? 0 : 1;
      bl.number(P::CalledPartyNumber, called);
      Number calling = num(3, 1, ansi ? "9145550199" : "3031234567");
      calling.ni = ansi ? 0 : 1;
      calling.presentation = 1;
      calling.screening = 3;
      bl.number(P::CallingPartyNumber, calling);
      Number ocn = num(3, 1, "3037654321");
      ocn.presentation = 1;
      bl.number(P::OriginalCalledNumber, ocn);
      Number redirecting = num(4, 1, "49301122334");
      bl.number(P::RedirectingNumber, redirecting);
      bl.redirInfo({.redirecting_indicator = 3, .spare = 0, .original_redirection_reason = 1,
                    .redirection_counter = 2, .spare_2 = 0, .redirecting_reason = 2});
      bl.hop(21);
      Number generic = num(4, 1, "4915123456789");
      generic.number_qualifier = 6;  // additional calling party number
      generic.presentation = ansi ? 0 : 1;
      generic.screening = ansi ? 0 : 1;
      bl.number(P::GenericNumber, generic);
      if (ansi) {
        bl.number(P::ChargeNumber, num(3, 1, "9145550100"));
        bl.oli(0x3D);  // 61: cellular service type 1
        bl.jurisdiction("914555");
        CarrierIdentification ci;
        ci.type_of_network_identification = 2;  // national network identification
        ci.network_identification_plan = 2;      // 4-digit carrier identification code
        ci.digits = digits("0288");
        bl.carrier(ci);
        GenericName gn;
        gn.presentation = 0;
        gn.availability = 0;
        gn.type_of_name = 1;  // calling name
        gn.data = bytes({'A', 'C', 'M', 'E', ' ', 'C', 'O'});
        bl.genericName(gn);
      } else {
        bl.ofci({.closed_user_group_call = 2, .simple_segmentation = 0, .spare = 0,
                 .connected_line_identity_request = 1});
        bl.cug("2623", 0x1234);
        bl.usi(usi);
        // Q.931 high layer compatibility: CCITT, first high layer characteristics = telephony
        bl.accessTransportHlc();
        bl.propagationDelay(45);
        Number tns;
        tns.nature_of_address = 2;  // type of network identification: national network
        tns.numbering_plan = 1;     // plan: 3-digit carrier identification code
        tns.digits = digits("123");  // odd: O/E (bit H) set, filler nibble 0
        bl.tns(tns);
        Number location = num(3, 1, "302710");
        location.inn = 1;
        location.presentation = 0;
        location.screening = 3;
        bl.number(P::LocationNumber, location);
      }
      break;
    }
    case M::SAM:
      bl.number(P::SubsequentNumber, num(0, 0, "4567F"));
      break;
    case M::INR:
      bl.inr({.calling_party_address_request = 1, .holding = 0, .spare = 0,
              .calling_partys_category_request = 1, .charge_information_request = 0, .spare_2 = 0,
              .malicious_call_identification_request = 1, .spare_3 = 0, .national_use = 0});
      break;
    case M::INF: {
      bl.inf({.calling_party_address_response = 3, .hold_provided = 1, .spare = 0,
              .calling_partys_category_response = 1, .charge_information_response = 0,
              .solicited_information = 1, .spare_2 = 0, .national_use = 0});
      Number calling = num(3, 1, "3031234567");
      calling.screening = 3;
      bl.number(P::CallingPartyNumber, calling);
      break;
    }
    case M::COT:
      bl.continuity(1);
      break;
    case M::ACM:
      bl.bci({.charge = 2, .called_partys_status = 1, .called_partys_category = 1,
              .end_to_end_method = 0, .interworking = 0, .end_to_end_information = 0,
              .isdn_user_part = 1, .holding = 0, .isdn_access = 1, .echo_control_device = 1,
              .sccp_method = 0});
      bl.obci({.inband_information = 1, .call_diversion_may_occur = 0, .simple_segmentation = 0,
               .mlpp_user = 0, .spare = 0});
      break;
    case M::CON: {
      bl.bci({.charge = 2, .called_partys_status = 0, .called_partys_category = 2,
              .end_to_end_method = 1, .interworking = 1, .end_to_end_information = 1,
              .isdn_user_part = 1, .holding = 1, .isdn_access = 0, .echo_control_device = 1,
              .sccp_method = 2},
             /*ansiNames=*/false);
      bl.obci({.inband_information = 0, .call_diversion_may_occur = 1, .simple_segmentation = 0,
               .mlpp_user = 1, .spare = 0});
      Number connected = num(4, 1, "493098765");
      connected.presentation = 0;
      connected.screening = 3;
      bl.number(P::ConnectedNumber, connected);
      break;
    }
    case M::FOT:
      bl.callReference(0x0ABCDE, ansi ? 0x00C8u : 0x1234u);
      break;
    case M::ANM:
      bl.bci({.charge = 2, .called_partys_status = 1, .called_partys_category = 1,
              .end_to_end_method = 0, .interworking = 0, .end_to_end_information = 0,
              .isdn_user_part = 1, .holding = 0, .isdn_access = 1, .echo_control_device = 0,
              .sccp_method = 0});
      bl.echoControl({.outgoing_echo_control_device_information = 2,
                      .incoming_echo_control_device_information = 1,
                      .outgoing_echo_control_device_request = 0,
                      .incoming_echo_control_device_request = 3});
      break;
    case M::REL: {
      CauseIndicators c;
      c.coding_standard = ansi ? 2 : 0;
      c.location = 2;  // public network serving the local user
      c.cause = 34;    // no circuit/channel available
      c.diagnostics = bytes({0x8A});
      bl.cause(c);
      bl.acl(2);
      break;
    }
    case M::SUS:
    case M::RES:
      bl.susres(1);  // network initiated
      if (!ansi) bl.callReference(77, 0x0321);
      break;
    case M::RLC:
      if (ansi) {
        // T1.113.3: the ANSI RLC is the message type code alone, no optional part (so no
        // pointer octet): MTP3 label + CIC + type. Wireshark agrees (dissect_ansi_isup_message:
        // "case MESSAGE_TYPE_REL_CMPL: break;", no opt_part_possible), and so do Yate's ANSI
        // table and Dialogic's ISUP manual ("cause indicators ... ITU-T mode only").
        bl.frame().frameLength = mtp3HeaderSize(v) + 3;
      } else {
        CauseIndicators c;
        c.location = 0;
        c.cause = 16;  // normal call clearing
        bl.cause(c);
      }
      break;
    case M::GRS:
      bl.range(15);
      break;
    case M::GRA:
      bl.range(15, {0x0F, 0xA0});
      break;
    case M::CGB:
      bl.cgsmt(1);  // hardware failure oriented
      bl.range(7, {0xB5});
      break;
    case M::CGU:
      bl.cgsmt(0);
      bl.range(9, {0xFF, 0x03});
      break;
    case M::CGBA:
      bl.cgsmt(1);
      bl.range(7, {0xB5});
      break;
    case M::CGUA:
      bl.cgsmt(0);
      bl.range(9, {0xFF, 0x03});
      break;
    case M::CQM:
      bl.range(5);
      break;
    case M::CQR:
      bl.range(3);
      // §3.14, one octet per circuit: 0x00 transient and 0x03 unequipped (DC = 00); 0x0D
      // idle, maintenance locally blocked; 0x16 incoming busy, maintenance remotely
      // blocked, hardware locally blocked.
      bl.circuitState({0x00, 0x03, 0x0D, 0x16});
      break;
    case M::FAR:
    case M::FAA:
      bl.put(P::FacilityIndicator, Octet{2});  // user-to-user service (no tshark field)
      if (f.type == M::FAR) bl.callReference(4242, ansi ? 0x010203u : 0x0102u);
      break;
    case M::FRJ: {
      bl.put(P::FacilityIndicator, Octet{2});
      CauseIndicators c;
      c.location = 3;  // transit network
      c.cause = 29;    // facility rejected
      bl.cause(c);
      break;
    }
    case M::CPG: {
      bl.event(6, 1);  // call forwarded unconditional, presentation restricted
      bl.bci({.charge = 1, .called_partys_status = 1, .called_partys_category = 1,
              .end_to_end_method = 0, .interworking = 1, .end_to_end_information = 0,
              .isdn_user_part = 1, .holding = 0, .isdn_access = 0, .echo_control_device = 0,
              .sccp_method = 0});
      bl.obci({.inband_information = 1, .call_diversion_may_occur = 1, .simple_segmentation = 0,
               .mlpp_user = 0, .spare = 0});
      Number rn = num(3, 1, "3077777");
      bl.number(P::RedirectionNumber, rn);
      break;
    }
    case M::USR:
      bl.uui({0x04, 'h', 'e', 'l', 'l', 'o'});  // protocol discriminator IA5
      bl.accessTransportHlc();
      break;
    case M::CFN: {
      CauseIndicators c;
      c.location = 1;   // private network serving the local user
      c.cause = 97;     // message type non-existent or not implemented
      c.diagnostics = bytes({0xE0});
      bl.cause(c);
      break;
    }
    case M::NRM:
      bl.echoControl({.outgoing_echo_control_device_information = 0,
                      .incoming_echo_control_device_information = 0,
                      .outgoing_echo_control_device_request = 1,
                      .incoming_echo_control_device_request = 2});
      break;
    case M::FAC:
      bl.mci({.transit_at_intermediate_exchange = 1, .release_call = 0, .send_notification = 1,
              .discard_message = 0, .pass_on_not_possible = 1,
              .broadband_narrowband_interworking = 2, .extension = 1, .data = {}});
      bl.pci({{0x2F, 0x14}, {0x3D, 0x02}});
      break;
    case M::UPT:
    case M::UPA:
      bl.pci({{0x3D, 0x01}});
      break;
    case M::IDR:
    case M::LPR:
      bl.mci({.transit_at_intermediate_exchange = 0, .release_call = 1, .send_notification = 0,
              .discard_message = 1, .pass_on_not_possible = 0,
              .broadband_narrowband_interworking = 1, .extension = 1, .data = {}});
      break;
    case M::IRS: {
      Number calling = num(3, 1, "3031234567");
      calling.presentation = 1;
      calling.screening = 1;
      bl.number(P::CallingPartyNumber, calling);
      bl.accessTransportHlc();
      break;
    }
    case M::SGM: {
      bl.accessTransportHlc();
      bl.uui({0x04, 'b', 'y', 'e'});
      Number generic = num(3, 1, "301234");
      generic.number_qualifier = 6;
      bl.number(P::GenericNumber, generic);
      break;
    }
    case M::APM: {
      ApplicationTransport a;
      a.application_context_identifier = 2;  // a context without Wireshark sub-dissector
      a.release_call = 0;
      a.send_notification = 1;
      a.apm_segmentation = 0;  // final segment
      a.sequence = 1;          // new sequence
      a.data = bytes({0x01, 0x02, 0x03});
      bl.apt(a);
      // Wireshark has sub-dissectors for a few application contexts only (BAT ASE...); for
      // the others it warns that it stops at the encapsulated application information.
      bl.frame().allowedWarnings.insert("No further dissection of APM-user information field");
      break;
    }
    case M::PRI:
      bl.obci({.inband_information = 1, .call_diversion_may_occur = 0, .simple_segmentation = 0,
               .mlpp_user = 0, .spare = 0});
      bl.mci({.transit_at_intermediate_exchange = 0, .release_call = 0, .send_notification = 1,
              .discard_message = 1, .pass_on_not_possible = 0,
              .broadband_narrowband_interworking = 0, .extension = 1, .data = {}});
      break;
    case M::SDN: {
      // Wireshark does not dissect SDN's parameters (dissect_isup_message and
      // dissect_ansi_isup_message: "case MESSAGE_TYPE_SUBSEQUENT_DIR_NUM: ... expert
      // 'Format is a national matter'", and it then claims no optional part is possible),
      // so only the header is compared. The parameters are still sent, as a real SDN would.
      bl.frame().bodyNotDissected = true;
      bl.put(P::SubsequentNumber, num(0, 0, "890"));
      MessageCompatibilityInformation mci;
      mci.transit_at_intermediate_exchange = 1;
      bl.put(P::MessageCompatibilityInformation, mci);
      break;
    }
    // ---- ANSI T1.113 only
    case M::CRM:
      bl.nci({.satellite = 0, .continuity_check = 1, .echo_control_device = 1, .spare = 0});
      break;
    case M::CVR:
      bl.cvrResponse(1);
      bl.circuitGroupCharacteristics(0x66);
      break;
    case M::EXM:
      // Wireshark 4.0's dissect_ansi_isup_message has no case for EXM (0xED, T1.113.3 exit
      // message): it warns "Unknown Message type" and dissects nothing after the type code.
      bl.frame().bodyNotDissected = true;
      bl.frame().allowedWarnings.insert("Unknown Message type (possibly reserved/used in former ISUP version)");
      break;
    default:  // CCR, RSC, BLO, UBL, BLA, UBA, LPA, UCIC, OLM, CRA, CVT: no parameters
      break;
  }
  return std::move(bl.frame());
}

// ---------------------------------------------------------------- running tshark
std::string findTshark() {
  if (const char* e = std::getenv("SIPTGW_TSHARK"); e && *e) return e;
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    fs::path p = fs::path(dir.empty() ? "." : dir) / "tshark";
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return {};
}

std::string shellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

struct RunResult {
  int status = -1;
  std::string out;
};

RunResult run(const std::string& cmd) {
  RunResult r;
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  r.status = ::pclose(p);
  return r;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> v;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      v.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  v.push_back(cur);
  return v;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
  return s;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "siptgw-tshark-XXXXXX").string();
    if (::mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Expert infos at or above this severity (PI_WARN, epan/proto.h) fail the frame.
constexpr unsigned long kPiWarn = 0x00600000;

void runOracle(Variant v) {
  const std::string tshark = findTshark();
  ASSERT_FALSE(tshark.empty())
      << "tshark not found on PATH (set SIPTGW_TSHARK to its path). It is the oracle for the "
         "ISUP encoder and CI installs it: apt-get install tshark";

  // Build and encode every message type of the variant. A message we cannot encode is a
  // failure; it is left out of the pcap so that the other frames are still compared.
  std::vector<Frame> built;
  unsigned i = 0;
  for (const MessageFormat& f : messageFormats(v)) built.push_back(buildFrame(v, f, ++i));
  ASSERT_FALSE(built.empty());

  TempDir tmp;
  ASSERT_FALSE(tmp.path().empty()) << "mkdtemp failed";
  const fs::path pcap = tmp.path() / (std::string(variantName(v)) + ".pcap");
  std::vector<Frame> frames;
  {
    PcapWriter w;
    auto opened = w.open(pcap.string());
    ASSERT_TRUE(opened.ok()) << opened.error();
    for (Frame& fr : built) {
      std::vector<uint8_t> wire;
      if (!encode(fr.msg, wire)) {
        // Say what the format table holds: a corrupt entry is the likeliest cause.
        std::string table;
        if (const MessageFormat* f = messageFormat(v, fr.msg.type)) {
          for (uint8_t k = 0; k < f->fixed_count; ++k)
            table += " fixed " + d(code(f->fixed[k].code)) + "/" + d(f->fixed[k].length);
          for (uint8_t k = 0; k < f->variable_count; ++k) table += " variable " + d(code(f->variable[k]));
        }
        ADD_FAILURE() << fr.label << ": isup::encode failed (messageFormat:" << table << ")";
        continue;
      }
      auto back = decode(wire, v);
      if (!back.ok()) {
        ADD_FAILURE() << fr.label << ": our own decoder rejects what we encoded: " << back.error().describe(v);
      } else {
        EXPECT_EQ(*back, fr.msg) << fr.label << ": decode(encode(m)) != m";
      }
      auto wrote = w.write(fr.mtp3, v, wire);
      ASSERT_TRUE(wrote.ok()) << fr.label << ": " << wrote.error();
      frames.push_back(std::move(fr));
    }
  }
  ASSERT_FALSE(frames.empty()) << "no message could be encoded";
  if (const char* keep = std::getenv("SIPTGW_TSHARK_KEEP"); keep && *keep) {
    std::error_code ec;
    fs::copy_file(pcap, fs::path(keep) / pcap.filename(), fs::copy_options::overwrite_existing, ec);
  }

  // Fields every frame carries, then every field any frame expects (sorted: a stable
  // column order).
  for (Frame& fr : frames) {
    const Message& m = fr.msg;
    fr.want("isup.cic", d(m.cic));
    fr.want("isup.message_type", d(code(m.type)));
    fr.want("mtp3.service_indicator", h8(kServiceIndicatorIsup));
    fr.want("mtp3.network_indicator", h8(fr.mtp3.network_indicator));
    fr.want("mtp3.opc", d(fr.mtp3.opc));
    fr.want("mtp3.dpc", d(fr.mtp3.dpc));
    fr.want("mtp3.sls", d(fr.mtp3.sls));
    if (v == Variant::Ansi) fr.want("mtp3.priority", d(fr.mtp3.priority));
    if (fr.bodyNotDissected) continue;
    // Parameter names in wire order; 0 ends a non-empty optional part.
    for (const Parameter& p : m.mandatory) fr.want("isup.parameter_type", d(code(p.code)));
    for (const Parameter& p : m.optional) fr.want("isup.parameter_type", d(code(p.code)));
    if (!m.optional.empty()) fr.want("isup.parameter_type", "0");
  }
  std::set<std::string> fieldSet;
  for (const Frame& fr : frames)
    for (const auto& [field, _] : fr.expect) fieldSet.insert(field);
  const std::vector<std::string> fields(fieldSet.begin(), fieldSet.end());

  std::string cmd = shellQuote(tshark) + " -n -r " + shellQuote(pcap.string());
  if (v == Variant::Ansi) cmd += " -o mtp3.standard:ANSI";
  cmd += " -T fields -E separator=/t -E occurrence=a -E quote=n";
  cmd += " -e frame.number -e frame.len -e _ws.malformed -e _ws.expert.severity -e _ws.expert.message";
  for (const std::string& f : fields) cmd += " -e " + f;
  const fs::path errFile = tmp.path() / "stderr.txt";
  cmd += " 2>" + shellQuote(errFile.string());
  RunResult r = run(cmd);
  std::string err;
  {
    std::FILE* ef = std::fopen(errFile.c_str(), "r");
    if (ef) {
      std::array<char, 4096> buf;
      std::size_t n;
      while ((n = std::fread(buf.data(), 1, buf.size(), ef)) > 0) err.append(buf.data(), n);
      std::fclose(ef);
    }
  }
  ASSERT_EQ(r.status, 0) << "tshark failed: " << cmd << "\n" << err;

  std::vector<std::string> lines = split(r.out, '\n');
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  ASSERT_EQ(lines.size(), frames.size()) << "tshark read a different number of frames\n" << r.out << err;

  // Expert notes whose presence cross-checks our message format table against Wireshark's.
  const std::string kNoOptionalPart = "No optional parameters are possible with this message type";
  const std::string kNoStatus = "Status subfield is not present with this message type";
  const std::size_t kFixedCols = 5;
  for (std::size_t k = 0; k < frames.size(); ++k) {
    const Frame& fr = frames[k];
    std::vector<std::string> cols = split(lines[k], '\t');
    ASSERT_EQ(cols.size(), kFixedCols + fields.size()) << fr.label << ": " << lines[k];
    SCOPED_TRACE(fr.label + " (frame " + std::to_string(k + 1) + ")");
    EXPECT_EQ(cols[0], std::to_string(k + 1));
    if (fr.frameLength) {
      EXPECT_EQ(cols[1], std::to_string(*fr.frameLength)) << "frame length";
    }
    EXPECT_EQ(cols[2], "") << "tshark reports a malformed packet";

    const std::vector<std::string> severities = cols[3].empty() ? std::vector<std::string>{} : split(cols[3], ',');
    const std::vector<std::string> messages = cols[4].empty() ? std::vector<std::string>{} : split(cols[4], ',');
    ASSERT_EQ(severities.size(), messages.size()) << cols[3] << " / " << cols[4];
    std::set<std::string> notes;
    for (std::size_t e = 0; e < messages.size(); ++e) {
      notes.insert(messages[e]);
      if (std::stoul(severities[e]) >= kPiWarn && !fr.allowedWarnings.count(messages[e]))
        ADD_FAILURE() << "tshark expert info at warning/error level: " << messages[e];
    }
    if (!fr.bodyNotDissected) {
      EXPECT_EQ(notes.count(kNoOptionalPart) == 0, fr.optionalPart)
          << "our format table says this message type " << (fr.optionalPart ? "has" : "has no")
          << " optional part; tshark's dissector disagrees";
    }
    if (fr.statusPresent) {
      EXPECT_EQ(notes.count(kNoStatus) == 0, *fr.statusPresent) << "range and status: status subfield";
    }

    for (std::size_t c = 0; c < fields.size(); ++c) {
      auto it = fr.expect.find(fields[c]);
      const std::string want = it == fr.expect.end() ? "" : join(it->second);
      const std::string& got = cols[kFixedCols + c];
      auto quirk = fr.dissectorQuirk.find(fields[c]);
      if (quirk != fr.dissectorQuirk.end() && got == quirk->second) continue;
      EXPECT_EQ(got, want) << "field " << fields[c];
    }
  }
}

TEST(TsharkOracle, EveryItuMessageType) { runOracle(Variant::Itu); }
TEST(TsharkOracle, EveryAnsiMessageType) { runOracle(Variant::Ansi); }

}  // namespace
}  // namespace siptgw::isup
