// Which languages get packages installed, and what a piece of code in one of them requires.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace millrace::packages {

// Whether jobs in `language` (Windmill's name) run with a lock of packages: Python so far.
bool has_packages(std::string_view language);

// What `code` requires (empty when it needs nothing installed, or its language has no packages).
std::vector<std::string> requirements_of(std::string_view language, std::string_view code);

}  // namespace millrace::packages
