#pragma once
/// @file
/// Takes messages from the broker, stores them through the Ingestor, and publishes the hits they
/// raise on anpr/v1/hits.
///
/// Messages are stored in batches, many per transaction, and a message is acknowledged to the
/// broker (its PUBACK sent) only after the transaction that holds it is committed. A receiver
/// killed at any moment therefore loses nothing; the broker redelivers whatever was not
/// acknowledged, and the read id makes the redelivery harmless. The connection is the receiver's
/// own MQTT 5 session (mqtt_session.hpp), not Paho's: Paho sends each PUBACK as its message
/// callback returns, before a batch could be committed (docs/architecture.md, "Ingest").

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "anpr/common/log_throttle.hpp"
#include "anpr/receiver/ingest/ingestor.hpp"

namespace anpr::receiver {

struct MqttSettings {
  std::string broker = "tcp://127.0.0.1:1883";
  std::string client_id = "anpr-receiver";
  std::string share_group;  ///< non-empty: subscribe as $share/<group>/... (MQTT 5)
  std::string username, password;
  int keep_alive_s = 20;
  std::string ca_file, cert_file, key_file;  ///< TLS (ssl:// broker): trust store, client certificate and key
  /// Most messages stored in one transaction; the broker may send twice as many before the first
  /// is acknowledged (MQTT 5 Receive Maximum), so the next batch arrives while one commits.
  std::size_t max_batch = 500;
  /// How long a batch waits for more messages after its first: bounds what batching adds to a
  /// hit's latency (goal: under 100 ms from publish to hit).
  std::chrono::milliseconds batch_wait{10};
};

class MqttSession;

/// How ingest ended once asked to stop.
enum class IngestStopped {
  kDrained,        ///< every message it took was stored (or kept as a dead letter) and acknowledged
  kLeftWithBroker  ///< a message could not be stored in time: unacknowledged, the broker keeps it
};

/// When ingest stops: `stop` ends it (the batch in flight is stored and acknowledged first);
/// `give_up`, if requested too, ends at once the retries of a commit that the store refuses,
/// which otherwise go on for a grace period after `stop`.
struct IngestStopTokens {
  std::stop_token stop;
  std::stop_token give_up;
};

class MqttIngest {
 public:
  /// `on_hits` (optional) hears of hits as soon as they are stored, e.g. to push them to screens.
  MqttIngest(MqttSettings settings, Ingestor& ingestor,
             std::function<void(const std::vector<HitMessage>&)> on_hits = {});
  /// Connects (reconnecting with back-off while the broker is away), subscribes and ingests until
  /// `stop` is requested, which also cuts short a connect or a back-off at once. Then it takes no
  /// new message, finishes the batch in flight and disconnects. Throws anpr::Error for
  /// configuration problems (bad broker URI, batch settings).
  IngestStopped run(const IngestStopTokens& tokens);
  /// The same, with no request to give up: a refused commit is retried for the grace period.
  IngestStopped run(std::stop_token stop) { return run(IngestStopTokens{std::move(stop), {}}); }

 private:
  using Messages = std::vector<std::pair<std::string, std::string>>;  ///< topic, payload
  /// Takes batches from one connection until `stop` is requested or the connection is lost.
  IngestStopped ingest_session(MqttSession& session, const IngestStopTokens& tokens);
  /// Stores a batch in one transaction; if that fails, message by message (store_until_kept), so
  /// one bad message cannot hold up the rest. Returns an outcome for each message kept one way or
  /// the other, in order: fewer than the messages only when stopping left the rest unstored.
  std::vector<IngestOutcome> store_batch(const Messages& messages, const IngestStopTokens& tokens);
  /// Logs a rejection or the hits of a stored message and announces the hits.
  void report(const std::string& topic, const IngestOutcome& outcome, MqttSession& session);
  /// Reloads watchlists and cameras every second, beside ingest, until asked to stop.
  void refresh_until(const std::stop_token& stop);

  /// Stores one message, retrying with back-off while the store fails; a message that keeps
  /// failing while the store works is set aside whole among the dead letters. Returns once the
  /// message is kept one way or the other, or nullopt when stopping left it unstored (after the
  /// grace period, or at once on `give_up`).
  std::optional<IngestOutcome> store_until_kept(const std::string& topic, const std::string& payload,
                                                const IngestStopTokens& tokens);

  MqttSettings settings_;
  Ingestor& ingestor_;
  std::function<void(const std::vector<HitMessage>&)> on_hits_;
  // A sender gone wrong can send bad messages as fast as the broker takes them: each is kept as a
  // dead letter with its reason, but the log says so at most every 10 s.
  LogThrottle rejections_{std::chrono::seconds(10)};
};

}  // namespace anpr::receiver
