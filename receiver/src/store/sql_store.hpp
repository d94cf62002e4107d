#pragma once
// The part of the Store that both back ends share: its SQL written once (sql_store.cpp), run
// over the connection adapter (sql_connection.hpp). SqliteStore and PostgresStore derive from it
// and keep only what differs: the connection and its transactions, the migrations, and the
// statements whose SQL is their own (ingest of reads and dead letters, the scan of reads,
// PostgreSQL's partitions and notices).

#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "anpr/receiver/store/store.hpp"
#include "sql_connection.hpp"

namespace anpr::receiver {

class SqlStore : public Store {
 public:
  // ReadStore (insert_read and scan_reads are the back ends' own)
  [[nodiscard]] std::int64_t read_count() override;
  [[nodiscard]] std::vector<Sighting> reads(const std::string& camera_id, TimestampMs from, TimestampMs to,
                                            int limit) override;
  [[nodiscard]] std::vector<Sighting> reads_arrived(TimestampMs received_from, int limit) override;
  [[nodiscard]] std::vector<Sighting> movements(const std::string& plate_or_pattern, TimestampMs from,
                                                TimestampMs to, int limit) override;
  [[nodiscard]] std::optional<ReadImages> read_images(const std::string& read_id) override;
  [[nodiscard]] std::optional<std::string> read_message(const std::string& read_id) override;
  std::vector<std::string> purge_reads(TimestampMs before, TimestampMs hit_before) override;

  // DeadLetterStore (insert_dead_letter is the back ends' own)
  [[nodiscard]] std::vector<DeadLetter> dead_letters(int limit) override;
  std::int64_t purge_dead_letters(TimestampMs older_than, std::int64_t keep_at_most) override;
  [[nodiscard]] std::int64_t dead_letter_count() override;

  // HitStore
  void insert_hit(const HitMessage& hit, TimestampMs created_at) override;
  bool acknowledge_hit(const std::string& hit_id, const std::string& user, const std::string& note,
                       TimestampMs at) override;
  bool close_hit(const std::string& hit_id, const std::string& user, const std::string& note,
                 TimestampMs at) override;
  [[nodiscard]] std::vector<HitRecord> hits(std::optional<TimestampMs> since,
                                            std::optional<std::string> state, int limit) override;

  // CameraStore
  void upsert_camera(const CameraInfo& camera) override;
  void set_camera_status(const StatusMessage& status) override;
  void set_camera_health(const HealthMessage& health) override;
  [[nodiscard]] std::optional<CameraInfo> camera(const std::string& camera_id) override;
  [[nodiscard]] std::vector<CameraInfo> cameras() override;
  [[nodiscard]] std::vector<std::string> registered_camera_ids() override;
  bool raise_fault(const CameraFault& fault) override;
  bool clear_fault(const std::string& camera_id, const std::string& kind, TimestampMs at) override;
  bool acknowledge_fault(const std::string& fault_id, const std::string& user, const std::string& note,
                         TimestampMs at) override;
  [[nodiscard]] std::vector<CameraFault> faults(TimestampMs changed_since, bool needing_attention,
                                                int limit) override;
  [[nodiscard]] std::vector<CameraFault> open_faults() override;

  // WatchlistStore
  int replace_watchlist(const WatchlistInfo& list, const std::vector<WatchlistEntry>& entries) override;
  void add_entry(const WatchlistEntry& entry) override;
  bool remove_entry(const std::string& list, const std::string& plate) override;
  [[nodiscard]] std::vector<WatchlistInfo> watchlists() override;
  [[nodiscard]] std::string watchlist_generation() override;
  [[nodiscard]] std::vector<WatchlistEntry> entries(const std::string& list) override;
  bool expire_entry(const std::string& list, const std::string& plate, TimestampMs at) override;

  // AnalysisStore (scan_reads is the back ends' own)
  [[nodiscard]] std::vector<ReadPoint> plate_neighbours(const std::string& plate, TimestampMs at,
                                                        TimestampMs window_ms,
                                                        const std::string& read_id) override;
  [[nodiscard]] std::vector<CameraCount> camera_counts(TimestampMs from, TimestampMs to,
                                                       TimestampMs bucket_ms) override;
  [[nodiscard]] std::vector<ListCount> hit_counts(TimestampMs from, TimestampMs to) override;
  [[nodiscard]] std::vector<FirstSighting> first_seen(const std::string& site_id, TimestampMs from,
                                                      TimestampMs to, TimestampMs lookback_from,
                                                      int limit) override;
  void upsert_section(const SpeedSection& section) override;
  [[nodiscard]] std::vector<SpeedSection> sections() override;

  // AuditLog
  void audit(const AuditRecord& record) override;
  [[nodiscard]] std::vector<AuditRecord> audit_log(int limit) override;

  // UserStore
  bool add_user(const UserRecord& user) override;
  bool update_user(const UserRecord& user) override;
  [[nodiscard]] std::optional<UserRecord> user(const std::string& name) override;
  [[nodiscard]] std::vector<UserRecord> users() override;
  void save_session(const SessionRecord& session) override;
  [[nodiscard]] std::optional<SessionRecord> find_session(const std::string& token_hash) override;
  void delete_sessions(const std::string& token_hash, const std::string& user) override;
  void purge_sessions(TimestampMs idle_before) override;

 protected:
  /// Runs `work` with the connection to itself (the back end's lock held): in the transaction in
  /// progress if there is one; otherwise PostgreSQL runs it in a transaction of its own, and
  /// SQLite does where `atomic` (each statement commits alone otherwise, as SQLite's do).
  /// Database errors come out as anpr::Error.
  virtual void use(bool atomic, const std::function<void(SqlConnection&)>& work) = 0;

  /// Run by purge_reads before it deletes old reads row by row, in its transaction: where reads
  /// are partitioned by time, whole partitions older than `before` go here. (None in SQLite.)
  virtual void purge_partitions(SqlConnection& connection, TimestampMs before) {
    (void)connection;
    (void)before;
  }

  /// `work(connection)` run by use(), its result handed back.
  template <typename F>
  auto run(F&& work, bool atomic = false) {
    using Result = std::invoke_result_t<F&, SqlConnection&>;
    if constexpr (std::is_void_v<Result>) {
      use(atomic, work);
    } else {
      Result out{};
      use(atomic, [&](SqlConnection& c) { out = work(c); });
      return out;
    }
  }

 private:
  std::vector<CameraInfo> cameras_where(const std::string& camera_id);
};

}  // namespace anpr::receiver
