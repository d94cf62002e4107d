#pragma once
/// @file
/// Pulls messages from the broker on its own thread (Paho's callbacks run on the library's
/// thread, so the consumer queue is used instead), hands each to the Ingestor, and publishes
/// the hits it raises on anpr/v1/hits.

#include <atomic>
#include <string>

#include "anpr/receiver/ingestor.hpp"

namespace anpr::receiver {

struct MqttSettings {
  std::string broker = "tcp://127.0.0.1:1883";
  std::string client_id = "anpr-receiver";
  std::string share_group;   ///< non-empty: subscribe as $share/<group>/... (MQTT 5)
  std::string username, password;
  int keep_alive_s = 20;
  std::string ca_file, cert_file, key_file;  ///< TLS (ssl:// broker): trust store, client certificate and key
};

class MqttIngest {
 public:
  MqttIngest(MqttSettings settings, Ingestor& ingestor);
  /// Connects (retrying until `stop` is set), subscribes and ingests until `stop` is set.
  /// Throws anpr::Error for configuration problems (bad broker URI).
  void run(const std::atomic<bool>& stop);

 private:
  MqttSettings settings_;
  Ingestor& ingestor_;
};

}  // namespace anpr::receiver
