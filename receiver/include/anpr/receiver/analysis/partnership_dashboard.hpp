#pragma once
/// @file
/// The partnership dashboard: reads per camera per hour and hits per watchlist over a period,
/// the figures a community-safety partnership puts in its strategic assessment. Counts only:
/// no plate leaves this report, so it needs no audited reason.

#include <string>

#include <nlohmann/json.hpp>

#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver::analysis {

// clang-tidy 14 takes the aggregate's implicit members for throwing ones.
struct DashboardReport {  // NOLINT(bugprone-exception-escape)
  nlohmann::json json;    ///< docs/api.md, GET /api/dashboard
  std::string reads_csv;  ///< camera_id,camera_name,site_id,hour,reads
  std::string hits_csv;   ///< list,day,hits
};

/// The longest period the dashboard covers (hourly counts of every camera).
inline constexpr TimestampMs kMaxDashboardSpanMs = 93LL * 24 * 3600000;

/// Throws anpr::Error (kInput) when from >= to or the period is longer than kMaxDashboardSpanMs.
/// `cameras`: names and sites (usually the same Store as `store`).
[[nodiscard]] DashboardReport partnership_dashboard(AnalysisStore& store, CameraStore& cameras,
                                                    TimestampMs from, TimestampMs to);

}  // namespace anpr::receiver::analysis
