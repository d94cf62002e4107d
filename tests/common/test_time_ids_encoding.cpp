#include <catch2/catch.hpp>

#include <set>

#include "anpr/common/encoding.hpp"
#include "anpr/common/ids.hpp"
#include "anpr/common/time.hpp"

using namespace anpr;

TEST_CASE("ISO 8601 round trip with milliseconds", "[time]") {
  CHECK(to_iso8601(0) == "1970-01-01T00:00:00.000Z");
  CHECK(to_iso8601(1795590299123) == "2026-11-25T07:04:59.123Z");
  CHECK(parse_iso8601("2026-11-25T07:04:59.123Z") == 1795590299123);
  CHECK(parse_iso8601("2026-11-25T07:04:59Z") == 1795590299000);
  CHECK(parse_iso8601("2026-11-25T07:04:59.1Z") == 1795590299100);
  const TimestampMs now = now_ms();
  CHECK(parse_iso8601(to_iso8601(now)) == now);
}

TEST_CASE("ISO 8601 parsing rejects anything but UTC in the fixed layout", "[time]") {
  for (const char* text :
       {"2026-11-24 07:04:59Z", "2026-11-25T07:04:59+01:00", "2026-11-25T07:04:59", "2026-02-30T07:04:59Z",
        "2026-11-24T24:00:00Z", "2026-11-25T07:04:59.Z", "", "yesterday"}) {
    CAPTURE(text);
    CHECK_FALSE(parse_iso8601(text));
  }
}

TEST_CASE("UUIDs are random version 4 in canonical form", "[ids]") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string u = make_uuid();
    REQUIRE(is_uuid(u));
    CHECK(u[14] == '4');
    CHECK(std::string("89ab").find(u[19]) != std::string::npos);
    seen.insert(u);
  }
  CHECK(seen.size() == 1000);
  CHECK_FALSE(is_uuid("not-a-uuid"));
  CHECK_FALSE(is_uuid("123e4567e89b12d3a456426614174000"));
  CHECK_FALSE(is_uuid("123e4567-e89b-12d3-a456-42661417400g"));
}

TEST_CASE("camera and site ids are safe MQTT topic levels", "[ids]") {
  CHECK(is_valid_id("cam-01_north"));
  for (const char* id : {"", "a/b", "cam+", "cam#", "cam 1"}) {
    CAPTURE(id);
    CHECK_FALSE(is_valid_id(id));
  }
  CHECK_FALSE(is_valid_id(std::string(65, 'a')));
}

TEST_CASE("UTF-8 validation", "[encoding]") {
  CHECK(is_valid_utf8("plain ascii"));
  CHECK(is_valid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x9A\x97"));  // é € 🚗
  CHECK_FALSE(is_valid_utf8("\xC3"));                            // truncated
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));                        // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));                    // surrogate
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));                // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xFF"));
}

TEST_CASE("base64 round trip and strict decoding", "[encoding]") {
  const Bytes data = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F'};
  const std::string text = base64_encode(data);
  CHECK(text == "/9j/4AAQSkZJRg==");
  CHECK(base64_decode(text) == data);
  CHECK(base64_decode("") == Bytes{});
  CHECK_FALSE(base64_decode("/9j/4AAQSkZJRg="));   // bad padding
  CHECK_FALSE(base64_decode("/9j/4AAQ$kZJRg=="));  // bad character
}

TEST_CASE("JPEG sniffing", "[encoding]") {
  CHECK(looks_like_jpeg({0xFF, 0xD8, 0xFF, 0xE0}));
  CHECK_FALSE(looks_like_jpeg({0x89, 'P', 'N', 'G'}));
  CHECK_FALSE(looks_like_jpeg({0xFF, 0xD8}));
}
