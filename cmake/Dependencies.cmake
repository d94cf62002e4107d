# Every third-party library comes from Debian packages (scripts/debian-packages.txt);
# nothing is downloaded at build time.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
pkg_check_modules(tomlplusplus REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(sodium REQUIRED IMPORTED_TARGET libsodium)
find_package(OpenCV 4 REQUIRED COMPONENTS core imgproc imgcodecs videoio features2d dnn)
# The camera's video in: FFmpeg for files and streams, GStreamer for pipelines and V4L2 devices
# (edge/src/camera/video_input.cpp). Linked directly rather than through OpenCV's videoio, which
# drags in libraries the firmware never calls (docs/performance.md, peak RSS).
pkg_check_modules(ffmpeg REQUIRED IMPORTED_TARGET libavformat libavcodec libswscale libavutil)
pkg_check_modules(gstreamer REQUIRED IMPORTED_TARGET gstreamer-1.0 gstreamer-app-1.0 gstreamer-video-1.0)
# Debian's Tesseract ships no CMake config.
pkg_check_modules(tesseract REQUIRED IMPORTED_TARGET tesseract lept)
# The firmware's JPEG and PNG codecs (edge/src/reader/image_codec.cpp), in place of OpenCV's
# imgcodecs and the libraries it loads.
pkg_check_modules(turbojpeg REQUIRED IMPORTED_TARGET libturbojpeg)
pkg_check_modules(libpng REQUIRED IMPORTED_TARGET libpng)
find_package(PahoMqttCpp REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(SQLite3 REQUIRED)
if(ANPR_BUILD_RECEIVER)
  pkg_check_modules(pqxx REQUIRED IMPORTED_TARGET libpqxx)
  find_package(OpenSSL REQUIRED)  # the control room's HTTPS
  find_package(LibArchive REQUIRED)  # evidence packs (ZIP)
endif()
if(ANPR_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED)
endif()
