#pragma once
/// @file
/// JSON encoding and strict decoding of the messages. Decoding never throws on bad input: it
/// returns the first problem found, naming the field and the reason.

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "anpr/common/messages.hpp"

namespace anpr {

/// Why a payload was rejected: `field` is a JSON path such as "candidates[2].text", or
/// "(payload)" for problems with the payload as a whole.
struct DecodeError {
  std::string field;
  std::string reason;
  [[nodiscard]] std::string message() const { return field + ": " + reason; }
};

/// Either a decoded message or the reason it was rejected.
template <class T>
class DecodeResult {
 public:
  DecodeResult(T value) : state_(std::move(value)) {}            // NOLINT: implicit by design
  DecodeResult(DecodeError error) : state_(std::move(error)) {}  // NOLINT: implicit by design
  [[nodiscard]] bool ok() const noexcept { return std::holds_alternative<T>(state_); }
  [[nodiscard]] const T& value() const {
    if (!ok()) throw std::logic_error("DecodeResult::value() on an error: " + error().message());
    return std::get<T>(state_);
  }
  [[nodiscard]] const DecodeError& error() const { return std::get<DecodeError>(state_); }

 private:
  std::variant<T, DecodeError> state_;
};

[[nodiscard]] std::string encode(const ReadMessage& m);
[[nodiscard]] std::string encode(const StatusMessage& m);
[[nodiscard]] std::string encode(const HealthMessage& m);
[[nodiscard]] std::string encode(const HitMessage& m);

[[nodiscard]] DecodeResult<ReadMessage> decode_read(std::string_view payload);
[[nodiscard]] DecodeResult<StatusMessage> decode_status(std::string_view payload);
[[nodiscard]] DecodeResult<HealthMessage> decode_health(std::string_view payload);
[[nodiscard]] DecodeResult<HitMessage> decode_hit(std::string_view payload);

}  // namespace anpr
