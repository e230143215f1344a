#include "packages/js_requirements.h"

#include <algorithm>
#include <unordered_set>

#include "common/strings.h"
#include "packages/data_lines.h"
#include "runtime/npm_specifier.h"

namespace millrace::packages {

extern const char kNodeBuiltins[];

namespace {

const std::unordered_set<std::string_view>& builtins() {
  static const auto set = [] {
    auto lines = data_lines(kNodeBuiltins);
    return std::unordered_set<std::string_view>(lines.begin(), lines.end());
  }();
  return set;
}

bool valid_package_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '~';
}

// `name` or `@scope/name`, as npm allows them (lower case is not enforced: npm refuses).
bool valid_package_name(std::string_view name) {
  if (name.empty() || name.size() > 214) return false;
  std::string_view bare = name;
  if (name[0] == '@') {
    size_t slash = name.find('/');
    if (slash == std::string_view::npos || slash == 1) return false;
    if (!std::all_of(name.begin() + 1, name.begin() + static_cast<long>(slash),
                     valid_package_char)) {
      return false;
    }
    bare = name.substr(slash + 1);
  }
  return !bare.empty() && bare[0] != '.' && bare[0] != '_' &&
         std::all_of(bare.begin(), bare.end(), valid_package_char);
}

// The name part of `name/sub` or `@scope/name/sub`.
std::string_view package_part(std::string_view spec) {
  size_t slash = spec.find('/');
  if (!spec.empty() && spec[0] == '@' && slash != std::string_view::npos) {
    slash = spec.find('/', slash + 1);
  }
  return spec.substr(0, slash);
}

// Every string literal that follows `from`, `import`, `import(` or `require(`.
std::vector<std::string_view> import_specifiers(std::string_view code) {
  std::vector<std::string_view> out;
  auto word_before = [&](size_t quote) {
    size_t i = quote;
    while (i > 0 && (code[i - 1] == ' ' || code[i - 1] == '\t' || code[i - 1] == '\n' ||
                     code[i - 1] == '\r')) {
      --i;
    }
    bool paren = i > 0 && code[i - 1] == '(';
    if (paren) {
      --i;
      while (i > 0 && (code[i - 1] == ' ' || code[i - 1] == '\t')) --i;
    }
    size_t end = i;
    while (i > 0 && (std::isalnum(static_cast<unsigned char>(code[i - 1])) || code[i - 1] == '_' ||
                     code[i - 1] == '$')) {
      --i;
    }
    std::string_view word = code.substr(i, end - i);
    bool standalone = i == 0 || !(code[i - 1] == '.' || code[i - 1] == '$');
    if (!standalone) return false;
    return paren ? (word == "import" || word == "require") : (word == "from" || word == "import");
  };
  for (size_t i = 0; i < code.size(); ++i) {
    char q = code[i];
    if (q != '"' && q != '\'') continue;
    size_t end = code.find(q, i + 1);
    if (end == std::string_view::npos) break;
    std::string_view literal = code.substr(i + 1, end - i - 1);
    if (literal.find('\n') == std::string_view::npos && word_before(i)) out.push_back(literal);
    i = end;
  }
  return out;
}

}  // namespace

std::string npm_package_of(std::string_view spec) {
  if (spec.empty() || spec[0] == '.' || spec[0] == '/' || spec.starts_with("node:") ||
      spec.find("://") != std::string_view::npos || spec.starts_with("jsr:") ||
      spec.starts_with("data:") || spec.starts_with("file:")) {
    return "";
  }
  std::string name;
  if (spec.starts_with("npm:")) {
    name = runtime::parse_npm_specifier(spec.substr(4)).name;
  } else {
    name = package_part(spec);
    if (builtins().count(name) || builtins().count(spec) || name == "windmill-client") return "";
  }
  return valid_package_name(name) ? name : "";
}

std::vector<NpmRequirement> js_requirements(std::string_view code) {
  std::vector<NpmRequirement> out;
  for (std::string_view spec : import_specifiers(code)) {
    std::string name = npm_package_of(spec);
    if (name.empty()) continue;
    std::string version = "latest";
    if (spec.starts_with("npm:")) {
      auto parsed = runtime::parse_npm_specifier(spec.substr(4));
      if (!parsed.version.empty()) version = parsed.version;
    }
    auto it = std::find_if(out.begin(), out.end(), [&](auto& r) { return r.name == name; });
    if (it == out.end()) {
      out.push_back({name, version});
    } else if (it->version == "latest") {
      it->version = version;
    }
  }
  return out;
}

}  // namespace millrace::packages
