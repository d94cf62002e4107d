#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "anpr/edge/camera/frame_queue.hpp"

using namespace anpr::edge;

namespace {

Frame frame(std::int64_t id, bool fresh = true) {
  Frame f;
  f.id = id;
  f.fresh = fresh;
  return f;
}

std::vector<std::int64_t> drain(FrameQueue& queue) {
  std::vector<std::int64_t> ids;
  while (auto f = queue.take(std::chrono::milliseconds(10))) ids.push_back(f->id);
  return ids;
}

}  // namespace

TEST_CASE("frame queue: among frames alike the newest win and the rest count as dropped", "[frames]") {
  FrameQueue one({.capacity = 1});
  for (int i = 1; i <= 5; ++i) one.put(frame(i));
  CHECK(drain(one) == std::vector<std::int64_t>{5});
  CHECK(one.dropped() == 4);
  one.close();
  CHECK(one.closed());

  FrameQueue two({.capacity = 2});
  for (int i = 1; i <= 5; ++i) two.put(frame(i));
  CHECK(drain(two) == std::vector<std::int64_t>{4, 5});  // oldest first, for the tracker
  CHECK(two.dropped() == 3);
}

TEST_CASE("frame queue: a frame where something new moves outlasts frames of settled passes", "[frames]") {
  FrameQueue slot;                                         // one frame waits, as in the camera
  slot.put(frame(1, true));                                // a vehicle nobody has read yet
  for (int i = 2; i <= 6; ++i) slot.put(frame(i, false));  // only a settled pass moves: they give way
  CHECK(drain(slot) == std::vector<std::int64_t>{1});
  slot.put(frame(7, false));
  slot.put(frame(8, true));  // fresh motion pushes out a stale frame
  slot.put(frame(9, true));  // and among fresh frames the newest wins
  CHECK(drain(slot) == std::vector<std::int64_t>{9});
  CHECK(slot.dropped() == 7);

  FrameQueue two({.capacity = 2});
  two.put(frame(1, false));
  two.put(frame(2, true));
  two.put(frame(3, true));   // the stale frame 1 gives way, not the older fresh one
  two.put(frame(4, false));  // stale while both waiting are fresh: gives way itself
  CHECK(drain(two) == std::vector<std::int64_t>{2, 3});
}

TEST_CASE("frame queue without dropping makes capture wait for the recogniser", "[frames]") {
  FrameQueue queue({.capacity = 2, .drop_when_busy = false});
  std::thread producer([&] {
    for (int i = 1; i <= 20; ++i) queue.put(frame(i, i % 3 == 0));
    queue.close();
  });
  std::vector<std::int64_t> ids;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!queue.closed() && std::chrono::steady_clock::now() < deadline) {
    if (auto f = queue.take(std::chrono::milliseconds(100))) ids.push_back(f->id);
  }
  queue.close();  // a stalled producer must end the test, not hang it
  producer.join();
  CHECK(ids.size() == 20);
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  CHECK(queue.dropped() == 0);
}

TEST_CASE("frame queue without dropping: capture makes the next frame only when it can be handed over",
          "[frames]") {
  FrameQueue queue({.capacity = 1, .drop_when_busy = false});
  queue.put(frame(1));
  std::atomic<bool> room{false};
  std::thread capture([&] {
    queue.wait_room();
    room = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(room.load());  // the waiting frame was not taken yet
  CHECK(queue.take(std::chrono::milliseconds(10)).has_value());
  capture.join();
  CHECK(room.load());
  // Live video never waits: a frame waiting there is dropped for the newer one instead.
  FrameQueue live({.capacity = 1, .drop_when_busy = true});
  live.put(frame(1));
  live.wait_room();
  CHECK(live.waiting() == 1);
}

TEST_CASE("frame queue playing a unit ten times slower drops what that unit would", "[frames]") {
  // 25 fps; each frame takes 20 ms to recognise here, 200 ms on the emulated unit: while it reads
  // one frame, five more arrive and the newest of them is read next.
  FrameQueue queue({.capacity = 1, .emulated_slowdown = 10});
  std::thread capture([&] {
    for (int i = 1; i <= 21; ++i) {
      Frame f = frame(i);
      f.captured_at = 1'000'000 + 40 * (i - 1);
      queue.wait_turn(f.captured_at);
      queue.put(std::move(f));
    }
    queue.close();
  });
  std::vector<std::int64_t> ids;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!queue.closed() && std::chrono::steady_clock::now() < deadline) {
    if (auto f = queue.take(std::chrono::milliseconds(100))) {
      ids.push_back(f->id);
      queue.finished(20);
    }
  }
  queue.close();  // a stalled capture must end the test, not hang it
  capture.join();
  CHECK(ids == std::vector<std::int64_t>{1, 6, 11, 16, 21});
  CHECK(queue.dropped() == 16);
}

TEST_CASE("fresh motion: a region holding neither a settled plate nor a learned static text", "[frames]") {
  const std::vector<cv::Rect> regions = {{0, 0, 100, 100}, {200, 0, 100, 100}};
  const std::vector<cv::Rect> settled = {{220, 40, 50, 12}};  // its centre lies in the second region
  const std::vector<cv::Rect> still = {{10, 5, 60, 10}};      // a caption in the first
  CHECK(fresh_motion(regions, {}, {}));
  CHECK(fresh_motion(regions, settled, {}));
  CHECK(fresh_motion(regions, {}, still));
  CHECK_FALSE(fresh_motion(regions, settled, still));
  CHECK_FALSE(fresh_motion({}, {}, {}));
}

TEST_CASE("settled windows: a region holding a settled plate is read around the plate only", "[frames]") {
  const cv::Rect car(100, 100, 600, 500);
  const cv::Rect other(900, 100, 300, 300);
  const cv::Rect plate(300, 400, 200, 60);  // settled, its centre in the car's region
  const auto windows = settled_windows({car, other}, {plate});
  REQUIRE(windows.size() == 2);
  // Half a plate width to each side, a plate height above and below.
  CHECK(windows[0] == cv::Rect(200, 340, 400, 180));
  CHECK(windows[1] == other);  // nothing settled there: read whole
  // Clipped to the region; a plate outside every region changes nothing.
  CHECK(settled_windows({car}, {cv::Rect(120, 560, 100, 30)}) ==
        std::vector<cv::Rect>{cv::Rect(100, 530, 170, 70)});
  CHECK(settled_windows({car}, {cv::Rect(800, 100, 50, 20)}) == std::vector<cv::Rect>{car});
  // Two settled plates in one region (two cars close together): a window each; windows that
  // overlap (a plate and a fragment of it) become one, so no plate is read twice.
  CHECK(settled_windows({car}, {plate, cv::Rect(150, 150, 100, 30)}).size() == 2);
  CHECK(settled_windows({car}, {plate, cv::Rect(340, 410, 80, 40)}) ==
        std::vector<cv::Rect>{cv::Rect(200, 340, 400, 180)});
}
