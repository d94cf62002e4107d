#include "anpr/common/topics.hpp"

#include <vector>

#include "anpr/common/ids.hpp"

namespace anpr {
namespace {

std::string_view kind_name(TopicKind kind) {
  switch (kind) {
    case TopicKind::kRead:
      return "read";
    case TopicKind::kStatus:
      return "status";
    case TopicKind::kHealth:
      return "health";
  }
  return "read";
}

}  // namespace

std::string camera_topic(std::string_view site_id, std::string_view camera_id, TopicKind kind) {
  std::string t(kTopicRoot);
  t.append("/").append(site_id).append("/").append(camera_id).append("/").append(kind_name(kind));
  return t;
}

std::string topic_filter(TopicKind kind) {
  return std::string(kTopicRoot) + "/+/+/" + std::string(kind_name(kind));
}

std::optional<ParsedTopic> parse_camera_topic(std::string_view topic) {
  const std::string root = std::string(kTopicRoot) + "/";
  if (topic.substr(0, root.size()) != root) return std::nullopt;
  std::vector<std::string_view> levels;
  std::string_view rest = topic.substr(root.size());
  for (std::size_t pos; (pos = rest.find('/')) != std::string_view::npos; rest.remove_prefix(pos + 1)) {
    levels.push_back(rest.substr(0, pos));
  }
  levels.push_back(rest);
  if (levels.size() != 3 || !is_valid_id(levels[0]) || !is_valid_id(levels[1])) return std::nullopt;
  for (TopicKind kind : {TopicKind::kRead, TopicKind::kStatus, TopicKind::kHealth}) {
    if (levels[2] == kind_name(kind)) {
      return ParsedTopic{std::string(levels[0]), std::string(levels[1]), kind};
    }
  }
  return std::nullopt;
}

}  // namespace anpr
