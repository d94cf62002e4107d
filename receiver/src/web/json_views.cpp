#include "json_views.hpp"

namespace anpr::receiver::web {

using nlohmann::json;

namespace {
json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
}  // namespace

json hit_json(const HitRecord& r, const CameraDirectory& cameras, const ListColours& colours) {
  return hit_json(r, cameras.find(r.hit.camera_id), colours.of(r.hit.list));
}

json hit_json(const HitRecord& r, const CameraInfo* camera, const std::string& colour) {
  const HitMessage& h = r.hit;
  return {{"hit_id", h.hit_id},
          {"read_id", h.read_id},
          {"camera_id", h.camera_id},
          {"camera_name", camera && !camera->name.empty() ? camera->name : h.camera_id},
          {"site_id", h.site_id},
          {"latitude", camera ? optional_number(camera->latitude) : json(nullptr)},
          {"longitude", camera ? optional_number(camera->longitude) : json(nullptr)},
          {"at", to_iso8601(h.at)},
          {"plate", h.plate},
          {"entry_plate", h.entry_plate},
          {"list", h.list},
          {"category", h.category},
          {"priority", h.priority},
          {"colour", colour},
          {"match_kind", h.match_kind},
          {"score", h.score},
          {"reason", h.reason},
          {"action", h.action},
          {"state", r.state},
          {"created_at", to_iso8601(r.created_at)},
          {"acknowledged_by", r.acknowledged_by},
          {"acknowledged_at", r.acknowledged_at ? json(to_iso8601(r.acknowledged_at)) : json(nullptr)},
          {"note", r.note},
          {"crop_url", "/api/reads/" + h.read_id + "/crop"},
          {"overview_url", "/api/reads/" + h.read_id + "/overview"},
          {"related_read_id", h.related_read_id.empty() ? json(nullptr) : json(h.related_read_id)},
          {"related_crop_url",
           h.related_read_id.empty() ? json(nullptr) : json("/api/reads/" + h.related_read_id + "/crop")}};
}

json sighting_json(const Sighting& s, int clock_skew_s) {
  json j = {{"read_id", s.read_id},
            {"plate", s.plate},
            {"camera_id", s.camera_id},
            {"camera_name", s.camera_name.empty() ? s.camera_id : s.camera_name},
            {"site_id", s.site_id},
            {"latitude", optional_number(s.latitude)},
            {"longitude", optional_number(s.longitude)},
            {"at", to_iso8601(s.at)},
            {"confidence", s.confidence},
            {"unknown_camera", s.unknown_camera},
            {"crop_url", "/api/reads/" + s.read_id + "/crop"}};
  if (s.received_at > 0 && s.at - s.received_at > clock_skew_s * 1000LL)
    j["clock_ahead_s"] = (s.at - s.received_at) / 1000;
  return j;
}

json camera_json(const CameraInfo& c) {
  json health = nullptr;
  if (c.last_health) {
    const auto& h = *c.last_health;
    health = {{"at", to_iso8601(h.at)},
              {"fps", h.fps},
              {"frames_dropped", h.frames_dropped},
              {"spool_depth", h.spool_depth},
              {"spool_evictions", h.spool_evictions},
              {"reconnects", h.reconnects},
              {"uptime_s", h.uptime_s},
              {"source_state", h.source_state},
              {"temperature_c", optional_number(h.temperature_c)},
              {"thin_passes", h.thin_passes},
              {"stationary_suppressed", h.stationary_suppressed},
              {"static_texts", h.static_texts}};
    json places = json::array();
    for (const auto& p : h.static_text_places) {
      places.push_back({{"x", p.x}, {"y", p.y}, {"width", p.width}, {"height", p.height}, {"text", p.text}});
    }
    health["static_text_places"] = std::move(places);
  }
  return {{"camera_id", c.camera_id},
          {"site_id", c.site_id},
          {"name", c.name.empty() ? c.camera_id : c.name},
          {"latitude", optional_number(c.latitude)},
          {"longitude", optional_number(c.longitude)},
          {"bearing", optional_number(c.bearing)},
          {"registered", c.registered},
          {"state", c.state},
          {"state_at", c.state_at ? json(to_iso8601(c.state_at)) : json(nullptr)},
          {"version", c.version},
          {"last_read_at", c.last_read_at ? json(to_iso8601(c.last_read_at)) : json(nullptr)},
          {"last_health", health}};
}

json fault_json(const CameraFault& f, const CameraDirectory& cameras) {
  return fault_json(f, cameras.find(f.camera_id));
}

json fault_json(const CameraFault& f, const CameraInfo* camera) {
  const auto time = [](TimestampMs t) { return t ? json(to_iso8601(t)) : json(nullptr); };
  return {{"fault_id", f.fault_id},
          {"camera_id", f.camera_id},
          {"camera_name", camera && !camera->name.empty() ? camera->name : f.camera_id},
          {"site_id", f.site_id},
          {"latitude", camera ? optional_number(camera->latitude) : json(nullptr)},
          {"longitude", camera ? optional_number(camera->longitude) : json(nullptr)},
          {"kind", f.kind},
          {"priority", f.priority},
          {"detail", f.detail},
          {"raised_at", time(f.raised_at)},
          {"cleared_at", time(f.cleared_at)},
          {"changed_at", time(f.changed_at)},
          {"state", f.state},
          {"acknowledged_by", f.acknowledged_by},
          {"acknowledged_at", time(f.acknowledged_at)},
          {"note", f.note}};
}

}  // namespace anpr::receiver::web
