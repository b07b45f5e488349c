// Taps between the gateway's stacks and their transports: they see every message that goes
// by, for the pcap trace and the metrics, and change nothing.
//
//   IsupTap sits between an MTP provider (in-process link or M3UA) and the ISUP stack: it
//   counts messages by type and direction, writes the MTP3 pcap (link type 141) and reports
//   MTP-PAUSE/RESUME (Q.704 §7 / Q.764 §2.13) to whoever watches the link.
//   SipTap sits between the SIP transport layer and the transaction layer: it counts requests
//   by method and responses by status class in both directions.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string_view>

#include "isup/mtp_user.h"
#include "isup/pcap_writer.h"
#include "isup/types.h"
#include "sip/transport_types.h"

namespace siptgw::gateway {

class IsupTap final : public isup::MtpProvider, public isup::MtpUser {
 public:
  IsupTap(isup::MtpProvider& lower, isup::Variant v) : lower_(lower), variant_(v) { lower_.setUser(this); }
  ~IsupTap() override { lower_.setUser(nullptr); }
  IsupTap(const IsupTap&) = delete;
  IsupTap& operator=(const IsupTap&) = delete;

  std::function<void(uint32_t dpc)> onPause, onResume;
  // Every message sent (outgoing = true) or received, by message type code.
  std::function<void(uint8_t type, bool outgoing)> onMessage;
  isup::PcapWriter pcap;
  std::array<uint64_t, 256> in{}, out{};
  uint64_t refused = 0, pauses = 0, resumes = 0;

  // MtpProvider (towards the stack)
  void setUser(isup::MtpUser* u) override { user_ = u; }
  bool mtpTransferRequest(const isup::MtpTransfer& m) override {
    if (!lower_.mtpTransferRequest(m)) {
      ++refused;
      return false;
    }
    record(m, true);
    return true;
  }
  bool available(uint32_t dpc) const override { return lower_.available(dpc); }

  // MtpUser (from the link)
  void mtpTransfer(const isup::MtpTransfer& m) override {
    record(m, false);
    if (user_) user_->mtpTransfer(m);
  }
  void mtpPause(uint32_t dpc) override {
    ++pauses;
    if (onPause) onPause(dpc);
    if (user_) user_->mtpPause(dpc);
  }
  void mtpResume(uint32_t dpc) override {
    ++resumes;
    if (user_) user_->mtpResume(dpc);
    if (onResume) onResume(dpc);
  }
  void mtpStatus(const isup::MtpStatus& s) override {
    if (user_) user_->mtpStatus(s);
  }

 private:
  void record(const isup::MtpTransfer& m, bool outgoing) {
    if (m.size >= 3) {  // CIC (2 octets, ITU and ANSI), then the message type
      const uint8_t type = m.data[2];
      ++(outgoing ? out : in)[type];
      if (onMessage) onMessage(type, outgoing);
    }
    if (pcap.isOpen()) static_cast<void>(pcap.write(m.header, variant_, m.payload()));
  }
  isup::MtpProvider& lower_;
  isup::Variant variant_;
  isup::MtpUser* user_ = nullptr;
};

class SipTap final : public sip::TransportListener, public sip::TransportSender {
 public:
  // A request (method) or a response (status code, method empty) crossed the tap.
  using Hook = std::function<void(std::string_view method, uint16_t status, bool outgoing)>;
  explicit SipTap(sip::TransportSender& lower) : lower_(lower) {}
  void setUpper(sip::TransportListener* u) { upper_ = u; }
  Hook hook;

  // TransportListener (from the transport layer)
  void onMessage(sip::Message& m, const sip::Source& src) override;
  void onSendFailed(std::uint64_t cookie, sip::TransportErrc why) override {
    if (upper_) upper_->onSendFailed(cookie, why);
  }
  // TransportSender (from the transaction layer)
  sip::TransportErrc send(const sip::Destination& dst, std::string_view bytes, std::uint64_t cookie) override;
  std::string_view sentBy(sip::TransportType t, bool v6) const override { return lower_.sentBy(t, v6); }
  std::size_t udpRequestLimit() const override { return lower_.udpRequestLimit(); }

 private:
  sip::TransportSender& lower_;
  sip::TransportListener* upper_ = nullptr;
};

}  // namespace siptgw::gateway
