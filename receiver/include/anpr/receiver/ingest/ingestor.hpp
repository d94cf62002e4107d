#pragma once
/// @file
/// Ingest: one MQTT message in -> validated by the shared decoder -> stored once (idempotent on
/// the read id) -> checked against the watchlists -> hits. Rejected messages go to the dead
/// letters with their reason. Never throws on bad input.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "anpr/common/topics.hpp"
#include "anpr/receiver/analysis/camera_directory.hpp"
#include "anpr/receiver/analysis/clones.hpp"
#include "anpr/receiver/evidence/evidence_images.hpp"
#include "anpr/receiver/live_events.hpp"
#include "anpr/receiver/store/store.hpp"
#include "anpr/receiver/watchlist/watchlist.hpp"

namespace anpr::receiver {

struct IngestSettings {
  std::string data_dir;  ///< plate crops and overviews go under <data_dir>/images; none kept if empty
  MatcherSettings matcher;
  analysis::CloneSettings clones;  ///< the live check for cloned plates
};

enum class IngestResult { kStored, kDuplicate, kRejected, kStatus, kHealth };

struct IngestOutcome {
  IngestResult result = IngestResult::kRejected;
  std::string error;             ///< why it was rejected
  std::vector<HitMessage> hits;  ///< raised by this read, highest priority first
};

struct IngestCounters {
  std::int64_t stored = 0, duplicates = 0, rejected = 0, hits = 0, status = 0, health = 0;
  /// Messages that failed to store again and again while the store took other writes, kept
  /// whole among the dead letters (see Ingestor::set_aside).
  std::int64_t set_aside = 0;
  /// How far behind ingest is: arrival time minus capture time of the last read stored (large
  /// while a backlog queued at the broker during an outage is worked off).
  std::int64_t behind_ms = 0;
};

class Ingestor {
 public:
  using Clock = std::function<TimestampMs()>;
  /// The whole Store: a batch's reads, hits, dead letters and camera reports are one transaction,
  /// and it reads the watchlists, the cameras and a plate's neighbours for the clone check.
  Ingestor(Store& store, IngestSettings settings, Clock clock = now_ms);

  /// Handles one message in its own store transaction.
  [[nodiscard]] IngestOutcome handle(std::string_view topic, std::string_view payload);
  /// Handles several messages in one store transaction (see Store::in_transaction). Throws when
  /// any of them cannot be stored, or the commit fails: then nothing of the batch is stored, and
  /// the caller must not acknowledge any of it.
  [[nodiscard]] std::vector<IngestOutcome> handle_batch(
      const std::vector<std::pair<std::string, std::string>>& messages);

  /// Keeps a message that failed to store `attempts` times, whole, among the dead letters with the
  /// last error, in its own transaction, so that one message that can never be stored does not
  /// hold up every message behind it. Throws when that fails too: then the store itself is down,
  /// and the message must stay with the broker.
  void set_aside(std::string_view topic, std::string_view payload, int attempts, std::string_view error);

  /// Rebuilds the matcher from the store when the watchlists changed (cheap when they did not).
  /// Returns true when a new snapshot was swapped in. Ingest goes on with the old snapshot
  /// meanwhile; the snapshot replaced is freed here too (now, or by a later call once no read is
  /// being matched against it), not by ingest.
  bool refresh_watchlists(bool force = false);
  /// Where refresh_watchlists reads the lists from from now on, instead of the ingest store: a
  /// store of its own (another connection to the same database), so that reading a large list
  /// (seconds for 1,000,000 entries) never holds the connection ingest stores reads through. Set
  /// before ingest starts; not owned, must outlive this.
  void reload_watchlists_from(WatchlistStore& lists) { lists_ = &lists; }
  [[nodiscard]] std::shared_ptr<const WatchlistMatcher> matcher() const;
  /// Reloads the camera registry (positions for the clone check); cheap, a few dozen rows.
  void refresh_cameras();
  [[nodiscard]] IngestCounters counters() const;
  /// Where each stored read and hit goes, once, when its transaction has committed (the web
  /// server's live feed; nullptr: nowhere). Set before handling messages; not owned.
  void set_live(LiveEvents* live) { live_ = live; }

 private:
  IngestOutcome reject(std::string_view topic, std::string_view payload, std::string reason);
  /// Handles one message inside the caller's transaction; images of a stored read are added to
  /// `images`, to be moved into place once the transaction commits.
  IngestOutcome handle_one(std::string_view topic, std::string_view payload,
                           std::vector<PendingImage>& images);
  IngestOutcome handle_read(const ParsedTopic& parsed, std::string_view topic, std::string_view payload,
                            std::vector<PendingImage>& images);
  /// A read decoded and checked, its images written under temporary names, waiting for its row.
  struct PendingRead {
    std::size_t index = 0;  ///< its message's place in the batch
    ReadMessage read;
    TimestampMs received_at = 0;
    bool unknown_camera = false;
    std::string crop_path, overview_path;
    std::string message;  ///< the row's message, cut from the payload ("": encoded by the store)
    std::vector<PendingImage> images;
  };
  /// Decodes and checks a read and writes its images; nullopt (and `rejected` set, the message
  /// among the dead letters) when it is refused.
  std::optional<PendingRead> prepare_read(const ParsedTopic& parsed, std::string_view topic,
                                          std::string_view payload, IngestOutcome& rejected);
  /// Whether the live clone check will look at this read (its camera has a position).
  [[nodiscard]] bool clone_checkable(const ReadMessage& read) const;
  /// Stores the waiting reads in one Store::insert_reads, then matches each stored one; their
  /// outcomes go to `outcomes` at their index, their images to `images`. Empties `pending`.
  void store_pending(std::vector<PendingRead>& pending, std::vector<IngestOutcome>& outcomes,
                     std::vector<PendingImage>& images);
  /// Hits (watchlists, clones) and counters of a read just stored.
  IngestOutcome finish_stored(const ReadMessage& read);
  /// Runs `work` in a store transaction; on commit the pending images take their final names, on
  /// failure they are removed, and what the transaction stored goes to the live feed.
  void in_transaction_with_images(std::vector<PendingImage>& images, const std::function<void()>& work);
  /// Why a message's site/camera disagree with its topic's, or "" when they agree.
  static std::string topic_mismatch(const ParsedTopic& topic, const std::string& site,
                                    const std::string& camera);
  /// Sets `unknown_camera` on each read whose camera is not in the registry: the registry as
  /// cached answers for its registered cameras, and one look-up in the store for all the rest.
  void mark_unknown_cameras(const std::vector<PendingRead*>& reads);
  /// Possible-clone hits for a stored read against the plate's nearest sightings either side.
  std::vector<HitMessage> check_clones(const ReadMessage& read);
  /// Adds a stored read, or a hit raised on it, to what the transaction shows live.
  void show_live(const PendingRead& p);
  void show_live(const HitMessage& hit, TimestampMs created_at, const std::string& colour);

  Store& store_;
  IngestSettings settings_;
  Clock clock_;
  EvidenceImages images_;
  WatchlistStore* lists_;  ///< where refresh_watchlists reads the lists (store_ unless set)
  mutable std::mutex matcher_mutex_;
  std::shared_ptr<const WatchlistMatcher> matcher_;
  std::string watchlist_generation_;
  /// A replaced snapshot that ingest still held when it was replaced: freed by the next
  /// refresh_watchlists that finds nobody else holding it (only refresh_watchlists touches it).
  std::shared_ptr<const WatchlistMatcher> retired_;
  std::shared_ptr<const analysis::CameraDirectory> cameras_;  ///< guarded by matcher_mutex_
  mutable std::mutex counters_mutex_;
  IngestCounters counters_;
  LiveEvents* live_ = nullptr;
  /// What the transaction in progress stored that the screens show; only touched inside the
  /// store's transaction, which one thread runs at a time.
  LiveBatch live_batch_;
};

}  // namespace anpr::receiver
