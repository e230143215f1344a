// The package cache of one node: each locked package installed once, in a folder of its own
// named after its exact version (python/<name>==<version>, Windmill's layout), which never
// changes once it is there. Jobs see the whole cache read-only (in a jail at
// /opt/millrace-packages); a job's import path is the folders of its lock. An install holds a
// lock file per package (flock), so two workers, or two processes on one cache, that need the
// same missing package install it once: the second waits, then finds it. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "packages/js_requirements.h"
#include "packages/tool_run.h"
#include "runtime/sandbox.h"

namespace millrace::packages {

// Where pip looks (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_TRUSTED_HOST); empty: pip's own.
struct PipSettings {
  std::string index_url;
  std::string extra_index_url;
  std::string trusted_host;
};

struct PackageCacheOptions {
  std::string root;         // host path (PACKAGE_CACHE_DIR, default <data>/cache)
  std::string root_inside;  // where jobs see it
  runtime::Sandbox sandbox;
  std::optional<std::string> python3;  // as jobs call it
  PipSettings pip;
  std::optional<std::string> node;     // as jobs call it
  std::optional<std::string> npm_cli;  // npm's npm-cli.js, run by node
  std::string npm_registry;            // NPM_CONFIG_REGISTRY; empty: npm's configuration
};

class PackageCache {
 public:
  // Makes the cache's folders; an error message says why it cannot.
  static std::optional<PackageCache> open(PackageCacheOptions options, std::string& error);

  // Resolves Python requirements into a lock with pip (`install --dry-run --report`), as a tool
  // run of its own. The error holds pip's words.
  Result<std::string> lock_python(const std::vector<std::string>& requirements,
                                  const ToolContext& ctx) const;
  // The import path of a Python lock, as the job sees it: its packages' folders, each installed
  // first when it is missing (its output in the job's logs).
  Result<std::vector<std::string>> python_path(const std::string& lock,
                                               const ToolContext& ctx) const;

  // Resolves npm requirements into a lock (package.json and package-lock.json) with
  // `npm install --package-lock-only`, install scripts off.
  Result<std::string> lock_npm(const std::vector<NpmRequirement>& requirements,
                               const ToolContext& ctx) const;
  // The node_modules folder of an npm lock, as the job sees it, installed first (`npm ci`, install
  // scripts off) when missing.
  Result<std::string> npm_modules(const std::string& lock, const ToolContext& ctx) const;

  const std::string& root() const { return options_.root; }
  // Bytes in the cache, by language (walks it).
  static uint64_t folder_bytes(const std::string& path);

 private:
  explicit PackageCache(PackageCacheOptions options) : options_(std::move(options)) {}
  std::vector<std::string> pip_environment() const;
  std::vector<std::string> npm_environment() const;
  // Makes <root>/<kind>/<folder> unless it is there, under that folder's lock file: `run`, then
  // what it left in `made` (in its own folder) copied there, as `inside` (empty: the folder
  // itself).
  Status ensure_installed(const char* kind, const std::string& folder, const ToolRun& run,
                          const std::string& made, const std::string& inside,
                          const ToolContext& ctx) const;
  PackageCacheOptions options_;
};

// Drops every package folder that no lock in `locks` names (Python packages, npm locks);
// answers how many went and their bytes. For `millrace cache prune`.
struct PruneReport {
  size_t removed = 0;
  uint64_t bytes = 0;
  size_t kept = 0;
};
Result<PruneReport> prune_packages(const std::string& root, const std::vector<std::string>& locks);

}  // namespace millrace::packages
