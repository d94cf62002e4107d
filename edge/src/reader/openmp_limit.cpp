#include "anpr/edge/reader/openmp_limit.hpp"

#include <unistd.h>

#include <cstdlib>

#include <opencv2/core/utility.hpp>

namespace anpr::edge {

void limit_openmp_threads(char** argv) {
  // OpenCV's own worker pool too (the classifier's convolutions, resizes): recogniser threads
  // are the unit of parallelism, and a second pool per thread only fights over the cores.
  cv::setNumThreads(0);
  if (std::getenv("OMP_THREAD_LIMIT") != nullptr) return;
  ::setenv("OMP_THREAD_LIMIT", "1", 1);
  ::execv("/proc/self/exe", argv);  // returns only on failure
}

}  // namespace anpr::edge
