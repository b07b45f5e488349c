// MessageRef: one parsed SIP message shared by everyone who must keep it, instead of each
// keeping a copy of the bytes and parsing it again. RFC 3261 has several owners keep the
// same request: the server transaction builds its responses from it (§17.2, §8.2.6), the
// invite session answers from it and builds its dialog from it (§12.1.1, §13.3), and the
// transport received it. A received INVITE is parsed once, by the transport, and the
// transaction and the session share that parse.
//
// A MessageRef counts references (single-threaded: the core thread, DESIGN.md) to a box that
// holds the bytes, the parsed Message over them and the storage for edits the transport made
// (the received/rport stamp, §18.2.1). Boxes come from a per-thread free list, so a message
// costs no heap allocation once the list is warm (DESIGN.md "Data on the hot path"), and an
// owner that no longer needs the message drops its reference to give the memory back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "config/result.h"
#include "sip/message.h"
#include "sip/parse_error.h"

namespace siptgw::sip {

class MessageRef {
 public:
  MessageRef() noexcept = default;
  MessageRef(const MessageRef& o) noexcept;
  MessageRef(MessageRef&& o) noexcept : box_(std::exchange(o.box_, nullptr)) {}
  MessageRef& operator=(const MessageRef& o) noexcept;
  MessageRef& operator=(MessageRef&& o) noexcept;
  ~MessageRef() { reset(); }

  // A new message holding a copy of `bytes`, parsed.
  static Result<MessageRef, ParseError> parse(std::string_view bytes, const ParseLimits& limits = {});
  // `m` itself when it lives in a MessageRef's box (no copy, no parse); otherwise a new box
  // with m serialized and parsed again (messages built or parsed elsewhere, e.g. in tests).
  static MessageRef share(const Message& m);

  const Message& operator*() const noexcept { return *get(); }
  const Message* operator->() const noexcept { return get(); }
  const Message* get() const noexcept;
  explicit operator bool() const noexcept { return box_ != nullptr; }
  // The bytes the message was parsed from (a datagram may carry more than Content-Length).
  std::string_view bytes() const noexcept;
  std::uint32_t useCount() const noexcept;
  void reset() noexcept;

  // --- for the receiving transport: fill one box, edit it while it is not yet shared.
  // A new empty box.
  static MessageRef make();
  // Copies `bytes` into the box and parses them; only while this is the only reference.
  Result<Ok, ParseError> parseInPlace(std::string_view bytes, const ParseLimits& limits = {});
  // The message, for edits, and storage whose lifetime is the message's for the views an
  // edit adds. Only while this is the only reference.
  Message& mutableMessage() noexcept;
  std::string& editStorage() noexcept;

  // Boxes kept for reuse by this thread, and boxes of this thread someone holds (figures,
  // and tests that check who keeps a message how long).
  static std::size_t pooled() noexcept;
  static std::size_t inUse() noexcept;

  struct Box;  // opaque outside message_ref.cpp

 private:
  explicit MessageRef(Box* b) noexcept : box_(b) {}
  static void release(Box* b) noexcept;
  Box* box_ = nullptr;
};

}  // namespace siptgw::sip
