#include "anpr/receiver/evidence/evidence_images.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "anpr/common/ids.hpp"
#include "anpr/common/time.hpp"

namespace anpr::receiver {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTempMarker = ".tmp-";

/// Writes a file readable by the receiver's user only (evidence is personal data).
bool write_file(const fs::path& file, const Bytes& bytes) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  return ::close(fd) == 0 && written == bytes.size();
}

/// Makes the folders down to `dir`, each for the receiver's user only.
void make_private_folders(const fs::path& root, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  for (fs::path p = dir; !p.empty() && p != root.parent_path(); p = p.parent_path()) {
    fs::permissions(p, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (p == root) break;
  }
}

/// The read id and kind ("crop", "overview") an image file name stands for, if it is one of ours.
std::optional<std::pair<std::string, std::string>> parse_image_name(const std::string& name) {
  for (const char* kind : {"crop", "overview"}) {
    const std::string suffix = std::string("-") + kind + ".jpg";
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return std::make_pair(name.substr(0, name.size() - suffix.size()), std::string(kind));
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<PendingImage> EvidenceImages::write_pending(const ReadMessage& read, const Bytes& jpeg,
                                                          const char* kind) const {
  if (data_dir_.empty() || jpeg.empty()) return std::nullopt;
  const std::string day = to_iso8601(read.captured_at).substr(0, 10);
  const fs::path dir = fs::path(data_dir_) / "images" / day;
  PendingImage image;
  image.final_path = dir / (read.read_id + "-" + kind + ".jpg");
  // A random suffix: two deliveries of one read handled at once (two receivers on a shared
  // subscription) must not write into the same temporary.
  image.temp_path =
      dir / (image.final_path.filename().string() + std::string(kTempMarker) + make_uuid().substr(0, 8));
  // The day's folder is made when a write into it fails, not looked up for every image: reads
  // come in capture order, mostly, and a folder that went missing is simply made again.
  if (!write_file(image.temp_path, jpeg)) {
    std::error_code ec;
    make_private_folders(fs::path(data_dir_) / "images", dir);
    if (!write_file(image.temp_path, jpeg)) {
      fs::remove(image.temp_path, ec);
      throw std::runtime_error("cannot write " + image.temp_path.string());
    }
  }
  return image;
}

void EvidenceImages::commit(const std::vector<PendingImage>& images) {
  for (const PendingImage& image : images) {
    std::error_code ec;
    if (fs::exists(image.final_path, ec)) {
      fs::remove(image.temp_path, ec);  // never replace evidence already kept
      continue;
    }
    fs::rename(image.temp_path, image.final_path, ec);
    if (ec)
      spdlog::error("cannot move {} into place: {} (the startup sweep retries)", image.temp_path.string(),
                    ec.message());
  }
}

void EvidenceImages::discard(const std::vector<PendingImage>& images) {
  for (const PendingImage& image : images) {
    std::error_code ec;
    fs::remove(image.temp_path, ec);
  }
}

SweepResult EvidenceImages::sweep_orphans(ReadStore& store, std::chrono::seconds min_age) const {
  SweepResult result;
  if (data_dir_.empty()) return result;
  const fs::path root = fs::path(data_dir_) / "images";
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return result;
  const auto cutoff = fs::file_time_type::clock::now() - min_age;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const fs::path file = it->path();
    const auto written = fs::last_write_time(file, ec);
    if (ec || written > cutoff) continue;
    std::string name = file.filename().string();
    const auto marker = name.find(kTempMarker);
    const bool temporary = marker != std::string::npos;
    if (temporary) name.resize(marker);
    const auto parsed = parse_image_name(name);
    if (!parsed) continue;  // not an image of ours: leave it alone
    const auto [read_id, kind] = *parsed;
    const auto kept = is_uuid(read_id) ? store.read_images(read_id) : std::nullopt;
    const std::string named = !kept ? "" : kind == "crop" ? kept->crop_path : kept->overview_path;
    const bool committed = !named.empty() && fs::path(named).filename() == name;
    const fs::path final_path = file.parent_path() / name;
    if (temporary && committed && !fs::exists(final_path, ec)) {
      fs::rename(file, final_path, ec);
      if (!ec) ++result.completed;
    } else if (temporary || !committed) {
      if (fs::remove(file, ec)) ++result.removed;
    }
  }
  return result;
}

}  // namespace anpr::receiver
