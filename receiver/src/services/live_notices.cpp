#include "anpr/receiver/services/live_notices.hpp"

#include <spdlog/spdlog.h>

namespace anpr::receiver {

void notify_receivers(Store& store, const std::string& origin, const std::vector<LiveMessage>& views) {
  std::string notice = origin;
  const auto send = [&] {
    if (notice.size() > origin.size()) store.notify(kLiveChannel, notice);
    notice = origin;
  };
  const std::string reload = kReloadView;
  for (const LiveMessage& view : views) {
    const std::string* text = view.get();
    if (origin.size() + 1 + text->size() > kMaxNoticeBytes) {
      // A hit with a very long reason or action: the other screens reload rather than miss it.
      spdlog::warn(
          "live notices: a change of {} bytes is too large for a notice; other receivers' screens reload",
          text->size());
      text = &reload;
    }
    if (notice.size() + 1 + text->size() > kMaxNoticeBytes) send();
    notice += '\n';
    notice += *text;
  }
  send();
}

std::vector<LiveMessage> notice_views(std::string_view payload, std::string_view own_origin) {
  std::vector<LiveMessage> views;
  const auto first = payload.find('\n');
  if (first == std::string_view::npos || payload.substr(0, first) == own_origin) return views;
  for (std::size_t at = first + 1; at <= payload.size();) {
    auto end = payload.find('\n', at);
    if (end == std::string_view::npos) end = payload.size();
    if (end > at) views.push_back(std::make_shared<const std::string>(payload.substr(at, end - at)));
    at = end + 1;
  }
  return views;
}

}  // namespace anpr::receiver
