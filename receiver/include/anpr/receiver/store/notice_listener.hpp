#pragma once
/// @file
/// Notices from other processes sharing the database (Notifier::notify): a connection of its own
/// that LISTENs on one channel and hands each notice's payload over on a thread of its own.
/// Several receivers share one PostgreSQL database through an MQTT 5 shared subscription, so a
/// hit one of them stores must reach the screens the others serve; SQLite is one receiver on one
/// box, whose parts tell each other in process, so there is nothing to listen for.

#include <functional>
#include <memory>
#include <string>

namespace anpr::receiver {

class NoticeListener {
 public:
  virtual ~NoticeListener() = default;
};

/// Starts listening on `channel` of `database` and calls `on_notice` with each payload, on the
/// listener's thread, until the listener is destroyed (which ends the wait at once). A lost
/// connection is made again with back-off (1 s doubling to 30 s); what was notified meanwhile is
/// missed, and once listening again the callback gets an empty payload to say so (and only then:
/// an empty notice someone sent is logged and dropped). Returns nullptr for a SQLite database.
/// Throws anpr::Error naming the database when the first connection fails.
[[nodiscard]] std::unique_ptr<NoticeListener> listen_for_notices(const std::string& database,
                                                                 const std::string& channel,
                                                                 std::function<void(std::string)> on_notice);

}  // namespace anpr::receiver
