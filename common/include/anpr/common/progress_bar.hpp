#pragma once
/// @file
/// A one-line progress bar on standard error, drawn only when standard error is a terminal.

#include <cstddef>
#include <string>

namespace anpr {

class ProgressBar {
 public:
  ProgressBar(std::size_t total, std::string label);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  void advance();

 private:
  void draw() const;
  std::size_t total_;
  std::size_t done_ = 0;
  std::string label_;
  bool enabled_;
};

}  // namespace anpr
