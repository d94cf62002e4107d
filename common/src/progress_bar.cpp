#include "anpr/common/progress_bar.hpp"

#include <unistd.h>

#include <cstdio>

namespace anpr {

ProgressBar::ProgressBar(std::size_t total, std::string label)
    : total_(total), label_(std::move(label)), enabled_(isatty(STDERR_FILENO) == 1 && total > 0) {
  if (enabled_) draw();
}

ProgressBar::~ProgressBar() {
  if (enabled_) std::fputs("\r\033[K", stderr);
}

void ProgressBar::advance() {
  ++done_;
  if (enabled_) draw();
}

void ProgressBar::draw() const {
  constexpr std::size_t kWidth = 40;
  const std::size_t filled = total_ ? done_ * kWidth / total_ : kWidth;
  std::string bar(filled, '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "\r%s [%s] %zu/%zu", label_.c_str(), bar.c_str(), done_, total_);
  std::fflush(stderr);
}

}  // namespace anpr
