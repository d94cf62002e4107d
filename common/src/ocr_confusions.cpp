#include "anpr/common/ocr_confusions.hpp"

namespace anpr {

char confusion_class(char c) noexcept {
  switch (c) {
    case 'O':
    case 'D':
    case 'Q':
      return '0';
    case 'I':
      return '1';
    case 'Z':
      return '2';
    case 'S':
      return '5';
    case 'G':
      return '6';
    case 'B':
      return '8';
    default:
      return c;
  }
}

std::string confusion_key(std::string_view text) {
  std::string key(text);
  for (char& c : key) c = confusion_class(c);
  return key;
}

std::string_view confusable_with(char c) noexcept {
  switch (c) {
    case '0':
      return "ODQ";
    case 'O':
      return "0DQ";
    case 'D':
      return "0OQ";
    case 'Q':
      return "0OD";
    case '1':
      return "I";
    case 'I':
      return "1";
    case '2':
      return "Z";
    case 'Z':
      return "2";
    case '5':
      return "S";
    case 'S':
      return "5";
    case '6':
      return "G";
    case 'G':
      return "6";
    case '8':
      return "B";
    case 'B':
      return "8";
    default:
      return "";
  }
}

bool drawn_alike(char a, char b) noexcept {
  const auto pair = [&](char x, char y) { return (a == x && b == y) || (a == y && b == x); };
  return pair('O', '0') || pair('I', '1');
}

int equivalent_substitutions(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return -1;
  int substitutions = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;
    if (confusion_class(a[i]) != confusion_class(b[i])) return -1;
    ++substitutions;
  }
  return substitutions;
}

}  // namespace anpr
