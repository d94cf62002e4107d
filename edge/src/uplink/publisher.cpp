#include "anpr/edge/uplink/publisher.hpp"

#include <map>

#include <mqtt/async_client.h>
#include <spdlog/spdlog.h>

#include "anpr/common/error.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/mqtt_tls.hpp"
#include "anpr/common/topics.hpp"

namespace anpr::edge {
namespace {

constexpr auto kConnectTimeout = std::chrono::seconds(10);
/// A publish not acknowledged within this is sent again (the receiver drops the duplicate).
constexpr auto kAckTimeout = std::chrono::seconds(60);

/// After a publish Paho refused (a full buffer, a connection going down), the next try.
constexpr auto kRetryAfterRefusal = std::chrono::seconds(1);

struct InFlight {
  mqtt::delivery_token_ptr token;
  std::chrono::steady_clock::time_point sent_at;
};

/// Wakes the sending loop when the broker acknowledges a publish or it fails, so that the loop
/// sleeps until there is something to do instead of polling its tokens.
class WakeOnCompletion : public mqtt::iaction_listener {
 public:
  explicit WakeOnCompletion(std::function<void()> wake) : wake_(std::move(wake)) {}
  void on_success(const mqtt::token& /*token*/) override { wake_(); }
  void on_failure(const mqtt::token& /*token*/) override { wake_(); }

 private:
  std::function<void()> wake_;
};

}  // namespace

struct Publisher::Impl {
  MqttSettings settings;
  std::string camera_id, site_id, version;
  Spool& spool;
  // Before the client: Paho may call it until the client is destroyed.
  std::unique_ptr<WakeOnCompletion> on_completion;
  std::unique_ptr<mqtt::async_client> client;
  mqtt::connect_options options;
  std::map<std::uint64_t, InFlight> in_flight;  // spool sequence -> publish
  bool publish_refused = false;                 // the last send_from_spool stopped at a publish Paho refused

  Impl(MqttSettings s, std::string cam, std::string site, std::string ver, Spool& sp)
      : settings(std::move(s)),
        camera_id(std::move(cam)),
        site_id(std::move(site)),
        version(std::move(ver)),
        spool(sp) {}

  [[nodiscard]] std::string status_payload(CameraState state, TimestampMs at = now_ms()) const {
    return encode(StatusMessage{camera_id, site_id, state, at, version});
  }
  [[nodiscard]] std::string status_topic() const {
    return camera_topic(site_id, camera_id, TopicKind::kStatus);
  }
};

Publisher::Publisher(MqttSettings settings, std::string camera_id, std::string site_id, std::string version,
                     Spool& spool)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(camera_id), std::move(site_id),
                                   std::move(version), spool)) {
  auto& s = impl_->settings;
  const bool v5 = s.version == 5;
  // Our spool is the persistence: Paho keeps nothing on disk (nullptr persistence).
  try {
    impl_->client = std::make_unique<mqtt::async_client>(
        s.broker, "anpr-edge-" + impl_->camera_id,
        mqtt::create_options(v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1), nullptr);
  } catch (const mqtt::exception& e) {
    throw Error(ErrorCode::kConfig, "mqtt.broker '" + s.broker + "': " + e.what());
  }
  mqtt::connect_options_builder builder;
  builder.mqtt_version(v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1)
      .keep_alive_interval(std::chrono::seconds(s.keep_alive_s))
      .connect_timeout(kConnectTimeout)
      .max_inflight(s.max_in_flight + 8)  // room for status and health beside the reads
      .will(mqtt::message(impl_->status_topic(), impl_->status_payload(CameraState::kOffline), 1, true));
  // A persistent session, so QoS 1 messages in flight survive a broken connection (the spool
  // resends whatever was not acknowledged in any case).
  if (v5)
    builder.clean_start(false);
  else
    builder.clean_session(false);
  if (!s.username.empty()) builder.user_name(s.username).password(s.password);
  add_mqtt_tls(builder, s.broker, s.ca_file, s.cert_file, s.key_file);
  impl_->options = builder.finalize();
  if (v5) {
    // Set on the stored options, never through the builder: Paho C++ 1.2.0 does not re-point the
    // C properties when connect options are copied (eclipse-paho/paho.mqtt.cpp#444, fixed in
    // 1.3), and a reconnect then crashed in MQTTProperties_copy here.
    impl_->options.set_properties({mqtt::property(mqtt::property::SESSION_EXPIRY_INTERVAL, 7 * 24 * 3600)});
  }
  impl_->on_completion = std::make_unique<WakeOnCompletion>([this] { wake(); });
  impl_->client->set_connection_lost_handler([this](const std::string& cause) {
    connected_ = false;
    spdlog::warn("mqtt: connection to {} lost{}{}", impl_->settings.broker, cause.empty() ? "" : ": ", cause);
    wake();
  });
}

Publisher::~Publisher() {
  stop();
  // Paho's threads call wake() (connection lost, acknowledgements) until the client is gone: it
  // goes while the mutex and condition they use are still alive.
  impl_->client.reset();
}

void Publisher::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
}

void Publisher::wake() {
  std::lock_guard lock(mutex_);
  woken_ = true;
  wake_.notify_all();
}

void Publisher::publish_health(const HealthMessage& health) {
  if (!connected_) return;
  try {
    impl_->client->publish(camera_topic(impl_->site_id, impl_->camera_id, TopicKind::kHealth), encode(health),
                           1, false);
  } catch (const mqtt::exception& e) {
    spdlog::debug("mqtt: health not sent: {}", e.what());
  }
}

bool Publisher::drain(std::chrono::milliseconds timeout) {
  wake();  // send what is spooled now, not at the loop's next round
  std::unique_lock lock(mutex_);
  // Woken each time the sending loop deletes acknowledged reads from the spool.
  return acknowledged_now_.wait_for(lock, timeout, [this] { return impl_->spool.stats().depth == 0; });
}

void Publisher::stop() {
  if (stopping_.exchange(true)) return;
  wake();
  if (thread_.joinable()) thread_.join();
  if (impl_->client && impl_->client->is_connected()) {
    try {
      // A clean disconnect does not fire the Last Will: say "offline" ourselves.
      impl_->client->publish(impl_->status_topic(), impl_->status_payload(CameraState::kOffline), 1, true)
          ->wait_for(std::chrono::seconds(2));
      impl_->client->disconnect(std::chrono::milliseconds(500))->wait_for(std::chrono::seconds(2));
    } catch (const mqtt::exception& e) {
      spdlog::warn("mqtt: clean disconnect failed: {}", e.what());
    }
  }
  connected_ = false;
}

void Publisher::loop() {
  auto backoff = std::chrono::seconds(1);
  bool ever_connected = false;
  TimestampMs session_at = 0;
  while (!stopping_) {
    try {
      if (!step(ever_connected, session_at, backoff)) continue;
    } catch (const std::exception& e) {
      // Nothing that goes wrong in one round may end the process: systemd would restart it into
      // the same fault and no read would ever be sent again. Count it (health), say it, go on.
      ++errors_;
      if (const auto held_back = error_log_.occurred(std::chrono::steady_clock::now())) {
        spdlog::error("mqtt: publisher round failed: {} ({} more such failures not logged)", e.what(),
                      *held_back);
      }
    }
    // Asleep until a read is spooled, the broker acknowledges or fails a publish, the connection
    // drops or stop() is called; or, with reads in flight, until the oldest is due to be resent.
    std::unique_lock lock(mutex_);
    if (const auto deadline = next_deadline()) {
      wake_.wait_until(lock, *deadline, [&] { return woken_; });
    } else {
      wake_.wait(lock, [&] { return woken_; });
    }
    woken_ = false;
  }
}

std::optional<std::chrono::steady_clock::time_point> Publisher::next_deadline() const {
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (impl_->publish_refused) deadline = std::chrono::steady_clock::now() + kRetryAfterRefusal;
  for (const auto& [seq, flight] : impl_->in_flight) {
    const auto resend_at = flight.sent_at + kAckTimeout;
    if (!deadline || resend_at < *deadline) deadline = resend_at;
  }
  return deadline;
}

bool Publisher::step(bool& ever_connected, TimestampMs& session_at, std::chrono::seconds& backoff) {
  if (!impl_->client->is_connected() && !connect(ever_connected, session_at, backoff)) return false;
  reap_acknowledgements();
  send_from_spool();
  return true;
}

bool Publisher::connect(bool& ever_connected, TimestampMs& session_at, std::chrono::seconds& backoff) {
  auto& client = *impl_->client;
  connected_ = false;
  impl_->in_flight.clear();  // unacknowledged reads stay in the spool and are sent again
  // The Last Will and the "online" that follows carry the same time: a receiver keeps the
  // newest state by time, so the Will (published later by the broker) must not look older
  // than the online it ends. A later connection's online is newer than both.
  session_at = now_ms();
  impl_->options.set_will(mqtt::message(impl_->status_topic(),
                                        impl_->status_payload(CameraState::kOffline, session_at), 1, true));
  try {
    client.connect(impl_->options)->wait_for(kConnectTimeout + std::chrono::seconds(1));
  } catch (const mqtt::exception& e) {
    spdlog::warn("mqtt: cannot connect to {}: {}; retrying in {} s", impl_->settings.broker, e.what(),
                 backoff.count());
  }
  if (!client.is_connected()) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, backoff, [&] { return stopping_.load(); });
    backoff = std::min(std::chrono::seconds(impl_->settings.reconnect_max_s), backoff * 2);
    return false;
  }
  backoff = std::chrono::seconds(1);
  if (ever_connected) ++reconnects_;
  ever_connected = true;
  connected_ = true;
  spdlog::info("mqtt: connected to {} as anpr-edge-{}", impl_->settings.broker, impl_->camera_id);
  try {
    client.publish(impl_->status_topic(), impl_->status_payload(CameraState::kOnline, session_at), 1, true);
  } catch (const mqtt::exception& e) {
    spdlog::warn("mqtt: online status not sent: {}", e.what());
  }
  return true;
}

void Publisher::reap_acknowledgements() {
  // Only an acknowledged read is safe to delete from the spool.
  const auto now = std::chrono::steady_clock::now();
  bool removed = false;
  for (auto it = impl_->in_flight.begin(); it != impl_->in_flight.end();) {
    const auto& token = it->second.token;
    if (token->is_complete()) {
      if (token->get_return_code() == MQTTASYNC_SUCCESS) {
        impl_->spool.remove(it->first);
        ++acknowledged_;
        removed = true;
      }
      it = impl_->in_flight.erase(it);
    } else if (now - it->second.sent_at > kAckTimeout) {
      it = impl_->in_flight.erase(it);  // sent again by send_from_spool
    } else {
      ++it;
    }
  }
  if (removed) {
    // Under the lock, so that a drain between its look at the spool and its wait still hears it.
    const std::lock_guard lock(mutex_);
    acknowledged_now_.notify_all();
  }
}

void Publisher::send_from_spool() {
  // Oldest first, up to the in-flight window.
  const auto now = std::chrono::steady_clock::now();
  const auto room = static_cast<std::size_t>(impl_->settings.max_in_flight) - impl_->in_flight.size();
  std::vector<std::uint64_t> busy;
  for (const auto& [seq, f] : impl_->in_flight) busy.push_back(seq);
  impl_->publish_refused = false;
  for (std::uint64_t seq : impl_->spool.oldest(room, busy)) {
    const auto message = impl_->spool.load(seq);
    if (!message) continue;
    try {
      impl_->in_flight[seq] = {
          impl_->client->publish(message->topic, message->payload.data(), message->payload.size(), 1, false,
                                 nullptr, *impl_->on_completion),
          now};
    } catch (const mqtt::exception& e) {
      spdlog::warn("mqtt: publish of spooled read #{} failed: {}", seq, e.what());
      impl_->publish_refused = true;
      break;
    }
  }
}

}  // namespace anpr::edge
