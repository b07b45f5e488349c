// Validated reading of the YAML configuration (docs/configuration.md): every value is
// checked for type and range, unknown keys are reported (a typo must not silently fall
// back to a default), and every error names the file, the line and the key path —
// "siptgw.yaml:14: trunks[1].cic_ranges[0]: 5000 is above the maximum 4095". All errors of
// a file are collected, not only the first, so an operator fixes them in one pass.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/result.h"

namespace siptgw::config {

struct ConfigError {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  std::string path;  // "trunks[1].dpc"
  std::string message;
  std::string describe() const;
};

class Errors {
 public:
  void add(ConfigError e) { list_.push_back(std::move(e)); }
  bool empty() const { return list_.empty(); }
  const std::vector<ConfigError>& list() const { return list_; }
  std::string describe() const;  // one line per error

 private:
  std::vector<ConfigError> list_;
};

// Parses YAML text; a syntax error comes back as a ConfigError with its line.
Result<YAML::Node, ConfigError> parseYaml(std::string_view text, const std::string& file);
Result<YAML::Node, ConfigError> loadYamlFile(const std::string& path);

// A position in the document: the node, its path and where errors go.
class Node {
 public:
  Node(YAML::Node node, std::string file, Errors& errors, std::string path = {});

  const std::string& path() const { return path_; }
  int line() const;  // 1-based line of this node, 0 if unknown
  bool isMap() const { return node_.IsMap(); }
  bool isSequence() const { return node_.IsSequence(); }
  bool has(std::string_view key) const;

  // Reports keys of this map not in `known` (and a non-map as an error).
  void allowOnly(std::initializer_list<std::string_view> known);

  // A child map/sequence node; `required` reports its absence. Absent → an undefined node
  // whose accessors all yield their defaults.
  Node child(std::string_view key, bool required = false);
  std::size_t size() const;  // elements of a sequence, 0 otherwise
  Node at(std::size_t i);

  // Scalars: absent → `def` (or an error when `def` is nullopt); wrong type or out of range →
  // error, and `def`/zero is returned so reading continues and further errors are found.
  std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max, std::optional<int64_t> def = {});
  std::optional<std::string> string(std::string_view key, std::optional<std::string> def = {});
  std::optional<std::string> choice(std::string_view key, std::initializer_list<std::string_view> allowed,
                                    std::optional<std::string> def = {});
  std::optional<bool> boolean(std::string_view key, std::optional<bool> def = {});
  // This node itself as a scalar.
  std::optional<int64_t> asInteger(int64_t min, int64_t max);
  std::optional<std::string> asString();

  // Reports an error at this node (or at its `key` child, when present).
  void error(const std::string& message, std::string_view key = {});

 private:
  std::string childPath(std::string_view key) const;
  YAML::Node node_;
  std::string file_;
  Errors* errors_;
  std::string path_;
};

}  // namespace siptgw::config
