#include "anpr/edge/uplink/spool.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "anpr/common/error.hpp"

namespace anpr::edge {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMagic = "anpr-spool";
constexpr int kFormatVersion = 1;
constexpr std::size_t kMaxHeaderBytes = 512;

std::string checksum(const std::string& payload) {
  std::array<unsigned char, 16> digest{};
  crypto_generichash(digest.data(), digest.size(), reinterpret_cast<const unsigned char*>(payload.data()),
                     payload.size(), nullptr, 0);
  std::array<char, 33> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return hex.data();
}

std::string system_error(const std::string& what, const fs::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

/// Writes all bytes and fsyncs; throws on any failure, leaving the caller to remove the file.
void write_durably(const fs::path& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) throw Error(ErrorCode::kIo, system_error("cannot create spool file", path));
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string message = system_error("cannot write spool file", path);
      ::close(fd);
      throw Error(ErrorCode::kIo, message);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const std::string message = system_error("cannot fsync spool file", path);
    ::close(fd);
    throw Error(ErrorCode::kIo, message);
  }
  ::close(fd);
}

/// A rename is durable only once the folder holding it is synced.
void sync_folder(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw Error(ErrorCode::kIo, system_error("cannot open spool folder", dir));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw Error(ErrorCode::kIo, system_error("cannot fsync spool folder", dir));
}

/// A decimal byte count of at most 19 digits (no sign, no spaces), or nullopt.
std::optional<std::uintmax_t> parse_length(const std::string& text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uintmax_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uintmax_t>(c - '0');
  }
  return value;
}

std::optional<std::uint64_t> sequence_of(const fs::path& file) {
  const std::string name = file.filename().string();
  if (name.size() != 24 || name.substr(20) != ".msg") return std::nullopt;
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(name[i] - '0');
  }
  return value;
}

}  // namespace

Spool::Spool(SpoolSettings settings) : settings_(std::move(settings)) {
  if (sodium_init() < 0) throw Error(ErrorCode::kInternal, "libsodium failed to initialise");
  std::error_code ec;
  fs::create_directories(settings_.dir, ec);
  if (ec)
    throw Error(ErrorCode::kIo, "cannot create spool folder " + settings_.dir.string() + ": " + ec.message());
  if (::access(settings_.dir.c_str(), W_OK) != 0) {
    throw Error(ErrorCode::kIo, system_error("spool folder is not writable:", settings_.dir));
  }
  for (const auto& item : fs::directory_iterator(settings_.dir)) {
    const fs::path& p = item.path();
    if (p.filename().string().rfind(".tmp-", 0) == 0) {
      // A write interrupted before its rename: the read it held was never reported as spooled.
      spdlog::warn("spool: removing half-written {}", p.string());
      fs::remove(p, ec);
      continue;
    }
    if (const auto seq = sequence_of(p)) {
      entries_[*seq] = static_cast<std::int64_t>(item.file_size(ec));
      next_sequence_ = std::max(next_sequence_, *seq + 1);
    }
  }
  for (const auto& [seq, size] : entries_) stats_.bytes += size;
  stats_.depth = static_cast<std::int64_t>(entries_.size());
  if (!entries_.empty()) {
    spdlog::info("spool: {} unsent reads ({} bytes) in {}, sending oldest first", entries_.size(),
                 stats_.bytes, settings_.dir.string());
  }
}

std::uint64_t Spool::put(const std::string& topic, const std::string& payload) {
  std::ostringstream header;
  header << kMagic << ' ' << kFormatVersion << ' ' << topic << ' ' << payload.size() << ' '
         << checksum(payload) << '\n';
  const std::string bytes = header.str() + payload;
  const auto size = static_cast<std::int64_t>(bytes.size());
  if (size > settings_.max_bytes) {
    throw Error(ErrorCode::kInput, "a message of " + std::to_string(size) +
                                       " bytes is larger than the spool (" +
                                       std::to_string(settings_.max_bytes) + " bytes)");
  }
  std::lock_guard lock(mutex_);
  while (!entries_.empty() && stats_.bytes + size > settings_.max_bytes) {
    const auto [oldest, oldest_size] = *entries_.begin();
    spdlog::warn("spool full ({} of {} bytes): evicting the oldest unsent read, #{}", stats_.bytes,
                 settings_.max_bytes, oldest);
    std::error_code ec;
    fs::remove(path_of(oldest), ec);
    stats_.bytes -= oldest_size;
    entries_.erase(entries_.begin());
    ++stats_.evictions;
  }
  const std::uint64_t seq = next_sequence_++;
  const fs::path final_path = path_of(seq);
  const fs::path temp = settings_.dir / (".tmp-" + final_path.filename().string());
  try {
    write_durably(temp, bytes);
    fs::rename(temp, final_path);
    sync_folder(settings_.dir);
  } catch (...) {
    std::error_code ec;
    fs::remove(temp, ec);
    throw;
  }
  entries_[seq] = size;
  stats_.bytes += size;
  stats_.depth = static_cast<std::int64_t>(entries_.size());
  return seq;
}

std::vector<std::uint64_t> Spool::oldest(std::size_t limit, const std::vector<std::uint64_t>& exclude) const {
  std::vector<std::uint64_t> out;
  std::lock_guard lock(mutex_);
  for (const auto& [seq, size] : entries_) {
    if (out.size() >= limit) break;
    if (std::find(exclude.begin(), exclude.end(), seq) == exclude.end()) out.push_back(seq);
  }
  return out;
}

std::optional<SpooledMessage> Spool::load(std::uint64_t sequence) {
  std::lock_guard lock(mutex_);
  if (!entries_.count(sequence)) return std::nullopt;
  try {
    return load_locked(sequence);
  } catch (const std::exception& e) {
    // Whatever a damaged file makes go wrong, it must never stop the spool: one such file would
    // otherwise end the process at every start and no read behind it would ever be sent.
    if (entries_.count(sequence))
      set_aside_locked(sequence, std::string("cannot be read (") + e.what() + ")");
    return std::nullopt;
  }
}

std::optional<SpooledMessage> Spool::load_locked(std::uint64_t sequence) {
  const fs::path path = path_of(sequence);
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  const auto file_size = fs::file_size(path, ec);
  if (!in || ec) {
    set_aside_locked(sequence, "cannot be opened");
    return std::nullopt;
  }
  std::string header;
  if (!std::getline(in, header) || header.size() > kMaxHeaderBytes) {
    set_aside_locked(sequence, "has no header line");
    return std::nullopt;
  }
  std::istringstream fields(header);
  std::string magic, topic, length_text, digest;
  int version = 0;
  if (!(fields >> magic >> version >> topic >> length_text >> digest) || magic != kMagic ||
      version != kFormatVersion) {
    set_aside_locked(sequence, "has a malformed header '" + header.substr(0, 80) + "'");
    return std::nullopt;
  }
  // The length is checked against the file's real size and the spool's bound before anything is
  // allocated: a header claiming gigabytes must cost nothing.
  const auto length = parse_length(length_text);
  const std::uintmax_t payload_on_disk = file_size - std::min<std::uintmax_t>(file_size, header.size() + 1);
  if (!length || *length != payload_on_disk || *length > static_cast<std::uintmax_t>(settings_.max_bytes)) {
    set_aside_locked(sequence, "claims a payload of " + length_text.substr(0, 24) + " bytes but holds " +
                                   std::to_string(payload_on_disk));
    return std::nullopt;
  }
  std::string payload(static_cast<std::size_t>(*length), '\0');
  if (!in.read(payload.data(), static_cast<std::streamsize>(payload.size())) ||
      in.peek() != std::char_traits<char>::eof()) {
    set_aside_locked(sequence,
                     "is truncated or has trailing bytes (payload should be " + length_text + " bytes)");
    return std::nullopt;
  }
  if (checksum(payload) != digest) {
    set_aside_locked(sequence, "fails its checksum");
    return std::nullopt;
  }
  return SpooledMessage{sequence, std::move(topic), std::move(payload)};
}

void Spool::remove(std::uint64_t sequence) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(sequence);
  if (it == entries_.end()) return;
  std::error_code ec;
  fs::remove(path_of(sequence), ec);
  if (ec) spdlog::error("spool: cannot remove acknowledged {}: {}", path_of(sequence).string(), ec.message());
  stats_.bytes -= it->second;
  entries_.erase(it);
  stats_.depth = static_cast<std::int64_t>(entries_.size());
}

SpoolStats Spool::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

fs::path Spool::path_of(std::uint64_t sequence) const {
  char name[32];
  std::snprintf(name, sizeof name, "%020llu.msg", static_cast<unsigned long long>(sequence));
  return settings_.dir / name;
}

void Spool::set_aside_locked(std::uint64_t sequence, const std::string& why) {
  const fs::path p = path_of(sequence);
  spdlog::error("spool: {} {}; set aside as {}.damaged and skipped", p.string(), why, p.filename().string());
  std::error_code ec;
  fs::rename(p, fs::path(p.string() + ".damaged"), ec);
  if (ec) fs::remove(p, ec);
  stats_.bytes -= entries_[sequence];
  entries_.erase(sequence);
  stats_.depth = static_cast<std::int64_t>(entries_.size());
  ++stats_.damaged;
}

}  // namespace anpr::edge
