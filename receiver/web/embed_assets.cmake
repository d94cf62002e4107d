# Writes OUTPUT: a C++ file defining anpr::receiver::web::find_asset over the files in FILES
# (paths relative to SOURCE_DIR, or SERVED_AS=/absolute/source for a file from a Debian package,
# such as Leaflet). Run at build time by receiver/CMakeLists.txt.
set(entries "")
set(arrays "")
set(index 0)
foreach(entry IN LISTS FILES)
  if(entry MATCHES "^([^=]+)=(.+)$")
    set(name "${CMAKE_MATCH_1}")
    set(source "${CMAKE_MATCH_2}")
  else()
    set(name "${entry}")
    set(source "${SOURCE_DIR}/${entry}")
  endif()
  file(READ "${source}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  if(name MATCHES "\\.html$")
    set(type "text/html; charset=utf-8")
  elseif(name MATCHES "\\.js$")
    set(type "text/javascript; charset=utf-8")
  elseif(name MATCHES "\\.css$")
    set(type "text/css; charset=utf-8")
  elseif(name MATCHES "\\.svg$")
    set(type "image/svg+xml")
  else()
    set(type "application/octet-stream")
  endif()
  string(APPEND arrays "const char kAsset${index}[] = {${bytes} '\\0'};\n")
  string(APPEND entries "    {\"${name}\", {\"${type}\", std::string_view(kAsset${index}, ${size})}},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from receiver/web by embed_assets.cmake: do not edit.\n"
  "#include <map>\n#include <string_view>\n\n#include \"web_assets.hpp\"\n\n"
  "namespace anpr::receiver::web {\nnamespace {\n${arrays}}  // namespace\n\n"
  "const Asset* find_asset(std::string_view path) {\n"
  "  static const std::map<std::string_view, Asset> assets = {\n${entries}  };\n"
  "  const auto it = assets.find(path);\n  return it == assets.end() ? nullptr : &it->second;\n}\n\n"
  "}  // namespace anpr::receiver::web\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
