// Writes ISUP traces as libpcap files with link type MTP3 (LINKTYPE_MTP3 = 141): each
// record is SIO + routing label + ISUP message, so Wireshark and tshark decode them as
// MTP3 → ISUP directly. One file, appended record by record, flushed per record so a
// crashed process leaves a readable trace.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>

#include "config/result.h"
#include "isup/mtp3.h"

namespace siptgw::isup {

constexpr uint32_t kLinkTypeMtp3 = 141;

class PcapWriter {
 public:
  PcapWriter() = default;
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // Creates/truncates `path` and writes the global header.
  Result<Ok, std::string> open(const std::string& path);
  bool isOpen() const { return f_ != nullptr; }
  // One MTP3 frame: header + ISUP octets (CIC onwards).
  Result<Ok, std::string> write(const Mtp3Header& h, Variant v, std::span<const uint8_t> isup,
                                std::chrono::system_clock::time_point when = std::chrono::system_clock::now());
  // An already framed MTP3 frame (SIO onwards).
  Result<Ok, std::string> writeFrame(std::span<const uint8_t> frame, std::chrono::system_clock::time_point when);
  void close();

 private:
  std::FILE* f_ = nullptr;
};

}  // namespace siptgw::isup
