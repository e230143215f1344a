// The server's own log lines (stderr). Never pass a token or password here: callers mask them.
#pragma once

#include <string_view>

namespace millrace::log {

void info(std::string_view msg);
void warn(std::string_view msg);
void error(std::string_view msg);
void set_quiet(bool quiet);  // drops info lines (tests and benchmarks keep stderr small)

}  // namespace millrace::log
