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

void write(const char* level, std::string_view msg) {
  std::string line = format_rfc3339(now_ms());
  line += ' ';
  line += level;
  line += ' ';
  line += msg;
  line += '\n';
  std::lock_guard lock(g_mutex);
  fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

void info(std::string_view msg) {
  if (!g_quiet.load(std::memory_order_relaxed)) write("INFO", msg);
}
void warn(std::string_view msg) {
  write("WARN", msg);
}
void error(std::string_view msg) {
  write("ERROR", msg);
}
void set_quiet(bool quiet) {
  g_quiet = quiet;
}

}  // namespace millrace::log
