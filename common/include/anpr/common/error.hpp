#pragma once
/// @file
/// The project's exception for setup and configuration errors.

#include <stdexcept>
#include <string>

namespace anpr {

/// What kind of failure an Error reports, so callers can react without parsing text.
enum class ErrorCode {
  kConfig,    ///< a configuration value is missing or invalid
  kInput,     ///< an input file or stream cannot be used
  kModel,     ///< a model file is missing or cannot be loaded
  kIo,        ///< the file system or network failed
  kInternal,  ///< a broken invariant
};

/// Thrown by setup and configuration code. Per-frame and per-message code returns results instead.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  [[nodiscard]] ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace anpr
