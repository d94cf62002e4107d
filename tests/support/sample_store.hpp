#pragma once
// A store as most receiver tests want it before they begin: AB12CDE on a "Stolen" list and
// camera "cam1" of site "coalville" (the camera of test::sample_read) registered; and hits.

#include <optional>
#include <string>
#include <vector>

#include "anpr/receiver/cameras/camera_faults.hpp"
#include "anpr/receiver/store/store.hpp"
#include "anpr/receiver/watchlist/watchlist.hpp"

namespace anpr::test {

/// A registered camera, placed when `latitude` and `longitude` are given.
inline receiver::CameraInfo registered_camera(const std::string& id, const std::string& site,
                                              const std::string& name, std::optional<double> latitude = {},
                                              std::optional<double> longitude = {}) {
  receiver::CameraInfo c;
  c.camera_id = id;
  c.site_id = site;
  c.name = name;
  c.latitude = latitude;
  c.longitude = longitude;
  c.registered = true;
  return c;
}

/// Adds the "Stolen" list holding AB12CDE.
inline void add_stolen_list(receiver::Store& store) {
  store.replace_watchlist({"Stolen", "stolen-vehicle", 0, "#f00", "Stop"},
                          {{"Stolen", "AB12CDE", "stolen 1 Nov", "sup", 1, std::nullopt}});
}

/// Adds the "Stolen" list and registers camera "cam1" (Market St, coalville).
inline void add_stolen_list_and_camera(receiver::Store& store) {
  add_stolen_list(store);
  store.upsert_camera(registered_camera("cam1", "coalville", "Market St"));
}

/// An exact hit (new id) of `read` on its plate's entry in "Stolen vehicles" (stolen-vehicle,
/// priority 0), with no reason or action.
inline HitMessage sample_hit(const ReadMessage& read) {
  const std::string list = "Stolen vehicles";
  return receiver::make_hit({read.read_id, read.camera_id, read.site_id, read.plate, read.captured_at},
                            {list, read.plate, "", "", 0, std::nullopt},
                            {list, "stolen-vehicle", 0, "#d00000", ""}, "exact", 1.0);
}

/// An open offline fault of camera "cam1" at `site` (fault id "cam1/offline/1000"), raised and last
/// changed at `at`.
inline receiver::CameraFault offline_fault(const std::string& site, const std::string& detail,
                                           TimestampMs at) {
  receiver::CameraFault f;
  f.fault_id = "cam1/offline/1000";
  f.camera_id = "cam1";
  f.site_id = site;
  f.kind = receiver::kFaultOffline;
  f.detail = detail;
  f.raised_at = f.changed_at = at;
  return f;
}

/// The actions of an audit log, newest first as Store::audit_log() lists them: a test checks the
/// whole trail at once, then the fields that matter of the records that matter.
inline std::vector<std::string> audit_actions(const std::vector<receiver::AuditRecord>& log) {
  std::vector<std::string> actions;
  for (const receiver::AuditRecord& record : log) actions.push_back(record.action);
  return actions;
}

}  // namespace anpr::test
