// The job sandbox of one process (docs/architecture.md, "The job sandbox"). Isolation is made
// once at start: the process's private mount namespace, its node folder (root-owned 0711, in
// JOB_DIR), the root template, the leased uids and the cgroup folder. A Cell is one place where
// one process tree at a time runs: a uid of its own, a cgroup with the job limits, a scratch
// tmpfs of the disk limit for the job's folder, /tmp and /dev/shm, and an empty network
// namespace when the job has no network. Worker slots, warm interpreters and expression
// evaluators each hold a cell, so trees that run at the same time never share any of these.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sandbox/cgroups.h"
#include "sandbox/jail.h"

namespace millrace::sandbox {

class UidPool;

struct JobLimits {
  int64_t memory_bytes = 0;      // the cell's processes together; 0: none
  int64_t max_processes = 256;   // processes and threads at once
  int64_t disk_bytes = 1 << 30;  // the job's folder, /tmp and /dev/shm together
  int64_t cpu_time_ms = 0;       // CPU time of the whole tree; 0: none
};

struct IsolationOptions {
  std::string job_root;  // JOB_DIR: node folders are made in it
  uid_t first_uid = 2000000000;
  uid_t last_uid = 2000065535;
  std::string uid_lock_dir = "/run/millrace/uids";
  size_t cells = 8;  // the most cells this process holds at once
  JobLimits limits;
  bool network = true;             // JOB_NETWORK
  std::vector<Bind> extra_mounts;  // interpreters outside /usr; JOB_EXTRA_MOUNTS
  std::string cgroup_root = "/sys/fs/cgroup";
};

// A job's folder in a cell: <scratch>/<random>/{job,tmp,shm}, seen inside as /job, /tmp and
// /dev/shm. Removed (never following a link) when destroyed.
class CellFolder {
 public:
  ~CellFolder();
  CellFolder(CellFolder&& o) noexcept : base_(std::move(o.base_)) { o.base_.clear(); }
  CellFolder(const CellFolder&) = delete;
  CellFolder& operator=(const CellFolder&) = delete;
  std::string job() const { return base_ + "/job"; }  // host path of /job
  std::string tmp() const { return base_ + "/tmp"; }
  std::string shm() const { return base_ + "/shm"; }

 private:
  friend class Cell;
  explicit CellFolder(std::string base) : base_(std::move(base)) {}
  std::string base_;
};

// Hands a job's folder over for removal later on this thread: at remove_folders_left() (a
// worker calls it once the job's outcome is stored, so the removal is not on the job's path),
// at this thread's next Cell::new_folder(), or when the thread ends.
void remove_later(CellFolder&& folder);
void remove_folders_left();

class Isolation;

class Cell {
 public:
  ~Cell();
  Cell(const Cell&) = delete;
  Cell& operator=(const Cell&) = delete;

  uid_t uid() const { return uid_; }
  const JobLimits& limits() const { return limits_; }
  // A new folder: its name unpredictable, made exclusively; job/ owned by the cell's uid.
  std::optional<CellFolder> new_folder(std::string& error) const;
  // How a tree runs here with `folder`, plus `more` binds (made after it, e.g. a flow's
  // ./shared). Without network, the cell's empty network namespace (made on first use).
  std::optional<Jail> jail(const CellFolder& folder, bool network, const std::vector<Bind>& more,
                           std::string& error);

  // Counters of the cell's cgroup (zeros without cgroups).
  CgroupUsage usage() const;
  // Which limit the tree went over since `before`, in words naming the setting; empty if none.
  std::string limit_reached(const CgroupUsage& before) const;
  // Whether the scratch tmpfs is full (the disk limit was reached).
  bool scratch_full() const;
  std::string disk_limit_message() const;

 private:
  friend class Isolation;
  Cell() = default;
  Isolation* isolation_ = nullptr;
  std::string name_;
  uid_t uid_ = 0;
  JobLimits limits_;
  std::string scratch_;  // host path of the cell's tmpfs
  std::unique_ptr<CellCgroup> cgroup_;
  int netns_fd_ = -1;
};

class Isolation {
 public:
  // Gives this process a private mount namespace: every mount the sandbox makes lives there
  // and vanishes with the process, however it ends. Must run before any thread is started.
  static std::string enter_private_mount_namespace();
  // Builds everything; an error message names what is missing.
  static std::unique_ptr<Isolation> create(const IsolationOptions& options, std::string& error);
  ~Isolation();
  Isolation(const Isolation&) = delete;
  Isolation& operator=(const Isolation&) = delete;

  // A new cell named `name` (unique in the process) with these limits. nullptr with `error`.
  std::unique_ptr<Cell> new_cell(const std::string& name, const JobLimits& limits,
                                 std::string& error);
  const IsolationOptions& options() const { return options_; }
  // Host folder shown read-only at /opt/millrace in every jail (the runtime wrappers).
  std::string runtime_dir() const { return node_dir_ + "/runtime"; }
  // Host folder for the shared folders of same_worker flows.
  std::string shared_dir() const { return node_dir_ + "/shared"; }
  // One line for the start log: what the jobs' sandbox has.
  std::string describe() const;
  CgroupTree::Kind cgroups() const { return cgroups_->kind(); }

 private:
  friend class Cell;
  Isolation() = default;
  IsolationOptions options_;
  std::string node_dir_;
  int node_lock_fd_ = -1;
  std::unique_ptr<UidPool> uids_;
  std::unique_ptr<CgroupTree> cgroups_;
  std::string cgroup_warning_;
};

}  // namespace millrace::sandbox
