#include "anpr/receiver/analysis/synthetic_history.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "anpr/common/progress_bar.hpp"
#include "anpr/common/time.hpp"
#include "anpr/receiver/analysis/camera_directory.hpp"

namespace anpr::receiver::analysis {
namespace {

/// A read id in UUID form that sorts with its number: the key index grows at its end.
std::string read_id_of(std::int64_t i) {
  char id[40];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012llx", static_cast<unsigned long long>(i));
  return id;
}

// Cameras over about 30 x 30 km around Coalville, four to a site, and a speed section over each
// of the first five pairs. Vehicles drive from camera k to k+1, k+2, ... along roads 1.3 times
// the straight line.
class District {
 public:
  District(Store& store, const SyntheticDistrict& d) : store_(store), d_(d), rng_(d.seed) {}

  void place_cameras() {
    for (int c = 0; c < d_.cameras; ++c) {
      CameraInfo cam;
      cam.camera_id = "cam" + std::to_string(c);
      cam.site_id = "site" + std::to_string(c / 4);
      cam.name = "Camera " + std::to_string(c);
      cam.latitude = 52.72 + (unit_(rng_) - 0.5) * 0.27;
      cam.longitude = -1.37 + (unit_(rng_) - 0.5) * 0.45;
      cam.registered = true;
      store_.upsert_camera(cam);
      cameras_.push_back(cam);
    }
    for (int s = 0; s < 5; ++s) {
      store_.upsert_section({"section" + std::to_string(s), "cam" + std::to_string(2 * s),
                             "cam" + std::to_string(2 * s + 1), road_m(2 * s, 2 * s + 1),
                             s % 2 ? 30.0 : 40.0});
    }
  }

  void write_reads(TimestampMs start) {
    const double step =
        static_cast<double>(d_.days) * static_cast<double>(kDayMs) / static_cast<double>(d_.reads);
    constexpr std::int64_t kBatch = 50'000;
    ProgressBar progress(static_cast<std::size_t>((d_.reads + kBatch - 1) / kBatch), "generating reads");
    while (i_ < d_.reads) {
      store_.in_transaction([&] {
        const std::int64_t batch_end = std::min(d_.reads, i_ + kBatch);
        while (i_ < batch_end)
          trip(start + static_cast<TimestampMs>(static_cast<double>(i_) * step), batch_end);
      });
      progress.advance();
    }
  }

 private:
  double road_m(int a, int b) const {
    const auto& x = cameras_[static_cast<std::size_t>(a)];
    const auto& y = cameras_[static_cast<std::size_t>(b)];
    return 1300.0 * distance_km(*x.latitude, *x.longitude, *y.latitude, *y.longitude);
  }

  // A trip: popular vehicles (commuters, local traders) make far more of them than passing ones.
  void trip(TimestampMs at, std::int64_t batch_end) {
    const int vehicle = static_cast<int>(std::floor(d_.vehicles * std::pow(unit_(rng_), 2.0)));
    int camera = static_cast<int>(rng_() % static_cast<std::uint64_t>(d_.cameras));
    const double mph = std::max(10.0, cruising_(rng_)) + (unit_(rng_) < 0.05 ? 15.0 : 0.0);
    for (int hop = 1 + static_cast<int>(rng_() % 4); hop > 0 && i_ < batch_end; --hop) {
      emit(vehicle, camera, at);
      const int next = (camera + 1) % d_.cameras;
      at += static_cast<TimestampMs>(road_m(camera, next) / 1609.344 / mph * 3'600'000.0);
      camera = next;
    }
  }

  void emit(int vehicle, int camera, TimestampMs at) {
    ReadMessage m;
    m.format = "gb-current";
    m.country = "GB";
    m.box = {1, 1, 10, 5};
    m.read_id = read_id_of(i_);
    m.camera_id = "cam" + std::to_string(camera);
    m.site_id = "site" + std::to_string(camera / 4);
    m.plate = synthetic_plate(vehicle);
    m.first_seen = m.captured_at = m.last_seen = at;
    m.confidence = 0.7 + 0.3 * unit_(rng_);
    m.char_confidences.assign(m.plate.size(), m.confidence);
    store_.insert_read(m, m.captured_at, false, "", "");
    if (i_ % 1000 == 0) store_.insert_hit(hit_of(m), m.captured_at);  // about one read in a thousand
    ++i_;
  }

  HitMessage hit_of(const ReadMessage& m) const {
    HitMessage h;
    h.hit_id = read_id_of(i_).replace(0, 8, "11111111");
    h.read_id = m.read_id;
    h.camera_id = m.camera_id;
    h.site_id = m.site_id;
    h.at = m.captured_at;
    h.plate = h.entry_plate = m.plate;
    h.list = "bench";
    h.category = "stolen-vehicle";
    h.match_kind = "exact";
    h.score = 1;
    return h;
  }

  Store& store_;
  const SyntheticDistrict& d_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> unit_{0, 1};
  std::normal_distribution<double> cruising_{33, 7};  // mph
  std::vector<CameraInfo> cameras_;
  std::int64_t i_ = 0;  // reads written
};

}  // namespace

std::string synthetic_plate(int vehicle) {
  static constexpr char kLetters[] = "ABCDEFGHJKLMNOPRSTUVWXYZ";
  std::string p(7, ' ');
  std::uint64_t v = static_cast<std::uint64_t>(vehicle) * 2654435761u % 796262400u;  // spread, one plate each
  const int radix[7] = {24, 24, 10, 10, 24, 24, 24};
  for (int j = 6; j >= 0; --j) {
    const auto d = static_cast<int>(v % static_cast<std::uint64_t>(radix[j]));
    v /= static_cast<std::uint64_t>(radix[j]);
    p[static_cast<std::size_t>(j)] = radix[j] == 10 ? static_cast<char>('0' + d) : kLetters[d];
  }
  return p;
}

std::int64_t stored_reads(ReadStore& store) { return store.read_count(); }

void write_synthetic_district(Store& store, const SyntheticDistrict& district, TimestampMs start) {
  District d(store, district);
  d.place_cameras();
  d.write_reads(start);
}

}  // namespace anpr::receiver::analysis
