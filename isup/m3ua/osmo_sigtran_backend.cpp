// The libosmo-sigtran 1.6 adapter: the only file of siptgw that includes osmocom headers,
// and the only one that reads or writes fields of libosmo-sigtran structs (private from
// libosmo-sigtran 2.1 on: a port to 2.x changes this file only). See docs/m3ua.md.
//
// Everything below the "ss7 thread" line runs on the thread this backend starts:
// libosmocore's select loop, timers and talloc contexts are per thread.

#include <sys/eventfd.h>

#include <atomic>
#include <cstring>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "isup/m3ua/m3ua_backend.h"

// osmocom headers are C: they live in system include directories (warnings off there), and
// the few macros used here are avoided in favour of explicit code (they use GNU typeof).
extern "C" {
#include <osmocom/core/application.h>
#include <osmocom/core/fsm.h>
#include <osmocom/core/it_q.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/prim.h>
#include <osmocom/core/select.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>
#include <osmocom/netif/stream.h>
#include <osmocom/sigtran/mtp_sap.h>
#include <osmocom/sigtran/osmo_ss7.h>
#include <osmocom/sigtran/sigtran_sap.h>
}

namespace siptgw::isup::m3ua {

namespace {

std::atomic<bool> g_backend_in_use{false};
std::once_flag g_logging_once;

int osmoLogLevel(SigtranLogLevel l) {
  switch (l) {
    case SigtranLogLevel::Debug: return LOGL_DEBUG;
    case SigtranLogLevel::Info: return LOGL_INFO;
    case SigtranLogLevel::Notice: return LOGL_NOTICE;
    case SigtranLogLevel::Error: return LOGL_ERROR;
    case SigtranLogLevel::Fatal: return LOGL_FATAL;
  }
  return LOGL_ERROR;
}

osmo_ss7_as_traffic_mode osmoTrafficMode(TrafficMode m) {
  switch (m) {
    case TrafficMode::Override: return OSMO_SS7_AS_TMOD_OVERRIDE;
    case TrafficMode::Loadshare: return OSMO_SS7_AS_TMOD_LOADSHARE;
    case TrafficMode::Broadcast: return OSMO_SS7_AS_TMOD_BCAST;
    case TrafficMode::RoundRobin: return OSMO_SS7_AS_TMOD_ROUNDROBIN;
  }
  return OSMO_SS7_AS_TMOD_OVERRIDE;
}

// libosmocore wants at least one application log category.
log_info_cat g_log_cats[] = {
    {"DSIPTGW", "", "siptgw M3UA adapter", LOGL_NOTICE, 1},
};
log_info g_log_info = [] {
  log_info i{};
  i.cat = g_log_cats;
  i.num_cat = 1;
  return i;
}();

// One queued MTP-TRANSFER request. osmo_it_q links items through an llist_head that must
// come first; the item is ours (new/delete), never talloc'd.
struct TxItem {
  llist_head list;
  MtpTransfer msg;
};
static_assert(std::is_standard_layout_v<TxItem>);

class OsmoSigtranBackend final : public Backend {
 public:
  explicit OsmoSigtranBackend(SigtranPlan plan) : plan_(std::move(plan)) {}
  ~OsmoSigtranBackend() override { stop(); }

  Result<Ok, std::string> start(BackendListener& listener) override {
    if (thread_.joinable()) return Unexpected{std::string("m3ua: backend already started")};
    bool expected = false;
    if (!g_backend_in_use.compare_exchange_strong(expected, true))
      return Unexpected{std::string("m3ua: only one libosmo-sigtran backend per process")};
    listener_ = &listener;
    stop_requested_ = false;
    std::promise<std::string> ready;
    auto fut = ready.get_future();
    thread_ = std::thread([this, &ready] { run(ready); });
    std::string err = fut.get();
    if (!err.empty()) {
      thread_.join();
      g_backend_in_use = false;
      return Unexpected{std::move(err)};
    }
    return Ok{};
  }

  bool submit(const MtpTransfer& msg) override {
    std::lock_guard lk(q_mutex_);
    if (!q_) return false;
    auto* item = new TxItem{};
    item->msg = msg;
    if (_osmo_it_q_enqueue(q_, &item->list) != 0) {
      delete item;
      return false;
    }
    return true;
  }

  void stop() override {
    if (!thread_.joinable()) return;
    stop_requested_ = true;  // the state-poll timer wakes the loop at least every state_poll
    thread_.join();
    g_backend_in_use = false;
  }

 private:
  // ------------------------------------------------------------ ss7 thread
  void run(std::promise<std::string>& ready) {
    std::string err = setUp();
    const bool ok = err.empty();
    ready.set_value(std::move(err));  // `ready` is gone after this
    if (ok) {
      while (!stop_requested_) osmo_select_main_ctx(0);
    }
    tearDown();
    // osmo_ctx_init's per-thread contexts (OTC_GLOBAL, OTC_SELECT): nothing uses them now.
    if (osmo_ctx) {
      talloc_free(osmo_ctx);
      osmo_ctx = nullptr;
    }
  }

  std::string setUp() {
    // Per-thread libosmocore state: select loop, timers, OTC_* talloc contexts.
    if (osmo_ctx_init("ss7") < 0) return "m3ua: osmo_ctx_init failed";
    osmo_select_init();

    static void* const root = talloc_named_const(nullptr, 0, "siptgw-ss7");
    ctx_ = root;
    std::call_once(g_logging_once, [this] {
      msgb_talloc_ctx_init(ctx_, 0);
      osmo_init_logging2(ctx_, &g_log_info);
      log_set_print_category(osmo_stderr_target, 1);
      log_set_print_category_hex(osmo_stderr_target, 0);
      log_set_use_color(osmo_stderr_target, 0);
    });
    log_set_log_level(osmo_stderr_target, osmoLogLevel(plan_.log_level));

    if (osmo_ss7_init() < 0) return "m3ua: osmo_ss7_init failed";
    inst_ = osmo_ss7_instance_find_or_create(ctx_, plan_.instance_id);
    if (!inst_) return "m3ua: cannot create cs7 instance";
    if (osmo_ss7_instance_set_pc_fmt(inst_, plan_.pc_format[0], plan_.pc_format[1], plan_.pc_format[2]) < 0)
      return "m3ua: bad point code format";
    // Only MTP-TRANSFERs whose DPC equals primary_pc reach the MTP user.
    inst_->cfg.primary_pc = plan_.local_pc;
    inst_->cfg.network_indicator = plan_.network_indicator;

    as_ = osmo_ss7_as_find_or_create(inst_, plan_.as.name.c_str(), OSMO_SS7_ASP_PROT_M3UA);
    if (!as_) return "m3ua: cannot create AS " + plan_.as.name;
    as_->cfg.routing_key.context = plan_.as.has_routing_context ? plan_.as.routing_context : 0;
    as_->cfg.routing_key.pc = plan_.as.routing_key_pc;
    as_->cfg.mode = osmoTrafficMode(plan_.as.traffic_mode);
    as_->cfg.mode_set_by_vty = true;

    for (const auto& a : plan_.asps) {
      osmo_ss7_asp* asp = osmo_ss7_asp_find_or_create(inst_, a.name.c_str(), a.remote_port, a.local_port,
                                                      OSMO_SS7_ASP_PROT_M3UA);
      if (!asp) return "m3ua: cannot create ASP " + a.name;
      std::vector<const char*> local, remote;
      for (const auto& h : a.local_hosts) local.push_back(h.c_str());
      for (const auto& h : a.remote_hosts) remote.push_back(h.c_str());
      if (osmo_ss7_asp_peer_set_hosts(&asp->cfg.local, asp, local.data(), local.size()) < 0 ||
          osmo_ss7_asp_peer_set_hosts(&asp->cfg.remote, asp, remote.data(), remote.size()) < 0)
        return "m3ua: bad addresses for ASP " + a.name;
      asp->cfg.is_server = false;
      asp->cfg.role = OSMO_SS7_ASP_ROLE_ASP;
      asp->cfg.role_set_by_vty = true;
      if (osmo_ss7_as_add_asp(as_, asp->cfg.name) < 0) return "m3ua: cannot add ASP " + a.name + " to the AS";
      asps_.push_back(asp);
    }

    for (const auto& r : plan_.routes)
      if (!osmo_ss7_route_create(inst_->rtable_system, r.dpc, r.mask, as_->cfg.name))
        return "m3ua: cannot create route to " + formatPc(r.dpc, plan_.variant);

    user_.inst = inst_;
    user_.name = "siptgw";
    user_.prim_cb = &OsmoSigtranBackend::primCb;
    user_.priv = this;
    if (osmo_ss7_user_register(inst_, plan_.service_indicator, &user_) < 0)
      return "m3ua: service indicator " + std::to_string(plan_.service_indicator) + " already has a user";
    user_registered_ = true;

    // core → ss7 queue. In libosmocore 1.7 osmo_it_q_alloc sets the eventfd up but does
    // not register it with the select loop: the receiving thread does.
    osmo_it_q* q = osmo_it_q_alloc(ctx_, "siptgw-m3ua-tx", plan_.send_queue_limit, &OsmoSigtranBackend::txCb, this);
    if (!q) return "m3ua: cannot allocate the inter-thread queue";
    if (!osmo_fd_is_registered(&q->event_ofd) && osmo_fd_register(&q->event_ofd) < 0) {
      osmo_it_q_destroy(q);
      return "m3ua: cannot register the inter-thread queue's eventfd";
    }
    {
      std::lock_guard lk(q_mutex_);
      q_ = q;
    }

    for (osmo_ss7_asp* asp : asps_) {
      osmo_ss7_asp_use_default_lm(asp, LOGL_DEBUG);
      if (osmo_ss7_asp_restart(asp) < 0) return "m3ua: cannot start ASP " + std::string(asp->cfg.name);
      // libosmo-netif retries a lost/refused SCTP connection after 5 s unless told otherwise.
      if (asp->client) osmo_stream_cli_set_reconnect_timeout(asp->client, plan_.reconnect_interval_s);
    }

    osmo_timer_setup(&poll_timer_, &OsmoSigtranBackend::pollCb, this);
    poll();
    return {};
  }

  void tearDown() {
    osmo_timer_del(&poll_timer_);
    osmo_it_q* q = nullptr;
    {
      std::lock_guard lk(q_mutex_);
      std::swap(q, q_);
    }
    if (q) {
      // osmo_it_q_destroy would talloc_free leftover items, and dequeuing an empty queue
      // corrupts it in 1.7: drain exactly current_length items (only this thread dequeues).
      for (;;) {
        pthread_mutex_lock(&q->mutex);
        const unsigned n = q->current_length;
        pthread_mutex_unlock(&q->mutex);
        if (n == 0) break;
        delete reinterpret_cast<TxItem*>(_osmo_it_q_dequeue(q));
      }
      if (osmo_fd_is_registered(&q->event_ofd)) osmo_fd_unregister(&q->event_ofd);
      osmo_it_q_destroy(q);
    }
    if (user_registered_) osmo_ss7_user_unregister(inst_, plan_.service_indicator, &user_);
    user_registered_ = false;
    // Closes the associations (SCTP ABORT/SHUTDOWN to the peer) and frees AS, ASPs, routes.
    if (inst_) osmo_ss7_instance_destroy(inst_);
    inst_ = nullptr;
    as_ = nullptr;
    asps_.clear();
    // ctx_ itself stays: libosmocore's logging and msgb contexts hang off the first one.
  }

  static void pollCb(void* data) { static_cast<OsmoSigtranBackend*>(data)->poll(); }

  void poll() {
    sampleState();
    const auto ms = plan_.state_poll.count();
    osmo_timer_schedule(&poll_timer_, ms / 1000, static_cast<int>(ms % 1000) * 1000);
  }

  // Reports the AS/ASP state if it changed since the last sample. Also called before each
  // received MTP-TRANSFER: the NOTIFY(AS-ACTIVE) that precedes it on the association must
  // reach the user (as MTP-RESUME) before the message, or the user's answer would be refused.
  void sampleState() {
    // libosmo-sigtran 1.6 + libosmo-netif 1.2: when a write fails (peer gone, e.g. SCTP
    // SEND_FAILED), the stream client closes and schedules a reconnect on its own but
    // never tells the ASP FSM or the layer manager: the ASP stays ASP_ACTIVE with no
    // association, the AS stays active, sends vanish ("Cannot transmit") and after the
    // reconnect no ASPUP is sent. osmo_ss7_asp_disconnect() runs the path a failed read
    // takes: SCTP-COMM_DOWN to the ASP FSM, M-SCTP_RELEASE to the LM, then reconnect.
    for (osmo_ss7_asp* asp : asps_) {
      if (asp->client && asp->fi && !osmo_stream_cli_is_connected(asp->client) &&
          std::strcmp(osmo_fsm_inst_state_name(asp->fi), "ASP_DOWN") != 0) {
        LOGP(DLSS7, LOGL_ERROR, "asp-%s: association lost without notice, resetting the ASP\n", asp->cfg.name);
        osmo_ss7_asp_disconnect(asp);
      }
    }
    SigtranState s;
    s.as_state = osmo_fsm_inst_state_name(as_->fi);
    s.as_active = osmo_ss7_as_active(as_);
    for (osmo_ss7_asp* asp : asps_)
      s.asps.push_back({asp->cfg.name, osmo_fsm_inst_state_name(asp->fi), osmo_ss7_asp_active(asp)});
    if (!have_state_ || !(s == last_state_)) {
      have_state_ = true;
      last_state_ = s;
      listener_->onState(s);
    }
  }

  static void txCb(osmo_it_q* q, llist_head* item) {
    std::unique_ptr<TxItem> it(reinterpret_cast<TxItem*>(item));
    static_cast<OsmoSigtranBackend*>(q->data)->send(it->msg);
  }

  void send(const MtpTransfer& m) {
    msgb* msg = msgb_alloc_headroom(1024, 128, "siptgw-mtp-xfer");
    if (!msg) {
      listener_->onSendResult(false);
      return;
    }
    auto* omp = reinterpret_cast<osmo_mtp_prim*>(msgb_put(msg, sizeof(osmo_mtp_prim)));
    osmo_prim_init(&omp->oph, MTP_SAP_USER, OSMO_MTP_PRIM_TRANSFER, PRIM_OP_REQUEST, msg);
    omp->u.transfer.opc = m.header.opc;
    omp->u.transfer.dpc = m.header.dpc;
    omp->u.transfer.sls = m.header.sls;
    omp->u.transfer.sio = static_cast<uint8_t>((plan_.network_indicator & 0x3) << 6 | (m.header.service_indicator & 0xF));
    msg->l2h = msgb_put(msg, m.size);
    std::memcpy(msg->l2h, m.data.data(), m.size);
    // Takes the msgb whatever it returns; negative when there is no active route (AS down).
    const int rc = osmo_ss7_user_mtp_xfer_req(inst_, omp);
    listener_->onSendResult(rc >= 0);
  }

  static int primCb(osmo_prim_hdr* oph, void* priv) {
    auto* self = static_cast<OsmoSigtranBackend*>(priv);
    auto* omp = reinterpret_cast<osmo_mtp_prim*>(oph);
    int rc = 0;
    switch (oph->primitive) {
      case OSMO_MTP_PRIM_TRANSFER: {
        if (oph->operation != PRIM_OP_INDICATION) { rc = -1; break; }
        MtpTransfer t;
        t.header.opc = omp->u.transfer.opc;
        t.header.dpc = omp->u.transfer.dpc;
        t.header.sls = omp->u.transfer.sls;
        t.header.service_indicator = omp->u.transfer.sio & 0x0F;
        // 1.6 zeroes NI and priority in received SIOs (m3ua_dh_to_xfer_param): use ours.
        t.header.network_indicator = self->plan_.network_indicator;
        t.header.priority = 0;
        if (!oph->msg || !oph->msg->l2h) { rc = -1; break; }
        if (!t.setPayload({oph->msg->l2h, msgb_l2len(oph->msg)})) { rc = -1; break; }
        self->sampleState();
        self->listener_->onTransfer(t);
        break;
      }
      case OSMO_MTP_PRIM_PAUSE: self->listener_->onPause(omp->u.pause.affected_dpc); break;
      case OSMO_MTP_PRIM_RESUME: self->listener_->onResume(omp->u.resume.affected_dpc); break;
      case OSMO_MTP_PRIM_STATUS: {
        MtpStatus st;
        st.affected_dpc = omp->u.status.affected_dpc;
        // Q.704 §11.2.7 / RFC 4666 §3.4.5: causes as MTP-STATUS carries them.
        st.kind = MtpStatus::Kind::UserPartUnavailable;
        st.cause = static_cast<UserPartUnavailableCause>(omp->u.status.cause <= 2 ? omp->u.status.cause : 0);
        self->listener_->onStatus(st);
        break;
      }
      default: rc = -1;
    }
    if (oph->msg) msgb_free(oph->msg);
    return rc;
  }

  SigtranPlan plan_;
  BackendListener* listener_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_requested_{false};

  std::mutex q_mutex_;  // guards q_ against stop()'s teardown while another thread submits
  osmo_it_q* q_ = nullptr;

  // ss7 thread only
  void* ctx_ = nullptr;
  osmo_ss7_instance* inst_ = nullptr;
  osmo_ss7_as* as_ = nullptr;
  std::vector<osmo_ss7_asp*> asps_;
  osmo_ss7_user user_{};
  bool user_registered_ = false;
  osmo_timer_list poll_timer_{};
  SigtranState last_state_;
  bool have_state_ = false;
};

}  // namespace

std::unique_ptr<Backend> makeOsmoSigtranBackend(const SigtranPlan& plan) {
  return std::make_unique<OsmoSigtranBackend>(plan);
}

}  // namespace siptgw::isup::m3ua
