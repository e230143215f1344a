// Which package manager a language's jobs get their packages from, and whether a piece of code
// needs any.
#pragma once

#include <string_view>

namespace millrace::packages {

enum class PackageManager {
  kNone,  // Bash: what the machine has
  kPip,   // Python
  kNpm,   // TypeScript and JavaScript
};

PackageManager package_manager(std::string_view language);

// Whether `code` (in `language`) imports anything that must be installed.
bool needs_packages(std::string_view language, std::string_view code);

}  // namespace millrace::packages
