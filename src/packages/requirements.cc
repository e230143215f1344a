#include "packages/requirements.h"

#include "packages/js_requirements.h"
#include "packages/python_requirements.h"
#include "runtime/signature.h"

namespace millrace::packages {

PackageManager package_manager(std::string_view language) {
  if (language == "python3") return PackageManager::kPip;
  if (runtime::is_typescript_language(language)) return PackageManager::kNpm;
  return PackageManager::kNone;
}

bool needs_packages(std::string_view language, std::string_view code) {
  switch (package_manager(language)) {
    case PackageManager::kPip:
      return !python_requirements(code).empty();
    case PackageManager::kNpm:
      return !js_requirements(code).empty();
    case PackageManager::kNone:
      break;
  }
  return false;
}

}  // namespace millrace::packages
