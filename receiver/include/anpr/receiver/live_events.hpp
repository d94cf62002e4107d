#pragma once
/// @file
/// Where stored changes go to be shown live: the parts that store a read, raise a hit or change a
/// camera fault (ingest, the watchlist service's retrospective hits, the camera-fault monitor)
/// hand each change here once, after they stored it; nothing reads the store to find them. The
/// web server implements it (web::LiveViews): it builds the browser's view of each change once,
/// tells the other receivers sharing a PostgreSQL database (NOTIFY in the storing transaction),
/// and queues the views for this process's screens once the transaction has committed
/// (docs/architecture.md, "The live feed").

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver {

/// One change as the browser receives it (JSON text), built once and shared by every screen.
using LiveMessage = std::shared_ptr<const std::string>;

/// A hit as stored, with what its view shows beside it: the camera's name and place (nullopt:
/// an unknown camera) and its list's colour.
struct LiveHit {
  HitRecord record;
  std::optional<CameraInfo> camera;
  std::string colour = "#d00000";
};

/// A camera fault as stored (raised, cleared or acknowledged), with its camera.
struct LiveFault {
  CameraFault fault;
  std::optional<CameraInfo> camera;
};

/// What one transaction stored that the control room shows live.
struct LiveBatch {
  std::vector<Sighting> reads;
  std::vector<LiveHit> hits;
  std::vector<LiveFault> faults;
  [[nodiscard]] bool empty() const { return reads.empty() && hits.empty() && faults.empty(); }
};

class LiveEvents {
 public:
  virtual ~LiveEvents() = default;
  /// Called inside the transaction that stores `batch` (on `store`'s connection): builds the views
  /// and tells the other receivers sharing the database (PostgreSQL NOTIFY, delivered only if the
  /// transaction commits). Returns what `publish` is to send once it has committed. Reads beyond
  /// the ticker's rate are left out (counted); hits and faults never are.
  [[nodiscard]] virtual std::vector<LiveMessage> stored(Store& store, const LiveBatch& batch) = 0;
  /// After the commit: to this process's screens. Callable from any thread; never blocks on a
  /// screen.
  virtual void publish(std::vector<LiveMessage> messages) = 0;
};

/// `stored` then `publish`, for a change already committed (its own transaction).
inline void publish_stored(LiveEvents* live, Store& store, const LiveBatch& batch) {
  if (live == nullptr || batch.empty()) return;
  live->publish(live->stored(store, batch));
}

}  // namespace anpr::receiver
