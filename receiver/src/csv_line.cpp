#include "csv_line.hpp"

namespace anpr::receiver {

bool split_csv_line(std::string_view line, std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else {
      field.push_back(c);
    }
  }
  fields.push_back(std::move(field));
  return !quoted;
}

void CsvErrors::add(CsvRowError error) {
  ++total_;
  if (listed_.size() >= kListed) return;
  if (error.message.size() > kMaxMessage) {
    // Cut at a character, not inside one: the message goes into JSON answers.
    std::size_t cut = kMaxMessage;
    while (cut > 0 && (static_cast<unsigned char>(error.message[cut]) & 0xC0) == 0x80) --cut;
    error.message.resize(cut);
    error.message += "...";
  }
  listed_.push_back(std::move(error));
}

std::string csv_field(const std::string& text) {
  std::string v = !text.empty() && std::string_view("=+-@\t\r").find(text[0]) != std::string_view::npos
                      ? "'" + text
                      : text;
  if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace anpr::receiver
