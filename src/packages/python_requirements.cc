#include "packages/python_requirements.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "common/strings.h"
#include "packages/data_lines.h"

namespace millrace::packages {

extern const char kPythonStdlib[];
extern const char kPythonImportNames[];

namespace {

const std::unordered_set<std::string_view>& stdlib() {
  static const auto set = [] {
    auto lines = data_lines(kPythonStdlib);
    return std::unordered_set<std::string_view>(lines.begin(), lines.end());
  }();
  return set;
}

const std::unordered_map<std::string_view, std::string_view>& renames() {
  static const auto map = [] {
    std::unordered_map<std::string_view, std::string_view> m;
    for (auto line : data_lines(kPythonImportNames)) {
      size_t space = line.find(' ');
      if (space != std::string_view::npos) m[line.substr(0, space)] = trim(line.substr(space));
    }
    return m;
  }();
  return map;
}

// PEP 503's normal form: the same distribution however it is spelled.
std::string normalized(std::string_view name) {
  std::string out;
  for (char c : name) {
    bool sep = c == '-' || c == '_' || c == '.';
    if (sep) {
      if (out.empty() || out.back() != '-') out += '-';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

// The distribution name a requirement line starts with (`pandas[excel]>=2` → pandas).
std::string_view requirement_name(std::string_view requirement) {
  size_t end = 0;
  while (end < requirement.size() &&
         (std::isalnum(static_cast<unsigned char>(requirement[end])) || requirement[end] == '-' ||
          requirement[end] == '_' || requirement[end] == '.')) {
    ++end;
  }
  return requirement.substr(0, end);
}

bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

// The module names one top-level import statement names (`import a.b as c, d` → a.b, d;
// `from a.b import c` → a.b); none for a relative import.
std::vector<std::string> imported_modules(std::string_view line) {
  std::vector<std::string> out;
  if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
  if (starts_with(line, "from ") || starts_with(line, "from\t")) {
    std::string_view rest = trim(line.substr(5));
    size_t end = 0;
    while (end < rest.size() && is_identifier_char(rest[end])) ++end;
    std::string_view module = rest.substr(0, end);
    if (!module.empty() && module[0] != '.') out.emplace_back(module);
    return out;
  }
  std::string_view rest = line.substr(7);  // after "import "
  for (const auto& part : split(rest, ',')) {
    std::string_view name = trim(part);
    size_t end = 0;
    while (end < name.size() && is_identifier_char(name[end])) ++end;
    if (end > 0) out.emplace_back(name.substr(0, end));
  }
  return out;
}

// The requirement lines of a `# <header>` comment block: the comment lines right after it.
std::optional<std::vector<std::string>> comment_block(const std::vector<std::string_view>& lines,
                                                      std::string_view header) {
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view l = trim(lines[i]);
    if (!starts_with(l, "#")) continue;
    if (trim(l.substr(1)) != header) continue;
    std::vector<std::string> out;
    for (size_t j = i + 1; j < lines.size(); ++j) {
      std::string_view next = trim(lines[j]);
      if (!starts_with(next, "#")) break;
      std::string_view requirement = trim(next.substr(1));
      if (!requirement.empty()) out.emplace_back(requirement);
    }
    return out;
  }
  return std::nullopt;
}

}  // namespace

std::string python_distribution(std::string_view module) {
  std::string_view top = module.substr(0, module.find('.'));
  if (top.empty() || top == "wmill" || stdlib().count(top)) return "";
  // The longest dotted prefix that is listed.
  for (std::string_view prefix = module;;) {
    if (auto it = renames().find(prefix); it != renames().end()) return std::string(it->second);
    size_t dot = prefix.rfind('.');
    if (dot == std::string_view::npos) break;
    prefix = prefix.substr(0, dot);
  }
  return std::string(top);
}

std::vector<std::string> python_requirements(std::string_view code) {
  std::vector<std::string_view> lines;
  for (std::string_view rest = code; !rest.empty();) {
    size_t nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  auto add = [&](const std::string& requirement) {
    if (seen.insert(normalized(requirement_name(requirement))).second) out.push_back(requirement);
  };
  // An extra requirement wins over an inferred one of the same distribution (it may pin it).
  const auto extra = comment_block(lines, "extra_requirements:");
  if (extra) {
    for (const auto& r : *extra) seen.insert(normalized(requirement_name(r)));
  }
  if (auto pinned = comment_block(lines, "requirements:")) {
    for (const auto& r : *pinned) add(r);
  } else {
    // Top-level statements only: a line inside a triple-quoted string is not one.
    bool in_string = false;
    for (std::string_view line : lines) {
      bool was_in_string = in_string;
      for (size_t at = 0; (at = line.find("\"\"\"", at)) != std::string_view::npos; at += 3) {
        in_string = !in_string;
      }
      for (size_t at = 0; (at = line.find("'''", at)) != std::string_view::npos; at += 3) {
        in_string = !in_string;
      }
      if (was_in_string) continue;
      if (!starts_with(line, "import ") && !starts_with(line, "from ")) continue;
      for (const auto& module : imported_modules(line)) {
        if (std::string dist = python_distribution(module); !dist.empty()) add(dist);
      }
    }
  }
  if (extra) {
    for (const auto& r : *extra) {
      if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
    }
  }
  return out;
}

}  // namespace millrace::packages
