#include "anpr/receiver/mqtt_ingest.hpp"

#include <mqtt/async_client.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "anpr/common/error.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/mqtt_tls.hpp"
#include "anpr/common/topics.hpp"

namespace anpr::receiver {
namespace {

/// The most messages one transaction stores: bounds the work lost if a commit fails.
constexpr std::size_t kMaxBatch = 500;

std::string subscription(const MqttSettings& s, TopicKind kind) {
  const std::string filter = topic_filter(kind);
  return s.share_group.empty() ? filter : "$share/" + s.share_group + "/" + filter;
}

}  // namespace

MqttIngest::MqttIngest(MqttSettings settings, Ingestor& ingestor)
    : settings_(std::move(settings)), ingestor_(ingestor) {}

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
  // A persistent session: QoS 1 reads sent while the receiver was away are delivered on return.
  if (v5) builder.clean_start(false);
  else builder.clean_session(false);
  if (!settings_.username.empty()) builder.user_name(settings_.username).password(settings_.password);
  add_mqtt_tls(builder, settings_.broker, settings_.ca_file, settings_.cert_file, settings_.key_file);
  auto options = builder.finalize();
  // Set on the final options, never through the builder: Paho C++ 1.2.0 does not re-point the C
  // properties when connect options are copied (eclipse-paho/paho.mqtt.cpp#444); reconnecting
  // with them crashed in MQTTProperties_copy on the edge.
  if (v5) options.set_properties({mqtt::property(mqtt::property::SESSION_EXPIRY_INTERVAL, 7 * 24 * 3600)});

  client->start_consuming();
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
  while (!stop) {
    // Batches: wait for a first message, take what else is already waiting (never wait for
    // more), and store them in one transaction. Under light load a batch is one message and adds
    // no latency; under heavy load messages queue while a batch commits, and one WAL sync then
    // covers hundreds of reads.
    std::vector<std::pair<std::string, std::string>> batch;
    mqtt::const_message_ptr msg;
    if (client->try_consume_message_for(&msg, std::chrono::milliseconds(200)) && msg) {
      batch.emplace_back(msg->get_topic(), msg->to_string());
      while (batch.size() < kMaxBatch && client->try_consume_message(&msg)) {
        if (msg) batch.emplace_back(msg->get_topic(), msg->to_string());
      }
    }
    if (!batch.empty()) {
      std::vector<IngestOutcome> outcomes;
      try {
        outcomes = ingestor_.handle_batch(batch);
      } catch (const std::exception& e) {
        // The commit failed (disk full, database locked): keep running and say so loudly.
        spdlog::error("could not store a batch of {} messages: {}", batch.size(), e.what());
      }
      for (std::size_t i = 0; i < outcomes.size(); ++i) {
        const IngestOutcome& outcome = outcomes[i];
        if (outcome.failed) spdlog::error("could not ingest a message on {}: {}", batch[i].first, outcome.error);
        else if (outcome.result == IngestResult::kRejected) {
          spdlog::warn("rejected a message on {}: {}", batch[i].first, outcome.error);
        }
        // Hits go out after the commit: a hit announced is a hit stored.
        for (const HitMessage& hit : outcome.hits) {
          spdlog::info("HIT {} on {} ({}, {} match) at {}", hit.plate, hit.list, hit.category, hit.match_kind, hit.camera_id);
          client->publish(std::string(kHitsTopic), encode(hit), 1, false);
        }
      }
    }
    if (std::chrono::steady_clock::now() - last_refresh > std::chrono::seconds(1)) {
      if (ingestor_.refresh_watchlists()) spdlog::info("watchlists reloaded");
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
