#include "anpr/edge/camera/frame_queue.hpp"

#include <algorithm>

namespace anpr::edge {
namespace {

bool holds_any(const cv::Rect& region, const std::vector<cv::Rect>& boxes) {
  return std::any_of(boxes.begin(), boxes.end(), [&](const cv::Rect& b) {
    return region.contains(cv::Point(b.x + b.width / 2, b.y + b.height / 2));
  });
}

}  // namespace

bool fresh_motion(const std::vector<cv::Rect>& regions, const std::vector<cv::Rect>& settled,
                  const std::vector<cv::Rect>& still) {
  return std::any_of(regions.begin(), regions.end(),
                     [&](const cv::Rect& r) { return !holds_any(r, settled) && !holds_any(r, still); });
}

std::vector<cv::Rect> settled_windows(const std::vector<cv::Rect>& regions,
                                      const std::vector<cv::Rect>& settled) {
  std::vector<cv::Rect> out;
  for (const cv::Rect& region : regions) {
    std::vector<cv::Rect> windows;
    for (const cv::Rect& b : settled) {
      if (!holds_any(region, {b})) continue;
      cv::Rect window = cv::Rect(b.x - b.width / 2, b.y - b.height, b.width * 2, b.height * 3) & region;
      // Windows that overlap become one: a plate read twice in one frame would feed a second
      // track of it (two settled tracks close together are most often a plate and a fragment).
      for (auto it = windows.begin(); it != windows.end();) {
        if ((*it & window).empty()) {
          ++it;
        } else {
          window |= *it;
          windows.erase(it);
          it = windows.begin();  // the larger window may now overlap one already passed
        }
      }
      if (!window.empty()) windows.push_back(window);
    }
    if (windows.empty()) windows.push_back(region);
    out.insert(out.end(), windows.begin(), windows.end());
  }
  return out;
}

FrameQueue::FrameQueue(FrameQueueSettings settings) : settings_(settings) {}

void FrameQueue::put(Frame frame) {
  const std::size_t capacity = std::max<std::size_t>(1, settings_.capacity);
  std::unique_lock lock(mutex_);
  if (!settings_.drop_when_busy && !emulating()) {
    changed_.wait(lock, [&] { return waiting_.size() < capacity || closed_; });
  }
  if (closed_) return;
  if (waiting_.size() >= capacity) {
    ++dropped_;
    // The oldest frame without fresh motion gives way, else the oldest; the new frame itself when
    // it has none and every waiting frame has.
    const auto stale =
        std::find_if(waiting_.begin(), waiting_.end(), [](const Frame& f) { return !f.fresh; });
    if (stale == waiting_.end() && !frame.fresh) return;
    waiting_.erase(stale != waiting_.end() ? stale : waiting_.begin());
  }
  waiting_.push_back(std::move(frame));
  changed_.notify_all();
}

std::optional<Frame> FrameQueue::take(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout,
                    [&] { return (!waiting_.empty() && (capture_waiting_ || !emulating())) || closed_; });
  if (waiting_.empty() || (emulating() && !capture_waiting_ && !closed_)) return std::nullopt;
  std::optional<Frame> out = std::move(waiting_.front());
  waiting_.pop_front();
  if (emulating()) ++recognising_;
  changed_.notify_all();
  return out;
}

void FrameQueue::wait_turn(TimestampMs captured_at) {
  if (!emulating()) return;
  const auto at = static_cast<double>(captured_at);
  std::unique_lock lock(mutex_);
  // Nothing being recognised and nothing waiting: the unit is idle, its clock jumps to this frame.
  if (recognising_ == 0 && waiting_.empty()) clock_ms_ = std::max(clock_ms_, at);
  capture_waiting_ = true;
  changed_.notify_all();
  changed_.wait(lock, [&] { return clock_ms_ >= at || closed_ || (recognising_ == 0 && waiting_.empty()); });
  clock_ms_ = std::max(clock_ms_, at);
  capture_waiting_ = false;
}

void FrameQueue::wait_room() {
  if (settings_.drop_when_busy || emulating()) return;
  const std::size_t capacity = std::max<std::size_t>(1, settings_.capacity);
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return waiting_.size() < capacity || closed_; });
}

void FrameQueue::finished(double recognise_ms) {
  if (!emulating()) return;
  std::lock_guard lock(mutex_);
  if (recognising_ > 0) --recognising_;
  clock_ms_ += recognise_ms * settings_.emulated_slowdown;
  changed_.notify_all();
}

void FrameQueue::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

bool FrameQueue::closed() const {
  std::lock_guard lock(mutex_);
  return closed_ && waiting_.empty();
}

std::size_t FrameQueue::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

}  // namespace anpr::edge
