#pragma once
/// @file
/// The hand-over between capture and recognition: one slot, the newest frame wins. Capture never
/// waits; a frame replaced before any recogniser took it is counted as dropped. For benchmarks
/// and file processing the slot can instead make capture wait (every frame is processed).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "anpr/edge/camera/frame_source.hpp"

namespace anpr::edge {

class LatestFrame {
 public:
  explicit LatestFrame(bool drop_when_busy = true) : drop_when_busy_(drop_when_busy) {}

  /// Offers a frame. Replaces (and counts as dropped) a frame nobody took yet, or, when dropping
  /// is off, waits until the slot is free.
  void put(Frame frame);
  /// Waits up to `timeout` for a frame; nullopt on timeout or once close() was called and the
  /// slot is empty (then closed() is true).
  [[nodiscard]] std::optional<Frame> take(std::chrono::milliseconds timeout);
  [[nodiscard]] bool closed() const;
  /// Wakes every waiter; take() drains what is left, then returns nullopt.
  void close();

  [[nodiscard]] std::int64_t dropped() const { return dropped_.load(); }
  [[nodiscard]] bool pending() const;

 private:
  const bool drop_when_busy_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<Frame> slot_;
  bool closed_ = false;
  std::atomic<std::int64_t> dropped_{0};
};

}  // namespace anpr::edge
