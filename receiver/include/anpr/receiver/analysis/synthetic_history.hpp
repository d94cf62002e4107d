#pragma once
/// @file
/// A generated district's history for timing the analyses (`anpr-receiver bench-analysis`):
/// cameras around Coalville, speed sections, regular and passing vehicles, and about one hit in a
/// thousand reads. It is written straight into the store, as test data, not reads from cameras.

#include <cstdint>
#include <string>

#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver::analysis {

struct SyntheticDistrict {
  std::int64_t reads = 10'000'000;
  int cameras = 40;
  int days = 180;  ///< the reads are spread over this many days from the start
  int vehicles = 400'000;
  std::uint64_t seed = 1;
};

/// The plate of vehicle number `vehicle`; vehicle 0 is the most often seen.
[[nodiscard]] std::string synthetic_plate(int vehicle);

/// Reads already stored: a filled benchmark database is used again rather than filled twice.
[[nodiscard]] std::int64_t stored_reads(ReadStore& store);

/// Writes the district's cameras (cam0, cam1, ... four to a site: site0, ...), five speed
/// sections (section0, ...) and its reads, captured from `start` on, in transactions of 50,000.
void write_synthetic_district(Store& store, const SyntheticDistrict& district, TimestampMs start);

}  // namespace anpr::receiver::analysis
