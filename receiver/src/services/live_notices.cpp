#include "anpr/receiver/services/live_notices.hpp"

#include <algorithm>
#include <array>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "anpr/common/log_escaping.hpp"

namespace anpr::receiver {

void notify_receivers(Notifier& notices, const std::string& origin, const std::vector<LiveMessage>& views) {
  std::string notice = origin;
  const auto send = [&] {
    if (notice.size() > origin.size()) notices.notify(kLiveChannel, notice);
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

namespace {

// A real notice's views: a read's view is the smallest, well over 40 bytes.
constexpr std::size_t kMaxViewsPerNotice = kMaxNoticeBytes / 40;

// What the screens are sent: the types app.js shows.
bool is_screen_view(std::string_view line) {
  static constexpr std::array<std::string_view, 5> kTypes = {"hit", "fault", "read", "hit-state", "reload"};
  const auto json = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
  if (!json.is_object()) return false;
  const auto type = json.find("type");
  return type != json.end() && type->is_string() &&
         std::find(kTypes.begin(), kTypes.end(), type->get_ref<const std::string&>()) != kTypes.end();
}

}  // namespace

std::vector<LiveMessage> notice_views(std::string_view payload, std::string_view own_origin) {
  std::vector<LiveMessage> views;
  const auto first = payload.find('\n');
  if (first == std::string_view::npos) {  // no receiver sends one: logged once, dropped
    spdlog::warn("live notices: a notice without its sender's origin dropped: {}",
                 escape_control_characters(payload.substr(0, 120)));
    return views;
  }
  if (payload.substr(0, first) == own_origin) return views;
  for (std::size_t at = first + 1; at <= payload.size();) {
    auto end = payload.find('\n', at);
    if (end == std::string_view::npos) end = payload.size();
    const std::string_view line = payload.substr(at, end - at);
    at = end + 1;
    if (line.empty()) continue;
    if (views.size() == kMaxViewsPerNotice) {
      spdlog::warn("live notices: a notice with more than {} views dropped (no receiver sends one)",
                   kMaxViewsPerNotice);
      return {};
    }
    if (!is_screen_view(line)) {
      spdlog::warn("live notices: a line that is no screen view dropped: {}",
                   escape_control_characters(line.substr(0, 120)));
      continue;
    }
    views.push_back(std::make_shared<const std::string>(line));
  }
  return views;
}

}  // namespace anpr::receiver
