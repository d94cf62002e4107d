#pragma once
/// @file
/// Keeps a message that could come with every frame from flooding the log of a unit that runs
/// for months: the first occurrence is logged, then at most one per interval, each saying how
/// many were held back since the one before.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace anpr {

class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogThrottle(std::chrono::milliseconds interval) : interval_(interval) {}

  /// Counts an occurrence at `now`. When it is to be logged, returns how many occurrences were
  /// held back since the last logged one; otherwise nullopt.
  [[nodiscard]] std::optional<std::int64_t> occurred(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    ++total_;
    if (last_logged_ && now - *last_logged_ < interval_) {
      ++held_back_;
      return std::nullopt;
    }
    last_logged_ = now;
    const std::int64_t held_back = held_back_;
    held_back_ = 0;
    return held_back;
  }

  /// Every occurrence so far, logged or not.
  [[nodiscard]] std::int64_t total() const {
    std::lock_guard lock(mutex_);
    return total_;
  }

 private:
  const std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::optional<Clock::time_point> last_logged_;
  std::int64_t held_back_ = 0;
  std::int64_t total_ = 0;
};

}  // namespace anpr
