#include "runtime/leftovers.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <iterator>
#include <unordered_set>

namespace millrace::runtime {

size_t kill_leftover_job_processes(const std::vector<std::string>& job_ids) {
  if (job_ids.empty()) return 0;
  std::unordered_set<std::string> wanted;
  for (const auto& id : job_ids) wanted.insert("WM_JOB_ID=" + id);
  DIR* proc = opendir("/proc");
  if (!proc) return 0;
  size_t killed = 0;
  const pid_t self = getpid();
  while (dirent* entry = readdir(proc)) {
    if (!std::isdigit(static_cast<unsigned char>(entry->d_name[0]))) continue;
    pid_t pid = static_cast<pid_t>(std::atol(entry->d_name));
    if (pid == self) continue;
    std::ifstream environ(std::string("/proc/") + entry->d_name + "/environ", std::ios::binary);
    if (!environ) continue;
    std::string env((std::istreambuf_iterator<char>(environ)), std::istreambuf_iterator<char>());
    size_t start = 0;
    while (start < env.size()) {
      size_t end = env.find('\0', start);
      if (end == std::string::npos) end = env.size();
      if (wanted.count(env.substr(start, end - start)) && kill(pid, SIGKILL) == 0) {
        ++killed;
        break;
      }
      start = end + 1;
    }
  }
  closedir(proc);
  return killed;
}

}  // namespace millrace::runtime
