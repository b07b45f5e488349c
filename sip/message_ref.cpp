#include "sip/message_ref.h"

#include <cassert>
#include <vector>

#include "sip/message_builder.h"

namespace siptgw::sip {

struct MessageRef::Box {
  Message msg;
  std::string bytes;
  std::string edits;
  std::uint32_t refs = 0;
};

namespace {

// Free boxes of this thread. A box keeps its byte buffer's capacity for the next message,
// up to kKeepBytes (a rare 64 KB message should not pin 64 KB per pooled box).
constexpr std::size_t kMaxPooled = 256;
constexpr std::size_t kKeepBytes = 8192;

struct Pool {
  std::vector<void*> free;
  ~Pool();
};
// Trivially destructible, so it stays readable while other thread_local or static objects
// holding references are destroyed after the pool.
thread_local bool tPoolGone = false;
thread_local std::size_t tInUse = 0;
thread_local Pool tPool;

}  // namespace

Pool::~Pool() {
  tPoolGone = true;
  for (void* b : free) delete static_cast<MessageRef::Box*>(b);
  free.clear();
}

MessageRef MessageRef::make() {
  Box* b = nullptr;
  if (!tPoolGone && !tPool.free.empty()) {
    b = static_cast<Box*>(tPool.free.back());
    tPool.free.pop_back();
  } else {
    b = new Box;
    b->msg.box_.box = b;
  }
  b->refs = 1;
  ++tInUse;
  return MessageRef(b);
}

void MessageRef::release(Box* b) noexcept {
  if (--b->refs != 0) return;
  --tInUse;
  if (tPoolGone || tPool.free.size() >= kMaxPooled) {
    delete b;
    return;
  }
  if (b->bytes.capacity() > kKeepBytes) std::string().swap(b->bytes);
  if (b->edits.capacity() > kKeepBytes) std::string().swap(b->edits);
  (void)b->msg.parse({});  // drops views and cached values into the bytes that are now stale
  tPool.free.push_back(b);
}

MessageRef::MessageRef(const MessageRef& o) noexcept : box_(o.box_) {
  if (box_ != nullptr) ++box_->refs;
}

MessageRef& MessageRef::operator=(const MessageRef& o) noexcept {
  if (o.box_ != nullptr) ++o.box_->refs;
  reset();
  box_ = o.box_;
  return *this;
}

MessageRef& MessageRef::operator=(MessageRef&& o) noexcept {
  if (this != &o) {
    reset();
    box_ = std::exchange(o.box_, nullptr);
  }
  return *this;
}

void MessageRef::reset() noexcept {
  if (box_ != nullptr) release(std::exchange(box_, nullptr));
}

const Message* MessageRef::get() const noexcept {
  return box_ != nullptr ? &box_->msg : nullptr;
}

std::string_view MessageRef::bytes() const noexcept {
  return box_ != nullptr ? std::string_view(box_->bytes) : std::string_view();
}

std::uint32_t MessageRef::useCount() const noexcept {
  return box_ != nullptr ? box_->refs : 0;
}

Result<Ok, ParseError> MessageRef::parseInPlace(std::string_view bytes, const ParseLimits& limits) {
  assert(box_ != nullptr && box_->refs == 1);
  box_->edits.clear();
  box_->bytes.assign(bytes);
  return box_->msg.parse(box_->bytes, limits);
}

Message& MessageRef::mutableMessage() noexcept {
  assert(box_ != nullptr && box_->refs == 1);
  return box_->msg;
}

std::string& MessageRef::editStorage() noexcept {
  assert(box_ != nullptr && box_->refs == 1);
  return box_->edits;
}

Result<MessageRef, ParseError> MessageRef::parse(std::string_view bytes, const ParseLimits& limits) {
  MessageRef r = make();
  if (auto p = r.parseInPlace(bytes, limits); !p) return Unexpected{p.error()};
  return r;
}

MessageRef MessageRef::share(const Message& m) {
  if (m.box_.box != nullptr) {
    Box* b = static_cast<Box*>(m.box_.box);
    ++b->refs;
    return MessageRef(b);
  }
  MessageRef r = make();
  r.box_->edits.clear();
  r.box_->bytes.clear();
  serialize(m, r.box_->bytes);
  // The serialization of a parsed message parses (message.h round trip); a message that
  // was built up by edits into something malformed stays an empty parse.
  (void)r.box_->msg.parse(r.box_->bytes, ParseLimits{Message::kMaxHeaders, SIZE_MAX, SIZE_MAX, SIZE_MAX});
  return r;
}

std::size_t MessageRef::inUse() noexcept {
  return tInUse;
}

std::size_t MessageRef::pooled() noexcept {
  return tPoolGone ? 0 : tPool.free.size();
}

}  // namespace siptgw::sip
