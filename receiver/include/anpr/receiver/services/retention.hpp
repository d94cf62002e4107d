#pragma once
/// @file
/// Retention: reads older than a set age are deleted with their images; reads tied to a hit are
/// kept for a longer period. Runs on a schedule inside `serve`; the clock is injectable so tests
/// can move time.

#include <functional>

#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver {

struct RetentionSettings {
  int read_days = 365;      ///< ordinary reads
  int hit_read_days = 730;  ///< reads that raised a hit
  int interval_s = 3600;    ///< how often serve runs it
  /// Rejected messages are kept to find out what went wrong, not for ever: this many days, and
  /// at most this many (each holds at most 64 KiB of its payload: 10,000 are at most 640 MB).
  /// Checked every minute, so a flood of garbage is cut back quickly.
  int dead_letter_days = 7;
  int dead_letter_max = 10000;
};

class Retention {
 public:
  using Clock = std::function<TimestampMs()>;
  /// `reads` and `dead_letters` are usually one Store: Retention retention(store, store, settings).
  Retention(ReadStore& reads, DeadLetterStore& dead_letters, RetentionSettings settings,
            Clock clock = now_ms);
  /// Purges what has expired now; returns the number of image files removed.
  std::size_t run_once();
  /// Runs when the interval has passed since the last run (call it often); the dead letters are
  /// purged every minute.
  std::size_t tick();
  /// Purges dead letters past their age or the cap; returns how many went.
  std::int64_t purge_dead_letters();

 private:
  ReadStore& reads_;
  DeadLetterStore& dead_letters_;
  RetentionSettings settings_;
  Clock clock_;
  TimestampMs last_run_ = 0;
  TimestampMs last_dead_letter_purge_ = 0;
};

}  // namespace anpr::receiver
