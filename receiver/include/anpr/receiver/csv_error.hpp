#pragma once
/// @file
/// The rows an import file (watchlists, cameras, sections) was rejected for, with line numbers.

#include <cstddef>
#include <string>
#include <vector>

namespace anpr::receiver {

struct CsvRowError {
  int line = 0;  ///< 1-based; 0 for the file as a whole
  std::string message;
};

/// Bounded: the first kListed errors are kept (each message at most kMaxMessage bytes, cut at a
/// character), the rest only counted. A file of a million bad lines gives an answer of a hundred
/// lines and the number, not one as large as the file.
class CsvErrors {
 public:
  static constexpr std::size_t kListed = 100;
  static constexpr std::size_t kMaxMessage = 200;

  void add(CsvRowError error);
  /// Every error, listed or not.
  [[nodiscard]] std::size_t size() const { return total_; }
  [[nodiscard]] bool empty() const { return total_ == 0; }
  /// How many were left out of the list.
  [[nodiscard]] std::size_t unlisted() const { return total_ - listed_.size(); }
  [[nodiscard]] const CsvRowError& at(std::size_t i) const { return listed_.at(i); }
  [[nodiscard]] const CsvRowError& operator[](std::size_t i) const { return listed_.at(i); }
  [[nodiscard]] auto begin() const { return listed_.begin(); }
  [[nodiscard]] auto end() const { return listed_.end(); }

 private:
  std::vector<CsvRowError> listed_;
  std::size_t total_ = 0;
};

}  // namespace anpr::receiver
