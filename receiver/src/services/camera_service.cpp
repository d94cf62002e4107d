#include "anpr/receiver/services/camera_service.hpp"

#include <fmt/format.h>

#include "anpr/common/error.hpp"
#include "anpr/receiver/audit_reason.hpp"

namespace anpr::receiver {
namespace {

std::string place_text(const CameraInfo& camera) {
  const auto text = [](const std::optional<double>& v) {
    return v ? fmt::format("{:.6f}", *v) : std::string("none");
  };
  return text(camera.latitude) + "," + text(camera.longitude) + " bearing " + text(camera.bearing);
}

void check_range(const char* name, const std::optional<double>& value, double lo, double hi) {
  if (value && !(*value >= lo && *value <= hi))
    throw Error(ErrorCode::kInput, fmt::format("{} must be from {} to {}", name, lo, hi));
}

// A map position is both coordinates or none; a bearing is a compass direction.
void check_place(const CameraPlace& place) {
  check_range("latitude", place.latitude, -90, 90);
  check_range("longitude", place.longitude, -180, 180);
  check_range("bearing", place.bearing, 0, 360);
  if (place.latitude.has_value() != place.longitude.has_value())
    throw Error(ErrorCode::kInput, "give latitude and longitude together");
}

}  // namespace

std::vector<CameraInfo> list_cameras(CameraStore& store) { return store.cameras(); }

std::optional<CameraInfo> find_camera(CameraStore& store, const std::string& camera_id) {
  return store.camera(camera_id);
}

void register_cameras(Store& store, const std::vector<CameraInfo>& cameras, const std::string& file,
                      const Caller& caller) {
  store.in_transaction([&] {
    for (const auto& c : cameras) store.upsert_camera(c);
    store.audit(
        {0, caller.now, caller.user, "cameras-register", file, std::to_string(cameras.size()) + " cameras"});
  });
}

CameraInfo set_camera_place(Store& store, const CameraInfo& camera, const CameraPlace& place,
                            const Caller& caller) {
  const auto reason = audit_reason(caller.reason);
  if (!reason)
    throw Error(ErrorCode::kInput, std::string("give the reason for the change (") + kReasonRule + ")");
  check_place(place);
  CameraInfo moved = camera;
  moved.latitude = place.latitude;
  moved.longitude = place.longitude;
  moved.bearing = place.bearing;
  store.in_transaction([&] {
    store.upsert_camera(moved);
    store.audit({0, caller.now, caller.user, "camera-position",
                 camera.camera_id + " " + place_text(camera) + " -> " + place_text(moved), *reason});
  });
  return moved;
}

std::vector<CameraFault> list_faults(CameraStore& store, TimestampMs changed_since, bool needing_attention,
                                     int limit) {
  return store.faults(changed_since, needing_attention, limit);
}

bool acknowledge_fault(Store& store, const std::string& fault_id, const Caller& caller) {
  bool acknowledged = false;
  store.in_transaction([&] {
    acknowledged = store.acknowledge_fault(fault_id, caller.user, caller.reason, caller.now);
    if (acknowledged) store.audit({0, caller.now, caller.user, "fault-acknowledge", fault_id, caller.reason});
  });
  return acknowledged;
}

}  // namespace anpr::receiver
