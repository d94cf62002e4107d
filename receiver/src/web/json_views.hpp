#pragma once
// How hits, reads and cameras look in the web API and the live feed (docs/api.md).

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "anpr/receiver/analysis/camera_directory.hpp"
#include "anpr/receiver/store/store.hpp"
#include "anpr/receiver/watchlist/watchlist_service.hpp"

namespace anpr::receiver::web {

/// Camera names and places by id (the one directory the analyses use too), looked up once per answer.
using analysis::CameraDirectory;

/// Each watchlist's colour, for hits.
class ListColours {
 public:
  explicit ListColours(const std::vector<WatchlistInfo>& lists) {
    for (const auto& l : lists) colours_[l.name] = l.colour;
  }
  explicit ListColours(WatchlistStore& store) : ListColours(list_watchlists(store)) {}
  [[nodiscard]] std::string of(const std::string& list) const {
    const auto it = colours_.find(list);
    return it == colours_.end() ? "#d00000" : it->second;
  }

 private:
  std::map<std::string, std::string> colours_;
};

nlohmann::json hit_json(const HitRecord& record, const CameraDirectory& cameras, const ListColours& colours);
/// The same view with its camera (nullptr: not known) and list colour given.
nlohmann::json hit_json(const HitRecord& record, const CameraInfo* camera, const std::string& colour);
/// A sighting for the pages. When its capture time is more than `clock_skew_s` after it arrived
/// (a camera clock ahead), it carries "clock_ahead_s" so the page can say so.
nlohmann::json sighting_json(const Sighting& s, int clock_skew_s = 120);
nlohmann::json camera_json(const CameraInfo& c);
/// A camera fault for the pages and the live feed, with the camera's name and place.
nlohmann::json fault_json(const CameraFault& f, const CameraDirectory& cameras);
nlohmann::json fault_json(const CameraFault& f, const CameraInfo* camera);

}  // namespace anpr::receiver::web
