#pragma once
// The message a read's row keeps, cut from the payload as it came rather than encoded again from
// the decoded read: encoding it again was a third of the receiver's work per read (session 24's
// profile), and the payload has the text already.

#include <optional>
#include <string>
#include <string_view>

namespace anpr::receiver {

/// A read's payload that decode_read accepted, with its images taken out: `crop_jpeg` emptied to
/// "" and `overview_jpeg` left out, every other member as it came, in its order, without the
/// spaces between members. For a payload that encode() wrote, that is encode() of the read
/// without its images, byte for byte. nullopt where a cut could disagree with what the decoder
/// read: a key written with escapes, a key given twice, a member the schema does not have (then
/// the caller encodes the decoded read instead, which leaves unknown members out).
[[nodiscard]] std::optional<std::string> row_message_from_payload(std::string_view payload);

}  // namespace anpr::receiver
