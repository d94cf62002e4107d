#include "anpr/receiver/web/live_views.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "anpr/common/ids.hpp"
#include "anpr/receiver/services/live_notices.hpp"
#include "json_views.hpp"
#include "live_feed.hpp"

namespace anpr::receiver::web {
namespace {

LiveMessage view(const char* type, nlohmann::json body) {
  return std::make_shared<const std::string>(nlohmann::json{{"type", type}, {type, std::move(body)}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

LiveViews::LiveViews(LiveFeed* feed, int clock_skew_s)
    : feed_(feed), clock_skew_s_(clock_skew_s), origin_(make_uuid()) {}

std::vector<LiveMessage> LiveViews::views(const LiveBatch& batch) {
  std::vector<LiveMessage> views;
  views.reserve(batch.hits.size() + batch.faults.size() + batch.reads.size());
  // Hits first: they are what an operator acts on.
  for (const LiveHit& h : batch.hits)
    views.push_back(view("hit", hit_json(h.record, h.camera ? &*h.camera : nullptr, h.colour)));
  for (const LiveFault& f : batch.faults)
    views.push_back(view("fault", fault_json(f.fault, f.camera ? &*f.camera : nullptr)));
  for (const Sighting& read : batch.reads) {
    if (take_read_slot()) views.push_back(view("read", sighting_json(read, clock_skew_s_)));
  }
  return views;
}

void LiveViews::notify(Notifier& notices, const std::vector<LiveMessage>& views) {
  notify_receivers(notices, origin_, views);
}

void LiveViews::publish(std::vector<LiveMessage> messages) {
  if (feed_ != nullptr) feed_->publish(std::move(messages));
}

// Taken by value and moved into the shared message (clang-tidy 14 misses the move in a capture).
void LiveViews::broadcast(Notifier& notices,
                          std::string event) {  // NOLINT(performance-unnecessary-value-param)
  std::vector<LiveMessage> views{std::make_shared<const std::string>(std::move(event))};
  publish(views);
  try {
    notify_receivers(notices, origin_, views);
  } catch (const std::exception& e) {
    spdlog::warn("live notices: an acknowledgement could not be sent to the other receivers: {}", e.what());
  }
}

void LiveViews::received(std::string_view notice) {
  // Listening again after a lost connection: what other receivers stored meanwhile was never
  // heard, so the screens reload and show it from the store.
  if (notice.empty()) {
    publish({std::make_shared<const std::string>(kReloadView)});
    return;
  }
  publish(notice_views(notice, origin_));
}

std::int64_t LiveViews::reads_sampled_out() const {
  std::lock_guard lock(mutex_);
  return sampled_out_;
}

bool LiveViews::take_read_slot() {
  constexpr double kDepth = kReadsPerSecond / 4.0;
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  read_slots_ = std::min(
      kDepth, read_slots_ + std::chrono::duration<double>(now - slots_at_).count() * kReadsPerSecond);
  slots_at_ = now;
  if (read_slots_ < 1.0) {
    ++sampled_out_;
    return false;
  }
  read_slots_ -= 1.0;
  return true;
}

}  // namespace anpr::receiver::web
