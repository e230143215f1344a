// The server's own log lines (stderr). Never pass a token or password here: callers mask them.
//
// Two formats: text (the default), one readable line per event whose message says everything;
// and JSON (LOG_FORMAT=json), one object per line for log collectors: {"time", "level", "msg"}
// and the event's fields (job_id, trace_id, status...). Fields are for machines: in text, the
// message alone is written.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace millrace::log {

struct Field {
  std::string_view key;
  std::string_view value;
  bool number = false;  // written bare in JSON (a count, a duration), else as a string
};
using Fields = std::initializer_list<Field>;

enum class Format { kText, kJson };

void info(std::string_view msg, Fields fields = {});
void warn(std::string_view msg, Fields fields = {});
void error(std::string_view msg, Fields fields = {});
void set_quiet(bool quiet);  // drops info lines (tests and benchmarks keep stderr small)
bool info_enabled();         // whether an info line is written (build none that is not)
void set_format(Format format);

// One line as it would be written (without the newline); for tests.
std::string format_line(Format format, std::string_view level, std::string_view msg, Fields fields,
                        int64_t time_ms);

}  // namespace millrace::log
