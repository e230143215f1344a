// `millrace backup <file>`: a consistent copy of the embedded database, taken while serving.
#pragma once

#include "common/config.h"

namespace millrace::cli {

// Prints what it copied, or why it could not; returns the exit code.
int backup(const Config& config);

}  // namespace millrace::cli
