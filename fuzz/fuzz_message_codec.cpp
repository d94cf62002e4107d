// Fuzz target: MQTT payloads as a broker hands them to the receiver (or anyone who can publish
// does). Every kind is decoded; whatever decodes must encode to text that decodes to the same
// message, or the receiver would store something other than what it checked.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "anpr/common/message_codec.hpp"

namespace {

template <class Decoded>
void round_trip(const Decoded& first, Decoded (*again)(std::string_view)) {
  if (!first.ok()) return;
  const auto second = again(anpr::encode(first.value()));
  if (!second.ok() || !(second.value() == first.value())) std::abort();
}

anpr::DecodeResult<anpr::ReadMessage> read_of(std::string_view p) { return anpr::decode_read(p); }
anpr::DecodeResult<anpr::StatusMessage> status_of(std::string_view p) { return anpr::decode_status(p); }
anpr::DecodeResult<anpr::HealthMessage> health_of(std::string_view p) { return anpr::decode_health(p); }
anpr::DecodeResult<anpr::HitMessage> hit_of(std::string_view p) { return anpr::decode_hit(p); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  round_trip(read_of(payload), read_of);
  round_trip(status_of(payload), status_of);
  round_trip(health_of(payload), health_of);
  round_trip(hit_of(payload), hit_of);
  return 0;
}
