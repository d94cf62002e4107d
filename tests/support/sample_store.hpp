#pragma once
// A store as most receiver tests want it before they begin: AB12CDE on a "Stolen" list and
// camera "cam1" of site "coalville" (the camera of test::sample_read) registered.

#include "anpr/receiver/store/store.hpp"

namespace anpr::test {

/// Adds the "Stolen" list holding AB12CDE.
inline void add_stolen_list(receiver::Store& store) {
  store.replace_watchlist({"Stolen", "stolen-vehicle", 0, "#f00", "Stop"},
                          {{"Stolen", "AB12CDE", "stolen 1 Nov", "sup", 1, std::nullopt}});
}

/// Adds the "Stolen" list and registers camera "cam1" (Market St, coalville).
inline void add_stolen_list_and_camera(receiver::Store& store) {
  add_stolen_list(store);
  receiver::CameraInfo cam;
  cam.camera_id = "cam1";
  cam.site_id = "coalville";
  cam.name = "Market St";
  cam.registered = true;
  store.upsert_camera(cam);
}

}  // namespace anpr::test
