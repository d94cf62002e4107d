#pragma once
/// @file
/// What every program's `main` does around its commands. Header-only, for the programs: it brings
/// CLI11, which the libraries do not depend on.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <initializer_list>
#include <string>

#include "anpr/common/error.hpp"
#include "anpr/common/version.hpp"

namespace anpr {

/// "PROGRAM VERSION (git REVISION)", what `--version` prints.
inline std::string version_string(const std::string& program) {
  return program + " " + kVersion + " (git " + kGitRevision + ")";
}

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

/// Registers one subcommand on the application; its callback stores its exit status in `exit_code`.
using AddCommand = void (*)(CLI::App& app, int& exit_code);

/// The `main` of a program made of `commands`, exactly one of which must be given. Returns the
/// status the command stores; CLI11's for `--help`, `--version` and usage errors; 2 for a setup
/// error (anpr::Error, with its message on stderr); 1 for any other exception (run_program).
inline int run_commands(const char* program, const char* description, int argc, char** argv,
                        std::initializer_list<AddCommand> commands) noexcept {
  return run_program(program, [&] {
    CLI::App app{description};
    app.set_version_flag("--version", version_string(program));
    app.require_subcommand(1);
    int exit_code = 0;
    for (const AddCommand add : commands) add(app, exit_code);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      return app.exit(e);
    } catch (const Error& e) {
      std::fprintf(stderr, "%s: %s\n", program, e.what());
      return 2;
    }
    return exit_code;
  });
}

}  // namespace anpr
