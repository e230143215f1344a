#include "sandbox/cgroups.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "common/strings.h"

namespace millrace::sandbox {
namespace {

constexpr const char* kV1Controllers[] = {"memory", "pids", "cpuacct"};

bool write_file(const std::string& path, const std::string& value) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
  close(fd);
  return ok;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// What a counter file says now (cgroup files answer afresh from offset 0); empty on error.
std::string read_counters(int fd) {
  char buffer[4096];
  ssize_t n = pread(fd, buffer, sizeof buffer - 1, 0);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

// The number after `key` in a "key value" per line file (memory.events, pids.events, ...).
int64_t keyed_value(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string k;
  int64_t v;
  while (in >> k >> v) {
    if (k == key) return v;
  }
  return 0;
}

struct Mount {
  std::string root;         // the hierarchy's path that is mounted
  std::string mount_point;  // where
};

// cgroup mounts by controller ("" for v2), from /proc/self/mountinfo.
std::map<std::string, Mount> cgroup_mounts(const std::string& under) {
  std::map<std::string, Mount> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream head(line.substr(0, dash)), tail(line.substr(dash + 3));
    std::string id, parent, devno, root, mount_point, fstype, source, options;
    head >> id >> parent >> devno >> root >> mount_point;
    tail >> fstype >> source >> options;
    if (!starts_with(mount_point, under)) continue;
    if (fstype == "cgroup2") {
      out.emplace("", Mount{root, mount_point});
    } else if (fstype == "cgroup") {
      for (const auto& o : split(options, ','))
        out.emplace(std::string(o), Mount{root, mount_point});
    }
  }
  return out;
}

// This process's cgroup path by controller ("" for v2), from /proc/self/cgroup.
std::map<std::string, std::string> own_paths() {
  std::map<std::string, std::string> out;
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    auto a = line.find(':');
    auto b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1);
    std::string path = line.substr(b + 1);
    if (controllers.empty()) {
      out[""] = path;
    } else {
      for (const auto& c : split(controllers, ',')) out[std::string(c)] = path;
    }
  }
  return out;
}

std::string folder_of(const Mount& m, const std::string& own) {
  std::string rel = own;
  if (m.root != "/" && starts_with(rel, m.root)) rel = rel.substr(m.root.size());
  return m.mount_point + (rel == "/" ? "" : rel);
}

// Removes the millrace-<pid> folders of processes that are gone, with their cells.
void remove_stale(const std::string& parent) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(parent, ec)) {
    std::string name = e.path().filename().string();
    if (!starts_with(name, "millrace-") || !e.is_directory()) continue;
    auto pid = parse_int64(std::string_view(name).substr(9));
    if (!pid || *pid <= 0 || kill(static_cast<pid_t>(*pid), 0) == 0 || errno != ESRCH) continue;
    for (const auto& cell : std::filesystem::directory_iterator(e.path(), ec)) {
      if (cell.is_directory()) rmdir(cell.path().c_str());
    }
    rmdir(e.path().c_str());
  }
}

bool make_folder(const std::string& path) {
  return mkdir(path.c_str(), 0755) == 0 || errno == EEXIST;
}

}  // namespace

std::unique_ptr<CgroupTree> CgroupTree::detect(const std::string& root, std::string& why) {
  std::unique_ptr<CgroupTree> tree(new CgroupTree());
  const std::string name = "millrace-" + std::to_string(getpid());
  auto mounts = cgroup_mounts(root);
  auto own = own_paths();

  // v2: the memory and pids controllers handed down to a folder of ours. A group with processes
  // in it cannot hand controllers down, so this process first moves into a leaf of its own.
  if (mounts.count("") && own.count("")) {
    std::string here = folder_of(mounts[""], own[""]);
    std::string controllers = read_file(here + "/cgroup.controllers");
    if (controllers.find("memory") != std::string::npos &&
        controllers.find("pids") != std::string::npos) {
      std::string base = here + "/" + name;
      std::string server = here + "/" + name + "-server";
      remove_stale(here);
      bool ok = (write_file(here + "/cgroup.subtree_control", "+memory +pids") ||
                 (make_folder(server) && write_file(server + "/cgroup.procs", "0") &&
                  write_file(here + "/cgroup.subtree_control", "+memory +pids"))) &&
                make_folder(base) && write_file(base + "/cgroup.subtree_control", "+memory +pids");
      if (ok) {
        tree->kind_ = Kind::kV2;
        tree->bases_ = {base};
        return tree;
      }
      why = "cgroup v2 at " + here + " cannot hand the memory and pids controllers down (" +
            strerror(errno) + ")";
    } else {
      why = "cgroup v2 at " + here + " has no memory or pids controller";
    }
  }
  // v1: a folder of ours in each of the memory, pids and cpuacct hierarchies.
  std::vector<std::string> bases;
  for (const char* c : kV1Controllers) {
    if (!mounts.count(c) || !own.count(c)) break;
    std::string here = folder_of(mounts[c], own[c]);
    remove_stale(here);
    std::string base = here + "/" + name;
    if (!make_folder(base)) {
      why += std::string(why.empty() ? "" : "; ") + "cgroup v1 " + c + ": cannot create " + base +
             ": " + strerror(errno);
      break;
    }
    bases.push_back(base);
  }
  if (bases.size() == std::size(kV1Controllers)) {
    tree->kind_ = Kind::kV1;
    tree->bases_ = bases;
    return tree;
  }
  for (const auto& b : bases) rmdir(b.c_str());
  if (why.empty()) why = "no cgroup v2 with memory and pids, nor v1 memory, pids and cpuacct";
  return tree;
}

CgroupTree::~CgroupTree() {
  for (const auto& b : bases_) rmdir(b.c_str());
}

std::string CgroupTree::describe() const {
  switch (kind_) {
    case Kind::kV2:
      return "cgroup v2 (" + bases_[0] + ")";
    case Kind::kV1:
      return "cgroup v1 (memory, pids, cpuacct)";
    default:
      return "no cgroups";
  }
}

std::unique_ptr<CellCgroup> CgroupTree::create(const std::string& name, const CgroupLimits& limits,
                                               std::string& error) const {
  if (kind_ == Kind::kNone) return nullptr;
  std::unique_ptr<CellCgroup> cg(new CellCgroup());
  cg->v2_ = kind_ == Kind::kV2;
  for (const auto& base : bases_) {
    std::string dir = base + "/" + name;
    if (!make_folder(dir)) {
      error = "cannot create the cgroup " + dir + ": " + strerror(errno);
      return nullptr;
    }
    cg->dirs_.push_back(dir);
  }
  auto set = [&](const std::string& dir, const char* file, int64_t value) {
    if (write_file(dir + "/" + file, std::to_string(value))) return true;
    error = "cannot set " + dir + "/" + file + ": " + strerror(errno);
    return false;
  };
  const std::string& memory = cg->dirs_[0];
  const std::string& pids = cg->v2_ ? cg->dirs_[0] : cg->dirs_[1];
  if (limits.memory_bytes > 0) {
    if (cg->v2_) {
      if (!set(memory, "memory.max", limits.memory_bytes)) return nullptr;
      write_file(memory + "/memory.swap.max", "0");
      write_file(memory + "/memory.oom.group", "1");
    } else {
      if (!set(memory, "memory.limit_in_bytes", limits.memory_bytes)) return nullptr;
      write_file(memory + "/memory.memsw.limit_in_bytes", std::to_string(limits.memory_bytes));
    }
  }
  if (limits.max_processes > 0 && !set(pids, "pids.max", limits.max_processes)) return nullptr;
  for (const auto& dir : cg->dirs_) {
    int fd = open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      error = "cannot open " + dir + "/cgroup.procs: " + strerror(errno);
      return nullptr;
    }
    cg->procs_fds_.push_back(fd);
  }
  // Read before, during and after every job: kept open.
  std::vector<std::string> counters =
      cg->v2_ ? std::vector<std::string>{memory + "/memory.events", pids + "/pids.events",
                                         memory + "/cpu.stat"}
              : std::vector<std::string>{memory + "/memory.oom_control", pids + "/pids.events",
                                         cg->dirs_[2] + "/cpuacct.usage"};
  for (const auto& path : counters) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = "cannot open " + path + ": " + strerror(errno);
      return nullptr;
    }
    cg->counter_fds_.push_back(fd);
  }
  return cg;
}

CgroupUsage CellCgroup::usage() const {
  CgroupUsage u;
  if (counter_fds_.size() != 3) return u;
  u.oom_kills = keyed_value(read_counters(counter_fds_[0]), "oom_kill");
  u.forks_refused = keyed_value(read_counters(counter_fds_[1]), "max");
  if (v2_) {
    u.cpu_ns = keyed_value(read_counters(counter_fds_[2]), "usage_usec") * 1000;
  } else {
    u.cpu_ns = parse_int64(trim(read_counters(counter_fds_[2]))).value_or(0);
  }
  return u;
}

CellCgroup::~CellCgroup() {
  for (int fd : procs_fds_) close(fd);
  for (int fd : counter_fds_) close(fd);
  // The last processes of a tree may still be on their way out.
  for (const auto& dir : dirs_) {
    for (int attempt = 0; attempt < 20 && rmdir(dir.c_str()) != 0 && errno == EBUSY; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
}

}  // namespace millrace::sandbox
