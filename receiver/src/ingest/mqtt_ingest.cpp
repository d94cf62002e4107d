#include "anpr/receiver/ingest/mqtt_ingest.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "anpr/common/error.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/stop_wait.hpp"
#include "anpr/common/topics.hpp"
#include "mqtt_session.hpp"

// Why ingest has its own MQTT session instead of Paho (the edge keeps Paho for publishing).
// A read must be committed before the broker hears it was taken (its PUBACK), and committing
// many reads per transaction is what makes the store fast. Paho C 1.3.11/1.3.12 (Debian 12,
// under Paho C++ 1.2.0) cannot do both: its one receive thread reads a PUBLISH and, in
// MQTTProtocol_handlePublishes (MQTTProtocolClient.c), calls Protocol_processPublication, which
// runs the message callback right there (MQTTAsyncUtils.c: MQTTAsync_deliverMessage) and then
// sends the PUBACK, whatever the callback returned; a message it queues instead (callback returned
// false) is acknowledged at once all the same. The next PUBLISH is read only after the callback
// returns, and that thread serves every client of the process. So a batch inside the callback
// holds one message, and blocking it stalls all clients; handing messages to another thread
// acknowledges them before they are stored. libmosquitto 2.0.11 (Debian 12) sends the PUBACK
// before its on_message callback and has no manual acknowledgement either. More receiver
// processes scale PostgreSQL a little but still commit one read at a time, and SQLite is one
// file. Manual acknowledgement is the standard answer (Paho Java's setManualAcks, HiveMQ's
// client): this session sends PUBACKs only when told, and announces an MQTT 5 Receive Maximum of
// two batches, so the broker keeps sending while a batch commits.

namespace anpr::receiver {
namespace {

/// How long a stopping receiver keeps retrying a failing commit before it leaves the message,
/// unacknowledged, with the broker.
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

/// A message that failed `attempt` times is kept whole among the dead letters, if the store takes
/// that write: the fault is then in the message (or in what only it needs), and retrying it for
/// ever would stop every read behind it. nullopt: the store refuses that too, it is down.
std::optional<IngestOutcome> set_aside(Ingestor& ingestor, const std::string& topic,
                                       const std::string& payload, int attempt, const std::string& error) {
  try {
    ingestor.set_aside(topic, payload, attempt, error);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  spdlog::critical(
      "a message on {} failed to store {} times ({}); kept whole among the dead letters, ingest goes on",
      topic, attempt, error);
  return IngestOutcome{IngestResult::kRejected, error, {}};
}

}  // namespace

MqttIngest::MqttIngest(MqttSettings settings, Ingestor& ingestor,
                       std::function<void(const std::vector<HitMessage>&)> on_hits)
    : settings_(std::move(settings)), ingestor_(ingestor), on_hits_(std::move(on_hits)) {}

std::optional<IngestOutcome> MqttIngest::store_until_kept(const std::string& topic,
                                                          const std::string& payload,
                                                          const IngestStopTokens& tokens) {
  using Clock = std::chrono::steady_clock;
  const Messages one = {{topic, payload}};
  auto backoff = std::chrono::milliseconds(200);
  std::optional<Clock::time_point> give_up_at;
  for (int attempt = 1;; ++attempt) {
    std::string error;
    try {
      return ingestor_.handle_batch(one).front();
    } catch (const std::exception& e) {
      error = e.what();  // nothing stored, nothing acknowledged: the broker holds all behind it
    }
    if (attempt >= kAttemptsBeforeSetAside) {
      if (auto kept = set_aside(ingestor_, topic, payload, attempt, error)) return kept;
    }
    if (tokens.stop.stop_requested() && !give_up_at) give_up_at = Clock::now() + kStopGrace;
    if (give_up_at && (Clock::now() >= *give_up_at || tokens.give_up.stop_requested())) {
      // Acknowledging would tell the broker a message is stored that is not. Unacknowledged, it
      // is delivered again when a receiver comes back.
      spdlog::critical(
          "stopping with a message on {} that could not be stored ({}); it stays with the broker", topic,
          error);
      return std::nullopt;
    }
    spdlog::error("could not store a message on {}: {}; retrying in {} ms", topic, error, backoff.count());
    // Until the stop, the stop ends the back-off (and starts the grace); after it, only a request
    // to give up does, and the grace bounds it.
    if (give_up_at)
      wait_or_stop(tokens.give_up, std::min<Clock::duration>(backoff, *give_up_at - Clock::now()));
    else
      wait_or_stop(tokens.stop, backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

void MqttIngest::report(const std::string& topic, const IngestOutcome& outcome, MqttSession& session) {
  if (outcome.result == IngestResult::kRejected) {
    if (const auto held_back = rejections_.occurred(LogThrottle::Clock::now())) {
      spdlog::warn(
          "rejected a message on {} (kept as a dead letter): {}{}", topic, outcome.error,
          *held_back > 0 ? fmt::format("; {} more rejected since the last message", *held_back) : "");
    }
  }
  // Hits go out after the commit: a hit announced is a hit stored.
  if (!outcome.hits.empty() && on_hits_) on_hits_(outcome.hits);
  for (const HitMessage& hit : outcome.hits) {
    spdlog::info("HIT {} on {} ({}, {} match) at {}", hit.plate, hit.list, hit.category, hit.match_kind,
                 hit.camera_id);
    session.publish(std::string(kHitsTopic), encode(hit));
  }
}

std::vector<IngestOutcome> MqttIngest::store_batch(const Messages& messages, const IngestStopTokens& tokens) {
  try {
    return ingestor_.handle_batch(messages);
  } catch (const std::exception& e) {
    // Nothing of the batch is stored. One message at a time finds the one at fault (set aside
    // after its retries) or waits out a store that is down, as before batching.
    spdlog::warn("a batch of {} messages could not be stored ({}); storing them one by one", messages.size(),
                 e.what());
  }
  std::vector<IngestOutcome> outcomes;
  outcomes.reserve(messages.size());
  for (const auto& [topic, payload] : messages) {
    auto outcome = store_until_kept(topic, payload, tokens);
    if (!outcome) break;  // stopping: this one and those after it stay with the broker
    outcomes.push_back(std::move(*outcome));
  }
  return outcomes;
}

IngestStopped MqttIngest::ingest_session(MqttSession& session, const IngestStopTokens& tokens) {
  // How long one receive waits for a first message when none comes. The stop ends the wait at
  // once; the bound is for the upkeep receive() does on each call (keep-alive pings, and hits the
  // broker's Receive Maximum held back).
  constexpr auto kIdleWait = std::chrono::milliseconds(100);
  Messages messages;
  std::vector<std::uint16_t> packet_ids;
  while (!tokens.stop.stop_requested()) {
    auto batch = session.receive(settings_.max_batch, kIdleWait, settings_.batch_wait);
    if (batch.empty()) continue;
    messages.clear();
    packet_ids.clear();
    for (auto& m : batch) {
      messages.emplace_back(std::move(m.topic), std::move(m.payload));
      packet_ids.push_back(m.packet_id);
    }
    const std::vector<IngestOutcome> outcomes = store_batch(messages, tokens);
    // Only now, with the messages committed, does the broker hear of them. A receiver that dies
    // before this line leaves them with the broker, which sends them again; so does stopping
    // with messages the store refused (those past the outcomes).
    packet_ids.resize(outcomes.size());
    session.acknowledge(packet_ids);
    for (std::size_t i = 0; i < outcomes.size(); ++i) report(messages[i].first, outcomes[i], session);
    if (outcomes.size() < messages.size()) return IngestStopped::kLeftWithBroker;
  }
  return IngestStopped::kDrained;
}

void MqttIngest::refresh_until(const std::stop_token& stop) {
  BacklogReport backlog;
  while (!wait_or_stop(stop, std::chrono::seconds(1))) {
    try {
      if (ingestor_.refresh_watchlists()) spdlog::info("watchlists reloaded");
      ingestor_.refresh_cameras();
      backlog.check(ingestor_.counters(), std::chrono::steady_clock::now());
    } catch (const std::exception& e) {
      spdlog::error("could not reload watchlists: {}", e.what());
    }
  }
}

IngestStopped MqttIngest::run(const IngestStopTokens& tokens) {
  const BrokerAddress address = BrokerAddress::parse(settings_.broker);
  if (settings_.max_batch < 1 || settings_.max_batch > 30'000)
    throw Error(ErrorCode::kConfig,
                "batch size " + std::to_string(settings_.max_batch) + ": must be 1-30000");
  std::vector<std::string> filters;
  for (TopicKind kind : {TopicKind::kRead, TopicKind::kStatus, TopicKind::kHealth})
    filters.push_back(subscription(settings_, kind));
  // The broker may send this many before the first is acknowledged: two batches, so one fills
  // while the other commits (MQTT caps it at 65,535).
  const auto receive_maximum =
      static_cast<std::uint16_t>(std::min<std::size_t>(2 * settings_.max_batch, 65'535));
  // Reloading a large watchlist takes seconds; ingest goes on meanwhile with the old snapshot.
  // Stopped (and joined) when run returns.
  std::jthread refresher([this](const std::stop_token& stop) { refresh_until(stop); });
  auto backoff = std::chrono::seconds(1);
  while (!tokens.stop.stop_requested()) {
    MqttSession session(settings_, address, filters, receive_maximum, tokens.stop);
    try {
      session.connect();
      spdlog::info("ingesting from {} as {}", settings_.broker, settings_.client_id);
      backoff = std::chrono::seconds(1);
      const IngestStopped how = ingest_session(session, tokens);
      session.disconnect();
      return how;  // ingest_session returns only when asked to stop
    } catch (const SessionLost& e) {
      // Whatever was taken but not acknowledged stays with the broker for the next connection.
      if (tokens.stop.stop_requested()) break;  // the stop cut a connect short
      spdlog::warn("broker {}: {}; connecting again in {} s", settings_.broker, e.what(), backoff.count());
      wait_or_stop(tokens.stop, backoff);
      backoff = std::min(backoff * 2, std::chrono::seconds(30));
    }
  }
  return IngestStopped::kDrained;
}

}  // namespace anpr::receiver
