#include "anpr/receiver/ingest/ingestor.hpp"

#include <algorithm>
#include <filesystem>
#include <future>
#include <unordered_set>

#include "anpr/common/ids.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/topics.hpp"
#include "row_message.hpp"

namespace anpr::receiver {
namespace fs = std::filesystem;

Ingestor::Ingestor(Store& store, IngestSettings settings, Clock clock)
    : store_(store),
      settings_(std::move(settings)),
      clock_(std::move(clock)),
      images_(settings_.data_dir),
      lists_(&store) {
  // The first snapshot is built on a thread of its own, as every later one is on the refresher's,
  // never on the thread that constructs this and then ingests: glibc keeps an allocator arena per
  // thread, and a snapshot's millions of small blocks, freed by the first reload, sat in that
  // thread's arena until its next large allocation sorted them all (malloc_consolidate): ingest
  // stopped for 0.5-1 s with a 1,000,000-entry list. (async: a store error is thrown here.)
  std::async(std::launch::async, [this] { refresh_watchlists(true); }).get();
  refresh_cameras();
}

void Ingestor::refresh_cameras() {
  auto fresh = std::make_shared<const analysis::CameraDirectory>(store_.cameras());
  std::lock_guard lock(matcher_mutex_);
  cameras_ = std::move(fresh);
}

void Ingestor::mark_unknown_cameras(const std::vector<PendingRead*>& reads) {
  std::vector<PendingRead*> unsure;
  {
    // The registry as loaded at most a second ago answers for every registered camera ...
    std::lock_guard lock(matcher_mutex_);
    for (PendingRead* p : reads) {
      const CameraInfo* known = cameras_->find(p->read.camera_id);
      p->unknown_camera = known == nullptr || !known->registered;
      if (p->unknown_camera) unsure.push_back(p);
    }
  }
  if (unsure.empty()) return;
  // ... and the store for the rest, once for the whole batch (a look-up per read was a round trip
  // per read on PostgreSQL): a camera registered since then is not flagged unknown.
  const std::vector<std::string> ids = store_.registered_camera_ids();
  const std::unordered_set<std::string> registered(ids.begin(), ids.end());
  for (PendingRead* p : unsure) p->unknown_camera = !registered.contains(p->read.camera_id);
}

std::vector<HitMessage> Ingestor::check_clones(const ReadMessage& read) {
  const auto& s = settings_.clones;
  if (!s.live || read.confidence < s.min_confidence) return {};
  std::shared_ptr<const analysis::CameraDirectory> cameras;
  {
    std::lock_guard lock(matcher_mutex_);
    cameras = cameras_;
  }
  // Without a position for this camera nothing can be judged: skip the lookups.
  const CameraInfo* here = cameras->find(read.camera_id);
  if (here == nullptr || !here->latitude || !here->longitude) return {};
  const ReadPoint point{read.read_id, read.plate,       read.camera_id,
                        read.site_id, read.captured_at, read.confidence};
  std::vector<HitMessage> hits;
  for (const ReadPoint& other :
       store_.plate_neighbours(read.plate, read.captured_at, s.window_ms, read.read_id)) {
    if (auto alert = analysis::check_clone(point, other, *cameras, s))
      hits.push_back(analysis::clone_hit(*alert, read.read_id, s));
  }
  return hits;
}

std::shared_ptr<const WatchlistMatcher> Ingestor::matcher() const {
  std::lock_guard lock(matcher_mutex_);
  return matcher_;
}

IngestCounters Ingestor::counters() const {
  std::lock_guard lock(counters_mutex_);
  return counters_;
}

std::vector<IngestOutcome> Ingestor::handle_batch(
    const std::vector<std::pair<std::string, std::string>>& messages) {
  std::vector<IngestOutcome> outcomes(messages.size());
  std::vector<PendingImage> images;
  std::vector<std::optional<PendingRead>> prepared(messages.size());
  std::vector<PendingRead> pending;
  // A message that cannot be stored (a full disk, a database error) fails the whole batch, and
  // nothing of it is committed or acknowledged: the broker delivers it again. Caught here, it
  // would be acknowledged unstored, a read lost with a log line.
  try {
    in_transaction_with_images(images, [&] {
      // The reads are decoded first, so that their cameras are looked up together.
      std::vector<PendingRead*> reads;
      for (std::size_t i = 0; i < messages.size(); ++i) {
        const auto& [topic, payload] = messages[i];
        const auto parsed = parse_camera_topic(topic);
        if (!parsed || parsed->kind != TopicKind::kRead) continue;
        prepared[i] = prepare_read(*parsed, topic, payload, outcomes[i]);
        if (!prepared[i]) continue;
        prepared[i]->index = i;
        reads.push_back(&*prepared[i]);
      }
      mark_unknown_cameras(reads);
      for (std::size_t i = 0; i < messages.size(); ++i) {
        const auto& [topic, payload] = messages[i];
        const auto parsed = parse_camera_topic(topic);
        if (!parsed || parsed->kind != TopicKind::kRead) {
          outcomes[i] = handle_one(topic, payload, images);
          continue;
        }
        if (!prepared[i]) continue;  // refused, among the dead letters
        const bool check_clones_now = clone_checkable(prepared[i]->read);
        pending.push_back(std::move(*prepared[i]));
        prepared[i].reset();
        // Reads wait to be stored together (one round trip for PostgreSQL), except that a read
        // the clone check looks at must find the reads before it stored, and none after it, as
        // when each read was stored on its own.
        if (check_clones_now) store_pending(pending, outcomes, images);
      }
      store_pending(pending, outcomes, images);
    });
  } catch (...) {
    for (auto& p : prepared) {
      if (p) EvidenceImages::discard(p->images);
    }
    for (PendingRead& p : pending) EvidenceImages::discard(p.images);
    throw;
  }
  return outcomes;
}

IngestOutcome Ingestor::handle(std::string_view topic, std::string_view payload) {
  IngestOutcome outcome;
  std::vector<PendingImage> images;
  in_transaction_with_images(images, [&] { outcome = handle_one(topic, payload, images); });
  return outcome;
}

void Ingestor::in_transaction_with_images(std::vector<PendingImage>& images,
                                          const std::function<void()>& work) {
  std::vector<LiveMessage> live;
  try {
    store_.in_transaction([&] {
      live_batch_ = {};
      work();
      // The views are built, and the other receivers told, inside the transaction: their
      // notices go out only if it commits.
      if (live_ != nullptr && !live_batch_.empty()) live = live_->stored(store_, live_batch_);
      live_batch_ = {};
    });
  } catch (...) {
    live_batch_ = {};
    EvidenceImages::discard(images);
    throw;
  }
  // Only now, with the rows committed, do the images take the names the rows give them ...
  EvidenceImages::commit(images);
  // ... and the screens see the reads and hits (each once: a batch stored again message by
  // message after a failed commit was never committed, so never shown).
  if (!live.empty()) live_->publish(std::move(live));
}

void Ingestor::show_live(const PendingRead& p) {
  if (live_ == nullptr) return;
  Sighting s;
  s.read_id = p.read.read_id;
  s.plate = p.read.plate;
  s.camera_id = p.read.camera_id;
  s.site_id = p.read.site_id;
  s.at = p.read.captured_at;
  s.confidence = p.read.confidence;
  s.unknown_camera = p.unknown_camera;
  s.received_at = p.received_at;
  std::lock_guard lock(matcher_mutex_);
  if (const CameraInfo* camera = cameras_->find(p.read.camera_id)) {
    s.camera_name = camera->name;
    s.latitude = camera->latitude;
    s.longitude = camera->longitude;
  }
  live_batch_.reads.push_back(std::move(s));
}

void Ingestor::show_live(const HitMessage& hit, TimestampMs created_at, const std::string& colour) {
  if (live_ == nullptr) return;
  LiveHit h;
  h.record.hit = hit;
  h.record.created_at = created_at;
  h.colour = colour;
  std::lock_guard lock(matcher_mutex_);
  if (const CameraInfo* camera = cameras_->find(hit.camera_id)) h.camera = *camera;
  live_batch_.hits.push_back(std::move(h));
}

bool Ingestor::refresh_watchlists(bool force) {
  if (retired_ && retired_.use_count() == 1) retired_.reset();  // no read is matched against it now
  std::string generation = lists_->watchlist_generation();
  {
    std::lock_guard lock(matcher_mutex_);
    if (!force && generation == watchlist_generation_) return false;
  }
  // Build beside the current snapshot, then swap: matching never waits for a rebuild. (Read
  // through the ingest store, the entries held its connection for the whole query, and ingest
  // stopped for seconds whenever a large list changed.)
  auto snapshot =
      std::make_shared<const WatchlistMatcher>(lists_->watchlists(), lists_->entries(""), settings_.matcher);
  {
    std::lock_guard lock(matcher_mutex_);
    std::swap(matcher_, snapshot);
    watchlist_generation_ = std::move(generation);
  }
  // `snapshot` is now the one replaced. Freeing 1,000,000 entries takes a good part of a second:
  // not under the lock ingest takes for each read, and not on ingest's thread, which frees it if
  // it holds the last reference. Nobody can take a new one now, so a count of 1 stays 1.
  if (snapshot.use_count() > 1) retired_ = std::move(snapshot);
  return true;
}

IngestOutcome Ingestor::reject(std::string_view topic, std::string_view payload, std::string reason) {
  // Enough of a rejected message to see what sent it; the size is recorded in full.
  constexpr std::size_t kRejectedPayloadKept = 64 * 1024;
  store_.insert_dead_letter(topic, payload.substr(0, kRejectedPayloadKept), reason, clock_());
  std::lock_guard lock(counters_mutex_);
  ++counters_.rejected;
  return IngestOutcome{IngestResult::kRejected, std::move(reason), {}};
}

void Ingestor::set_aside(std::string_view topic, std::string_view payload, int attempts,
                         std::string_view error) {
  const std::string reason = "not stored after " + std::to_string(attempts) +
                             " attempts (kept whole): " + std::string(error.substr(0, 900));
  store_.in_transaction([&] { store_.insert_dead_letter(topic, payload, reason, clock_()); });
  std::lock_guard lock(counters_mutex_);
  ++counters_.set_aside;
}

IngestOutcome Ingestor::handle_one(std::string_view topic, std::string_view payload,
                                   std::vector<PendingImage>& images) {
  const auto parsed = parse_camera_topic(topic);
  if (!parsed) return reject(topic, payload, "topic: not of the form anpr/v1/<site>/<camera>/<kind>");
  auto check_ids = [&](const std::string& site, const std::string& camera) {
    return topic_mismatch(*parsed, site, camera);
  };
  switch (parsed->kind) {
    case TopicKind::kRead:
      return handle_read(*parsed, topic, payload, images);
    case TopicKind::kStatus: {
      const auto m = decode_status(payload);
      if (!m.ok()) return reject(topic, payload, m.error().message());
      if (auto e = check_ids(m.value().site_id, m.value().camera_id); !e.empty())
        return reject(topic, payload, e);
      store_.set_camera_status(m.value());
      std::lock_guard lock(counters_mutex_);
      ++counters_.status;
      return IngestOutcome{IngestResult::kStatus, {}, {}};
    }
    case TopicKind::kHealth: {
      const auto m = decode_health(payload);
      if (!m.ok()) return reject(topic, payload, m.error().message());
      if (auto e = check_ids(m.value().site_id, m.value().camera_id); !e.empty())
        return reject(topic, payload, e);
      store_.set_camera_health(m.value());
      std::lock_guard lock(counters_mutex_);
      ++counters_.health;
      return IngestOutcome{IngestResult::kHealth, {}, {}};
    }
  }
  return reject(topic, payload, "topic: unknown kind");
}

std::string Ingestor::topic_mismatch(const ParsedTopic& topic, const std::string& site,
                                     const std::string& camera) {
  if (site == topic.site_id && camera == topic.camera_id) return {};
  return "topic names " + topic.site_id + "/" + topic.camera_id + " but the message is from " + site + "/" +
         camera;
}

std::optional<Ingestor::PendingRead> Ingestor::prepare_read(const ParsedTopic& parsed, std::string_view topic,
                                                            std::string_view payload,
                                                            IngestOutcome& rejected) {
  const auto decoded = decode_read(payload);
  if (!decoded.ok()) {
    rejected = reject(topic, payload, decoded.error().message());
    return std::nullopt;
  }
  PendingRead p;
  p.read = decoded.value();
  if (auto e = topic_mismatch(parsed, p.read.site_id, p.read.camera_id); !e.empty()) {
    rejected = reject(topic, payload, e);
    return std::nullopt;
  }
  p.received_at = clock_();
  // The row's message is the payload with the images taken out (encoding the decoded read again
  // cost more than storing it); where the payload cannot be cut safely the store encodes it.
  p.message = row_message_from_payload(payload).value_or(std::string());
  // Written under temporary names: a duplicate must not touch the evidence of the first.
  try {
    const auto crop = images_.write_pending(p.read, p.read.crop_jpeg, "crop");
    if (crop) {
      p.images.push_back(*crop);
      p.crop_path = crop->final_path.string();
    }
    const auto overview = p.read.overview_jpeg
                              ? images_.write_pending(p.read, *p.read.overview_jpeg, "overview")
                              : std::nullopt;
    if (overview) {
      p.images.push_back(*overview);
      p.overview_path = overview->final_path.string();
    }
  } catch (...) {
    EvidenceImages::discard(p.images);
    throw;
  }
  return p;
}

bool Ingestor::clone_checkable(const ReadMessage& read) const {
  const auto& s = settings_.clones;
  if (!s.live || read.confidence < s.min_confidence) return false;
  std::lock_guard lock(matcher_mutex_);
  const CameraInfo* here = cameras_->find(read.camera_id);
  return here != nullptr && here->latitude && here->longitude;
}

void Ingestor::store_pending(std::vector<PendingRead>& pending, std::vector<IngestOutcome>& outcomes,
                             std::vector<PendingImage>& images) {
  if (pending.empty()) return;
  std::vector<ReadRow> rows;
  rows.reserve(pending.size());
  for (const PendingRead& p : pending)
    rows.push_back({&p.read, p.received_at, p.unknown_camera, p.crop_path, p.overview_path, p.message});
  const std::vector<bool> stored = store_.insert_reads(rows);
  for (std::size_t k = 0; k < pending.size(); ++k) {
    PendingRead& p = pending[k];
    if (!stored[k]) {
      EvidenceImages::discard(p.images);
      p.images.clear();
      std::lock_guard lock(counters_mutex_);
      ++counters_.duplicates;
      outcomes[p.index] = IngestOutcome{IngestResult::kDuplicate, {}, {}};
      continue;
    }
    images.insert(images.end(), p.images.begin(), p.images.end());
    p.images.clear();
    show_live(p);
    outcomes[p.index] = finish_stored(p.read);
  }
  pending.clear();
}

IngestOutcome Ingestor::finish_stored(const ReadMessage& read) {
  IngestOutcome outcome{IngestResult::kStored, {}, {}};
  const auto snapshot = matcher();  // held while its matches are used, even if a reload swaps it
  for (const Match& m : snapshot->match(read.plate, read.captured_at)) {
    HitMessage hit = make_hit({read.read_id, read.camera_id, read.site_id, read.plate, read.captured_at},
                              *m.entry, *m.list, to_string(m.kind), m.score);
    const TimestampMs created_at = clock_();
    store_.insert_hit(hit, created_at);
    show_live(hit, created_at, m.list->colour);
    outcome.hits.push_back(std::move(hit));
  }
  for (HitMessage& hit : check_clones(read)) {
    const TimestampMs created_at = clock_();
    store_.insert_hit(hit, created_at);
    // A clone's list is no watchlist: the view's colour for a list it does not know.
    show_live(hit, created_at, LiveHit{}.colour);
    outcome.hits.push_back(std::move(hit));
  }
  std::stable_sort(outcome.hits.begin(), outcome.hits.end(),
                   [](auto& a, auto& b) { return a.priority < b.priority; });
  std::lock_guard lock(counters_mutex_);
  ++counters_.stored;
  counters_.behind_ms = std::max<std::int64_t>(0, clock_() - read.captured_at);
  counters_.hits += static_cast<std::int64_t>(outcome.hits.size());
  return outcome;
}

IngestOutcome Ingestor::handle_read(const ParsedTopic& parsed, std::string_view topic,
                                    std::string_view payload, std::vector<PendingImage>& images) {
  std::vector<IngestOutcome> outcomes(1);
  auto read = prepare_read(parsed, topic, payload, outcomes[0]);
  if (!read) return outcomes[0];
  std::vector<PendingRead> one;
  one.push_back(std::move(*read));
  try {
    mark_unknown_cameras({&one.front()});
    store_pending(one, outcomes, images);
  } catch (...) {
    for (PendingRead& p : one) EvidenceImages::discard(p.images);
    throw;
  }
  return outcomes[0];
}

}  // namespace anpr::receiver
