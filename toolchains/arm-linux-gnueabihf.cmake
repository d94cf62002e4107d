# Cross-compiles the edge firmware for 32-bit ARM Linux with hardware float (Debian armhf).
#   cmake -DCMAKE_TOOLCHAIN_FILE=toolchains/arm-linux-gnueabihf.cmake -DANPR_SYSROOT=<dir> ...
set(ANPR_TARGET_TRIPLET arm-linux-gnueabihf)
set(ANPR_TARGET_PROCESSOR armv7l)
set(ANPR_QEMU qemu-arm-static)
include(${CMAKE_CURRENT_LIST_DIR}/linux-arm-common.cmake)
