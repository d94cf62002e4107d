#include "anpr/receiver/cameras/camera_faults.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "anpr/common/ids.hpp"
#include "anpr/common/log_escaping.hpp"
#include "anpr/common/time.hpp"
#include "anpr/receiver/live_events.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver {
namespace {

constexpr TimestampMs kMinOfflineMs = 15000;
constexpr TimestampMs kUnknownIntervalOfflineMs = 90000;
// A camera's own clock may jump: the interval between two of its reports counts only within these.
constexpr TimestampMs kMinIntervalMs = 1000, kMaxIntervalMs = 10 * 60000;
// Reports after an "offline" status that show the camera is alive after all (it restarted with
// its clock behind, so its new "online" lost to the older-looking offline).
constexpr int kAliveReports = 2;
constexpr int kBaselineDays = 7;
constexpr TimestampMs kMaxQuietSpanMs = kBaselineDays * kDayMs;

std::string seconds_text(TimestampMs ms) {
  const auto s = ms / 1000;
  if (s < 120) return fmt::format("{} s", s);
  if (s < 7200) return fmt::format("{} min", s / 60);
  return fmt::format("{:.1f} h", static_cast<double>(s) / 3600.0);
}

TimestampMs offline_after(const CameraFaultMonitor::Track& t, const FaultSettings& s) {
  if (s.offline_after_s > 0) return s.offline_after_s * 1000LL;
  if (t.health_interval_ms <= 0) return kUnknownIntervalOfflineMs;
  return std::max(kMinOfflineMs, 3 * t.health_interval_ms);
}

/// Reads expected in [from, to) at the usual hourly rates, hour by hour (at most a week back).
double expected_reads(const HourlyRates& usual, TimestampMs from, TimestampMs to) {
  from = std::max(from, to - kMaxQuietSpanMs);
  double expected = 0;
  for (TimestampMs t = from; t < to;) {
    const TimestampMs hour_end = (t / kHourMs + 1) * kHourMs, until = std::min(hour_end, to);
    expected +=
        usual[static_cast<std::size_t>((t / kHourMs) % 24)] * static_cast<double>(until - t) / kHourMs;
    t = until;
  }
  return expected;
}

FaultVerdict faulty(std::string detail) { return {FaultVerdict::Kind::kFaulty, std::move(detail)}; }
FaultVerdict healthy() { return {FaultVerdict::Kind::kHealthy, {}}; }

}  // namespace

CameraFaultMonitor::CameraFaultMonitor(FaultMonitorStores store, FaultSettings settings, LiveEvents* live)
    : store_(store), settings_(settings), live_(live) {}

FaultVerdict CameraFaultMonitor::offline(const CameraInfo& camera, const Track& track, const FaultSettings& s,
                                         TimestampMs now) {
  const bool said_offline = camera.state == "offline" && track.reports_since_state < kAliveReports;
  if (said_offline) {
    return faulty("the camera's connection ended (its last word: offline at " + to_iso8601(camera.state_at) +
                  ")");
  }
  const TimestampMs silent = now - track.contact_seen, limit = offline_after(track, s);
  if (silent > limit) {
    return faulty(fmt::format("no status, health report or read for {} (expected within {})",
                              seconds_text(silent), seconds_text(limit)));
  }
  // Recovered only on contact seen since this monitor began following the camera.
  return track.contact_seen > track.started ? healthy() : FaultVerdict{};
}

FaultVerdict CameraFaultMonitor::spool_growing(const Track& track, const FaultSettings& s) {
  const auto& depth = track.spool;
  if (depth.empty()) return {};
  if (static_cast<int>(depth.size()) >= s.spool_reports && s.spool_reports >= 2) {
    const auto first = depth.end() - s.spool_reports;
    const bool grew = std::is_sorted(first, depth.end()) && depth.back() > *first;
    if (grew && depth.back() >= s.spool_min_reads) {
      return faulty(
          fmt::format("spool grew from {} to {} reads over its last {} health reports: reads are not "
                      "getting through",
                      *first, depth.back(), s.spool_reports));
    }
  }
  // Recovered when it is small again or draining; a spool stuck high (full) is not.
  const bool draining = depth.size() >= 2 && depth.back() < depth[depth.size() - 2];
  return depth.back() < s.spool_min_reads || draining ? healthy() : FaultVerdict{};
}

FaultVerdict CameraFaultMonitor::no_reads(const Track& track, const std::optional<HourlyRates>& usual,
                                          const FaultSettings& s, TimestampMs now) {
  const TimestampMs quiet = now - track.read_seen;
  if (usual && quiet >= s.quiet_min_s * 1000LL) {
    const double expected = expected_reads(*usual, track.read_seen, now);
    if (expected >= s.quiet_expected_reads) {
      return faulty(fmt::format(
          "no reads for {} where about {:.0f} were expected (it usually reads {:.0f} an hour at "
          "this time of day)",
          seconds_text(quiet), expected, (*usual)[static_cast<std::size_t>((now / kHourMs) % 24)]));
    }
  }
  // Recovered only by a read seen since this monitor began following the camera.
  return track.read_seen > track.started ? healthy() : FaultVerdict{};
}

void CameraFaultMonitor::follow(const CameraInfo& camera, Track& t, TimestampMs now) const {
  if (t.started == 0) {
    // A camera met for the first time (or after the receiver started) gets the benefit of the
    // doubt: its silence is counted from now, and nothing clears until something changes.
    t.started = now;
    t.health_at = camera.last_health ? camera.last_health->at : 0;
    t.read_at = camera.last_read_at;
    t.state_at = camera.state_at;
    t.contact_seen = t.read_seen = now;
    if (camera.last_health) t.spool.push_back(camera.last_health->spool_depth);
    return;
  }
  if (camera.last_health && camera.last_health->at != t.health_at) {
    const TimestampMs step = camera.last_health->at - t.health_at;
    if (t.health_at > 0 && step >= kMinIntervalMs && step <= kMaxIntervalMs) t.health_interval_ms = step;
    t.health_at = camera.last_health->at;
    t.contact_seen = now;
    ++t.reports_since_state;
    t.spool.push_back(camera.last_health->spool_depth);
    while (static_cast<int>(t.spool.size()) > std::max(settings_.spool_reports, 2)) t.spool.pop_front();
  }
  if (camera.last_read_at != t.read_at) {
    t.read_at = camera.last_read_at;
    t.contact_seen = t.read_seen = now;
  }
  if (camera.state_at != t.state_at) {
    t.state_at = camera.state_at;
    t.contact_seen = now;
    t.reports_since_state = 0;
  }
}

std::optional<HourlyRates> CameraFaultMonitor::usual_rates(const std::string& camera_id, TimestampMs now) {
  const TimestampMs hour = now / kHourMs;
  if (hour != usual_hour_) {
    usual_hour_ = hour;
    usual_.clear();
    // The week before this hour, whole hours only: its counts are kept as reads are stored.
    const TimestampMs to = hour * kHourMs, from = to - kBaselineDays * kDayMs;
    for (const auto& c : store_.counts.camera_counts(from, to, kHourMs)) {
      auto& per_hour = usual_.try_emplace(c.camera_id, HourlyRates{}).first->second;
      per_hour[static_cast<std::size_t>((c.bucket / kHourMs) % 24)] +=
          static_cast<double>(c.reads) / kBaselineDays;
    }
  }
  const auto it = usual_.find(camera_id);
  if (it == usual_.end()) return std::nullopt;
  return it->second;
}

void CameraFaultMonitor::judge(const CameraInfo& camera, const OpenFaults& open, TimestampMs now,
                               LiveBatch& live, std::vector<CameraFault>& changed) {
  // A camera never heard from (registered ahead of installation) has nothing to judge yet.
  if (camera.state == "unknown" && !camera.last_health && camera.last_read_at == 0) return;
  Track& track = tracks_[camera.camera_id];
  follow(camera, track, now);
  const FaultVerdict down = offline(camera, track, settings_, now);
  // An offline camera sends no reports: its spool and its reads say nothing new.
  const std::pair<const char*, FaultVerdict> verdicts[] = {
      {kFaultOffline, down},
      {kFaultSpoolGrowing, down.faulty() ? FaultVerdict{} : spool_growing(track, settings_)},
      {kFaultNoReads,
       down.faulty() ? FaultVerdict{} : no_reads(track, usual_rates(camera.camera_id, now), settings_, now)},
  };
  for (const auto& [kind, verdict] : verdicts) {
    const auto was_open = open.find({camera.camera_id, kind});
    const bool is_open = was_open != open.end();
    CameraFault f;
    f.camera_id = camera.camera_id;
    f.site_id = camera.site_id;
    f.kind = kind;
    if (verdict.faulty() && !is_open) {
      f.fault_id = make_uuid();
      f.priority = settings_.priority;
      f.detail = verdict.detail;
      f.raised_at = f.changed_at = now;
      if (!store_.cameras.raise_fault(f)) continue;  // another receiver raised it first
      spdlog::warn("camera {} fault raised: {}: {}", escape_control_characters(camera.camera_id), kind,
                   escape_control_characters(verdict.detail));
      live.faults.push_back({f, camera});
      changed.push_back(std::move(f));
    } else if (verdict.healthy() && is_open) {
      if (!store_.cameras.clear_fault(camera.camera_id, kind, now)) continue;
      spdlog::info("camera {} fault cleared: {}", escape_control_characters(camera.camera_id), kind);
      f = was_open->second;  // the whole fault as stored, for the screens
      f.cleared_at = f.changed_at = now;
      live.faults.push_back({f, camera});
      changed.push_back(std::move(f));
    }
  }
}

std::vector<CameraFault> CameraFaultMonitor::check(TimestampMs now) {
  std::vector<CameraFault> changed;
  if (!settings_.enabled) return changed;
  OpenFaults open;
  for (auto& f : store_.cameras.open_faults()) {
    auto key = std::pair(f.camera_id, f.kind);
    open.emplace(std::move(key), std::move(f));
  }
  LiveBatch live;
  // Each change goes to the store on its own; the screens get them all at the end, each once.
  store_then_publish(live_, store_.notices, live, [&] {
    for (const auto& camera : store_.cameras.cameras()) judge(camera, open, now, live, changed);
  });
  return changed;
}

}  // namespace anpr::receiver
