#include "anpr/edge/openmp_limit.hpp"

#include <unistd.h>

#include <cstdlib>

namespace anpr::edge {

void limit_openmp_threads(char** argv) {
  if (std::getenv("OMP_THREAD_LIMIT") != nullptr) return;
  ::setenv("OMP_THREAD_LIMIT", "1", 1);
  ::execv("/proc/self/exe", argv);  // returns only on failure
}

}  // namespace anpr::edge
