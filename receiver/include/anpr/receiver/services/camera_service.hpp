#pragma once
/// @file
/// Cameras and their faults for every front end (command line, web API): the registry, a
/// camera's place on the map, and fault acknowledgement, each change audited with who and why.
/// Look-ups take the CameraStore; changes take the Store, since each change and its audit record
/// are one transaction.

#include <optional>
#include <string>
#include <vector>

#include "anpr/receiver/cameras/camera_faults.hpp"
#include "anpr/receiver/services/audit_log.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver {

/// Every camera, registered or only known from its messages.
[[nodiscard]] std::vector<CameraInfo> list_cameras(CameraStore& store);
[[nodiscard]] std::optional<CameraInfo> find_camera(CameraStore& store, const std::string& camera_id);

/// Registers (adds or replaces) cameras read from `file`, all or none, audited as
/// "cameras-register" with the number of cameras as the reason.
void register_cameras(Store& store, const std::vector<CameraInfo>& cameras, const std::string& file,
                      const Caller& caller);

/// Where a camera stands and looks; a missing value is no position (or no bearing).
struct CameraPlace {
  std::optional<double> latitude, longitude, bearing;
};

/// Moves `camera` (as found) to `place` and audits the change from the old place to the new with
/// the caller's reason ("camera-position"); returns the camera as stored. Throws anpr::Error
/// (kInput) when the reason is not one (audit_reason), latitude and longitude are not given
/// together, or a value is out of range; nothing is changed then.
CameraInfo set_camera_place(Store& store, const CameraInfo& camera, const CameraPlace& place,
                            const Caller& caller);

/// Faults changed at or after `changed_since`, newest change first; with `needing_attention`
/// only those still open or not yet acknowledged.
[[nodiscard]] std::vector<CameraFault> list_faults(CameraStore& store, TimestampMs changed_since,
                                                   bool needing_attention, int limit);

/// Acknowledges a new fault with the caller's reason as its note, audited ("fault-acknowledge")
/// in the same transaction. False, and nothing audited, when no such fault is new.
bool acknowledge_fault(Store& store, const std::string& fault_id, const Caller& caller);

}  // namespace anpr::receiver
