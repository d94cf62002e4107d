# Cross-compiles the edge firmware for 64-bit ARM Linux (aarch64 / Debian arm64).
#   cmake -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64-linux-gnu.cmake -DANPR_SYSROOT=<dir> ...
set(ANPR_TARGET_TRIPLET aarch64-linux-gnu)
set(ANPR_TARGET_PROCESSOR aarch64)
set(ANPR_QEMU qemu-aarch64-static)
include(${CMAKE_CURRENT_LIST_DIR}/linux-arm-common.cmake)
