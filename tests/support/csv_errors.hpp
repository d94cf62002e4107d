#pragma once
// What a test of a CSV import checks of the rows it refused.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "anpr/receiver/csv_error.hpp"

namespace anpr::test {

/// Checks that there are as many `errors` as `messages`, each error's message holding the text
/// given for it, in order.
inline void check_error_messages(const receiver::CsvErrors& errors,
                                 const std::vector<std::string>& messages) {
  REQUIRE(errors.size() == messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i)
    CHECK_THAT(errors[i].message, Catch::Contains(messages[i]));
}

}  // namespace anpr::test
