#pragma once
/// @file
/// The wait of a periodic job or a retry's back-off that a shutdown must be able to cut short:
/// it ends when the period is over or at once when the stop is requested, never up to a poll
/// interval later (a loop of short sleeps that look at a flag is what this replaces).

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

namespace anpr {

/// Waits `period`, or less when `stop` is requested meanwhile (from any thread). Returns whether
/// the stop was requested. A default-constructed token can never be stopped: then it waits the
/// whole period.
template <class Rep, class Period>
bool wait_or_stop(const std::stop_token& stop, std::chrono::duration<Rep, Period> period) {
  std::mutex mutex;
  std::condition_variable_any woken;
  std::unique_lock lock(mutex);
  // Nothing else notifies this condition: it wakes on the stop request (the standard library
  // registers a stop callback for the wait) or when the period is over.
  woken.wait_for(lock, stop, period, [] { return false; });
  return stop.stop_requested();
}

}  // namespace anpr
