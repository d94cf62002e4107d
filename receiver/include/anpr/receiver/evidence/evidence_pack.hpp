#pragma once
/// @file
/// An evidence pack: a vehicle's movements handed on as one ZIP file that anyone can check.
///
/// Contents: `report.html` (self-contained: every sighting in time order with its time, camera,
/// place, direction, confidence and watchlist hits, the plate crop and overview images embedded), the images
/// themselves under `images/`, `manifest.json` (what was searched, who exported it, when and why,
/// the audit record's id, and every other file with its size and SHA-256), and `SHA256SUMS`
/// (`sha256sum -c SHA256SUMS` checks every file, the manifest included). The export is audited
/// before anything is written, as a search is: an export that fails half way was still made.

#include <cstdint>
#include <filesystem>
#include <string>

#include "anpr/common/time.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver {

struct EvidencePackRequest {
  std::string plate;  ///< a plate or a pattern ('?', '*'), as in a movement search
  TimestampMs from = 0, to = 0;
  std::string user;    ///< who exports it (audited, in the manifest)
  std::string reason;  ///< why (audited, in the manifest); 3-500 characters with 3 letters
  int limit = 500;     ///< at most this many sightings (1-5000), the oldest first
};

struct EvidencePackSummary {
  std::int64_t audit_id = 0;
  std::size_t sightings = 0;
  std::size_t images = 0;
  std::size_t missing_images = 0;  ///< named by a read but gone from disk (retention, a damaged disk)
};

/// Writes the pack to `out` (through a temporary file beside it, moved into place when complete,
/// so a half-written pack never carries the final name). The images are the files the store names
/// for each read. Throws anpr::Error for a bad request (reason, range, limit) and when `out`
/// cannot be written. It takes the Store: the export is audited in a transaction of its own (its
/// audit id goes in the manifest), then it reads sightings, hits and images.
EvidencePackSummary write_evidence_pack(Store& store, const EvidencePackRequest& request,
                                        const std::filesystem::path& out);

}  // namespace anpr::receiver
