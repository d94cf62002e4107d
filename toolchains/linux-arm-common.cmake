# Shared part of the ARM Linux toolchain files. The including file sets ANPR_TARGET_TRIPLET,
# ANPR_TARGET_PROCESSOR and ANPR_QEMU before including this one.
#
# ANPR_SYSROOT: the target's root file system with its -dev packages, either the one
# scripts/make-sysroot.sh builds from Debian packages or a camera vendor's SDK sysroot.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${ANPR_TARGET_PROCESSOR})

set(ANPR_SYSROOT "" CACHE PATH "Target sysroot (see scripts/make-sysroot.sh)")
if(NOT ANPR_SYSROOT AND DEFINED ENV{ANPR_SYSROOT})
  set(ANPR_SYSROOT "$ENV{ANPR_SYSROOT}" CACHE PATH "Target sysroot" FORCE)
endif()
if(NOT ANPR_SYSROOT OR NOT EXISTS "${ANPR_SYSROOT}/usr")
  message(FATAL_ERROR "Set -DANPR_SYSROOT=<dir> to a ${ANPR_TARGET_TRIPLET} sysroot "
                      "(build one with scripts/make-sysroot.sh).")
endif()
# try_compile projects need the sysroot too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ANPR_SYSROOT)

set(CMAKE_C_COMPILER ${ANPR_TARGET_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${ANPR_TARGET_TRIPLET}-g++)
set(CMAKE_SYSROOT ${ANPR_SYSROOT})
set(CMAKE_LIBRARY_ARCHITECTURE ${ANPR_TARGET_TRIPLET})

# Debian's libraries pull in further shared libraries that the linker must find in the sysroot.
set(_anpr_rpath_link
  "-Wl,-rpath-link,${ANPR_SYSROOT}/usr/lib/${ANPR_TARGET_TRIPLET}"
  "-Wl,-rpath-link,${ANPR_SYSROOT}/lib/${ANPR_TARGET_TRIPLET}")
# Some Debian libraries carry BLAS/LAPACK under an alternatives directory.
foreach(_sub blas lapack atlas)
  if(EXISTS "${ANPR_SYSROOT}/usr/lib/${ANPR_TARGET_TRIPLET}/${_sub}")
    list(APPEND _anpr_rpath_link "-Wl,-rpath-link,${ANPR_SYSROOT}/usr/lib/${ANPR_TARGET_TRIPLET}/${_sub}")
  endif()
endforeach()
list(JOIN _anpr_rpath_link " " _anpr_rpath_link)
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_anpr_rpath_link}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${_anpr_rpath_link}")

set(CMAKE_FIND_ROOT_PATH ${ANPR_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(ENV{PKG_CONFIG_SYSROOT_DIR} ${ANPR_SYSROOT})
set(ENV{PKG_CONFIG_LIBDIR}
    "${ANPR_SYSROOT}/usr/lib/${ANPR_TARGET_TRIPLET}/pkgconfig:${ANPR_SYSROOT}/usr/share/pkgconfig:${ANPR_SYSROOT}/usr/lib/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# Unit tests run under user-mode qemu (binfmt_misc is not assumed), with the sysroot as the
# target's root for its dynamic loader and libraries.
find_program(ANPR_QEMU_PATH ${ANPR_QEMU})
if(ANPR_QEMU_PATH)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${ANPR_QEMU_PATH};-L;${ANPR_SYSROOT})
endif()
