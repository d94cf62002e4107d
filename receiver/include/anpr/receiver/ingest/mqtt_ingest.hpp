#pragma once
/// @file
/// Takes messages from the broker, stores them through the Ingestor, and publishes the hits they
/// raise on anpr/v1/hits.
///
/// A message is acknowledged to the broker only after it is committed: Paho sends the PUBACK when
/// the message callback returns, and the callback stores the message before it returns. A
/// receiver killed at any moment therefore loses nothing; the broker redelivers whatever was not
/// committed, and the read id makes the redelivery harmless. (Paho runs every callback of the
/// process on one thread under one lock, so the commit cannot be handed to another thread and
/// batched there without acknowledging first; scale out with more receivers on a shared
/// subscription instead.)

#include <atomic>
#include <functional>
#include <string>

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
};

class MqttIngest {
 public:
  /// `on_hits` (optional) hears of hits as soon as they are stored, e.g. to push them to screens.
  MqttIngest(MqttSettings settings, Ingestor& ingestor,
             std::function<void(const std::vector<HitMessage>&)> on_hits = {});
  /// Connects (retrying until `stop` is set), subscribes and ingests until `stop` is set.
  /// Throws anpr::Error for configuration problems (bad broker URI).
  void run(const std::atomic<bool>& stop);

 private:
  /// Stores one message, retrying with back-off while the store fails; a message that keeps
  /// failing while the store works is set aside whole among the dead letters. Returns only once
  /// the message is kept one way or the other (or the process exits unacknowledged on `stop`).
  IngestOutcome store_until_kept(const std::string& topic, const std::string& payload,
                                 const std::atomic<bool>& stop);

  MqttSettings settings_;
  Ingestor& ingestor_;
  std::function<void(const std::vector<HitMessage>&)> on_hits_;
  // A sender gone wrong can send bad messages as fast as the broker takes them: each is kept as a
  // dead letter with its reason, but the log says so at most every 10 s.
  LogThrottle rejections_{std::chrono::seconds(10)};
};

}  // namespace anpr::receiver
