// The Python packages a script needs, read from its code as Windmill reads them: its top-level
// `import x` / `from x import y` (the standard library, `wmill` and relative imports need
// nothing), each mapped to the distribution that provides it (data/python_import_names.txt:
// `yaml` is PyYAML); or, when the code has a `# requirements:` comment block, exactly the lines
// of that block (pins and extras allowed); plus the lines of a `# extra_requirements:` block.
// Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace millrace::packages {

// The requirements, in order of appearance, each distribution once.
std::vector<std::string> python_requirements(std::string_view code);

// The distribution that provides `module` (a dotted import name): its longest listed prefix's,
// else its top-level name. Empty for the standard library and wmill.
std::string python_distribution(std::string_view module);

}  // namespace millrace::packages
