# Debian packages through CPack: anpr-edge (firmware, per target architecture) and
# anpr-receiver (control room, host architecture).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME anpr)
set(CPACK_PACKAGE_VENDOR "ANPR project")
set(CPACK_PACKAGE_CONTACT "ANPR maintainers <anpr@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # <name>_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)   # explicit (dpkg-shlibdeps cannot read a cross sysroot);
                                          # keep in step with `objdump -p <binary> | grep NEEDED`
if(CMAKE_CROSSCOMPILING)
  if(CMAKE_SYSTEM_PROCESSOR STREQUAL "aarch64")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
  else()
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE armhf)
  endif()
endif()

set(CPACK_DEBIAN_EDGE_PACKAGE_NAME anpr-edge)
set(CPACK_DEBIAN_EDGE_PACKAGE_SECTION misc)
set(CPACK_COMPONENT_EDGE_DESCRIPTION "ANPR camera firmware: reads number plates from video and publishes them over MQTT")
set(CPACK_DEBIAN_EDGE_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/edge/config/postinst ${PROJECT_SOURCE_DIR}/edge/config/conffiles)
set(CPACK_DEBIAN_EDGE_PACKAGE_DEPENDS
  "libopencv-core406, libopencv-imgproc406, libopencv-features2d406, libopencv-dnn406, libturbojpeg0, libpng16-16, libavformat59, libavcodec59, libswscale6, libavutil57, libgstreamer1.0-0, libgstreamer-plugins-base1.0-0, libtesseract5, libpaho-mqtt1.3, libpaho-mqttpp3-1, libsodium23, libspdlog1.10, libfmt9, libtomlplusplus3, libstdc++6 (>= 12), libc6, adduser")
# GStreamer's own elements: appsink and videoconvert for pipelines, v4l2src for a V4L2 camera.
set(CPACK_DEBIAN_EDGE_PACKAGE_RECOMMENDS "gstreamer1.0-plugins-base, gstreamer1.0-plugins-good")
set(CPACK_DEBIAN_RECEIVER_PACKAGE_NAME anpr-receiver)
set(CPACK_DEBIAN_RECEIVER_PACKAGE_SECTION misc)
set(CPACK_COMPONENT_RECEIVER_DESCRIPTION "ANPR control-room receiver: ingests reads, checks watchlists, records movements")
set(CPACK_DEBIAN_RECEIVER_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/receiver/config/postinst ${PROJECT_SOURCE_DIR}/receiver/config/conffiles)
set(CPACK_DEBIAN_RECEIVER_PACKAGE_DEPENDS
  "libarchive13, libfmt9, libpaho-mqtt1.3, libpaho-mqttpp3-1, libsodium23, libspdlog1.10, libsqlite3-0, libtomlplusplus3, libstdc++6 (>= 12), libc6, adduser")
if(CMAKE_CROSSCOMPILING)
  set(CPACK_COMPONENTS_ALL edge)
else()
  set(CPACK_COMPONENTS_ALL edge receiver)
endif()
include(CPack)
