#include "runtime/interpreters.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <initializer_list>

namespace millrace::runtime {
namespace {

// The first candidate that is executable, as a real path: sandboxed jobs see the system's
// folders, not the links or `..` that led to them.
std::optional<std::string> first_executable(std::initializer_list<const char*> candidates) {
  for (const char* c : candidates) {
    if (c && *c && access(c, X_OK) == 0) {
      std::error_code ec;
      auto real = std::filesystem::canonical(c, ec);
      return ec ? std::string(c) : real.string();
    }
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
  // npm, for jobs' packages: its npm-cli.js (what the npm command links to), run by node.
  if (auto npm = first_executable({getenv("NPM_BIN_PATH"), "/usr/bin/npm", "/usr/local/bin/npm"})) {
    std::error_code canonical_ec;
    auto cli = std::filesystem::canonical(*npm, canonical_ec);
    if (!canonical_ec && cli.extension() == ".js") i.npm_cli = cli.string();
  }
  // esbuild's own variable, else the project's node_modules next to the binary (build/millrace
  // → ./node_modules), else a global npm install.
  std::string exe_dir;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) exe_dir = exe.parent_path().string();
  const std::string project_native = exe_dir + "/../node_modules/@esbuild/linux-x64/bin/esbuild";
  const std::string project = exe_dir + "/../node_modules/esbuild/bin/esbuild";
  i.esbuild = first_executable({getenv("ESBUILD_BINARY_PATH"), project_native.c_str(),
                                project.c_str(), "/usr/local/lib/node_modules/esbuild/bin/esbuild",
                                "/usr/lib/node_modules/esbuild/bin/esbuild"});
  for (const std::string& dir :
       {std::string(getenv("WINDMILL_CLIENT_PATH") ? getenv("WINDMILL_CLIENT_PATH") : ""),
        exe_dir + "/../node_modules/windmill-client",
        std::string("/usr/local/lib/node_modules/windmill-client"),
        std::string("/usr/lib/node_modules/windmill-client")}) {
    if (!dir.empty() && std::filesystem::exists(dir + "/dist/index.mjs", ec)) {
      i.windmill_client = std::filesystem::canonical(dir, ec).string();
      break;
    }
  }
  return i;
}

}  // namespace millrace::runtime
