#pragma once
/// @file
/// The live feed between receivers sharing one PostgreSQL database: each change one receiver
/// stores is NOTIFYed on kLiveChannel from the storing transaction, and every receiver's
/// NoticeListener (store/notice_listener.hpp) hands the notice to its own screens. A notice is
/// the sender's origin (a UUID per process, so a receiver skips its own, which its screens had
/// in process) and the views, one JSON text per line: JSON text holds no raw line break.

#include <string>
#include <string_view>
#include <vector>

#include "anpr/receiver/live_events.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver {

/// The channel the receivers sharing a database tell each other on.
inline constexpr const char* kLiveChannel = "anpr_live";
/// A notice's payload is at most this long: PostgreSQL refuses 8000 bytes or more.
inline constexpr std::size_t kMaxNoticeBytes = 7999;
/// What a receiver's screens get instead of a change too large for one notice: they reload and
/// so show it (from the store, as any page load does).
inline constexpr const char* kReloadView = R"({"type":"reload"})";

/// Tells the other receivers about `views` (Notifier::notify: with the transaction in progress
/// when it commits), in as few notices as fit kMaxNoticeBytes. Nothing for SQLite.
void notify_receivers(Notifier& notices, const std::string& origin, const std::vector<LiveMessage>& views);

/// The views a notice carries; none when it is from `own_origin` or is not a notice. Any role that
/// can connect to the database can NOTIFY, so a notice is input like any other: only lines that
/// are JSON objects of a type the screens show pass (others are logged and dropped), and a notice
/// with more views than a real one can hold is dropped whole.
[[nodiscard]] std::vector<LiveMessage> notice_views(std::string_view payload, std::string_view own_origin);

}  // namespace anpr::receiver
