#include "anpr/receiver/evidence/evidence_pack.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "anpr/common/encoding.hpp"
#include "anpr/common/error.hpp"
#include "anpr/common/ids.hpp"
#include "anpr/common/plate_text.hpp"
#include "anpr/receiver/audit_reason.hpp"

namespace anpr::receiver {
namespace {

using nlohmann::json;

/// A file of the pack: its name inside the ZIP and its bytes.
struct PackFile {
  std::string path;
  std::string bytes;
};

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw Error(ErrorCode::kInternal, "SHA-256 failed (OpenSSL)");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

std::string html(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// The file's bytes, or nullopt when it is gone (a read past retention, a damaged disk).
std::optional<std::string> read_file(const std::string& path) {
  if (path.empty()) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string place_of(const Sighting& s) {
  std::string place = s.camera_name.empty() ? s.camera_id : s.camera_name + " (" + s.camera_id + ")";
  if (s.latitude && s.longitude) {
    char at[64];
    std::snprintf(at, sizeof at, ", %.5f, %.5f", *s.latitude, *s.longitude);
    place += at;
  }
  return place;
}

/// One sighting with its images, as the report and the manifest show it.
struct PackedSighting {
  Sighting sighting;
  std::string direction;  // "approaching", "receding, left", ... ("" when the camera could not tell)
  std::vector<const HitRecord*> hits;
  std::string crop_file, overview_file;  // paths inside the pack, "" when missing
};

/// The direction of travel the camera measured, from the stored message ("" when unknown).
std::string direction_of(const std::optional<std::string>& message) {
  if (!message) return "";
  const json m = json::parse(*message, nullptr, false);
  if (!m.is_object() || !m.contains("direction") || !m["direction"].is_object()) return "";
  std::string out;
  for (const char* key : {"motion", "lateral"}) {
    const auto it = m["direction"].find(key);
    if (it == m["direction"].end() || !it->is_string()) continue;
    const std::string value = *it;
    if (value == "unknown" || value == "none" || value.empty()) continue;
    out += (out.empty() ? "" : ", ") + value;
  }
  return out;
}

std::string report_html(const EvidencePackRequest& request, const std::vector<PackedSighting>& rows,
                        const std::map<std::string, const PackFile*>& files, std::int64_t audit_id,
                        TimestampMs exported_at) {
  std::ostringstream o;
  o << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<title>Evidence pack: " << html(request.plate) << "</title>\n<style>"
    << "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
    << "td,th{border:1px solid #999;padding:4px 8px;vertical-align:top;text-align:left}"
    << "img.crop{height:48px}img.overview{max-width:480px}</style></head><body>\n"
    << "<h1>Movements of " << html(request.plate) << "</h1>\n<table>"
    << "<tr><th>Searched</th><td>" << html(to_iso8601(request.from)) << " to " << html(to_iso8601(request.to))
    << "</td></tr><tr><th>Exported by</th><td>" << html(request.user)
    << "</td></tr><tr><th>Exported at</th><td>" << html(to_iso8601(exported_at))
    << "</td></tr><tr><th>Reason</th><td>" << html(request.reason)
    << "</td></tr><tr><th>Audit record</th><td>" << audit_id << "</td></tr><tr><th>Sightings</th><td>"
    << rows.size()
    << "</td></tr></table>\n<p>Every file of this pack is listed with its SHA-256 in manifest.json and "
    << "SHA256SUMS (<code>sha256sum -c SHA256SUMS</code>).</p>\n<table><tr><th>#</th><th>Time (UTC)</th>"
    << "<th>Plate read</th><th>Place</th><th>Direction</th><th>Confidence</th><th>Watchlist "
       "hits</th><th>Plate</th>"
    << "<th>Overview</th></tr>\n";
  const auto image = [&](const std::string& file, const char* css) {
    const auto f = files.find(file);
    if (file.empty() || f == files.end()) return std::string("(not kept)");
    const Bytes bytes(f->second->bytes.begin(), f->second->bytes.end());
    return "<img class=\"" + std::string(css) + "\" alt=\"" + html(file) +
           "\" src=\"data:image/jpeg;base64," + base64_encode(bytes) + "\">";
  };
  int n = 0;
  for (const PackedSighting& row : rows) {
    const Sighting& s = row.sighting;
    o << "<tr><td>" << ++n << "</td><td>" << html(to_iso8601(s.at)) << "</td><td>" << html(s.plate)
      << "</td><td>" << html(place_of(s)) << (s.unknown_camera ? " (camera not registered)" : "")
      << "</td><td>" << html(row.direction.empty() ? "not measured" : row.direction) << "</td><td>"
      << std::lround(s.confidence * 100) << "%</td><td>";
    for (const HitRecord* h : row.hits) {
      o << html(h->hit.list) << " (" << html(h->hit.category) << ", " << html(h->hit.match_kind)
        << "): " << html(h->hit.reason) << "<br>";
    }
    o << "</td><td>" << image(row.crop_file, "crop") << "</td><td>" << image(row.overview_file, "overview")
      << "</td></tr>\n";
  }
  o << "</table>\n<p>Read id of each sighting: see manifest.json.</p></body></html>\n";
  return o.str();
}

/// Writes the files into a ZIP at `path`.
void write_zip(const std::filesystem::path& path, const std::vector<PackFile>& files, TimestampMs at) {
  std::unique_ptr<archive, decltype(&archive_write_free)> zip(archive_write_new(), archive_write_free);
  const auto fail = [&](const std::string& what) {
    throw Error(ErrorCode::kIo,
                "evidence pack " + path.string() + ": " + what + ": " +
                    (archive_error_string(zip.get()) ? archive_error_string(zip.get()) : "unknown error"));
  };
  if (archive_write_set_format_zip(zip.get()) != ARCHIVE_OK) fail("no ZIP support");
  if (archive_write_open_filename(zip.get(), path.c_str()) != ARCHIVE_OK) fail("cannot create");
  for (const PackFile& f : files) {
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                        archive_entry_free);
    archive_entry_set_pathname(entry.get(), f.path.c_str());
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(f.bytes.size()));
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_mtime(entry.get(), static_cast<std::time_t>(at / 1000), 0);
    if (archive_write_header(zip.get(), entry.get()) != ARCHIVE_OK) fail("cannot add " + f.path);
    if (archive_write_data(zip.get(), f.bytes.data(), f.bytes.size()) !=
        static_cast<la_ssize_t>(f.bytes.size())) {
      fail("cannot write " + f.path);
    }
  }
  if (archive_write_close(zip.get()) != ARCHIVE_OK) fail("cannot finish");
}

/// The request's reason, once the request is one an export may be made for.
std::string checked_reason(const EvidencePackRequest& request) {
  const auto reason = audit_reason(request.reason);
  if (!reason)
    throw Error(ErrorCode::kInput, std::string("an export needs a reason (") + kReasonRule + "; audited)");
  if (request.plate.empty()) throw Error(ErrorCode::kInput, "an export needs a plate or pattern");
  if (request.to <= request.from)
    throw Error(ErrorCode::kInput, "the export's time range is empty (to <= from)");
  if (request.limit < 1 || request.limit > 5000)
    throw Error(ErrorCode::kInput, "an export holds 1-5000 sightings");
  return *reason;
}

/// Copies the sighting's kept crop and overview into the pack as images/NNNN-READ-KIND.jpg.
void pack_images(ReadStore& store, std::size_t number, PackedSighting& row, std::vector<PackFile>& files,
                 EvidencePackSummary& summary) {
  const auto kept = store.read_images(row.sighting.read_id);
  char digits[24];
  std::snprintf(digits, sizeof digits, "%04zu", number);
  const std::string stem = "images/" + std::string(digits) + "-" + row.sighting.read_id;
  for (auto [kind, source, target] :
       {std::tuple{"crop", kept ? kept->crop_path : "", &row.crop_file},
        std::tuple{"overview", kept ? kept->overview_path : "", &row.overview_file}}) {
    if (source.empty()) continue;  // the camera sent none
    auto bytes = read_file(source);
    if (!bytes) {
      ++summary.missing_images;
      continue;
    }
    *target = stem + "-" + kind + ".jpg";
    files.push_back({*target, std::move(*bytes)});
    ++summary.images;
  }
}

/// The sighting as the manifest lists it.
json sighting_json(const PackedSighting& row) {
  json hit_list = json::array();
  for (const HitRecord* h : row.hits) {
    hit_list.push_back({{"hit_id", h->hit.hit_id},
                        {"list", h->hit.list},
                        {"category", h->hit.category},
                        {"match_kind", h->hit.match_kind},
                        {"state", h->state}});
  }
  return {{"read_id", row.sighting.read_id},
          {"plate", row.sighting.plate},
          {"captured_at", to_iso8601(row.sighting.at)},
          {"camera_id", row.sighting.camera_id},
          {"site_id", row.sighting.site_id},
          {"place", place_of(row.sighting)},
          {"direction", row.direction},
          {"confidence", row.sighting.confidence},
          {"hits", hit_list},
          {"crop", row.crop_file},
          {"overview", row.overview_file}};
}

/// Appends manifest.json (every file so far with its size and hash) and SHA256SUMS.
void add_manifest(std::vector<PackFile>& files, json manifest) {
  json listed = json::array();
  for (const PackFile& f : files)
    listed.push_back({{"path", f.path}, {"bytes", f.bytes.size()}, {"sha256", sha256_hex(f.bytes)}});
  manifest["files"] = listed;
  files.push_back({"manifest.json", manifest.dump(2) + "\n"});
  std::string sums;
  for (const PackFile& f : files) sums += sha256_hex(f.bytes) + "  " + f.path + "\n";
  files.push_back({"SHA256SUMS", sums});
}

/// Writes the ZIP beside `out` and renames it into place, so a failed export leaves no partial pack.
void write_zip_atomically(const std::filesystem::path& out, const std::vector<PackFile>& files,
                          TimestampMs at) {
  const std::filesystem::path temp = out.string() + ".tmp-" + make_uuid();
  try {
    write_zip(temp, files, at);
    std::filesystem::rename(temp, out);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    throw;
  }
}

}  // namespace

EvidencePackSummary write_evidence_pack(Store& store, const EvidencePackRequest& request,
                                        const std::filesystem::path& out) {
  const std::string reason = checked_reason(request);
  const std::string plate = normalise_plate(request.plate);
  const TimestampMs exported_at = now_ms();

  // Audited first, with its id kept for the manifest: nothing else can write to the store in between.
  EvidencePackSummary summary;
  store.in_transaction([&] {
    store.audit({0, exported_at, request.user, "evidence-export",
                 plate + " " + to_iso8601(request.from) + ".." + to_iso8601(request.to), reason});
    summary.audit_id = store.audit_log(1).at(0).id;
  });

  const auto sightings = store.movements(plate, request.from, request.to, request.limit);
  // The hits of those reads: hits are raised when a read arrives, so none is older than the range.
  const auto hits = store.hits(request.from, std::nullopt, 100'000);
  std::multimap<std::string, const HitRecord*> hits_by_read;
  for (const HitRecord& h : hits) hits_by_read.emplace(h.hit.read_id, &h);

  std::vector<PackFile> files;
  std::vector<PackedSighting> rows;
  json sightings_json = json::array();
  for (std::size_t i = 0; i < sightings.size(); ++i) {
    PackedSighting row{sightings[i], direction_of(store.read_message(sightings[i].read_id)), {}, "", ""};
    const auto [first, last] = hits_by_read.equal_range(row.sighting.read_id);
    for (auto it = first; it != last; ++it) row.hits.push_back(it->second);
    pack_images(store, i + 1, row, files, summary);
    sightings_json.push_back(sighting_json(row));
    rows.push_back(std::move(row));
  }
  summary.sightings = rows.size();

  std::map<std::string, const PackFile*> by_path;
  for (const PackFile& f : files) by_path[f.path] = &f;
  files.push_back({"report.html", report_html(request, rows, by_path, summary.audit_id, exported_at)});
  add_manifest(files, {{"plate", plate},
                       {"from", to_iso8601(request.from)},
                       {"to", to_iso8601(request.to)},
                       {"exported_by", request.user},
                       {"exported_at", to_iso8601(exported_at)},
                       {"reason", reason},
                       {"audit_id", summary.audit_id},
                       {"sightings", sightings_json},
                       {"missing_images", summary.missing_images}});
  write_zip_atomically(out, files, exported_at);
  return summary;
}

}  // namespace anpr::receiver
