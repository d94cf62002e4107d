#pragma once
/// @file
/// Where the receiver keeps everything: reads, hits, watchlists, cameras, the audit log and
/// dead letters. One interface; SQLite is the embedded default, PostgreSQL (libpqxx) at scale.
/// Plate crops and overviews are files under the data folder, not blobs: the database stays
/// small and fast to back up, and retention deletes files with their rows. The records it keeps
/// are plain value types (records.hpp); this header is the interfaces over them.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "anpr/common/messages.hpp"
#include "anpr/receiver/store/records.hpp"

namespace anpr::receiver {

/// Reads as stored: ingest writes them, searches and the live feed read them, retention purges them.
class ReadStore {
 public:
  virtual ~ReadStore() = default;
  /// Stores a read once: false (and nothing written) when its read id is already stored.
  virtual bool insert_read(const ReadMessage& read, TimestampMs received_at, bool unknown_camera,
                           const std::string& crop_path, const std::string& overview_path) = 0;
  /// Stores several reads as insert_read would, one after another (a read id already stored, or
  /// earlier in `rows`, is not stored again), and says for each whether it was stored. A back end
  /// may do it in fewer round trips (PostgreSQL: one multi-row INSERT); this default calls
  /// insert_read, which costs SQLite nothing more (no round trips).
  virtual std::vector<bool> insert_reads(const std::vector<ReadRow>& rows) {
    std::vector<bool> stored;
    stored.reserve(rows.size());
    for (const ReadRow& r : rows)
      stored.push_back(insert_read(*r.read, r.received_at, r.unknown_camera, r.crop_path, r.overview_path));
    return stored;
  }
  [[nodiscard]] virtual std::int64_t read_count() = 0;
  /// Reads in a time range, optionally of one camera, newest first.
  [[nodiscard]] virtual std::vector<Sighting> reads(const std::string& camera_id, TimestampMs from,
                                                    TimestampMs to, int limit) = 0;
  /// Reads in the order they arrived, received at or after `received_from` (the receiver's own
  /// clock, which a camera's wrong clock cannot move): what the live feed follows.
  [[nodiscard]] virtual std::vector<Sighting> reads_arrived(TimestampMs received_from, int limit) = 0;
  /// Sightings of a plate or pattern ('?', '*') in time order.
  [[nodiscard]] virtual std::vector<Sighting> movements(const std::string& plate_or_pattern, TimestampMs from,
                                                        TimestampMs to, int limit) = 0;
  /// The images a stored read kept; nullopt when no such read is stored.
  [[nodiscard]] virtual std::optional<ReadImages> read_images(const std::string& read_id) = 0;
  /// The read's message as stored (JSON, without its images); nullopt when no such read is stored.
  [[nodiscard]] virtual std::optional<std::string> read_message(const std::string& read_id) = 0;
  /// Deletes reads captured before `before`, and reads tied to a hit captured before
  /// `hit_before` (with their hits). Returns the image files the deleted reads referred to.
  virtual std::vector<std::string> purge_reads(TimestampMs before, TimestampMs hit_before) = 0;
};

/// Messages refused at ingest, kept with the reason for a while to find out what went wrong.
class DeadLetterStore {
 public:
  virtual ~DeadLetterStore() = default;
  /// Keeps a rejected message (payload cut to 64 KiB) with the reason.
  virtual void insert_dead_letter(std::string_view topic, std::string_view payload, std::string_view reason,
                                  TimestampMs at) = 0;
  [[nodiscard]] virtual std::vector<DeadLetter> dead_letters(int limit) = 0;
  /// Deletes dead letters received before `older_than`, then the oldest beyond the newest
  /// `keep_at_most`; returns how many went.
  virtual std::int64_t purge_dead_letters(TimestampMs older_than, std::int64_t keep_at_most) = 0;
  [[nodiscard]] virtual std::int64_t dead_letter_count() = 0;
};

/// Watchlist hits and the operators' actions on them.
class HitStore {
 public:
  virtual ~HitStore() = default;
  virtual void insert_hit(const HitMessage& hit, TimestampMs created_at) = 0;
  /// Moves a hit on: new -> acknowledged (who, when, note) -> closed. False when the hit does
  /// not exist or is not in the state the change starts from.
  virtual bool acknowledge_hit(const std::string& hit_id, const std::string& user, const std::string& note,
                               TimestampMs at) = 0;
  virtual bool close_hit(const std::string& hit_id, const std::string& user, const std::string& note,
                         TimestampMs at) = 0;
  [[nodiscard]] virtual std::vector<HitRecord> hits(std::optional<TimestampMs> since,
                                                    std::optional<std::string> state, int limit) = 0;
};

/// The camera registry, what cameras report of themselves, and their faults.
class CameraStore {
 public:
  virtual ~CameraStore() = default;
  virtual void upsert_camera(const CameraInfo& camera) = 0;
  virtual void set_camera_status(const StatusMessage& status) = 0;
  virtual void set_camera_health(const HealthMessage& health) = 0;
  [[nodiscard]] virtual std::optional<CameraInfo> camera(const std::string& camera_id) = 0;
  [[nodiscard]] virtual std::vector<CameraInfo> cameras() = 0;
  /// The ids of the registered cameras alone: cheaper than `cameras()`, for ingest's check of a
  /// batch's cameras.
  [[nodiscard]] virtual std::vector<std::string> registered_camera_ids() = 0;
  /// Records a raised fault; false (nothing written) when that camera has a fault of that kind
  /// open already.
  virtual bool raise_fault(const CameraFault& fault) = 0;
  /// Clears the camera's open fault of that kind; false when none is open.
  virtual bool clear_fault(const std::string& camera_id, const std::string& kind, TimestampMs at) = 0;
  /// new -> acknowledged (who, when, note); false when no such fault is new.
  virtual bool acknowledge_fault(const std::string& fault_id, const std::string& user,
                                 const std::string& note, TimestampMs at) = 0;
  /// Faults changed at or after `changed_since`, newest change first; with `needing_attention`
  /// only those still open or not yet acknowledged.
  [[nodiscard]] virtual std::vector<CameraFault> faults(TimestampMs changed_since, bool needing_attention,
                                                        int limit) = 0;
  /// Every fault still open (not cleared), whatever its acknowledgement: what the monitors judge.
  [[nodiscard]] virtual std::vector<CameraFault> open_faults() = 0;
};

/// Watchlists and their entries, versioned for the matcher.
class WatchlistStore {
 public:
  virtual ~WatchlistStore() = default;
  /// Replaces a list and all its entries atomically as a new version; returns that version.
  virtual int replace_watchlist(const WatchlistInfo& list, const std::vector<WatchlistEntry>& entries) = 0;
  virtual void add_entry(const WatchlistEntry& entry) = 0;
  /// Returns false when the list has no such entry.
  virtual bool remove_entry(const std::string& list, const std::string& plate) = 0;
  [[nodiscard]] virtual std::vector<WatchlistInfo> watchlists() = 0;
  /// Changes whenever any list or entry changes: a cheap check for "reload the matcher?".
  [[nodiscard]] virtual std::string watchlist_generation() = 0;
  [[nodiscard]] virtual std::vector<WatchlistEntry> entries(const std::string& list) = 0;
  /// Sets an entry's expiry; false when the list has no such entry.
  virtual bool expire_entry(const std::string& list, const std::string& plate, TimestampMs at) = 0;
};

/// The narrow queries the analyses run (both back ends give the same answers), and speed sections.
class AnalysisStore {
 public:
  virtual ~AnalysisStore() = default;
  /// Hands every read with from <= captured_at < to, of `cameras` (every camera when empty), to
  /// `row` in capture-time order, one at a time: nothing is collected, so a month of a district's
  /// reads streams through in bounded memory. `row` must not call the store.
  virtual void scan_reads(TimestampMs from, TimestampMs to, const std::vector<std::string>& cameras,
                          const std::function<void(const ReadPoint&)>& row) = 0;
  /// The reads of `plate` nearest in time to `at` within `window_ms`, at most one before and one
  /// after, other than `read_id` (the live clone check of a new read).
  [[nodiscard]] virtual std::vector<ReadPoint> plate_neighbours(const std::string& plate, TimestampMs at,
                                                                TimestampMs window_ms,
                                                                const std::string& read_id) = 0;
  /// Reads and hits per camera per bucket of `bucket_ms` (a whole number of hours), buckets
  /// aligned to the epoch (whole UTC hours and days), over the whole hours that [from, to) touches.
  /// Reads are counted as they are stored (the counts outlive retention); buckets without
  /// reads or hits are left out.
  [[nodiscard]] virtual std::vector<CameraCount> camera_counts(TimestampMs from, TimestampMs to,
                                                               TimestampMs bucket_ms) = 0;
  /// Hits per list per UTC day, of reads captured in [from, to), by day then list.
  [[nodiscard]] virtual std::vector<ListCount> hit_counts(TimestampMs from, TimestampMs to) = 0;
  /// Plates read at `site_id` (its registered cameras) in [from, to) and not there in
  /// [lookback_from, from), first seen first.
  [[nodiscard]] virtual std::vector<FirstSighting> first_seen(const std::string& site_id, TimestampMs from,
                                                              TimestampMs to, TimestampMs lookback_from,
                                                              int limit) = 0;
  /// Adds a speed section or replaces the one of that name.
  virtual void upsert_section(const SpeedSection& section) = 0;
  [[nodiscard]] virtual std::vector<SpeedSection> sections() = 0;
};

/// The append-only audit log: who searched, changed or acted, when and why.
class AuditLog {
 public:
  virtual ~AuditLog() = default;
  /// Appends to the audit log; the log has no update or delete path.
  virtual void audit(const AuditRecord& record) = 0;
  [[nodiscard]] virtual std::vector<AuditRecord> audit_log(int limit) = 0;
};

/// Control-room users and their login sessions.
class UserStore {
 public:
  virtual ~UserStore() = default;
  /// Adds a user; false (nothing changed) when the name is taken.
  virtual bool add_user(const UserRecord& user) = 0;
  /// Changes a user's password hash, role and disabled flag; false when there is no such user.
  virtual bool update_user(const UserRecord& user) = 0;
  [[nodiscard]] virtual std::optional<UserRecord> user(const std::string& name) = 0;
  [[nodiscard]] virtual std::vector<UserRecord> users() = 0;
  /// Stores a session, or refreshes its last_seen when it is stored already.
  virtual void save_session(const SessionRecord& session) = 0;
  [[nodiscard]] virtual std::optional<SessionRecord> find_session(const std::string& token_hash) = 0;
  /// Deletes one session (token_hash), every session of a user (user), or both when both are given.
  virtual void delete_sessions(const std::string& token_hash, const std::string& user) = 0;
  /// Deletes sessions last seen before `idle_before` (expired ones).
  virtual void purge_sessions(TimestampMs idle_before) = 0;
};

/// Tells the other processes sharing the database that something changed (the live feed between
/// receivers, services/live_notices.hpp).
class Notifier {
 public:
  virtual ~Notifier() = default;
  /// PostgreSQL NOTIFY on `channel` (at most 7,999 bytes of `payload`), sent with the store's
  /// transaction in progress when it commits, or at once outside one. A notice PostgreSQL refuses
  /// is logged and dropped; the transaction goes on. SQLite: nothing, since one box runs one
  /// receiver and its own parts tell each other in process.
  virtual void notify(const std::string& channel, const std::string& payload) {
    (void)channel;
    (void)payload;
  }
};

/// The whole store: what a back end implements and open_store opens. It is split by concern so
/// that a part which needs one concern can take just that interface; what writes across concerns
/// in one transaction (a change and its audit record) takes the Store.
class Store : public ReadStore,
              public DeadLetterStore,
              public HitStore,
              public CameraStore,
              public WatchlistStore,
              public AnalysisStore,
              public AuditLog,
              public UserStore,
              public Notifier {
 public:
  /// Runs `work` (calls to this store) as one transaction: committed together or not at all.
  /// Other threads' calls wait meanwhile. Many small writes in one transaction are what lets
  /// ingest keep up: a commit costs a WAL sync, a row costs microseconds.
  virtual void in_transaction(const std::function<void()>& work) = 0;
};

/// Opens (creating and migrating) the store named by `database`: a SQLite file path, or a
/// PostgreSQL connection string (postgresql://user[:password]@host[:port]/dbname[?options]).
/// Throws anpr::Error naming the database and the reason when it cannot.
[[nodiscard]] std::unique_ptr<Store> open_store(const std::string& database);

/// Whether `database` names a PostgreSQL database rather than a SQLite file.
[[nodiscard]] bool is_postgresql(const std::string& database);

}  // namespace anpr::receiver
