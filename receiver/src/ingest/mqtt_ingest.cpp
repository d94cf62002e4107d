#include "anpr/receiver/ingest/mqtt_ingest.hpp"

#include <mqtt/async_client.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "anpr/common/error.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/mqtt_tls.hpp"
#include "anpr/common/topics.hpp"

namespace anpr::receiver {
namespace {

/// How long a stopping receiver keeps retrying a failing commit before it exits unacknowledged.
constexpr auto kStopGrace = std::chrono::seconds(5);

/// A message that fails this many times in a row (about 6 s of retries) while the store takes
/// other writes is set aside (Ingestor::set_aside) instead of holding up everything behind it.
constexpr int kAttemptsBeforeSetAside = 6;

std::string subscription(const MqttSettings& s, TopicKind kind) {
  const std::string filter = topic_filter(kind);
  return s.share_group.empty() ? filter : "$share/" + s.share_group + "/" + filter;
}

/// Says in the log how far behind ingest is while it works off a backlog (after an outage the
/// broker delivers what it queued, oldest first), and when it has caught up.
class BacklogReport {
 public:
  void check(const IngestCounters& now, std::chrono::steady_clock::time_point at) {
    constexpr std::int64_t kBehindMs = 60'000;
    if (at - last_ < std::chrono::seconds(10)) return;
    const std::int64_t stored = now.stored - stored_at_last_;
    if (now.behind_ms > kBehindMs && stored > 0) {
      spdlog::warn(
          "catching up: the newest read stored was captured {} s ago; {} reads stored in the last {} s",
          now.behind_ms / 1000, stored, std::chrono::duration_cast<std::chrono::seconds>(at - last_).count());
      behind_ = true;
    } else if (behind_ && now.behind_ms <= kBehindMs) {
      spdlog::info("caught up: reads are stored {} s after capture", now.behind_ms / 1000);
      behind_ = false;
    }
    last_ = at;
    stored_at_last_ = now.stored;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  std::int64_t stored_at_last_ = 0;
  bool behind_ = false;
};

}  // namespace

MqttIngest::MqttIngest(MqttSettings settings, Ingestor& ingestor,
                       std::function<void(const std::vector<HitMessage>&)> on_hits)
    : settings_(std::move(settings)), ingestor_(ingestor), on_hits_(std::move(on_hits)) {}

IngestOutcome MqttIngest::store_until_kept(const std::string& topic, const std::string& payload,
                                           const std::atomic<bool>& stop) {
  const std::vector<std::pair<std::string, std::string>> one = {{topic, payload}};
  auto backoff = std::chrono::milliseconds(200);
  std::optional<std::chrono::steady_clock::time_point> give_up_at;
  for (int attempt = 1;; ++attempt) {
    try {
      return ingestor_.handle_batch(one).front();
    } catch (const std::exception& e) {
      // Nothing stored, nothing acknowledged. The broker holds everything behind this message.
      if (attempt >= kAttemptsBeforeSetAside) {
        try {
          // The store takes this write but not the message: the fault is in the message (or in
          // what only it needs), and retrying it for ever would stop every read behind it.
          ingestor_.set_aside(topic, payload, attempt, e.what());
          spdlog::critical(
              "a message on {} failed to store {} times ({}); kept whole among the dead letters, "
              "ingest goes on",
              topic, attempt, e.what());
          return IngestOutcome{IngestResult::kRejected, e.what(), {}};
        } catch (const std::exception&) {
          // The store refuses that too: it is down. Keep the message and keep trying.
        }
      }
      if (stop && !give_up_at) give_up_at = std::chrono::steady_clock::now() + kStopGrace;
      if (give_up_at && std::chrono::steady_clock::now() > *give_up_at) {
        // Returning would acknowledge a message that is not stored. Leaving without the
        // acknowledgement makes the broker deliver it again when a receiver comes back.
        spdlog::critical(
            "stopping with a message on {} that could not be stored ({}); it stays with the broker", topic,
            e.what());
        std::_Exit(75);
      }
      spdlog::error("could not store a message on {}: {}; retrying in {} ms", topic, e.what(),
                    backoff.count());
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
  }
}

void MqttIngest::run(const std::atomic<bool>& stop) {
  const bool v5 = !settings_.share_group.empty();
  std::unique_ptr<mqtt::async_client> client;
  try {
    client = std::make_unique<mqtt::async_client>(
        settings_.broker, settings_.client_id, mqtt::create_options(v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1));
  } catch (const mqtt::exception& e) {
    throw Error(ErrorCode::kConfig, "broker '" + settings_.broker + "': " + e.what());
  }
  mqtt::connect_options_builder builder;
  builder.mqtt_version(v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1);
  builder.keep_alive_interval(std::chrono::seconds(settings_.keep_alive_s))
      .automatic_reconnect(std::chrono::seconds(1), std::chrono::seconds(30));
  // A persistent session: QoS 1 reads sent while the receiver was away, or delivered but not
  // acknowledged before it died, are delivered on return.
  if (v5)
    builder.clean_start(false);
  else
    builder.clean_session(false);
  if (!settings_.username.empty()) builder.user_name(settings_.username).password(settings_.password);
  add_mqtt_tls(builder, settings_.broker, settings_.ca_file, settings_.cert_file, settings_.key_file);
  auto options = builder.finalize();
  // Set on the final options, never through the builder: Paho C++ 1.2.0 does not re-point the C
  // properties when connect options are copied (eclipse-paho/paho.mqtt.cpp#444); reconnecting
  // with them crashed in MQTTProperties_copy on the edge.
  if (v5) options.set_properties({mqtt::property(mqtt::property::SESSION_EXPIRY_INTERVAL, 7 * 24 * 3600)});

  // Runs on Paho's thread; Paho sends the PUBACK when it returns, so it returns only once the
  // message is committed (or rejected into the dead letters, which is committed too).
  client->set_message_callback([&](const mqtt::const_message_ptr& msg) {
    const IngestOutcome outcome = store_until_kept(msg->get_topic(), msg->to_string(), stop);
    if (outcome.result == IngestResult::kRejected) {
      if (const auto held_back = rejections_.occurred(LogThrottle::Clock::now())) {
        spdlog::warn(
            "rejected a message on {} (kept as a dead letter): {}{}", msg->get_topic(), outcome.error,
            *held_back > 0 ? fmt::format("; {} more rejected since the last message", *held_back) : "");
      }
    }
    // Hits go out after the commit: a hit announced is a hit stored.
    if (!outcome.hits.empty() && on_hits_) on_hits_(outcome.hits);
    for (const HitMessage& hit : outcome.hits) {
      spdlog::info("HIT {} on {} ({}, {} match) at {}", hit.plate, hit.list, hit.category, hit.match_kind,
                   hit.camera_id);
      try {
        client->publish(std::string(kHitsTopic), encode(hit), 1, false);
      } catch (const mqtt::exception& e) {
        spdlog::warn("hit {} stored but not announced on {}: {}", hit.hit_id, kHitsTopic, e.what());
      }
    }
  });

  while (!stop) {
    try {
      client->connect(options)->wait();
      break;
    } catch (const mqtt::exception& e) {
      spdlog::warn("cannot connect to {}: {}; retrying in 2 s", settings_.broker, e.what());
      std::this_thread::sleep_for(std::chrono::seconds(2));
    }
  }
  if (stop) return;
  for (TopicKind kind : {TopicKind::kRead, TopicKind::kStatus, TopicKind::kHealth}) {
    client->subscribe(subscription(settings_, kind), 1)->wait();
  }
  spdlog::info("ingesting from {} as {}", settings_.broker, settings_.client_id);

  auto last_refresh = std::chrono::steady_clock::now();
  BacklogReport backlog;
  while (!stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (std::chrono::steady_clock::now() - last_refresh > std::chrono::seconds(1)) {
      try {
        if (ingestor_.refresh_watchlists()) spdlog::info("watchlists reloaded");
        ingestor_.refresh_cameras();
        backlog.check(ingestor_.counters(), std::chrono::steady_clock::now());
      } catch (const std::exception& e) {
        spdlog::error("could not reload watchlists: {}", e.what());
      }
      last_refresh = std::chrono::steady_clock::now();
    }
  }
  try {
    client->disconnect()->wait_for(std::chrono::seconds(2));
  } catch (const mqtt::exception& e) {
    spdlog::warn("disconnect: {}", e.what());
  }
}

}  // namespace anpr::receiver
