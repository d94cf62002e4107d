#include <catch2/catch.hpp>

#include "anpr/common/ocr_confusions.hpp"

using namespace anpr;

TEST_CASE("confusion classes group 0/O/D/Q, 1/I, 2/Z, 5/S, 6/G, 8/B", "[ocr_confusions]") {
  for (char c : std::string("0ODQ")) CHECK(confusion_class(c) == '0');
  CHECK(confusion_class('I') == confusion_class('1'));
  CHECK(confusion_class('Z') == confusion_class('2'));
  CHECK(confusion_class('S') == confusion_class('5'));
  CHECK(confusion_class('G') == confusion_class('6'));
  CHECK(confusion_class('B') == confusion_class('8'));
  CHECK(confusion_class('A') == 'A');
  CHECK(confusion_class('A') != confusion_class('4'));
}

TEST_CASE("confusion_key makes OCR-equivalent plates equal", "[ocr_confusions]") {
  CHECK(confusion_key("AB12CDE") == confusion_key("A812CDE"));
  CHECK(confusion_key("SO51ABC") == confusion_key("5051A8C"));
  CHECK(confusion_key("AB12CDE") != confusion_key("AB12CDF"));
}

TEST_CASE("confusable_with lists the other members of the class", "[ocr_confusions]") {
  CHECK(confusable_with('0') == "ODQ");
  CHECK(confusable_with('B') == "8");
  CHECK(confusable_with('K').empty());
}

TEST_CASE("equivalent_substitutions counts only equivalent differences", "[ocr_confusions]") {
  CHECK(equivalent_substitutions("AB12CDE", "AB12CDE") == 0);
  CHECK(equivalent_substitutions("AB12CDE", "A812CDE") == 1);
  CHECK(equivalent_substitutions("AB12CDE", "A8I2C0E") == 3);
  CHECK(equivalent_substitutions("AB12CDE", "AB12CDF") == -1);
  CHECK(equivalent_substitutions("AB12CDE", "AB12CD") == -1);
}

TEST_CASE("O and 0, I and 1 are drawn alike, other look-alikes are not", "[ocr_confusions]") {
  CHECK(drawn_alike('O', '0'));
  CHECK(drawn_alike('0', 'O'));
  CHECK(drawn_alike('I', '1'));
  CHECK(drawn_alike('1', 'I'));
  for (const auto& [a, b] :
       {std::pair{'5', 'S'}, std::pair{'8', 'B'}, std::pair{'Q', 'O'}, std::pair{'D', '0'},
        std::pair{'G', '6'}, std::pair{'Z', '2'}, std::pair{'O', 'O'}, std::pair{'A', '4'}}) {
    INFO(a << " " << b);
    CHECK_FALSE(drawn_alike(a, b));
  }
}
