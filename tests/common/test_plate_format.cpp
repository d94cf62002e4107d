#include <catch2/catch.hpp>

#include "anpr/common/plate_format.hpp"
#include "anpr/common/plate_text.hpp"

using namespace anpr;

namespace {
const std::vector<PlateFormat>& formats2026() {
  static const auto f = make_uk_formats({.latest_issue_year = 2026});
  return f;
}
std::string format_of(const std::string& text) { return classify_plate(text, formats2026()).format; }
}  // namespace

TEST_CASE("normalise_plate upper-cases and drops separators", "[plate_text]") {
  CHECK(normalise_plate("ab12 cde") == "AB12CDE");
  CHECK(normalise_plate(" A-123.bcd ") == "A123BCD");
  CHECK(normalise_plate("AB\t12\nCDE") == "AB12CDE");
  CHECK(normalise_plate("ÄB12") != "AB12");  // non-ASCII is kept so validation can reject it
}

TEST_CASE("is_normalised_plate accepts only 1-12 of A-Z and 0-9", "[plate_text]") {
  CHECK(is_normalised_plate("AB12CDE"));
  CHECK(is_normalised_plate("A"));
  for (const char* text : {"", "ab12cde", "AB12 CDE", "ABCDEFGHJKLMN" /* 13 characters */, "AB12-CD"}) {
    CAPTURE(text);
    CHECK_FALSE(is_normalised_plate(text));
  }
}

TEST_CASE("display_plate spaces UK plates as printed", "[plate_text]") {
  CHECK(display_plate("AB12CDE") == "AB12 CDE");
  CHECK(display_plate("A123BCD") == "A123 BCD");
  CHECK(display_plate("ABC123D") == "ABC 123D");
  CHECK(display_plate("BA123AB") == "BA123AB");  // Slovak: left alone
}

TEST_CASE("current format: memory tag, age identifier, random letters", "[plate_format]") {
  CHECK(format_of("AB12CDE") == "gb-current");
  CHECK(format_of("YX51ABC") == "gb-current");  // September 2001
  CHECK(format_of("LM26XYZ") == "gb-current");  // March 2026
  CHECK(format_of("LM76XYZ") == "gb-current");  // September 2026
  SECTION("memory tag letters never I, Q or Z") {
    CHECK(format_of("IB12CDE") != "gb-current");
    CHECK(format_of("AQ12CDE") != "gb-current");
    CHECK(format_of("ZA12CDE") != "gb-current");
  }
  SECTION("random letters never I or Q") {
    CHECK(format_of("AB12CDI") != "gb-current");
    CHECK(format_of("AB12QDE") != "gb-current");
  }
  SECTION("age identifiers: 01 never issued, none from the future") {
    CHECK(format_of("AB01CDE") != "gb-current");
    CHECK(format_of("AB27CDE") != "gb-current");  // March 2027 not issued by 2026
    CHECK(format_of("AB77CDE") != "gb-current");
    CHECK(format_of("AB00CDE") != "gb-current");  // September 2050
  }
}

TEST_CASE("age identifier rule by year", "[plate_format]") {
  CHECK(is_valid_age_identifier(51, 2001));
  CHECK_FALSE(is_valid_age_identifier(2, 2001));
  CHECK(is_valid_age_identifier(2, 2002));
  CHECK(is_valid_age_identifier(50, 2050));
  CHECK(is_valid_age_identifier(0, 2050));
  CHECK_FALSE(is_valid_age_identifier(1, 2099));
  CHECK_FALSE(is_valid_age_identifier(100, 2099));
  CHECK_FALSE(is_valid_age_identifier(-1, 2099));
}

TEST_CASE("prefix format: year letter, 1-999, three letters", "[plate_format]") {
  CHECK(format_of("A123BCD") == "gb-prefix");
  CHECK(format_of("Y1ABC") == "gb-prefix");
  CHECK(format_of("P45RST") == "gb-prefix");
  CHECK(format_of("I123BCD") != "gb-prefix");  // I, O, Q, U, Z are never year letters
  CHECK(format_of("U123BCD") != "gb-prefix");
  CHECK(format_of("A012BCD") != "gb-prefix");  // no leading zero
}

TEST_CASE("suffix format: three letters, 1-999, year letter", "[plate_format]") {
  CHECK(format_of("ABC123D") == "gb-suffix");
  CHECK(format_of("XYZ1A") != "gb-suffix");    // Z is not an area letter
  CHECK(format_of("ABC123O") != "gb-suffix");  // O is never a year letter
  CHECK(format_of("ABC023D") != "gb-suffix");
}

TEST_CASE("Northern Ireland: code with I or Z, up to four digits", "[plate_format]") {
  CHECK(format_of("ABZ1234") == "gb-northern-ireland");
  CHECK(format_of("LXI12") == "gb-northern-ireland");
  CHECK(format_of("AZ9999") == "gb-northern-ireland");
  CHECK(format_of("ABZ0123") != "gb-northern-ireland");  // leading zero
  CHECK(format_of("ABC1234") != "gb-northern-ireland");  // no I or Z in the code
}

TEST_CASE("dateless: letters and digits either way round", "[plate_format]") {
  CHECK(format_of("A1") == "gb-dateless");
  CHECK(format_of("ABC123") == "gb-dateless");
  CHECK(format_of("1234AB") == "gb-dateless");
  CHECK(format_of("ABCD1") != "gb-dateless");   // four letters
  CHECK(format_of("A12345") != "gb-dateless");  // five digits
  CHECK(format_of("AQ1") != "gb-dateless");
}

TEST_CASE("other countries' plates are unknown, never bent into UK shapes", "[plate_format]") {
  const auto m = classify_plate("BA123AB", formats2026());
  CHECK(m.format == "unknown");
  CHECK(m.country.empty());
  CHECK(m.shape == nullptr);
  CHECK(format_of("M5XSX") == "gb-prefix");  // a real UK cherished plate: M 5 XSX
  CHECK(format_of("1ABC234") == "unknown");
  CHECK(format_of("WA56660") == "unknown");
  CHECK(format_of("") == "unknown");
}

TEST_CASE("classify_plate reports the country and shape", "[plate_format]") {
  const auto m = classify_plate("AB12CDE", formats2026());
  CHECK(m.country == "GB");
  REQUIRE(m.shape != nullptr);
  CHECK(m.shape->split == 4);
}
