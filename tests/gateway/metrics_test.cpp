// Metrics: the scrape text carries every family with bounded labels and the recorded
// values; the exporter serves it over HTTP on loopback.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gateway/metrics.h"

namespace siptgw::gateway {
namespace {

bool has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(Metrics, CauseClassesFollowQ850) {
  EXPECT_EQ(causeClassOf(16), CauseClass::Normal);
  EXPECT_EQ(causeClassOf(17), CauseClass::Normal);
  EXPECT_EQ(causeClassOf(31), CauseClass::Normal);
  EXPECT_EQ(causeClassOf(34), CauseClass::ResourceUnavailable);
  EXPECT_EQ(causeClassOf(47), CauseClass::ResourceUnavailable);
  EXPECT_EQ(causeClassOf(57), CauseClass::ServiceUnavailable);
  EXPECT_EQ(causeClassOf(79), CauseClass::NotImplemented);
  EXPECT_EQ(causeClassOf(95), CauseClass::InvalidMessage);
  EXPECT_EQ(causeClassOf(102), CauseClass::ProtocolError);
  EXPECT_EQ(causeClassOf(127), CauseClass::Interworking);
}

TEST(Metrics, LabelsAreBounded) {
  EXPECT_EQ(sipMethodLabelOf("INVITE"), SipMethodLabel::Invite);
  EXPECT_EQ(sipMethodLabelOf("PRACK"), SipMethodLabel::Prack);
  EXPECT_EQ(sipMethodLabelOf("invite"), SipMethodLabel::Other);  // methods are case-sensitive
  EXPECT_EQ(sipMethodLabelOf("PUBLISH"), SipMethodLabel::Other);
  isup::Circuit c;
  EXPECT_EQ(circuitStateOf(c), CircuitStateLabel::Idle);
  c.blocking = isup::kRemoteMaint;
  EXPECT_EQ(circuitStateOf(c), CircuitStateLabel::RemotelyBlocked);
  c.call = isup::CircuitCall::IncomingBusy;
  EXPECT_EQ(circuitStateOf(c), CircuitStateLabel::IncomingBusy);
  c = {};
  c.flags = isup::kAwaitingResetAck;
  EXPECT_EQ(circuitStateOf(c), CircuitStateLabel::Unavailable);
}

TEST(Metrics, ScrapeShowsRecordedValues) {
  Metrics m({"A", "B"}, isup::Variant::Itu);
  m.callAttempted(CallDirection::SipToIsup, 0);
  m.callAttempted(CallDirection::SipToIsup, 0);
  m.callAttempted(CallDirection::IsupToSip, 1);
  m.callAttempted(CallDirection::IsupToSip, 7);  // no such trunk: ignored
  m.callAnswered(CallDirection::SipToIsup, 0);
  m.callFailed(CallDirection::SipToIsup, 0, 17);
  m.callFailed(CallDirection::SipToIsup, 0, 34);
  m.callStarted();
  m.callStarted();
  m.callEnded();
  m.transitDelay(CallDirection::SipToIsup, 0.0007);
  m.transitDelay(CallDirection::IsupToSip, 0.00015);
  m.postDialDelay(CallDirection::SipToIsup, 0.3);
  m.answerDelay(CallDirection::IsupToSip, 4.0);
  m.isupMessage(isup::MessageType::IAM, MsgDirection::Out);
  m.isupMessage(isup::MessageType::IAM, MsgDirection::Out);
  m.isupMessage(isup::MessageType::REL, MsgDirection::In);
  m.isupMessage(static_cast<isup::MessageType>(0xEE), MsgDirection::In);
  m.sipRequest("INVITE", MsgDirection::In);
  m.sipRequest("PUBLISH", MsgDirection::In);
  m.sipResponse(183, MsgDirection::Out);
  m.sipResponse(486, MsgDirection::Out);
  m.sipResponse(42, MsgDirection::Out);  // not a status: ignored
  m.circuits(1, CircuitStateLabel::Idle, 30);
  m.circuits(1, CircuitStateLabel::LocallyBlocked, 2);
  m.m3uaLinkUp(true);
  m.unexpectedEvent("isup_call", "await_acm", "ANM");
  m.unexpectedEvent("isup_call", "await_acm", "ANM");

  const std::string t = m.scrape();
  EXPECT_TRUE(has(t, "siptgw_calls_attempted_total{direction=\"sip_to_isup\",trunk=\"A\"} 2")) << t;
  EXPECT_TRUE(has(t, "siptgw_calls_attempted_total{direction=\"isup_to_sip\",trunk=\"B\"} 1"));
  EXPECT_TRUE(has(t, "siptgw_calls_attempted_total{direction=\"isup_to_sip\",trunk=\"A\"} 0"));
  EXPECT_TRUE(has(t, "siptgw_calls_answered_total{direction=\"sip_to_isup\",trunk=\"A\"} 1"));
  EXPECT_TRUE(has(
      t,
      "siptgw_calls_failed_total{cause_class=\"normal\",direction=\"sip_to_isup\",trunk=\"A\"} 1"));
  EXPECT_TRUE(has(t,
                  "siptgw_calls_failed_total{cause_class=\"resource_unavailable\",direction=\"sip_"
                  "to_isup\",trunk=\"A\"} 1"));
  EXPECT_TRUE(has(t, "siptgw_calls_active 1"));
  EXPECT_TRUE(has(t, "siptgw_transit_delay_seconds_count{direction=\"sip_to_isup\"} 1"));
  EXPECT_TRUE(
      has(t, "siptgw_transit_delay_seconds_bucket{direction=\"sip_to_isup\",le=\"0.0005\"} 0"));
  EXPECT_TRUE(
      has(t, "siptgw_transit_delay_seconds_bucket{direction=\"sip_to_isup\",le=\"0.001\"} 1"));
  // Sub-millisecond resolution: 150 µs lies between the 100 µs and 200 µs bounds.
  EXPECT_TRUE(
      has(t, "siptgw_transit_delay_seconds_bucket{direction=\"isup_to_sip\",le=\"0.0001\"} 0"));
  EXPECT_TRUE(
      has(t, "siptgw_transit_delay_seconds_bucket{direction=\"isup_to_sip\",le=\"0.0002\"} 1"));
  EXPECT_TRUE(
      has(t, "siptgw_post_dial_delay_seconds_bucket{direction=\"sip_to_isup\",le=\"0.5\"} 1"));
  EXPECT_TRUE(has(t, "siptgw_answer_delay_seconds_sum{direction=\"isup_to_sip\"} 4"));
  EXPECT_TRUE(has(t, "siptgw_isup_messages_total{direction=\"out\",type=\"IAM\"} 2"));
  EXPECT_TRUE(has(t, "siptgw_isup_messages_total{direction=\"in\",type=\"REL\"} 1"));
  EXPECT_TRUE(has(t, "siptgw_isup_messages_total{direction=\"in\",type=\"unknown\"} 1"));
  EXPECT_TRUE(has(t, "siptgw_sip_requests_total{direction=\"in\",method=\"INVITE\"} 1"));
  EXPECT_TRUE(has(t, "siptgw_sip_requests_total{direction=\"in\",method=\"other\"} 1"));
  EXPECT_TRUE(has(t, "siptgw_sip_responses_total{class=\"1xx\",direction=\"out\"} 1"));
  EXPECT_TRUE(has(t, "siptgw_sip_responses_total{class=\"4xx\",direction=\"out\"} 1"));
  EXPECT_TRUE(has(t, "siptgw_circuits{state=\"idle\",trunk=\"B\"} 30"));
  EXPECT_TRUE(has(t, "siptgw_circuits{state=\"locally_blocked\",trunk=\"B\"} 2"));
  EXPECT_TRUE(has(t, "siptgw_m3ua_link_up 1"));
  EXPECT_TRUE(has(
      t,
      "siptgw_unexpected_events_total{chart=\"isup_call\",event=\"ANM\",state=\"await_acm\"} 2"));
  // Labels never carry numbers: no series names a raw message type or status code.
  EXPECT_EQ(t.find("type=\"238\""), std::string::npos);
  EXPECT_EQ(t.find("class=\"0xx\""), std::string::npos);
  EXPECT_EQ(t.find("PUBLISH"), std::string::npos);
}

TEST(Metrics, SipStackSamplesAdvanceCountersBySamplesDifference) {
  Metrics m({"A"}, isup::Variant::Itu);
  SipStackSample a;
  a.malformedDropped = 3;
  a.requestRetransmits = 5;
  a.transactions = 40;
  m.sipStack(a);
  // Every member gets its own value, so a series bound to the wrong member shows.
  SipStackSample b;
  uint64_t v = 10;
  for (uint64_t SipStackSample::*f :
       {&SipStackSample::malformedDropped, &SipStackSample::malformedRejected,
        &SipStackSample::foreignViaDropped, &SipStackSample::strayResponses,
        &SipStackSample::mergedRequests, &SipStackSample::sendErrors,
        &SipStackSample::connectionsAccepted, &SipStackSample::connectionsOpened,
        &SipStackSample::idleConnectionsClosed, &SipStackSample::otherConnectionsClosed,
        &SipStackSample::retransmissionsReceived, &SipStackSample::requestRetransmits,
        &SipStackSample::finalResponseRetransmits, &SipStackSample::ok2xxRetransmits,
        &SipStackSample::reliable1xxRetransmits, &SipStackSample::acksResent,
        &SipStackSample::sessionFailures, &SipStackSample::udpReadCalls,
        &SipStackSample::udpWriteCalls, &SipStackSample::udpIntervalReads,
        &SipStackSample::transactions, &SipStackSample::sessions,
        &SipStackSample::openConnections})
    b.*f = v++;
  m.sipStack(b);
  const std::string t = m.scrape();
  for (const char* line : {"siptgw_sip_malformed_messages_total{action=\"dropped\"} 10",
                           "siptgw_sip_malformed_messages_total{action=\"rejected\"} 11",
                           "siptgw_sip_unmatched_responses_total{reason=\"foreign_via\"} 12",
                           "siptgw_sip_unmatched_responses_total{reason=\"no_transaction\"} 13",
                           "siptgw_sip_merged_requests_total 14", "siptgw_sip_send_errors_total 15",
                           "siptgw_sip_connections_opened_total{side=\"inbound\"} 16",
                           "siptgw_sip_connections_opened_total{side=\"outbound\"} 17",
                           "siptgw_sip_connections_closed_total{reason=\"idle\"} 18",
                           "siptgw_sip_connections_closed_total{reason=\"other\"} 19",
                           "siptgw_sip_retransmissions_received_total 20",
                           "siptgw_sip_retransmissions_sent_total{message=\"request\"} 21",
                           "siptgw_sip_retransmissions_sent_total{message=\"final_response\"} 22",
                           "siptgw_sip_retransmissions_sent_total{message=\"2xx\"} 23",
                           "siptgw_sip_retransmissions_sent_total{message=\"reliable_1xx\"} 24",
                           "siptgw_sip_retransmissions_sent_total{message=\"ack\"} 25",
                           "siptgw_sip_session_failures_total 26",
                           "siptgw_sip_udp_system_calls_total{op=\"read\"} 27",
                           "siptgw_sip_udp_system_calls_total{op=\"write\"} 28",
                           "siptgw_sip_udp_interval_reads_total 29", "siptgw_sip_transactions 30",
                           "siptgw_sip_sessions 31", "siptgw_sip_connections_open 32"})
    EXPECT_TRUE(has(t, line)) << line << "\n" << t;
  // A counter the stack reports lower (it never does) is not taken back; the next rise
  // counts from the new value.
  SipStackSample c = b;
  c.sendErrors = 4;
  m.sipStack(c);
  c.sendErrors = 6;
  m.sipStack(c);
  EXPECT_TRUE(has(m.scrape(), "siptgw_sip_send_errors_total 17"));
}

TEST(Metrics, UnexpectedEventSeriesAreCapped) {
  Metrics m({"A"}, isup::Variant::Ansi);
  for (std::size_t i = 0; i < Metrics::kMaxUnexpectedSeries + 10; ++i)
    m.unexpectedEvent("chart", "s" + std::to_string(i), "e");
  const std::string t = m.scrape();
  EXPECT_TRUE(
      has(t, "siptgw_unexpected_events_total{chart=\"other\",event=\"other\",state=\"other\"} 10"))
      << t.size();
  EXPECT_TRUE(has(t, "siptgw_unexpected_events_total{chart=\"chart\",event=\"e\",state=\"s0\"} 1"));
  EXPECT_EQ(t.find("state=\"s" + std::to_string(Metrics::kMaxUnexpectedSeries) + "\""),
            std::string::npos);
}

std::string httpGet(uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return {};
  }
  const std::string req = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
  if (::send(fd, req.data(), req.size(), 0) != static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return {};
  }
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

TEST(Metrics, ExporterServesTheRegistry) {
  Metrics m({"A"}, isup::Variant::Itu);
  m.callAttempted(CallDirection::SipToIsup, 0);
  MetricsExporter e;
  auto r = e.start("127.0.0.1", 0, m.registry());
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_NE(e.port(), 0);
  const std::string body = httpGet(e.port(), "/metrics");
  EXPECT_NE(body.find("200 OK"), std::string::npos) << body.substr(0, 200);
  EXPECT_NE(body.find("siptgw_calls_attempted_total{direction=\"sip_to_isup\",trunk=\"A\"} 1"),
            std::string::npos);

  MetricsExporter second;  // the same port again: an error, not an exception
  auto clash = second.start("127.0.0.1", e.port(), m.registry());
  ASSERT_FALSE(clash.ok());
  EXPECT_NE(clash.error().find("cannot listen on 127.0.0.1:" + std::to_string(e.port())),
            std::string::npos)
      << clash.error();
}

}  // namespace
}  // namespace siptgw::gateway
