#include "runtime/interpreters.h"

#include <unistd.h>

#include <cstdlib>
#include <initializer_list>

namespace millrace::runtime {
namespace {

std::optional<std::string> first_executable(std::initializer_list<const char*> candidates) {
  for (const char* c : candidates) {
    if (c && *c && access(c, X_OK) == 0) return std::string(c);
  }
  return std::nullopt;
}

}  // namespace

Interpreters Interpreters::detect() {
  Interpreters i;
  i.python3 =
      first_executable({getenv("PYTHON_PATH"), "/usr/bin/python3", "/usr/local/bin/python3"});
  i.bash = first_executable({getenv("BASH_PATH"), "/bin/bash", "/usr/bin/bash"});
  i.node = first_executable({getenv("NODE_BIN_PATH"), "/usr/bin/node", "/usr/local/bin/node"});
  return i;
}

}  // namespace millrace::runtime
