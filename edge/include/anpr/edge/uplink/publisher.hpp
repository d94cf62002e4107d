#pragma once
/// @file
/// MQTT out (Eclipse Paho MQTT C++, async client): sends the spool's reads oldest first at QoS 1
/// and deletes each only when the broker acknowledged it; keeps a persistent session under a
/// client id made from the camera id; publishes a retained "online" status on every connect and
/// registers a retained "offline" Last Will; sends health on request. Reconnects with backoff
/// for as long as it runs. Reads may reach the broker twice (a lost acknowledgement, a replay
/// after a crash); the receiver is idempotent on the read id.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "anpr/common/log_throttle.hpp"
#include "anpr/common/messages.hpp"
#include "anpr/edge/edge_config.hpp"
#include "anpr/edge/uplink/spool.hpp"

namespace anpr::edge {

class Publisher {
 public:
  /// Validates the broker URI and TLS files; throws anpr::Error naming the problem.
  Publisher(MqttSettings settings, std::string camera_id, std::string site_id, std::string version,
            Spool& spool);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  /// Starts the sending thread (it connects in the background).
  void start();
  /// A new read is in the spool.
  void wake();
  /// Sends a health message now if connected (health is not spooled: only the latest matters).
  void publish_health(const HealthMessage& health);
  /// Waits until the spool is empty or the timeout passes; true when empty.
  bool drain(std::chrono::milliseconds timeout);
  /// Publishes the retained offline status, disconnects and stops the thread.
  void stop();

  [[nodiscard]] bool connected() const { return connected_.load(); }
  [[nodiscard]] std::int64_t reconnects() const { return reconnects_.load(); }
  [[nodiscard]] std::int64_t sent() const { return acknowledged_.load(); }
  /// Rounds of the sending loop that failed with an exception (logged, then carried on).
  [[nodiscard]] std::int64_t errors() const { return errors_.load(); }

 private:
  struct Impl;
  void loop();
  /// One round: (re)connect if needed, reap acknowledgements, send more. False when it could not
  /// connect (it has already waited its backoff).
  bool step(bool& ever_connected, TimestampMs& session_at, std::chrono::seconds& backoff);
  /// Connects with this session's Last Will and says "online"; false (after waiting the backoff,
  /// which it then doubles) when the broker cannot be reached.
  bool connect(bool& ever_connected, TimestampMs& session_at, std::chrono::seconds& backoff);
  void reap_acknowledgements();
  void send_from_spool();
  /// When the loop must look again without being woken: the oldest in-flight read's resend time,
  /// or soon after a refused publish; none when only an event can bring work.
  [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> next_deadline() const;

  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  std::condition_variable acknowledged_now_;  ///< acknowledged reads were deleted from the spool
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  std::atomic<std::int64_t> reconnects_{0};
  std::atomic<std::int64_t> acknowledged_{0};
  std::atomic<std::int64_t> errors_{0};
  LogThrottle error_log_{std::chrono::seconds(10)};
};

}  // namespace anpr::edge
