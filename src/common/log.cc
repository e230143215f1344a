#include "common/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include "common/clock.h"

namespace millrace::log {
namespace {

std::mutex g_mutex;
std::atomic<bool> g_quiet{false};
std::atomic<Format> g_format{Format::kText};

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void write(std::string_view level, std::string_view msg, Fields fields) {
  std::string line =
      format_line(g_format.load(std::memory_order_relaxed), level, msg, fields, now_ms());
  line += '\n';
  std::lock_guard lock(g_mutex);
  fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

std::string format_line(Format format, std::string_view level, std::string_view msg, Fields fields,
                        int64_t time_ms) {
  std::string line;
  if (format == Format::kText) {
    line = format_rfc3339(time_ms);
    line += ' ';
    line += level;
    line += ' ';
    line += msg;
    return line;
  }
  line = "{\"time\":";
  append_json_string(line, format_rfc3339(time_ms));
  line += ",\"level\":";
  std::string lower(level);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  append_json_string(line, lower);
  line += ",\"msg\":";
  append_json_string(line, msg);
  for (const auto& f : fields) {
    if (f.value.empty()) continue;
    line += ',';
    append_json_string(line, f.key);
    line += ':';
    if (f.number) {
      line += f.value;
    } else {
      append_json_string(line, f.value);
    }
  }
  line += '}';
  return line;
}

void info(std::string_view msg, Fields fields) {
  if (!g_quiet.load(std::memory_order_relaxed)) write("INFO", msg, fields);
}
void warn(std::string_view msg, Fields fields) {
  write("WARN", msg, fields);
}
void error(std::string_view msg, Fields fields) {
  write("ERROR", msg, fields);
}
bool info_enabled() {
  return !g_quiet.load(std::memory_order_relaxed);
}
void set_quiet(bool quiet) {
  g_quiet = quiet;
}
void set_format(Format format) {
  g_format = format;
}

}  // namespace millrace::log
