#pragma once
/// @file
/// The records the store keeps and hands back (store.hpp): plain value types, so that a part
/// which only passes records around needs neither the store's interfaces nor another folder.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "anpr/common/messages.hpp"
#include "anpr/common/time.hpp"

namespace anpr::receiver {

struct CameraInfo {
  std::string camera_id;
  std::string site_id;
  std::string name;
  std::optional<double> latitude, longitude, bearing;
  bool registered = false;        ///< false for cameras only known from their messages
  std::string state = "unknown";  ///< online / offline / unknown
  TimestampMs state_at = 0;
  std::string version;
  std::optional<HealthMessage> last_health;
  TimestampMs last_read_at = 0;
};

struct Sighting {
  std::string read_id;
  std::string plate;
  std::string camera_id;
  std::string site_id;
  std::string camera_name;
  std::optional<double> latitude, longitude;
  TimestampMs at = 0;
  double confidence = 0.0;
  bool unknown_camera = false;
  TimestampMs received_at = 0;  ///< the receiver's own clock when it was stored
};

struct HitRecord {
  HitMessage hit;
  std::string state = "new";  ///< new -> acknowledged -> closed
  TimestampMs created_at = 0;
  std::string acknowledged_by;
  TimestampMs acknowledged_at = 0;
  std::string note;
};

struct AuditRecord {
  std::int64_t id = 0;
  TimestampMs at = 0;
  std::string actor, action, subject, reason;
};

struct DeadLetter {
  std::int64_t id = 0;
  TimestampMs received_at = 0;
  std::string topic, reason;
  std::size_t payload_bytes = 0;  ///< bytes of the payload kept (all of a set-aside read's)
};

/// A control-room user of the web pages.
struct UserRecord {
  std::string name;
  std::string password_hash;  ///< libsodium crypto_pwhash_str (Argon2id); never the password
  std::string role;           ///< operator / supervisor / admin
  bool disabled = false;
  TimestampMs created_at = 0;
};

/// A control-room login session as stored (see web::SessionManager).
struct SessionRecord {
  std::string token_hash;  ///< never the token itself
  std::string user, role, csrf_token, credential;
  TimestampMs created_at = 0, last_seen = 0;
};

/// A read as the analyses see it: no message, no images.
struct ReadPoint {
  std::string read_id, plate, camera_id, site_id;
  TimestampMs at = 0;
  double confidence = 0.0;
};

/// A stretch of road between two cameras, for average speed (section control).
struct SpeedSection {
  std::string name, from_camera, to_camera;
  double distance_m = 0.0;  ///< along the road, not as the crow flies
  double limit_mph = 0.0;
};

/// Reads and hits of one camera in one time bucket.
struct CameraCount {
  std::string camera_id;
  TimestampMs bucket = 0;  ///< start of the bucket (a multiple of the bucket length)
  std::int64_t reads = 0, hits = 0;
};

/// Hits of one watchlist on one UTC day.
struct ListCount {
  std::string list;
  TimestampMs day = 0;  ///< start of the day
  std::int64_t hits = 0;
};

/// A plate read at a site in a period and not in the lookback before it.
struct FirstSighting {
  std::string plate;
  TimestampMs first = 0, last = 0;
  std::int64_t reads = 0;
};

/// One read to store with Store::insert_reads: the arguments of one insert_read.
struct ReadRow {
  const ReadMessage* read = nullptr;  ///< not owned; outlives the call
  TimestampMs received_at = 0;
  bool unknown_camera = false;
  std::string crop_path, overview_path;
  /// The message the row keeps, without images (ingest cuts it from the payload as it came); not
  /// owned, outlives the call. Empty: the store encodes `read` without its images.
  std::string_view message;
};

/// Where a read's images are, relative to the receiver's image folder ("" when none was kept).
struct ReadImages {
  std::string crop_path, overview_path;
};

/// One watchlist: what it is for and how urgent its hits are.
struct WatchlistInfo {
  std::string name;      ///< unique, e.g. "Stolen vehicles"
  std::string category;  ///< e.g. "stolen-vehicle", "wanted-person", "no-insurance"
  int priority = 5;      ///< 0 = highest
  std::string colour = "#d00000";
  std::string action;  ///< what the operator does on a hit
};

/// One entry: a plate or a wildcard pattern ('?' one character, '*' any run).
struct WatchlistEntry {
  std::string list;   ///< list name
  std::string plate;  ///< normalised plate or pattern
  std::string reason;
  std::string added_by;
  TimestampMs added_at = 0;
  std::optional<TimestampMs> expires_at;
  [[nodiscard]] bool is_pattern() const { return plate.find_first_of("?*") != std::string::npos; }
};

/// A camera fault as stored (raised by CameraFaultMonitor, cameras/camera_faults.hpp).
struct CameraFault {
  std::string fault_id;  ///< a UUID
  std::string camera_id, site_id;
  std::string kind;    ///< kFaultOffline, kFaultSpoolGrowing or kFaultNoReads
  int priority = 3;    ///< as a watchlist's: 0 is the most urgent
  std::string detail;  ///< what was seen, in words for the operator
  TimestampMs raised_at = 0;
  TimestampMs cleared_at = 0;  ///< 0 while the fault is open
  TimestampMs changed_at = 0;  ///< raised, cleared or acknowledged: what the live feed follows
  std::string state = "new";   ///< new -> acknowledged
  std::string acknowledged_by;
  TimestampMs acknowledged_at = 0;
  std::string note;
};

}  // namespace anpr::receiver
