#pragma once
/// @file
/// Typed reading of one [section] of a TOML config file. Every error names the file, the line,
/// the key and the reason ("FILE:LINE: section.key: reason"), and keys the program does not know
/// are refused: a typo must never fall back silently to a default.

#include <functional>
#include <set>
#include <string>
#include <vector>

#include <toml++/toml.h>

namespace anpr {

/// Parses a TOML file; throws anpr::Error (kConfig) naming the file and line of a syntax error.
[[nodiscard]] toml::table parse_config_file(const std::string& path);

/// Throws for any top-level key of `root` that is not one of `sections`.
void check_config_sections(const toml::table& root, const std::string& path,
                           const std::vector<std::string>& sections);

class ConfigSection {
 public:
  ConfigSection(const toml::table& root, std::string name, std::string file);

  void text(const char* key, std::string& out);
  void integer(const char* key, int& out, int lo, int hi);
  void number(const char* key, double& out, double lo, double hi);
  void boolean(const char* key, bool& out);
  void text_list(const char* key, std::vector<std::string>& out);
  /// An array of [x, y] pairs, e.g. a polygon.
  void points(const char* key, std::vector<std::pair<double, double>>& out);
  using Points = std::vector<std::pair<double, double>>;
  /// An array of polygons, each an array of [x, y] pairs. `problem` says why a polygon cannot be
  /// used ("" when it can); the error names that polygon's line and its place in the array.
  void polygons(const char* key, std::vector<Points>& out,
                const std::function<std::string(const Points&)>& problem);

  /// Throws for the first key of this section that no reader above asked for.
  void check_unknown_keys() const;
  /// Throws "FILE[:LINE]: section.key: reason" for a value that passed its type check but breaks
  /// a rule checked after parsing (the line is that of the key when it is in the file).
  [[noreturn]] void fail(const std::string& key, const std::string& reason) const;

 private:
  const toml::node* find(const char* key);
  [[noreturn]] void fail(const toml::node& node, const std::string& key, const std::string& reason) const;

  std::string name_, file_;
  const toml::table* table_ = nullptr;
  std::set<std::string> known_;
};

}  // namespace anpr
