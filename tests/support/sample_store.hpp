#pragma once
// A store as most receiver tests want it before they begin: AB12CDE on a "Stolen" list and
// camera "cam1" of site "coalville" (the camera of test::sample_read) registered; and hits.

#include <optional>
#include <string>

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

}  // namespace anpr::test
