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
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

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
  /// The browser's views of `batch`, each built once. Reads beyond the ticker's rate are left out
  /// (counted); hits and faults never are.
  [[nodiscard]] virtual std::vector<LiveMessage> views(const LiveBatch& batch) = 0;
  /// Tells the other receivers sharing the database (PostgreSQL NOTIFY on `notices`' connection:
  /// inside a transaction, delivered only if it commits). Nothing for SQLite.
  virtual void notify(Notifier& notices, const std::vector<LiveMessage>& views) = 0;
  /// Called inside the transaction that stores `batch`: its views, notified to the other
  /// receivers; what `publish` is to send once the transaction has committed.
  [[nodiscard]] std::vector<LiveMessage> stored(Notifier& notices, const LiveBatch& batch) {
    std::vector<LiveMessage> built = views(batch);
    if (!built.empty()) notify(notices, built);
    return built;
  }
  /// After the commit: to this process's screens. Callable from any thread; never blocks on a
  /// screen.
  virtual void publish(std::vector<LiveMessage> messages) = 0;
};

/// For a change already committed (its own transaction): to this process's screens first, then
/// to the other receivers. The change is stored whatever happens to the notice, so a failed
/// NOTIFY must not keep it from the screens here (nor fail the caller): it is logged.
inline void publish_stored(LiveEvents* live, Notifier& notices, const LiveBatch& batch) {
  if (live == nullptr || batch.empty()) return;
  std::vector<LiveMessage> built = live->views(batch);
  live->publish(built);
  try {
    live->notify(notices, built);
  } catch (const std::exception& e) {
    spdlog::warn("live notices: a stored change could not be sent to the other receivers: {}", e.what());
  }
}

/// Runs `work`, which stores changes one by one (each its own transaction) and adds each to
/// `batch`, then publishes `batch` (publish_stored). When `work` throws part way, what it had
/// stored is still published before the exception goes on: committed changes reach the screens.
template <class Work>
void store_then_publish(LiveEvents* live, Notifier& notices, LiveBatch& batch, Work&& work) {
  try {
    std::forward<Work>(work)();
  } catch (...) {
    publish_stored(live, notices, batch);
    throw;
  }
  publish_stored(live, notices, batch);
}

}  // namespace anpr::receiver
