// A TypeScript or JavaScript lock: the package.json Millrace writes for a script's imports and
// the package-lock.json npm resolved from it, kept as one text (Windmill's `lock` field):
// package.json, then a line `//package-lock.json`, then the lock. Installed once per lock, in a
// cache folder named after the lock's hash. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "packages/js_requirements.h"

namespace millrace::packages {

struct NpmLock {
  std::string package_json;
  std::string package_lock;
};

// The package.json of a script: its requirements as dependencies, sorted by name.
std::string npm_package_json(const std::vector<NpmRequirement>& requirements);

std::string npm_lock_text(const NpmLock& lock);
// 400 when `text` is not package.json and package-lock.json (both JSON objects) as above.
Result<NpmLock> parse_npm_lock(std::string_view text);

// The cache folder of a lock: hex of its SHA-256 (so a changed lock is another folder).
std::string npm_lock_folder(std::string_view text);

}  // namespace millrace::packages
