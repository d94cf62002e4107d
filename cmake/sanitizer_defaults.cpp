// Compiled into every executable of a sanitized build (cmake/ProjectOptions.cmake), so that the
// firmware, the receiver and the tests behave the same however they are started: by ctest, by a
// test that starts them as child processes, or by hand.

extern "C" {

// LeakSanitizer reports at exit what system libraries keep for the life of the process, and the
// program would exit 1 on it. Only these are excused, each for what was seen:
// - GLib and GStreamer: one-time allocations (type registry, the default allocator's pools);
// - Paho's C library: one block (about 120 KiB) allocated inside it with no frame of ours on the
//   stack, once per process, whatever the number of messages;
// - Tesseract: the row that single-line page segmentation makes for the last image it was given
//   (one object at exit however many rows were read, so not a growing leak).
// A leak in this project's code, or anywhere else, still fails.
const char* __lsan_default_suppressions() {
  return "leak:libglib-2.0.so\n"
         "leak:libgobject-2.0.so\n"
         "leak:libgstreamer-1.0.so\n"
         "leak:libpaho-mqtt3as.so\n"
         "leak:tesseract::make_single_row\n"
         "leak:tesseract::C_OUTLINE::operator=\n";
}

}  // extern "C"
