#include "config/yaml_reader.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace siptgw::config {

std::string ConfigError::describe() const {
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line);
  s += ": ";
  if (!path.empty()) s += path + ": ";
  return s + message;
}

std::string Errors::describe() const {
  std::string s;
  for (const ConfigError& e : list_) s += e.describe() + "\n";
  return s;
}

Result<YAML::Node, ConfigError> parseYaml(std::string_view text, const std::string& file) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Unexpected{ConfigError{file, e.mark.is_null() ? 0 : e.mark.line + 1, {}, e.msg}};
  }
}

Result<YAML::Node, ConfigError> loadYamlFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) return Unexpected{ConfigError{path, 0, {}, "cannot read the file"}};
  std::stringstream ss;
  ss << f.rdbuf();
  return parseYaml(ss.str(), path);
}

Node::Node(YAML::Node node, std::string file, Errors& errors, std::string path)
    : node_(std::move(node)), file_(std::move(file)), errors_(&errors), path_(std::move(path)) {}

int Node::line() const {
  if (!node_.IsDefined()) return 0;
  const YAML::Mark m = node_.Mark();
  return m.is_null() ? 0 : m.line + 1;
}

std::string Node::childPath(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

bool Node::has(std::string_view key) const { return node_.IsMap() && node_[std::string(key)].IsDefined(); }

void Node::error(const std::string& message, std::string_view key) {
  if (!key.empty() && has(key)) {
    Node c(node_[std::string(key)], file_, *errors_, childPath(key));
    errors_->add({file_, c.line(), c.path_, message});
    return;
  }
  errors_->add({file_, line(), key.empty() ? path_ : childPath(key), message});
}

void Node::allowOnly(std::initializer_list<std::string_view> known) {
  if (!node_.IsDefined() || node_.IsNull()) return;
  if (!node_.IsMap()) {
    error("a map (key: value lines) is needed here");
    return;
  }
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string k = it->first.as<std::string>("");
    bool ok = false;
    for (std::string_view x : known) ok = ok || x == k;
    if (!ok) {
      std::string list;
      for (std::string_view x : known) list += (list.empty() ? "" : ", ") + std::string(x);
      const YAML::Mark m = it->first.Mark();
      errors_->add({file_, m.is_null() ? 0 : m.line + 1, childPath(k), "unknown key (known here: " + list + ")"});
    }
  }
}

Node Node::child(std::string_view key, bool required) {
  YAML::Node c = node_.IsMap() ? node_[std::string(key)] : YAML::Node(YAML::NodeType::Undefined);
  if (required && !c.IsDefined()) error("missing required key '" + std::string(key) + "'");
  return Node(c, file_, *errors_, childPath(key));
}

std::size_t Node::size() const { return node_.IsSequence() ? node_.size() : 0; }

Node Node::at(std::size_t i) {
  return Node(node_[i], file_, *errors_, path_ + "[" + std::to_string(i) + "]");
}

std::optional<int64_t> Node::asInteger(int64_t min, int64_t max) {
  if (!node_.IsScalar()) {
    error("an integer is needed here");
    return std::nullopt;
  }
  const std::string s = node_.Scalar();
  int64_t v = 0;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    b += 2;
    base = 16;
  }
  auto r = std::from_chars(b, e, v, base);
  if (r.ec != std::errc{} || r.ptr != e) {
    error("'" + s + "' is not an integer");
    return std::nullopt;
  }
  if (v < min || v > max) {
    error(std::to_string(v) + " is outside " + std::to_string(min) + ".." + std::to_string(max));
    return std::nullopt;
  }
  return v;
}

std::optional<std::string> Node::asString() {
  if (!node_.IsScalar()) {
    error("a string is needed here");
    return std::nullopt;
  }
  return node_.Scalar();
}

std::optional<int64_t> Node::integer(std::string_view key, int64_t min, int64_t max, std::optional<int64_t> def) {
  if (!has(key)) {
    if (!def) error("missing required key '" + std::string(key) + "'");
    return def;
  }
  auto v = child(key).asInteger(min, max);
  return v ? v : def;
}

std::optional<std::string> Node::string(std::string_view key, std::optional<std::string> def) {
  if (!has(key)) {
    if (!def) error("missing required key '" + std::string(key) + "'");
    return def;
  }
  auto v = child(key).asString();
  return v ? v : def;
}

std::optional<std::string> Node::choice(std::string_view key, std::initializer_list<std::string_view> allowed,
                                        std::optional<std::string> def) {
  auto v = string(key, def);
  if (!v || !has(key)) return v;
  for (std::string_view a : allowed)
    if (a == *v) return v;
  std::string list;
  for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  error("'" + *v + "' is not one of: " + list, key);
  return def;
}

std::optional<bool> Node::boolean(std::string_view key, std::optional<bool> def) {
  if (!has(key)) {
    if (!def) error("missing required key '" + std::string(key) + "'");
    return def;
  }
  Node c = child(key);
  const std::string s = c.node_.IsScalar() ? c.node_.Scalar() : "";
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  c.error("true or false is needed here");
  return def;
}

}  // namespace siptgw::config
