#pragma once
/// @file
/// Debian's Tesseract runs its LSTM with OpenMP. On a plate row the thread start-up costs far
/// more than it saves (one OCR call: about 17 ms single-threaded, 50-300 ms with 2 threads here),
/// and the edge already runs one reader per worker thread. Tesseract asks for threads explicitly,
/// so only OpenMP's thread limit helps, and libgomp reads it from the environment once, when it
/// is loaded: before main(). Hence the re-exec.

namespace anpr::edge {

/// If OMP_THREAD_LIMIT is not set, sets it to 1 and re-executes the program with the same
/// arguments; returns normally when it is already set (or the re-exec failed, which only costs speed).
void limit_openmp_threads(char** argv);

}  // namespace anpr::edge
