// Shared fixtures for the call control / circuit supervision tests: a fake MTP that records
// what the stack sends, a recording IsupUser, and message builders.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "isup/codec.h"
#include "isup/exchange_sim.h"
#include "isup/isup_stack.h"
#include "config/timer_service.h"

namespace siptgw::isup::test {

struct FakeMtp final : MtpProvider {
  MtpUser* user = nullptr;
  std::vector<MtpTransfer> sent;
  bool up = true;
  void setUser(MtpUser* u) override { user = u; }
  bool mtpTransferRequest(const MtpTransfer& m) override {
    if (!up) return false;
    sent.push_back(m);
    return true;
  }
  bool available(uint32_t) const override { return up; }
};

struct Event {
  std::string kind;  // "setup", "sam", "acm", "cpg", "anm", "sus", "res", "inr", "inf", "other", "release", "alert", "congestion", "query"
  CallId id = 0;
  bool overlap = false;
  ReleaseOrigin origin{};
  uint8_t cause = 0;
  MaintenanceAlert alert{};
  uint32_t dpc = 0;
  uint16_t cic = 0;
  uint8_t level = 0;
  Message msg;
  CircuitQueryResult query;
};

// Records every event; optionally answers incoming calls (ACM then ANM) at once.
struct Recorder : IsupUser {
  std::vector<Event> events;
  IsupStack* stack = nullptr;
  bool auto_answer = false;
  Event& add(std::string_view kind, CallId id = 0) {
    events.emplace_back();
    events.back().kind = std::string(kind);
    events.back().id = id;
    return events.back();
  }
  void onIncomingSetup(CallId id, const Message& iam, bool overlap) override {
    Event& e = add("setup", id);
    e.overlap = overlap;
    e.msg = iam;
    if (auto_answer && stack) {
      stack->sendAcm(id, makeMessage(Variant::Itu, MessageType::ACM));
      stack->sendAnm(id, makeMessage(Variant::Itu, MessageType::ANM));
    }
  }
  void onSubsequentAddress(CallId id, const Message& m) override { add("sam", id).msg = m; }
  void onAddressComplete(CallId id, const Message& m) override { add("acm", id).msg = m; }
  void onProgress(CallId id, const Message& m) override { add("cpg", id).msg = m; }
  void onAnswer(CallId id, const Message& m) override { add("anm", id).msg = m; }
  void onSuspend(CallId id, const Message& m) override { add("sus", id).msg = m; }
  void onResume(CallId id, const Message& m) override { add("res", id).msg = m; }
  void onInformationRequest(CallId id, const Message& m) override { add("inr", id).msg = m; }
  void onInformation(CallId id, const Message& m) override { add("inf", id).msg = m; }
  void onOtherMessage(CallId id, const Message& m) override { add("other", id).msg = m; }
  void onRelease(CallId id, const ReleaseInfo& r) override {
    Event& e = add("release", id);
    e.origin = r.origin;
    e.cause = r.cause;
  }
  void onMaintenance(MaintenanceAlert a, uint32_t dpc, uint16_t cic) override {
    Event& e = add("alert");
    e.alert = a;
    e.dpc = dpc;
    e.cic = cic;
  }
  void onCongestion(uint32_t dpc, uint8_t level) override {
    Event& e = add("congestion");
    e.dpc = dpc;
    e.level = level;
  }
  void onCircuitQuery(const CircuitQueryResult& r) override { add("query").query = r; }

  std::size_t count(std::string_view kind) const {
    std::size_t n = 0;
    for (const auto& e : events) n += e.kind == kind;
    return n;
  }
  const Event* last(std::string_view kind) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->kind == kind) return &*it;
    return nullptr;
  }
};

inline Message decodeOrDie(const MtpTransfer& t) {
  auto r = decode(t.payload(), Variant::Itu);
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : Message{};
}

inline uint8_t causeOf(const Message& m) {
  const auto* c = m.get<CauseIndicators>(ParamCode::CauseIndicators);
  return c ? c->cause : 0;
}

inline Message iam(std::string_view called, uint16_t cic = 0, uint8_t continuity = 0) {
  Message m = ExchangeSimulator::makeIam(Variant::Itu, called, "5551000", false);
  m.cic = cic;
  m.get<NatureOfConnectionIndicators>(ParamCode::NatureOfConnectionIndicators)->continuity_check = continuity;
  return m;
}

inline Message msg(MessageType t, uint16_t cic) { return makeMessage(Variant::Itu, t, cic); }

inline Message rel(uint16_t cic, uint8_t cause) {
  Message m = makeMessage(Variant::Itu, MessageType::REL, cic);
  m.get<CauseIndicators>(ParamCode::CauseIndicators)->cause = cause;
  return m;
}

// One stack (point code 100) facing a fake MTP; the peer is point code 200, CICs 1..31 in
// one both-way group.
class StackTest : public ::testing::Test {
 protected:
  static constexpr uint32_t kOpc = 100, kDpc = 200;

  void build(StackConfig cfg, std::vector<CircuitGroupConfig> groups = {}) {
    cfg.opc = cfg.opc ? cfg.opc : kOpc;
    cfg.reset_on_start = false;
    stack = std::make_unique<IsupStack>(clock, mtp, cfg);
    user.stack = stack.get();
    stack->setUser(&user);
    if (groups.empty()) groups.push_back({"g", kDpc, {{1, 31}}, GroupDirection::BothWay, Selection::Sequential});
    for (const auto& g : groups) ASSERT_TRUE(stack->addGroup(g).ok());
    stack->start();
  }
  void SetUp() override { build({}); }

  std::vector<Message> take() {
    std::vector<Message> out;
    for (const auto& t : mtp.sent) {
      EXPECT_EQ(t.header.opc, stack->config().opc);
      out.emplace_back();
      EXPECT_FALSE(decode(t.payload(), Variant::Itu, out.back()).has_value());
    }
    mtp.sent.clear();
    return out;
  }
  // The single message sent since the last take(); fails unless exactly one.
  Message one() {
    auto v = take();
    EXPECT_EQ(v.size(), 1u);
    return v.empty() ? Message{} : v[0];
  }
  void inject(const Message& m, uint32_t from = kDpc) {
    MtpTransfer t;
    t.header.opc = from;
    t.header.dpc = stack->config().opc;
    std::vector<uint8_t> wire;
    ASSERT_TRUE(encode(m, wire));
    t.setPayload(wire);
    stack->mtpTransfer(t);
  }
  void injectRaw(const std::vector<uint8_t>& wire) {
    MtpTransfer t;
    t.header.opc = kDpc;
    t.header.dpc = stack->config().opc;
    t.setPayload(wire);
    stack->mtpTransfer(t);
  }
  // An outgoing call through ACM: returns its id, CIC in *cic.
  CallId outgoingToAcm(uint16_t* cic_out = nullptr) {
    auto r = stack->setup(0, iam("5551234"));
    EXPECT_TRUE(r.ok());
    Message sent = one();
    EXPECT_EQ(sent.type, MessageType::IAM);
    inject(msg(MessageType::ACM, sent.cic));
    if (cic_out) *cic_out = sent.cic;
    return r.ok() ? *r : 0;
  }
  CallId incoming(uint16_t cic, std::string_view called = "5551234") {
    inject(iam(called, cic));
    const Event* e = user.last("setup");
    return e ? e->id : 0;
  }

  ManualTimerService clock;
  FakeMtp mtp;
  Recorder user;
  std::unique_ptr<IsupStack> stack;
};

}  // namespace siptgw::isup::test
