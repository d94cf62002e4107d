#pragma once
/// @file
/// Camera faults: a camera that goes offline, stops producing reads in a busy period, or whose
/// spool keeps growing is raised in the control room's live feed beside the hits (its own kind,
/// with a priority and a sound, acknowledged like a hit) and cleared when it recovers.
///
/// The rules judge time on the receiver's own clock (when it saw a camera's report change), not
/// on the stamps a camera sends, and a fault is cleared only on evidence of recovery seen after
/// the monitor started following the camera: a receiver that restarts does not clear what it
/// cannot yet judge. Several receivers sharing a database may all watch: the store keeps one open
/// fault per camera and kind. One limit: a read's arrival is noticed through the camera's newest
/// capture time, so a read stamped in the future hides the camera's later reads from the
/// no-reads rule until real time passes it.

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "anpr/common/time.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver {

class LiveEvents;
struct LiveBatch;

/// The kinds of fault, as stored and shown.
inline constexpr const char* kFaultOffline = "offline";
inline constexpr const char* kFaultSpoolGrowing = "spool-growing";
inline constexpr const char* kFaultNoReads = "no-reads";

struct FaultSettings {
  bool enabled = true;
  /// A camera silent this long (no status, health report or read) is offline; 0: three of its
  /// own health intervals as measured, at least 15 s (90 s until two reports have been seen).
  int offline_after_s = 0;
  /// A spool that grew in this many health reports in a row, to at least `spool_min_reads`, is
  /// a fault: the camera keeps reads it cannot deliver.
  int spool_reports = 4;
  std::int64_t spool_min_reads = 20;
  /// No reads while at least this many were expected (the camera's usual rate at this hour of
  /// day over the last week) and for at least `quiet_min_s`: in a Poisson stream 20 expected and
  /// none seen happens by chance once in 500 million.
  double quiet_expected_reads = 20.0;
  int quiet_min_s = 300;
  int priority = 3;
};

/// What one look at a camera decides about one kind of fault.
struct FaultVerdict {
  enum class Kind {
    kUnknown,  ///< nothing seen yet to judge by: an open fault stays open
    kFaulty,
    kHealthy,  ///< evidence of recovery: an open fault clears
  };
  Kind kind = Kind::kUnknown;
  std::string detail;  ///< why, when faulty
  [[nodiscard]] bool faulty() const { return kind == Kind::kFaulty; }
  [[nodiscard]] bool healthy() const { return kind == Kind::kHealthy; }
};

/// A camera's usual reads per hour for each UTC hour of the day.
using HourlyRates = std::array<double, 24>;

/// What the monitor uses of the store: the cameras and their faults, the hourly read counts its
/// no-reads rule compares with (an analysis query), and the notices that tell the other receivers
/// of each change. Usually all one Store, which converts: CameraFaultMonitor monitor(store, {}).
struct FaultMonitorStores {
  FaultMonitorStores(CameraStore& camera_store, AnalysisStore& count_store, Notifier& notifier)
      : cameras(camera_store), counts(count_store), notices(notifier) {}
  // Implicit on purpose: a Store is all three, and callers hand it over as it is.
  FaultMonitorStores(Store& store) : FaultMonitorStores(store, store, store) {}
  CameraStore& cameras;
  AnalysisStore& counts;
  Notifier& notices;
};

/// Watches every camera in the store and keeps its faults up to date.
class CameraFaultMonitor {
 public:
  /// `live`: where each fault raised or cleared goes once stored (the web server's live feed;
  /// nullptr: nowhere; not owned).
  CameraFaultMonitor(FaultMonitorStores store, FaultSettings settings, LiveEvents* live = nullptr);

  /// One look at every camera at `now` (the receiver's clock): raises new faults and clears
  /// recovered ones in the store, and hands those changes to `live`. Returns them.
  std::vector<CameraFault> check(TimestampMs now);

  /// What the camera's reports say, as this monitor has followed them.
  struct Track {
    TimestampMs started = 0;  ///< receiver time this monitor began following the camera
    TimestampMs health_at = 0, read_at = 0, state_at = 0;  ///< the camera's own stamps, last seen
    TimestampMs contact_seen = 0;                          ///< receiver time any of them last changed
    TimestampMs read_seen = 0;                             ///< receiver time the last read changed
    TimestampMs health_interval_ms = 0;                    ///< between its last two health reports (bounded)
    int reports_since_state = 0;     ///< health reports seen since its state last changed
    std::deque<std::int64_t> spool;  ///< spool depth of the latest health reports, oldest first
  };
  /// The rules, apart from the store (unit-tested on their own).
  static FaultVerdict offline(const CameraInfo& camera, const Track& track, const FaultSettings& s,
                              TimestampMs now);
  static FaultVerdict spool_growing(const Track& track, const FaultSettings& s);
  /// `usual`: the camera's usual reads per hour by hour of day (nullopt: no history to go by).
  static FaultVerdict no_reads(const Track& track, const std::optional<HourlyRates>& usual,
                               const FaultSettings& s, TimestampMs now);

 private:
  void follow(const CameraInfo& camera, Track& track, TimestampMs now) const;
  using OpenFaults = std::map<std::pair<std::string, std::string>, CameraFault>;  ///< by camera, kind
  /// Raises the faults `camera` now shows and clears those it no longer does, in the store, each
  /// added to `changed` and `live`.
  void judge(const CameraInfo& camera, const OpenFaults& open, TimestampMs now, LiveBatch& live,
             std::vector<CameraFault>& changed);
  std::optional<HourlyRates> usual_rates(const std::string& camera_id, TimestampMs now);

  FaultMonitorStores store_;
  FaultSettings settings_;
  LiveEvents* live_;
  std::map<std::string, Track> tracks_;
  /// Reads per hour of day (UTC) per camera over the week before, refreshed hourly.
  std::map<std::string, HourlyRates> usual_;
  TimestampMs usual_hour_ = -1;
};

}  // namespace anpr::receiver
