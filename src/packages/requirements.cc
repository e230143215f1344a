#include "packages/requirements.h"

#include "packages/python_requirements.h"

namespace millrace::packages {

bool has_packages(std::string_view language) {
  return language == "python3";
}

std::vector<std::string> requirements_of(std::string_view language, std::string_view code) {
  if (language == "python3") return python_requirements(code);
  return {};
}

}  // namespace millrace::packages
