#pragma once
/// @file
/// The durable store-and-forward spool: the source of truth for reads not yet acknowledged by
/// the broker. Every read is written to its own file and fsync'd (file, then folder) before it is
/// published; the file is removed only when the broker acknowledged it. After a crash or power
/// cut the files left are replayed oldest first. Bounded in bytes: when full, the oldest reads
/// are evicted, counted and logged. A damaged file (torn write, bad checksum) is set aside as
/// `*.damaged` with a log line, never fatal.
///
/// File format (one file per message, name `<20-digit sequence>.msg`):
///   `anpr-spool 1 <topic> <payload bytes> <blake2b-128 of payload, hex>\n<payload>`

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace anpr::edge {

struct SpoolSettings {
  std::filesystem::path dir;
  std::int64_t max_bytes = 256LL * 1024 * 1024;
};

struct SpooledMessage {
  std::uint64_t sequence = 0;
  std::string topic;
  std::string payload;
};

struct SpoolStats {
  std::int64_t depth = 0;      ///< messages waiting
  std::int64_t bytes = 0;      ///< their size on disk
  std::int64_t evictions = 0;  ///< since this process opened the spool
  std::int64_t damaged = 0;    ///< entries set aside as damaged since open
};

/// Thread-safe.
class Spool {
 public:
  /// Opens (creating) the folder, removes half-written temporaries and indexes what is there.
  /// Throws anpr::Error when the folder cannot be created or written.
  explicit Spool(SpoolSettings settings);

  /// Durably stores a message and returns its sequence number; evicts the oldest messages first
  /// when the spool would exceed its bound. Throws anpr::Error when the disk write fails (the
  /// caller keeps the message and retries) or when one message is larger than the whole bound.
  std::uint64_t put(const std::string& topic, const std::string& payload);

  /// Up to `limit` sequence numbers, oldest first, skipping those in `exclude`.
  [[nodiscard]] std::vector<std::uint64_t> oldest(std::size_t limit,
                                                  const std::vector<std::uint64_t>& exclude = {}) const;

  /// Loads and verifies one message; nullopt when it is gone (acknowledged or evicted) or
  /// damaged (then set aside and counted).
  [[nodiscard]] std::optional<SpooledMessage> load(std::uint64_t sequence);

  /// Removes an acknowledged message; a no-op when it is already gone.
  void remove(std::uint64_t sequence);

  [[nodiscard]] SpoolStats stats() const;

 private:
  [[nodiscard]] std::filesystem::path path_of(std::uint64_t sequence) const;
  std::optional<SpooledMessage> load_locked(std::uint64_t sequence);
  void set_aside_locked(std::uint64_t sequence, const std::string& why);

  SpoolSettings settings_;
  mutable std::mutex mutex_;
  std::map<std::uint64_t, std::int64_t> entries_;  ///< sequence -> file size, ordered oldest first
  std::uint64_t next_sequence_ = 1;
  SpoolStats stats_;
};

}  // namespace anpr::edge
