#pragma once
// CSV both ways: one line split into fields (fields may be double-quoted, "" for a quote
// inside), and a text field written for a CSV report.

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "anpr/common/encoding.hpp"
#include "anpr/receiver/csv_error.hpp"

namespace anpr::receiver {

/// Splits `line` into `fields`; false when a quote is left open.
bool split_csv_line(std::string_view line, std::vector<std::string>& fields);

/// `text` as one CSV field: quoted when it holds a comma, quote or line break. A text that a
/// spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading apostrophe: camera
/// and list names come from other people.
std::string csv_field(const std::string& text);

/// Calls `row(line_number, fields)` for every non-empty line of `text` (LF or CRLF); a line with
/// an unterminated quote is added to `errors` instead. A text that is not UTF-8 is one error (line
/// 0) and no row.
template <class Row>
void for_each_csv_row(std::string_view text, CsvErrors& errors, Row&& row) {
  if (!is_valid_utf8(text)) {
    errors.add({0, "the file is not valid UTF-8"});
    return;
  }
  std::vector<std::string> fields;
  int line_no = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (!split_csv_line(line, fields)) {
      errors.add({line_no, "unterminated quote"});
      continue;
    }
    row(line_no, fields);
  }
}

/// for_each_csv_row over a file whose rows have the fields `columns` names: a first line that
/// starts with the first column's name is the header and skipped, and a row with another number of
/// fields is added to `errors` ("expected a,b,c; found N fields") instead of reaching `row`.
template <class Row>
void for_each_csv_record(std::string_view text, CsvErrors& errors,
                         std::initializer_list<std::string_view> columns, Row&& row) {
  std::string expected;
  for (const std::string_view column : columns) expected.append(expected.empty() ? "" : ",").append(column);
  for_each_csv_row(text, errors, [&](int line_no, const std::vector<std::string>& fields) {
    if (line_no == 1 && fields[0] == *columns.begin()) return;
    if (fields.size() != columns.size()) {
      errors.add({line_no, "expected " + expected + "; found " + std::to_string(fields.size()) + " fields"});
      return;
    }
    row(line_no, fields);
  });
}

}  // namespace anpr::receiver
