#include "read_payloads.hpp"

#include <stdexcept>

#include "anpr/common/ids.hpp"
#include "anpr/common/message_codec.hpp"

namespace anpr::receiver::cli {
namespace {

// Stand-ins encoded in place of each read's values, then cut out. Each holds '@', which neither
// base64 (the images) nor any other field of the prototype does, so none is found by chance.
constexpr std::string_view kReadIdMark = "@read_id@";
constexpr std::string_view kCameraMark = "@camera_id@";
constexpr std::string_view kPlateMark = "@plate@";
// A time has no room for '@': one whose text no other field can hold (the images' base64 has no
// '-', ':' or '.'), the same for captured_at, first_seen and last_seen.
constexpr TimestampMs kTimeMark = 4'102'444'799'999;  // 2099-12-31T23:59:59.999Z

}  // namespace

ReadMessage loadgen_read_prototype(const Bytes& crop, const std::optional<Bytes>& overview) {
  ReadMessage m;
  m.site_id = "loadgen";
  m.confidence = 0.95;
  m.format = "gb-current";
  m.country = "GB";
  m.box = {100, 100, 120, 30};
  m.crop_jpeg = crop;
  m.overview_jpeg = overview;
  return m;
}

ReadPayloads::ReadPayloads(const ReadMessage& prototype, double char_confidence) {
  for (std::size_t length = 1; length <= by_plate_length_.size(); ++length)
    by_plate_length_[length - 1] = make_template(prototype, length, char_confidence);
}

ReadPayloads::Template ReadPayloads::make_template(ReadMessage message, std::size_t plate_length,
                                                   double char_confidence) {
  message.read_id = kReadIdMark;
  message.camera_id = kCameraMark;
  message.plate = kPlateMark;
  message.char_confidences.assign(plate_length, char_confidence);
  message.captured_at = message.first_seen = message.last_seen = kTimeMark;
  const std::string text = encode(message);
  const std::string time = to_iso8601(kTimeMark);
  const std::pair<std::string_view, Slot> marks[] = {{kReadIdMark, Slot::kReadId},
                                                     {kCameraMark, Slot::kCameraId},
                                                     {kPlateMark, Slot::kPlate},
                                                     {time, Slot::kTime}};
  Template out;
  std::size_t from = 0;
  for (;;) {
    // The next mark in the text, whichever it is.
    std::size_t at = std::string::npos;
    std::pair<std::string_view, Slot> found{{}, Slot::kNone};
    for (const auto& mark : marks) {
      const std::size_t p = text.find(mark.first, from);
      if (p < at) {
        at = p;
        found = mark;
      }
    }
    out.pieces.push_back({text.substr(from, at - from), found.second});
    out.text_bytes += out.pieces.back().text.size();
    if (at == std::string::npos) return out;
    from = at + found.first.size();
  }
}

std::string ReadPayloads::payload(std::string_view read_id, std::string_view camera_id,
                                  std::string_view plate, TimestampMs at) const {
  if (!is_valid_id(read_id) || !is_valid_id(camera_id) || !is_normalised_plate(plate))
    throw std::invalid_argument("a read id, camera or plate that is not plain id or plate text");
  const std::string time = to_iso8601(at);
  const Template& t = by_plate_length_[plate.size() - 1];
  std::string out;
  out.reserve(t.text_bytes + read_id.size() + camera_id.size() + plate.size() + 3 * time.size());
  // Indexed by Slot: what goes in after each piece.
  const std::array<std::string_view, 5> values{{{}, read_id, camera_id, plate, time}};
  for (const Piece& piece : t.pieces) {
    out += piece.text;
    out += values[static_cast<std::size_t>(piece.slot)];
  }
  return out;
}

}  // namespace anpr::receiver::cli
