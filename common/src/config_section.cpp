#include "anpr/common/config_section.hpp"

#include <algorithm>

#include "anpr/common/error.hpp"

namespace anpr {
namespace {

std::string format_number(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

toml::table parse_config_file(const std::string& path) {
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw Error(ErrorCode::kConfig,
                path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
}

void check_config_sections(const toml::table& root, const std::string& path,
                           const std::vector<std::string>& sections) {
  for (const auto& [key, node] : root) {
    const std::string k(key.str());
    if (std::find(sections.begin(), sections.end(), k) == sections.end()) {
      std::string known;
      for (const auto& s : sections) known.append(known.empty() ? "" : ", ").append(s);
      throw Error(ErrorCode::kConfig, path + ":" + std::to_string(node.source().begin.line) + ": " + k +
                                          ": is not a known section (" + known + ")");
    }
  }
}

ConfigSection::ConfigSection(const toml::table& root, std::string name, std::string file)
    : name_(std::move(name)), file_(std::move(file)) {
  const toml::node* node = root.get(name_);
  if (node == nullptr) return;
  table_ = node->as_table();
  if (table_ == nullptr) fail(*node, name_, "must be a table ([" + name_ + "])");
}

void ConfigSection::text(const char* key, std::string& out) {
  if (const auto* n = find(key)) {
    const auto v = n->value<std::string>();
    if (!v || !n->is_string()) fail(*n, key, "must be a string");
    out = *v;
  }
}

void ConfigSection::integer(const char* key, int& out, int lo, int hi) {
  if (const auto* n = find(key)) {
    const auto v = n->value<std::int64_t>();
    if (!v || !n->is_integer()) fail(*n, key, "must be an integer");
    if (*v < lo || *v > hi)
      fail(*n, key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    out = static_cast<int>(*v);
  }
}

void ConfigSection::number(const char* key, double& out, double lo, double hi) {
  if (const auto* n = find(key)) {
    const auto v = n->value<double>();
    if (!v || !(n->is_floating_point() || n->is_integer())) fail(*n, key, "must be a number");
    if (*v < lo || *v > hi)
      fail(*n, key, "must be between " + format_number(lo) + " and " + format_number(hi));
    out = *v;
  }
}

void ConfigSection::boolean(const char* key, bool& out) {
  if (const auto* n = find(key)) {
    if (!n->is_boolean()) fail(*n, key, "must be true or false");
    out = *n->value<bool>();
  }
}

void ConfigSection::text_list(const char* key, std::vector<std::string>& out) {
  if (const auto* n = find(key)) {
    const auto* array = n->as_array();
    if (array == nullptr) fail(*n, key, "must be an array of strings");
    out.clear();
    for (const auto& item : *array) {
      if (!item.is_string()) fail(item, key, "must be an array of strings");
      out.push_back(*item.value<std::string>());
    }
  }
}

void ConfigSection::points(const char* key, std::vector<std::pair<double, double>>& out) {
  if (const auto* n = find(key)) {
    const auto* array = n->as_array();
    if (array == nullptr) fail(*n, key, "must be an array of [x, y] pairs");
    out.clear();
    for (const auto& item : *array) {
      const auto* pair = item.as_array();
      if (pair == nullptr || pair->size() != 2 || !(*pair)[0].is_number() || !(*pair)[1].is_number()) {
        fail(item, key, "must be an array of [x, y] pairs of numbers");
      }
      out.emplace_back(*(*pair)[0].value<double>(), *(*pair)[1].value<double>());
    }
  }
}

void ConfigSection::polygons(const char* key, std::vector<Points>& out,
                             const std::function<std::string(const Points&)>& problem) {
  const auto* n = find(key);
  if (n == nullptr) return;
  const auto* array = n->as_array();
  const std::string shape = "must be an array of polygons, each an array of [x, y] pairs of numbers";
  if (array == nullptr) fail(*n, key, shape);
  out.clear();
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& item = (*array)[i];
    const auto* corners = item.as_array();
    if (corners == nullptr) fail(item, key, shape);
    Points polygon;
    for (const auto& corner : *corners) {
      const auto* pair = corner.as_array();
      if (pair == nullptr || pair->size() != 2 || !(*pair)[0].is_number() || !(*pair)[1].is_number()) {
        fail(corner, key, shape);
      }
      polygon.emplace_back(*(*pair)[0].value<double>(), *(*pair)[1].value<double>());
    }
    if (const std::string why = problem ? problem(polygon) : ""; !why.empty()) {
      fail(item, std::string(key) + "[" + std::to_string(i + 1) + "]", why);
    }
    out.push_back(std::move(polygon));
  }
}

void ConfigSection::check_unknown_keys() const {
  if (table_ == nullptr) return;
  for (const auto& [key, node] : *table_) {
    if (!known_.count(std::string(key.str()))) fail(node, std::string(key.str()), "is not a known setting");
  }
}

const toml::node* ConfigSection::find(const char* key) {
  known_.insert(key);
  return table_ ? table_->get(key) : nullptr;
}

void ConfigSection::fail(const std::string& key, const std::string& reason) const {
  const toml::node* node = table_ ? table_->get(key) : nullptr;
  if (node != nullptr) fail(*node, key, reason);
  throw Error(ErrorCode::kConfig, file_ + ": " + name_ + "." + key + ": " + reason);
}

void ConfigSection::fail(const toml::node& node, const std::string& key, const std::string& reason) const {
  throw Error(ErrorCode::kConfig, file_ + ":" + std::to_string(node.source().begin.line) + ": " + name_ +
                                      "." + key + ": " + reason);
}

}  // namespace anpr
