// `millrace cache prune`: removes from this node's package cache every package that no saved
// script version (not deleted) names in its lock. A package removed that a job needs later is
// installed again by that job.
#pragma once

#include "common/config.h"

namespace millrace::cli {

// Where the package cache of this configuration is.
std::string package_cache_dir(const Config& config);

// Prints what it removed; returns the exit code.
int cache_prune(const Config& config);

}  // namespace millrace::cli
