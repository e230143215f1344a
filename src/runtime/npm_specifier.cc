#include "runtime/npm_specifier.h"

namespace millrace::runtime {

NpmSpecifier parse_npm_specifier(std::string_view spec) {
  NpmSpecifier out;
  size_t from = 0;
  if (!spec.empty() && spec[0] == '@') {
    size_t slash = spec.find('/');
    if (slash == std::string_view::npos) {
      out.name = spec;
      return out;
    }
    from = slash + 1;
  }
  size_t end = spec.find_first_of("@/", from);
  out.name = spec.substr(0, end);
  if (end == std::string_view::npos) return out;
  if (spec[end] == '@') {
    size_t slash = spec.find('/', end);
    out.version = spec.substr(end + 1, slash == std::string_view::npos ? slash : slash - end - 1);
    if (slash != std::string_view::npos) out.subpath = spec.substr(slash);
  } else {
    out.subpath = spec.substr(end);
  }
  return out;
}

std::string without_npm_prefixes(std::string code) {
  for (char q : {'"', '\''}) {
    const std::string open = std::string(1, q) + "npm:";
    for (size_t at = 0; (at = code.find(open, at)) != std::string::npos;) {
      size_t end = code.find(q, at + 1);
      if (end == std::string::npos) break;
      auto parsed = parse_npm_specifier(std::string_view(code).substr(at + 5, end - at - 5));
      std::string replacement = std::string(1, q) + parsed.name + parsed.subpath + q;
      code.replace(at, end - at + 1, replacement);
      at += replacement.size();
    }
  }
  return code;
}

}  // namespace millrace::runtime
