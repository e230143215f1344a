// Absolute paths of the interpreters jobs run with, resolved once at start. Never a shim on
// PATH (a pyenv shim costs ~90 ms per job): Debian's own binaries come first.
#pragma once

#include <optional>
#include <string>

namespace millrace::runtime {

struct Interpreters {
  std::optional<std::string> python3;
  std::optional<std::string> bash;
  std::optional<std::string> node;     // TypeScript/JavaScript jobs and flow expressions
  std::optional<std::string> esbuild;  // strips TypeScript's types (npm package esbuild)
  std::optional<std::string> npm_cli;  // npm's npm-cli.js: installs the packages of scripts' locks
  // The npm package windmill-client (a folder), that TypeScript jobs import.
  std::optional<std::string> windmill_client;
  static Interpreters detect();
};

}  // namespace millrace::runtime
