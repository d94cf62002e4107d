#include "anpr/common/topics.hpp"

#include <vector>

#include "anpr/common/enum_names.hpp"
#include "anpr/common/ids.hpp"

namespace anpr {
namespace {

constexpr EnumNames<TopicKind, 3> kKindNames = {
    {{TopicKind::kRead, "read"}, {TopicKind::kStatus, "status"}, {TopicKind::kHealth, "health"}}};

std::string_view kind_name(TopicKind kind) { return name_of(kind, kKindNames); }

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
  const std::optional<TopicKind> kind = value_named(levels[2], kKindNames);
  if (!kind) return std::nullopt;
  return ParsedTopic{std::string(levels[0]), std::string(levels[1]), *kind};
}

}  // namespace anpr
