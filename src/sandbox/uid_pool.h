// The uids jobs run as: taken from a range no account uses (JOB_UID_RANGE), each leased by one
// process of the machine at a time (an flock on <lock_dir>/<uid>, released when the process
// ends, however it ends), then lent to one cell at a time within the process. So two jobs that
// run at once never share a uid, whichever millrace processes run them. Thread-safe.
#pragma once

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace millrace::sandbox {

class UidPool {
 public:
  // Leases `count` uids of [first, last] that no account uses and no other process holds;
  // nullptr with `error` when there are not that many.
  static std::unique_ptr<UidPool> lease(uid_t first, uid_t last, size_t count,
                                        const std::string& lock_dir, std::string& error);
  ~UidPool();
  UidPool(const UidPool&) = delete;
  UidPool& operator=(const UidPool&) = delete;

  const std::vector<uid_t>& leased() const { return uids_; }
  // A leased uid no cell holds, or nullopt when all are lent.
  std::optional<uid_t> take();
  void give_back(uid_t uid);

 private:
  UidPool() = default;
  std::vector<uid_t> uids_;
  std::vector<int> lock_fds_;
  std::mutex mutex_;
  std::vector<uid_t> free_;
};

}  // namespace millrace::sandbox
