#pragma once
/// @file
/// What every program's `main` does around its commands.

#include <cstdio>
#include <exception>

namespace anpr {

/// Runs a program's body and turns an exception that escapes it (out of memory, a library's own
/// error) into a message on stderr and exit status 1 instead of an abort.
template <class Body>
int run_program(const char* program, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", program, e.what());
    return 1;
  }
}

}  // namespace anpr
