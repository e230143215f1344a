// A Python lock: one `name==version` per line, as pip resolved the script's requirements at
// deploy (Windmill's `lock` field). Each line names one folder of the package cache, so a line
// that could name anything else (a path, a URL, an extra) is refused, never installed.
// Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace millrace::packages {

struct LockedPackage {
  std::string name;  // canonical (PEP 503): lower case, runs of -_. as one -
  std::string version;
  // Its folder in the cache: name==version.
  std::string folder() const { return name + "==" + version; }
};

// PEP 503's normalized form of a distribution name.
std::string canonical_name(std::string_view name);

// The packages of a lock, in its order; blank lines and `#` comments are skipped. 400 naming
// the first line that is not `name==version`.
Result<std::vector<LockedPackage>> parse_python_lock(std::string_view lock);

// The lock in what `pip install --dry-run --report` wrote: every distribution it would install,
// sorted by name, one `name==version` per line. 400 when the report is not one.
Result<std::string> python_lock_from_pip_report(std::string_view report_json);

}  // namespace millrace::packages
