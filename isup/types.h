// ISUP identifiers: protocol variant, message type codes (ITU-T Q.763 Table 4, plus the ANSI
// T1.113 messages CRA/CRM/CVR/CVT/EXM) and parameter codes (Q.763 Table 5, plus the ANSI
// T1.113 parameters the gateway reads). Any byte value is a valid MessageType/ParamCode:
// codes not listed here decode as opaque messages/parameters and are passed on verbatim.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace siptgw::isup {

enum class Variant : uint8_t { Itu, Ansi };

std::string_view variantName(Variant v);
std::optional<Variant> variantFromName(std::string_view name);

enum class MessageType : uint8_t {
  IAM = 0x01, SAM = 0x02, INR = 0x03, INF = 0x04, COT = 0x05, ACM = 0x06, CON = 0x07,
  FOT = 0x08, ANM = 0x09, REL = 0x0C, SUS = 0x0D, RES = 0x0E, RLC = 0x10, CCR = 0x11,
  RSC = 0x12, BLO = 0x13, UBL = 0x14, BLA = 0x15, UBA = 0x16, GRS = 0x17, CGB = 0x18,
  CGU = 0x19, CGBA = 0x1A, CGUA = 0x1B, FAR = 0x1F, FAA = 0x20, FRJ = 0x21, LPA = 0x24,
  PAM = 0x28, GRA = 0x29, CQM = 0x2A, CQR = 0x2B, CPG = 0x2C, USR = 0x2D, UCIC = 0x2E,
  CFN = 0x2F, OLM = 0x30, CRG = 0x31, NRM = 0x32, FAC = 0x33, UPT = 0x34, UPA = 0x35,
  IDR = 0x36, IRS = 0x37, SGM = 0x38, LPR = 0x40, APM = 0x41, PRI = 0x42, SDN = 0x43,
  // ANSI T1.113 only
  CRA = 0xE9, CRM = 0xEA, CVR = 0xEB, CVT = 0xEC, EXM = 0xED,
};

enum class ParamCode : uint8_t {
  EndOfOptionalParameters = 0x00,
  CallReference = 0x01,
  TransmissionMediumRequirement = 0x02,
  AccessTransport = 0x03,
  CalledPartyNumber = 0x04,
  SubsequentNumber = 0x05,
  NatureOfConnectionIndicators = 0x06,
  ForwardCallIndicators = 0x07,
  OptionalForwardCallIndicators = 0x08,
  CallingPartysCategory = 0x09,
  CallingPartyNumber = 0x0A,
  RedirectingNumber = 0x0B,
  RedirectionNumber = 0x0C,
  ConnectionRequest = 0x0D,
  InformationRequestIndicators = 0x0E,
  InformationIndicators = 0x0F,
  ContinuityIndicators = 0x10,
  BackwardCallIndicators = 0x11,
  CauseIndicators = 0x12,
  RedirectionInformation = 0x13,
  CircuitGroupSupervisionMessageType = 0x15,
  RangeAndStatus = 0x16,
  FacilityIndicator = 0x18,
  ClosedUserGroupInterlockCode = 0x1A,
  UserServiceInformation = 0x1D,
  UserToUserInformation = 0x20,
  ConnectedNumber = 0x21,
  SuspendResumeIndicators = 0x22,
  TransitNetworkSelection = 0x23,
  EventInformation = 0x24,
  CircuitStateIndicator = 0x26,
  AutomaticCongestionLevel = 0x27,
  OriginalCalledNumber = 0x28,
  OptionalBackwardCallIndicators = 0x29,
  UserServiceInformationPrime = 0x30,
  PropagationDelayCounter = 0x31,
  TransmissionMediumUsed = 0x35,
  CallDiversionInformation = 0x36,
  EchoControlInformation = 0x37,
  MessageCompatibilityInformation = 0x38,
  ParameterCompatibilityInformation = 0x39,
  HopCounter = 0x3D,
  TransmissionMediumRequirementPrime = 0x3E,
  LocationNumber = 0x3F,
  ApplicationTransport = 0x78,
  GenericNumber = 0xC0,  // ITU; in ANSI 0xC0 is the generic address
  // ANSI T1.113
  GenericAddress = 0xC0,
  JurisdictionInformation = 0xC4,
  CarrierIdentification = 0xC5,
  GenericName = 0xC7,
  CircuitGroupCharacteristicIndicator = 0xE5,
  CircuitValidationResponseIndicator = 0xE6,
  OriginatingLineInformation = 0xEA,
  ChargeNumber = 0xEB,
};

constexpr uint8_t code(MessageType t) { return static_cast<uint8_t>(t); }
constexpr uint8_t code(ParamCode c) { return static_cast<uint8_t>(c); }

}  // namespace siptgw::isup
