#pragma once
/// @file
/// The messages edge and receiver exchange over MQTT (docs/messages.md is the contract).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "anpr/common/encoding.hpp"
#include "anpr/common/time.hpp"

namespace anpr {

/// The schema version this build writes and reads.
inline constexpr int kSchemaVersion = 1;

/// Hard limits every decoder enforces before it trusts a message.
struct MessageLimits {
  static constexpr std::size_t kMaxPayloadBytes = 2 * 1024 * 1024;
  static constexpr std::size_t kMaxCropBytes = 256 * 1024;
  static constexpr std::size_t kMaxOverviewBytes = 1024 * 1024;
  static constexpr std::size_t kMaxCandidates = 10;
  static constexpr int kMaxJsonDepth = 8;
  static constexpr int kMaxBoxCoordinate = 20000;
  static constexpr std::int64_t kMaxFramesSeen = 1'000'000;
  static constexpr std::size_t kMaxStaticTextPlaces = 64;  ///< in one health message
};

/// Axis-aligned box in pixels of the frame the plate was read in.
struct Box {
  int x = 0, y = 0, width = 0, height = 0;
  bool operator==(const Box&) const = default;
};

/// An alternative reading of the plate.
struct Candidate {
  std::string text;
  double confidence = 0.0;
  bool operator==(const Candidate&) const = default;
};

/// Along the camera's axis: approaching (plate grows) or receding (plate shrinks).
enum class Motion { kUnknown, kApproaching, kReceding, kStationary };
/// Across the image: which way the plate moved.
enum class Lateral { kUnknown, kLeft, kRight, kNone };

struct Direction {
  Motion motion = Motion::kUnknown;
  Lateral lateral = Lateral::kUnknown;
  bool operator==(const Direction&) const = default;
};

/// One vehicle pass as read by one camera.
struct ReadMessage {
  std::string read_id;  ///< random UUID made when the track started; idempotency key
  std::string camera_id;
  std::string site_id;
  TimestampMs captured_at = 0;           ///< capture time of the frame the crop comes from
  std::string plate;                     ///< normalised text
  double confidence = 0.0;               ///< 0..1, calibrated
  std::vector<double> char_confidences;  ///< one per character of `plate`
  std::string format = "unknown";        ///< e.g. "gb-current"
  std::string country;                   ///< ISO 3166 alpha-2 or empty when unknown
  std::vector<Candidate> candidates;     ///< best first, excluding `plate`
  Direction direction;
  Box box;
  Bytes crop_jpeg;
  std::optional<Bytes> overview_jpeg;
  std::int64_t frames_seen = 1;
  TimestampMs first_seen = 0;
  TimestampMs last_seen = 0;
  bool operator==(const ReadMessage&) const = default;
};

enum class CameraState { kOnline, kOffline };

/// Retained camera status; the offline form is also the edge's MQTT Last Will.
struct StatusMessage {
  std::string camera_id;
  std::string site_id;
  CameraState state = CameraState::kOnline;
  TimestampMs at = 0;   ///< when the state was set; a connection's online and Last Will: its start
  std::string version;  ///< firmware version
  bool operator==(const StatusMessage&) const = default;
};

/// A text a camera has learned stands still and no longer reads (a caption, a sign, a parked car).
struct StaticTextPlace {
  double x = 0, y = 0, width = 0, height = 0;  ///< fractions of the frame, from its top left
  std::string text;                            ///< what it was last read as
  bool operator==(const StaticTextPlace&) const = default;
};

/// Periodic edge health.
struct HealthMessage {
  std::string camera_id;
  std::string site_id;
  TimestampMs at = 0;
  double fps = 0.0;                  ///< frames recognised per second over the last interval
  std::int64_t frames_captured = 0;  ///< since start
  std::int64_t frames_dropped = 0;   ///< since start
  std::int64_t queue_depth = 0;
  std::int64_t spool_depth = 0;  ///< reads waiting for a broker acknowledgement
  std::int64_t spool_bytes = 0;
  std::int64_t spool_evictions = 0;  ///< since start
  std::int64_t spool_damaged = 0;    ///< spool files set aside as damaged since start (optional in JSON)
  std::int64_t uplink_errors = 0;    ///< failed rounds of the publisher, logged and survived (optional)
  /// Texts read well but kept back for standing still (captions, signs, parked cars) since start (optional).
  std::int64_t stationary_suppressed = 0;
  /// Moving plates that ended seen in fewer frames than a pass wants (tracking.min_frames) since
  /// start: a unit short of CPU for its traffic shows it here before passes go missing (optional).
  std::int64_t thin_passes = 0;
  /// Texts the camera has learned never move and no longer reads (captions, signs; optional).
  std::int64_t static_texts = 0;
  /// Where they are (optional; the most recently seen kMaxStaticTextPlaces when there are more).
  std::vector<StaticTextPlace> static_text_places;
  std::int64_t reconnects = 0;  ///< broker and source reconnects since start
  std::int64_t uptime_s = 0;
  std::string source_state = "ok";  ///< "ok", "reconnecting", "ended"
  std::optional<double> temperature_c;
  bool operator==(const HealthMessage&) const = default;
};

/// A watchlist hit raised by the receiver, published for other systems.
struct HitMessage {
  std::string hit_id;
  std::string read_id;
  std::string camera_id;
  std::string site_id;
  TimestampMs at = 0;       ///< capture time of the read
  std::string plate;        ///< as read
  std::string entry_plate;  ///< the watchlist entry's plate or pattern
  std::string list;
  std::string category;
  int priority = 0;        ///< 0 = highest
  std::string match_kind;  ///< "exact", "equivalent", "wildcard", "clone"
  double score = 0.0;
  std::string reason;
  std::string action;
  std::string related_read_id;  ///< "clone": the other sighting; otherwise empty
  bool operator==(const HitMessage&) const = default;
};

[[nodiscard]] const char* to_string(Motion m) noexcept;
[[nodiscard]] const char* to_string(Lateral l) noexcept;
[[nodiscard]] const char* to_string(CameraState s) noexcept;

}  // namespace anpr
