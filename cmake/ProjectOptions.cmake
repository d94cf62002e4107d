# Compiler settings live on two INTERFACE targets that every project target links:
#   anpr_options  - language level, sanitizers
#   anpr_warnings - the warning set (strict, and fatal with ANPR_WARNINGS_AS_ERRORS)
add_library(anpr_options INTERFACE)
add_library(anpr_warnings INTERFACE)

target_compile_features(anpr_options INTERFACE cxx_std_20)
if(ANPR_SANITIZE OR ANPR_FUZZ)
  # A finding stops the program: a test or a fuzz run fails on it instead of logging on.
  target_compile_options(anpr_options INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=all
                                                -fno-omit-frame-pointer)
  target_link_options(anpr_options INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=all)
  # Leak-report exceptions for system libraries, compiled into executables only (a weak runtime
  # hook: an object in a static library would never be linked in).
  target_sources(anpr_options INTERFACE
    $<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:${CMAKE_CURRENT_LIST_DIR}/sanitizer_defaults.cpp>)
endif()
if(ANPR_FUZZ)
  target_compile_options(anpr_options INTERFACE -fsanitize=fuzzer-no-link)
endif()

target_compile_options(anpr_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused
  -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^arm")
  # GCC notes an ABI change of GCC 7 on armhf for every std::pair<double,...>; not our concern.
  target_compile_options(anpr_warnings INTERFACE -Wno-psabi)
endif()
if(ANPR_WARNINGS_AS_ERRORS)
  target_compile_options(anpr_warnings INTERFACE -Werror)
endif()
