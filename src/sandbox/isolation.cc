#include "sandbox/isolation.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "common/random.h"
#include "common/strings.h"
#include "sandbox/root_template.h"
#include "sandbox/trees.h"
#include "sandbox/uid_pool.h"

namespace millrace::sandbox {
namespace {

namespace fs = std::filesystem;

// The scratch tmpfs reports full below this.
constexpr uint64_t kFullBelowBytes = 64 * 1024;

std::string errno_text(const std::string& what) {
  return what + ": " + strerror(errno);
}

bool make_owned_folder(const std::string& path, mode_t mode, uid_t uid) {
  if (mkdir(path.c_str(), mode) != 0) return false;
  return chmod(path.c_str(), mode) == 0 && chown(path.c_str(), uid, uid) == 0;
}

// Node folders (and their lock files) of processes that are gone: their mounts went with
// their namespaces; what is left is plain folders.
void remove_stale_nodes(const std::string& job_root) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(job_root, ec)) {
    std::string name = e.path().filename().string();
    if (!starts_with(name, "node-") || e.path().extension() != ".lock") continue;
    int fd = open(e.path().c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
      std::string dir = job_root + "/" + e.path().stem().string();
      remove_tree(dir);
      unlink(e.path().c_str());
    }
    close(fd);
  }
}

// An empty network namespace with its loopback up, kept by the returned descriptor.
int make_empty_network(std::string& error) {
  int fd = -1;
  std::thread([&] {
    // A thread may leave its network namespace alone; this one ends right after.
    if (unshare(CLONE_NEWNET) != 0) {
      error = errno_text("cannot make a network namespace");
      return;
    }
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s >= 0) {
      ifreq ifr{};
      strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
      if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags |= IFF_UP;
        ioctl(s, SIOCSIFFLAGS, &ifr);
      }
      close(s);
    }
    fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (fd < 0) error = errno_text("cannot keep a network namespace");
  }).join();
  return fd;
}

}  // namespace

std::string Isolation::enter_private_mount_namespace() {
  if (unshare(CLONE_NEWNS) != 0) return errno_text("cannot make a mount namespace");
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return errno_text("cannot make the mount namespace private");
  }
  return "";
}

std::unique_ptr<Isolation> Isolation::create(const IsolationOptions& options, std::string& error) {
  std::unique_ptr<Isolation> iso(new Isolation());
  iso->options_ = options;
  const std::string& root = options.job_root;
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec || chown(root.c_str(), 0, 0) != 0 || chmod(root.c_str(), 0711) != 0) {
    error = "cannot prepare the job folder root " + root + ": " +
            (ec ? ec.message() : std::string(strerror(errno)));
    return nullptr;
  }
  remove_stale_nodes(root);
  std::string node;
  for (int attempt = 0; attempt < 8 && node.empty(); ++attempt) {
    std::string candidate = root + "/node-" + random_alphanumeric(16);
    if (mkdir(candidate.c_str(), 0711) == 0) node = candidate;
  }
  if (node.empty()) {
    error = errno_text("cannot create a node folder in " + root);
    return nullptr;
  }
  iso->node_dir_ = node;
  iso->node_lock_fd_ =
      open((node + ".lock").c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (iso->node_lock_fd_ < 0 || flock(iso->node_lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    error = errno_text("cannot lock " + node + ".lock");
    return nullptr;
  }
  for (const char* sub : {"/runtime", "/etc"}) {
    if (mkdir((node + sub).c_str(), 0755) != 0) {
      error = errno_text("cannot create " + node + sub);
      return nullptr;
    }
  }
  for (const char* sub : {"/shared", "/cells"}) {
    if (mkdir((node + sub).c_str(), 0711) != 0) {
      error = errno_text("cannot create " + node + sub);
      return nullptr;
    }
  }
  iso->uids_ = UidPool::lease(options.first_uid, options.last_uid, options.cells,
                              options.uid_lock_dir, error);
  if (!iso->uids_) return nullptr;
  RootTemplateOptions t;
  t.dir = node + "/root";
  t.files_dir = node + "/etc";
  t.runtime_dir = iso->runtime_dir();
  t.extra = options.extra_mounts;
  t.uids = iso->uids_->leased();
  if (error = build_root_template(t); !error.empty()) return nullptr;
  iso->cgroups_ = CgroupTree::detect(options.cgroup_root, iso->cgroup_warning_);
  return iso;
}

Isolation::~Isolation() {
  cgroups_.reset();
  if (!node_dir_.empty()) {
    umount2((node_dir_ + "/root").c_str(), MNT_DETACH);
    remove_tree(node_dir_);
    unlink((node_dir_ + ".lock").c_str());
  }
  if (node_lock_fd_ >= 0) close(node_lock_fd_);
}

std::string Isolation::describe() const {
  std::string text = "jobs run in sandboxes: own pid, mount and ipc namespaces, uids from " +
                     std::to_string(uids_->leased().front()) + ", seccomp, " + cgroups_->describe();
  const JobLimits& l = options_.limits;
  text += "; limits: memory " +
          (l.memory_bytes ? std::to_string(l.memory_bytes >> 20) + " MB" : std::string("none")) +
          ", " + std::to_string(l.max_processes) + " processes, disk " +
          std::to_string(l.disk_bytes >> 20) + " MB" +
          (l.cpu_time_ms ? ", CPU " + std::to_string(l.cpu_time_ms / 1000) + " s" : "") +
          "; network " + (options_.network ? "on" : "off");
  if (cgroups_->kind() == CgroupTree::Kind::kNone) {
    text += ". WARNING: " + cgroup_warning_ +
            ": the memory and process limits apply to each process, not to a job's children "
            "together";
  }
  return text;
}

std::unique_ptr<Cell> Isolation::new_cell(const std::string& name, const JobLimits& limits,
                                          std::string& error) {
  std::unique_ptr<Cell> cell(new Cell());
  auto uid = uids_->take();
  if (!uid) {
    error = "no job uid left for " + name;
    return nullptr;
  }
  cell->isolation_ = this;
  cell->name_ = name;
  cell->uid_ = *uid;
  cell->limits_ = limits;
  std::string scratch = node_dir_ + "/cells/" + name;
  if (mkdir(scratch.c_str(), 0711) != 0) {
    error = errno_text("cannot create " + scratch);
    return nullptr;
  }
  std::string data = "mode=0711,size=" + std::to_string(limits.disk_bytes);
  if (mount("millrace-cell", scratch.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, data.c_str()) != 0) {
    error = errno_text("cannot mount the scratch of " + name);
    rmdir(scratch.c_str());
    return nullptr;
  }
  cell->scratch_ = scratch;
  if (cgroups_->kind() != CgroupTree::Kind::kNone) {
    cell->cgroup_ = cgroups_->create(name, {limits.memory_bytes, limits.max_processes}, error);
    if (!cell->cgroup_) return nullptr;
  }
  return cell;
}

Cell::~Cell() {
  if (!scratch_.empty()) {
    umount2(scratch_.c_str(), MNT_DETACH);
    rmdir(scratch_.c_str());
  }
  cgroup_.reset();
  if (netns_fd_ >= 0) close(netns_fd_);
  if (isolation_) isolation_->uids_->give_back(uid_);
}

namespace {

// This thread's folders of jobs that are over; removed when cleared or when the thread ends.
std::vector<CellFolder>& folders_left() {
  thread_local std::vector<CellFolder> folders;
  return folders;
}

}  // namespace

void remove_later(CellFolder&& folder) {
  folders_left().push_back(std::move(folder));
}

void remove_folders_left() {
  folders_left().clear();
}

std::optional<CellFolder> Cell::new_folder(std::string& error) const {
  remove_folders_left();
  std::string base = scratch_ + "/" + random_alphanumeric(20);
  // Exclusive: a folder that exists already is never taken over.
  if (mkdir(base.c_str(), 0711) != 0) {
    error = errno_text("cannot create the job folder " + base);
    return std::nullopt;
  }
  CellFolder folder(base);
  for (const char* sub : {"/job", "/tmp", "/shm"}) {
    if (!make_owned_folder(base + sub, 0700, uid_)) {
      error = errno_text("cannot create the job folder " + base + sub);
      return std::nullopt;
    }
  }
  return folder;
}

std::optional<Jail> Cell::jail(const CellFolder& folder, bool network,
                               const std::vector<Bind>& more, std::string& error) {
  Jail j;
  j.root = isolation_->node_dir_ + "/root";
  j.binds = {{folder.job(), kJobFolderInside, false},
             {folder.tmp(), "/tmp", false},
             {folder.shm(), "/dev/shm", false}};
  j.binds.insert(j.binds.end(), more.begin(), more.end());
  j.uid = uid_;
  j.gid = uid_;
  if (!network) {
    if (netns_fd_ < 0) netns_fd_ = make_empty_network(error);
    if (netns_fd_ < 0) return std::nullopt;  // never the host's network instead
    j.netns_fd = netns_fd_;
  }
  if (cgroup_) {
    j.cgroup_fds = cgroup_->procs_fds();
  } else {
    j.max_processes = limits_.max_processes;  // per uid, and the uid is the cell's
  }
  return j;
}

CgroupUsage Cell::usage() const {
  return cgroup_ ? cgroup_->usage() : CgroupUsage{};
}

std::string Cell::limit_reached(const CgroupUsage& before) const {
  if (!cgroup_) return "";
  CgroupUsage now = cgroup_->usage();
  if (now.oom_kills > before.oom_kills) {
    return "the job went over its memory limit of " + std::to_string(limits_.memory_bytes >> 20) +
           " MB (JOB_MEMORY_LIMIT_MB), its processes together";
  }
  if (now.forks_refused > before.forks_refused) {
    return "the job went over its limit of " + std::to_string(limits_.max_processes) +
           " processes (JOB_PIDS_MAX)";
  }
  if (limits_.cpu_time_ms > 0 && now.cpu_ns - before.cpu_ns > limits_.cpu_time_ms * 1000000) {
    return "the job used more than " + std::to_string(limits_.cpu_time_ms / 1000) +
           " s of CPU time (JOB_CPU_LIMIT_S)";
  }
  return "";
}

bool Cell::scratch_full() const {
  struct statvfs st;
  if (statvfs(scratch_.c_str(), &st) != 0) return false;
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize < kFullBelowBytes;
}

std::string Cell::disk_limit_message() const {
  return "the job's folder, /tmp and /dev/shm went over their limit of " +
         std::to_string(limits_.disk_bytes >> 20) + " MB together (JOB_DISK_LIMIT_MB)";
}

CellFolder::~CellFolder() {
  if (!base_.empty()) remove_tree(base_);
}

}  // namespace millrace::sandbox
