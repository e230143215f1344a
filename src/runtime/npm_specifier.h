// Deno's `npm:name@version/sub` imports, which Node.js does not know: what they name, and code
// rewritten to import `name/sub` (from the job's node_modules, its lock's packages).
#pragma once

#include <string>
#include <string_view>

namespace millrace::runtime {

struct NpmSpecifier {
  std::string name;     // lodash, @scope/name
  std::string version;  // empty when none is given
  std::string subpath;  // with its leading slash, or empty
};

// `spec` without its `npm:` prefix.
NpmSpecifier parse_npm_specifier(std::string_view spec);

// Every quoted "npm:name@version/sub" made "name/sub".
std::string without_npm_prefixes(std::string code);

}  // namespace millrace::runtime
