#pragma once
/// @file
/// The MQTT topic scheme: anpr/v1/<site>/<camera>/{read,status,health} and anpr/v1/hits.

#include <optional>
#include <string>
#include <string_view>

namespace anpr {

enum class TopicKind { kRead, kStatus, kHealth };

inline constexpr std::string_view kTopicRoot = "anpr/v1";
inline constexpr std::string_view kHitsTopic = "anpr/v1/hits";

[[nodiscard]] std::string camera_topic(std::string_view site_id, std::string_view camera_id, TopicKind kind);

/// Subscription filter for one kind across all sites and cameras, e.g. "anpr/v1/+/+/read".
[[nodiscard]] std::string topic_filter(TopicKind kind);

struct ParsedTopic {
  std::string site_id;
  std::string camera_id;
  TopicKind kind = TopicKind::kRead;
};

/// Splits a camera topic; nullopt when it is not of the scheme or an id is invalid.
[[nodiscard]] std::optional<ParsedTopic> parse_camera_topic(std::string_view topic);

}  // namespace anpr
