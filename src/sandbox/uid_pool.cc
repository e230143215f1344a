#include "sandbox/uid_pool.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace millrace::sandbox {

std::unique_ptr<UidPool> UidPool::lease(uid_t first, uid_t last, size_t count,
                                        const std::string& lock_dir, std::string& error) {
  std::unique_ptr<UidPool> pool(new UidPool());
  std::error_code ec;
  std::filesystem::create_directories(lock_dir, ec);
  if (ec) {
    error = "cannot create " + lock_dir + ": " + ec.message();
    return nullptr;
  }
  for (uint64_t uid = first; uid <= last && pool->uids_.size() < count; ++uid) {
    if (getpwuid(static_cast<uid_t>(uid)) || getgrgid(static_cast<gid_t>(uid))) continue;
    std::string path = lock_dir + "/" + std::to_string(uid);
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) continue;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      close(fd);
      continue;  // another process runs jobs as this uid
    }
    pool->uids_.push_back(static_cast<uid_t>(uid));
    pool->lock_fds_.push_back(fd);
  }
  if (pool->uids_.size() < count) {
    error = "only " + std::to_string(pool->uids_.size()) + " of the " + std::to_string(count) +
            " job uids needed are free in JOB_UID_RANGE " + std::to_string(first) + "-" +
            std::to_string(last) + " (other millrace processes hold the rest)";
    return nullptr;
  }
  pool->free_ = pool->uids_;
  std::reverse(pool->free_.begin(), pool->free_.end());
  return pool;
}

UidPool::~UidPool() {
  for (int fd : lock_fds_) close(fd);
}

std::optional<uid_t> UidPool::take() {
  std::lock_guard lock(mutex_);
  if (free_.empty()) return std::nullopt;
  uid_t uid = free_.back();
  free_.pop_back();
  return uid;
}

void UidPool::give_back(uid_t uid) {
  std::lock_guard lock(mutex_);
  free_.push_back(uid);
}

}  // namespace millrace::sandbox
