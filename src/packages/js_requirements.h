// The npm packages a TypeScript or JavaScript script needs, read from its imports: bare names
// (`import Stripe from "stripe"`, `from "lodash/fp"`, `require("ms")`, `import("zod")`) and
// Deno's `npm:name@version` form. Relative and absolute paths, `node:` and the other built-ins,
// URLs and windmill-client (which Millrace ships; `npm:windmill-client@x` pins another) need
// none. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace millrace::packages {

struct NpmRequirement {
  std::string name;     // lodash, @scope/name
  std::string version;  // a version or range from `npm:`, else "latest"
};

// In order of appearance, each package once (a pinned version wins over "latest").
std::vector<NpmRequirement> js_requirements(std::string_view code);

// The package a bare import names (`@scope/name/sub` is @scope/name), or empty when the import
// needs no package.
std::string npm_package_of(std::string_view specifier);

}  // namespace millrace::packages
