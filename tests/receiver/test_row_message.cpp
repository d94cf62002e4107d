// The message a read's row keeps, cut from the payload (receiver/src/ingest/row_message.hpp): for
// what encode() writes, the same bytes as encoding the read again without images; for any other
// payload the members as they came without the images, or nothing where a cut could mislead.
#include <catch2/catch.hpp>

#include <string>

#include "../support/sample_messages.hpp"
#include "anpr/common/message_codec.hpp"
#include "row_message.hpp"

using namespace anpr;
using namespace anpr::receiver;

namespace {

ReadMessage without_images(ReadMessage m) {
  m.crop_jpeg.clear();
  m.overview_jpeg.reset();
  return m;
}

}  // namespace

TEST_CASE("a read's row message cut from what encode() wrote is encode() of it without images", "[ingest]") {
  ReadMessage plain = test::sample_read("AB12CDE");
  ReadMessage full = plain;
  full.overview_jpeg = Bytes{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xD9};
  full.candidates = {{"AB12CDF", 0.4}, {"A812CDE", 0.2}};
  full.direction = {Motion::kApproaching, Lateral::kLeft};
  for (const ReadMessage& m : {plain, full}) {
    const std::string payload = encode(m);
    REQUIRE(decode_read(payload).ok());
    CHECK(row_message_from_payload(payload) == encode(without_images(m)));
  }
}

TEST_CASE("a read's row message keeps the members as they came, in their order, without the images",
          "[ingest]") {
  const std::string payload =
      " { \"type\" : \"read\", \"schema_version\":1,\"overview_jpeg\" : \"/9j/2Q==\" ,\n"
      "\"direction\":{\"motion\":\"receding\",\"lateral\":\"none\"},\"crop_jpeg\":\"/9j/4P/Z\","
      "\"plate\":\"AB12CDE\",\"box\":[1, 1, 10, "
      "5],\"candidates\":[{\"text\":\"A}B\\\"C\",\"confidence\":0.5}]} ";
  CHECK(row_message_from_payload(payload) ==
        "{\"type\" : "
        "\"read\",\"schema_version\":1,\"direction\":{\"motion\":\"receding\",\"lateral\":\"none\"},"
        "\"crop_jpeg\":\"\",\"plate\":\"AB12CDE\",\"box\":[1, 1, 10, 5],"
        "\"candidates\":[{\"text\":\"A}B\\\"C\",\"confidence\":0.5}]}");
}

TEST_CASE("a read's row message is not cut where the cut could disagree with the decoder", "[ingest]") {
  const char* const refused[] = {
      // A member the schema does not have (the decoder ignores it; encoding again leaves it out).
      "{\"plate\":\"AB12CDE\",\"note\":\"x\"}",
      // A key given twice (the decoder takes one of them), or written with escapes.
      "{\"plate\":\"AB12CDE\",\"plate\":\"XY12ZZZ\"}",
      "{\"crop\\u005fjpeg\":\"/9j/4P/Z\"}",
      // Not an object, or cut short.
      "[1]",
      "{}",
      "{\"plate\":\"AB12",
      "{\"box\":[1,2",
      "{\"plate\":\"AB12CDE\"} x",
      "{\"plate\":}",
  };
  for (const char* payload : refused) {
    INFO(payload);
    CHECK_FALSE(row_message_from_payload(payload));
  }
}
