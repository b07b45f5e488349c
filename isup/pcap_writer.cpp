// libpcap file format: 24-octet global header (magic a1b2c3d4, version 2.4, snaplen,
// link type), then per record a 16-octet header (seconds, microseconds, captured and
// original length) and the frame. Written in host byte order, as the magic allows.
#include "isup/pcap_writer.h"

#include <array>
#include <cerrno>
#include <cstring>

namespace siptgw::isup {
namespace {
template <class T>
bool put(std::FILE* f, T v) {
  return std::fwrite(&v, sizeof v, 1, f) == 1;
}
}  // namespace

PcapWriter::~PcapWriter() { close(); }

void PcapWriter::close() {
  if (f_) std::fclose(f_);
  f_ = nullptr;
}

Result<Ok, std::string> PcapWriter::open(const std::string& path) {
  close();
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) return Unexpected{path + ": " + std::strerror(errno)};
  bool ok = put<uint32_t>(f_, 0xa1b2c3d4) && put<uint16_t>(f_, 2) && put<uint16_t>(f_, 4) &&
            put<int32_t>(f_, 0) && put<uint32_t>(f_, 0) && put<uint32_t>(f_, 65535) &&
            put<uint32_t>(f_, kLinkTypeMtp3);
  if (!ok || std::fflush(f_) != 0) return Unexpected{path + ": write failed"};
  return Ok{};
}

Result<Ok, std::string> PcapWriter::writeFrame(std::span<const uint8_t> frame,
                                               std::chrono::system_clock::time_point when) {
  if (!f_) return Unexpected{std::string("pcap: not open")};
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count();
  const uint32_t len = static_cast<uint32_t>(frame.size());
  bool ok = put<uint32_t>(f_, static_cast<uint32_t>(us / 1000000)) &&
            put<uint32_t>(f_, static_cast<uint32_t>(us % 1000000)) && put<uint32_t>(f_, len) &&
            put<uint32_t>(f_, len) && std::fwrite(frame.data(), 1, frame.size(), f_) == frame.size();
  if (!ok || std::fflush(f_) != 0) return Unexpected{std::string("pcap: write failed")};
  return Ok{};
}

Result<Ok, std::string> PcapWriter::write(const Mtp3Header& h, Variant v, std::span<const uint8_t> isup,
                                          std::chrono::system_clock::time_point when) {
  std::array<uint8_t, 8 + 1024> frame;
  int n = encodeMtp3Header(h, v, frame);
  if (n < 0) return Unexpected{std::string("pcap: MTP3 header out of range")};
  if (isup.size() > frame.size() - static_cast<std::size_t>(n)) return Unexpected{std::string("pcap: message too large")};
  std::memcpy(frame.data() + n, isup.data(), isup.size());
  return writeFrame(std::span<const uint8_t>(frame.data(), static_cast<std::size_t>(n) + isup.size()), when);
}

}  // namespace siptgw::isup
