#include "anpr/edge/camera/latest_frame.hpp"

namespace anpr::edge {

void LatestFrame::put(Frame frame) {
  std::unique_lock lock(mutex_);
  if (!drop_when_busy_) changed_.wait(lock, [&] { return !slot_ || closed_; });
  if (closed_) return;
  if (slot_) ++dropped_;
  slot_ = std::move(frame);
  changed_.notify_all();
}

std::optional<Frame> LatestFrame::take(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return slot_.has_value() || closed_; });
  if (!slot_) return std::nullopt;
  std::optional<Frame> out = std::move(slot_);
  slot_.reset();
  changed_.notify_all();
  return out;
}

void LatestFrame::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

bool LatestFrame::closed() const {
  std::lock_guard lock(mutex_);
  return closed_ && !slot_;
}

bool LatestFrame::pending() const {
  std::lock_guard lock(mutex_);
  return slot_.has_value();
}

}  // namespace anpr::edge
