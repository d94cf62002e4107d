#pragma once
/// @file
/// The control room's side of LiveEvents: each stored change built once as the browser's view
/// (JSON text, docs/api.md), NOTIFYed to the other receivers sharing the database from the
/// storing transaction, and handed to this process's live feed once committed. The live reads
/// ticker is a sample when reads come faster than kReadsPerSecond; hits and faults are all sent.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "anpr/receiver/live_events.hpp"

namespace anpr::receiver::web {

class LiveFeed;

class LiveViews final : public LiveEvents {
 public:
  /// Reads sent to the screens per second at most (the ticker shows a sample beyond).
  static constexpr int kReadsPerSecond = 80;

  /// `feed`: this process's screens (nullptr in a process that serves none, such as a command
  /// that raises retrospective hits: it only tells the receivers). `clock_skew_s`: see WebSettings.
  explicit LiveViews(LiveFeed* feed, int clock_skew_s = 120);

  [[nodiscard]] std::vector<LiveMessage> views(const LiveBatch& batch) override;
  void notify(Notifier& notices, const std::vector<LiveMessage>& views) override;
  void publish(std::vector<LiveMessage> messages) override;

  /// An event this process's web API caused (an acknowledgement, JSON text), already committed: to
  /// this process's screens, then NOTIFYed to the other receivers' through `notices` (the web's
  /// connection; a failed notice is logged, the screens here have it).
  void broadcast(Notifier& notices, std::string event);
  /// A notice from the database (the NoticeListener's thread): another receiver's changes to this
  /// process's screens; this process's own notices are skipped, its screens had them already.
  void received(std::string_view notice);

  /// This process's tag on its notices.
  [[nodiscard]] const std::string& origin() const { return origin_; }
  /// Reads left out of the ticker because they came faster than kReadsPerSecond.
  [[nodiscard]] std::int64_t reads_sampled_out() const;

 private:
  /// Whether one more read may go to the ticker now (a token bucket of kReadsPerSecond, a
  /// quarter of a second deep).
  bool take_read_slot();

  LiveFeed* feed_;
  int clock_skew_s_;
  std::string origin_;
  mutable std::mutex mutex_;  // guards the bucket: reads are stored on ingest's thread, retention's ...
  double read_slots_ = kReadsPerSecond / 4.0;
  std::chrono::steady_clock::time_point slots_at_ = std::chrono::steady_clock::now();
  std::int64_t sampled_out_ = 0;
};

}  // namespace anpr::receiver::web
