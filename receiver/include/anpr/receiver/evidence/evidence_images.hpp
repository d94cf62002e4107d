#pragma once
/// @file
/// The plate crop and overview image files of stored reads, kept so that they are evidence:
/// an image is written under a temporary name and moved to its final name only once the read's
/// row is committed, so a duplicate or rejected message never replaces or leaves behind a file,
/// and `sweep_orphans` at startup finishes or removes what a crash left half done.
///
/// Layout: `<data_dir>/images/<capture day>/<read id>-crop.jpg` (and `-overview.jpg`); while
/// pending: the same name followed by `.tmp-<random>`.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "anpr/common/messages.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver {

/// An image written under its temporary name, to be moved to `final_path` after the commit.
struct PendingImage {
  std::filesystem::path temp_path;
  std::filesystem::path final_path;
};

/// What `sweep_orphans` did.
struct SweepResult {
  std::int64_t removed = 0;    ///< files no stored read names, and abandoned temporaries
  std::int64_t completed = 0;  ///< temporaries of committed reads moved to their final name
};

class EvidenceImages {
 public:
  /// `data_dir` empty: no images are kept (every call is a no-op).
  explicit EvidenceImages(std::string data_dir) : data_dir_(std::move(data_dir)) {}

  /// Writes one image of a read under a temporary name (creating the day's folder); nullopt when
  /// there is nothing to keep. Throws std::runtime_error when it cannot be written.
  [[nodiscard]] std::optional<PendingImage> write_pending(const ReadMessage& read, const Bytes& jpeg,
                                                          const char* kind) const;
  /// The read's row is committed: its images take their final names (a file already there is
  /// the same read's evidence from an earlier delivery and is kept; the temporary goes).
  static void commit(const std::vector<PendingImage>& images);
  /// The row was not stored (duplicate, rejected, failed transaction): the temporaries go.
  static void discard(const std::vector<PendingImage>& images);

  /// Walks the image folder: a temporary whose read is committed but whose final file is missing
  /// (a crash between commit and rename) is completed; any other temporary, and any image no
  /// stored read names, is removed, but only when older than `min_age` (a receiver beside this
  /// one, sharing the folder, may be about to commit it).
  SweepResult sweep_orphans(ReadStore& store, std::chrono::seconds min_age = std::chrono::seconds(60)) const;

 private:
  std::string data_dir_;
};

}  // namespace anpr::receiver
