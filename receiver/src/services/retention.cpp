#include "anpr/receiver/services/retention.hpp"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "anpr/common/time.hpp"

namespace anpr::receiver {

Retention::Retention(ReadStore& reads, DeadLetterStore& dead_letters, RetentionSettings settings, Clock clock)
    : reads_(reads), dead_letters_(dead_letters), settings_(settings), clock_(std::move(clock)) {}

std::size_t Retention::run_once() {
  const TimestampMs now = clock_();
  last_run_ = now;
  const auto files =
      reads_.purge_reads(now - settings_.read_days * kDayMs, now - settings_.hit_read_days * kDayMs);
  std::size_t removed = 0;
  for (const auto& f : files) {
    std::error_code ec;
    if (std::filesystem::remove(f, ec)) ++removed;
  }
  return removed;
}

std::size_t Retention::tick() {
  if (clock_() - last_dead_letter_purge_ >= 60'000) purge_dead_letters();
  if (clock_() - last_run_ < settings_.interval_s * 1000LL) return 0;
  return run_once();
}

std::int64_t Retention::purge_dead_letters() {
  const TimestampMs now = clock_();
  last_dead_letter_purge_ = now;
  const std::int64_t removed =
      dead_letters_.purge_dead_letters(now - settings_.dead_letter_days * kDayMs, settings_.dead_letter_max);
  if (removed > 0) {
    spdlog::info("dead letters: {} purged (older than {} days or beyond the newest {}), {} kept", removed,
                 settings_.dead_letter_days, settings_.dead_letter_max, dead_letters_.dead_letter_count());
  }
  return removed;
}

}  // namespace anpr::receiver
